import Foundation
import RegistryJSON
import XCTest

/// The web UI over HTTP (issue 18, docs/ui.md): every page renders from the real server on both
/// databases, hostile names, descriptions and deprecation messages come back escaped, every UI
/// answer carries the Content-Security-Policy, with authentication on a page without a key is the
/// key prompt (no data) and with the key the page, and the setting turns the UI on and off.
final class UITests: XCTestCase {
    func testPagesRenderAndEscape_sqlite() throws { try pages(.sqlite) }
    func testPagesRenderAndEscape_postgres() throws { try pages(.postgres) }
    func testAuthenticationOnAsksForTheKey_sqlite() throws { try authentication(.sqlite) }
    func testAuthenticationOnAsksForTheKey_postgres() throws { try authentication(.postgres) }

    private func pages(_ backend: Backend) throws {
        let server = try ServerProcess(databaseURL: backend.freshDatabaseURL(), workers: 1)
        try UISupport.seed(server)
        let ns = UISupport.namespace, model = UISupport.model

        let home = try page(server, "/ui")
        XCTAssertTrue(home.contains(#"<a href="/ui/namespace?namespace=shop">shop</a>"#), home)
        XCTAssertTrue(home.contains(#"<a href="/ui/namespace" class="global">(global)</a>"#), home)
        // The hostile namespace is text, its link percent-encoded.
        XCTAssertTrue(home.contains("&quot; onmouseover=&quot;alert(&#39;ns&#39;)&quot; x=&quot;"), home)
        XCTAssertTrue(home.contains("/ui/namespace?namespace=%22%20onmouseover%3D%22alert%28%27ns%27%29%22%20x%3D%22"), home)

        let namespace = try page(server, "/ui/namespace?namespace=shop")
        XCTAssertTrue(namespace.contains(#"<a href="/ui/model?namespace=shop&amp;model=Order">Order</a>"#), namespace)
        XCTAssertTrue(namespace.contains("&lt;script&gt;alert(&#39;model&#39;)&lt;/script&gt;"), namespace)
        XCTAssertTrue(namespace.contains(#"<span class="badge">1 deprecated</span>"#), namespace)
        XCTAssertTrue(namespace.contains(#"<span class="level">NONE</span> <span class="muted">(set at server)</span>"#), namespace)

        let modelPage = try page(server, "/ui/model?" + UISupport.query([("namespace", ns), ("model", model)]))
        let versions = ["2.0.0", "1.1.0", "1.0.0"].map { modelPage.range(of: ">\($0)</a></td>")?.lowerBound }
        XCTAssertFalse(versions.contains(nil), modelPage)
        XCTAssertTrue(versions[0]! < versions[1]! && versions[1]! < versions[2]!, "newest first")
        XCTAssertTrue(modelPage.contains("&lt;/td&gt;&lt;script&gt;alert(&#39;deprecated&#39;)&lt;/script&gt;"), modelPage)
        XCTAssertTrue(modelPage.contains("<td>alice</td>"), modelPage)

        let version = try page(server, "/ui/version?" + UISupport.query([("namespace", ns), ("model", model), ("version", "2.0.0")]))
        XCTAssertTrue(version.contains("javascript:alert(&#39;desc&#39;) &lt;img src=x onerror=alert(&#39;img&#39;)&gt;"), version)
        XCTAssertTrue(version.contains(#"<span class="prop">total</span><span class="req" title="required">*</span>"#), version)
        XCTAssertTrue(version.contains("Avro CRC-64 (Rabin)"), version)
        XCTAssertTrue(version.contains("&quot;type&quot;: &quot;record&quot;,"), "pretty-printed Avro JSON: \(version)")
        let canonical = try server.request("/schemas/shop/Order/versions/2.0.0/canonical").json()
        XCTAssertTrue(version.contains(canonical["json_schema"]?["sha256"]?.stringValue ?? "missing"), version)

        let diff = try page(server, "/ui/diff?" + UISupport.query([("namespace", ns), ("model", model), ("from", "1.1.0"),
                                                                    ("to", "2.0.0"), ("level", "BACKWARD")]))
        XCTAssertTrue(diff.contains("Breaking: 2.0.0 would be refused after 1.1.0 at BACKWARD."), diff)
        XCTAssertTrue(diff.contains(#"<tr class="breaking"><td><span class="badge deprecated">breaking</span> "#), diff)
        XCTAssertTrue(diff.contains(#"<tr class="chg"><td>"#), "a changed line is marked: \(diff)")
        let none = try page(server, "/ui/diff?" + UISupport.query([("namespace", ns), ("model", model), ("from", "1.0.0"), ("to", "1.1.0")]))
        XCTAssertTrue(none.contains("NONE checks nothing"), none)
        XCTAssertTrue(none.contains(#"<li class="add">Added: note</li>"#), none)

        let form = try page(server, "/ui/check?namespace=shop&model=Order")
        XCTAssertTrue(form.contains(#"name="version" required value="2.1.0""#), form)
        let body = "version=2.1.0&level=FULL&json_schema=" + #"{"type":"object","properties":{"id":{"type":"string"}}}"#
            .addingPercentEncoding(withAllowedCharacters: .alphanumerics)!
        let checked = try server.request("POST", "/ui/check?namespace=shop&model=Order",
                                         headers: [("Content-Type", "application/x-www-form-urlencoded")], body: Array(body.utf8))
        XCTAssertEqual(checked.status, 200, checked.text)
        XCTAssertTrue(checked.text.contains("Incompatible at FULL"), checked.text)
        let broken = try server.request("POST", "/ui/check?namespace=shop&model=Order",
                                        headers: [("Content-Type", "application/x-www-form-urlencoded")],
                                        body: Array("version=2.1.0&json_schema=%7Bnope".utf8))
        XCTAssertTrue(broken.text.contains("The JSON Schema is not valid JSON"), broken.text)

        for path in ["/ui", "/ui/namespace?namespace=shop", "/ui/namespace?namespace=" + UISupport.xssNamespace.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!,
                     "/ui/model?namespace=shop&model=" + UISupport.xssModel.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!,
                     "/ui/version?namespace=shop&version=1.0.0&model=" + UISupport.xssModel.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!,
                     "/ui/model?namespace=shop&model=Order", "/ui?q=alert"] {
            let text = try page(server, path)
            for bad in UISupport.forbidden { XCTAssertFalse(text.contains(bad), "\(path) has \(bad)") }
        }

        // A missing model is the UI's own 404 page, with the CSP; a missing parameter the API's 422.
        let missing = try server.request("/ui/model?model=Nope")
        XCTAssertEqual(missing.status, 404)
        XCTAssertTrue(missing.text.contains("Model Nope not found"), missing.text)
        XCTAssertEqual(missing.header("Content-Security-Policy"), Self.csp)
        XCTAssertEqual(try server.request("/ui/model").status, 422)
        XCTAssertEqual(try server.request("/ui/diff?model=Order&namespace=shop&from=1.0.0&to=2.0.0&level=BOGUS").status, 422)

        for (path, type) in [("/ui/static/app.js", "text/javascript; charset=utf-8"), ("/ui/static/app.css", "text/css; charset=utf-8")] {
            let asset = try server.request(path)
            XCTAssertEqual(asset.status, 200)
            XCTAssertEqual(asset.header("Content-Type"), type)
            XCTAssertEqual(asset.header("Content-Security-Policy"), Self.csp)
        }
        XCTAssertTrue(try server.request("/docs").text.contains(#"<a href="/ui">Browse the registered schemas in the web UI</a>"#))
        let documented = try server.request("/openapi.json").json()["paths"]?.objectValue?.keys ?? []
        for path in ["/ui", "/ui/namespace", "/ui/model", "/ui/version", "/ui/diff", "/ui/check"] {
            XCTAssertTrue(documented.contains(path), path)
        }
        XCTAssertEqual(try server.stop(), 0)
    }

    private func authentication(_ backend: Backend) throws {
        let (server, admin) = try AuthSupport.server(backend)
        try UISupport.seed(server, headers: [("X-API-Key", admin)])
        for path in ["/ui", "/ui/model?namespace=shop&model=Order"] {
            let prompt = try server.request(path)
            XCTAssertEqual(prompt.status, 200, path)
            XCTAssertEqual(prompt.header("Content-Security-Policy"), Self.csp)
            XCTAssertTrue(prompt.text.contains(#"<form id="key-form""#), prompt.text)
            XCTAssertFalse(prompt.text.contains("Order"), "no data without the key")
            XCTAssertFalse(prompt.text.contains("shop"), "no data without the key")
        }
        let keyed = try server.request("/ui/model?namespace=shop&model=Order", headers: [("X-API-Key", admin)])
        XCTAssertEqual(keyed.status, 200)
        XCTAssertTrue(keyed.text.contains(#"<body data-auth="required">"#))
        XCTAssertTrue(keyed.text.contains(">2.0.0</a>"), keyed.text)
        let wrong = try server.request("/ui", headers: [("X-API-Key", AuthSupport.garbageKey())])
        XCTAssertEqual(wrong.status, 401)
        XCTAssertEqual(wrong.header("Content-Security-Policy"), Self.csp)
        // Assets carry no data and need no key (the prompt loads them).
        XCTAssertEqual(try server.request("/ui/static/app.js").status, 200)
        XCTAssertEqual(try server.stop(), 0)
    }

    func testSettingTurnsTheUIOnAndOff() throws {
        let url = try Backend.sqlite.freshDatabaseURL()
        let initialised = try CommandRunner.cli(["init-db"], environment: ["PYRMUTE_REGISTRY_DATABASE_URL": url])
        XCTAssertEqual(initialised.status, 0, initialised.output)
        for (environment, expected) in [(["PYRMUTE_REGISTRY_ENVIRONMENT": "production"], 404),
                                        (["PYRMUTE_REGISTRY_ENVIRONMENT": "production", "PYRMUTE_REGISTRY_ENABLE_UI": "true"], 200),
                                        (["PYRMUTE_REGISTRY_ENABLE_UI": "false"], 404)] {
            let server = try ServerProcess(databaseURL: url, workers: 1, environment: environment)
            let response = try server.request("/ui")
            XCTAssertEqual(response.status, expected, "\(environment)")
            if expected == 404 {
                XCTAssertEqual(response.text, #"{"detail":"Not Found"}"#)
                XCTAssertFalse(try server.request("/docs").text.contains("/ui"))
                let paths = try server.request("/openapi.json").json()["paths"]?.objectValue?.keys ?? []
                XCTAssertFalse(paths.contains("/ui"), "an absent UI is not documented")
            }
            XCTAssertEqual(try server.stop(), 0)
        }
    }

    static let csp = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; "
        + "form-action 'self'; base-uri 'none'; frame-ancestors 'none'"

    private func page(_ server: ServerProcess, _ path: String, file: StaticString = #filePath, line: UInt = #line) throws -> String {
        let response = try server.request(path)
        XCTAssertEqual(response.status, 200, "\(path): \(response.text)", file: file, line: line)
        XCTAssertEqual(response.header("Content-Type"), "text/html; charset=utf-8", path, file: file, line: line)
        XCTAssertEqual(response.header("Content-Security-Policy"), Self.csp, path, file: file, line: line)
        return response.text
    }
}
