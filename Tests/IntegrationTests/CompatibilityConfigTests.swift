import Foundation
import RegistryJSON
import XCTest

/// The compatibility configuration of issue 14 through the real server, on both databases: the
/// three scopes and their precedence, validation, the server default from the environment, the
/// level shared by every worker and server, permissions and audit, and the OpenAPI document.
final class CompatibilityConfigTests: XCTestCase {
    func testScopesAndPrecedence_sqlite() throws { try scopes(.sqlite) }
    func testScopesAndPrecedence_postgres() throws { try scopes(.postgres) }
    func testServerDefaultFromEnvironmentAndSharedStorage_sqlite() throws { try serverDefault(.sqlite) }
    func testServerDefaultFromEnvironmentAndSharedStorage_postgres() throws { try serverDefault(.postgres) }
    func testPermissionsAndAudit_sqlite() throws { try permissionsAndAudit(.sqlite) }
    func testPermissionsAndAudit_postgres() throws { try permissionsAndAudit(.postgres) }

    // MARK: - scopes

    private func scopes(_ backend: Backend) throws {
        let server = try ServerProcess(databaseURL: backend.freshDatabaseURL(), workers: 2)

        func expect(_ path: String, _ level: String, _ source: String, file: StaticString = #filePath, line: UInt = #line) throws {
            let response = try server.call("GET", path, key: nil)
            XCTAssertEqual(response.status, 200, "GET \(path): \(response.text)", file: file, line: line)
            XCTAssertEqual(response.text, Compat.level(level, source), "GET \(path)", file: file, line: line)
        }
        func put(_ path: String, _ level: String, answers source: String, file: StaticString = #filePath, line: UInt = #line) throws {
            let response = try server.putLevel(path, level)
            XCTAssertEqual(response.status, 200, "PUT \(path) \(level): \(response.text)", file: file, line: line)
            XCTAssertEqual(response.header("Content-Type"), "application/json", "PUT \(path)", file: file, line: line)
            XCTAssertEqual(response.text, Compat.level(level, source), "PUT \(path) \(level)", file: file, line: line)
        }
        func delete(_ path: String, file: StaticString = #filePath, line: UInt = #line) throws {
            let response = try server.call("DELETE", path, key: nil)
            XCTAssertEqual(response.status, 204, "DELETE \(path): \(response.text)", file: file, line: line)
            XCTAssertEqual(response.body.count, 0, "DELETE \(path) answers no body: \(response.text)", file: file, line: line)
            let again = try server.call("DELETE", path, key: nil)
            XCTAssertEqual(again.status, 404, "second DELETE \(path): \(again.text)", file: file, line: line)
            XCTAssertNotNil(again.detail, "second DELETE \(path): {\"detail\": \"...\"}: \(again.text)", file: file, line: line)
        }

        // The built-in default, at every scope, before anything is set (no 404 for a model without versions).
        try expect("/config", "NONE", "server")
        try expect("/config/namespaces/billing", "NONE", "server")
        try expect("/schemas/billing/Invoice/config", "NONE", "server")
        try expect("/schemas/Invoice/config?namespace=billing", "NONE", "server")
        try expect("/schemas/Invoice/config", "NONE", "server")
        let none = try server.call("DELETE", "/config/namespaces/billing", key: nil)
        XCTAssertEqual(none.status, 404, "DELETE of a namespace level never set: \(none.text)")
        XCTAssertEqual(try server.call("DELETE", "/schemas/billing/Invoice/config", key: nil).status, 404)
        XCTAssertEqual(try server.call("DELETE", "/config", key: nil).status, 405, "the server scope has no DELETE")

        // Server scope; every worker sees it at once (several requests, two workers).
        try put("/config", "FULL", answers: "server")
        for _ in 0..<8 { try expect("/config", "FULL", "server") }
        try expect("/config/namespaces/billing", "FULL", "server")
        try expect("/schemas/billing/Invoice/config", "FULL", "server")

        // Namespace scope: seen by the namespace, its models in both path forms, not by global models.
        try put("/config/namespaces/billing", "BACKWARD", answers: "namespace")
        for _ in 0..<6 { try expect("/config/namespaces/billing", "BACKWARD", "namespace") }
        try expect("/schemas/billing/Invoice/config", "BACKWARD", "namespace")
        try expect("/schemas/Invoice/config?namespace=billing", "BACKWARD", "namespace")
        try expect("/schemas/Other/config?namespace=billing", "BACKWARD", "namespace")
        try expect("/schemas/Invoice/config", "FULL", "server")   // a global model falls back model → server
        try expect("/config/namespaces/shipping", "FULL", "server")
        try expect("/schemas/shipping/Invoice/config", "FULL", "server")
        try expect("/config", "FULL", "server")

        // Model scope, namespaced form; the global form with ?namespace= is the same model.
        try put("/schemas/billing/Invoice/config", "FORWARD", answers: "model")
        for _ in 0..<4 { try expect("/schemas/Invoice/config?namespace=billing", "FORWARD", "model") }
        try expect("/schemas/billing/Invoice/config", "FORWARD", "model")
        try expect("/schemas/billing/Other/config", "BACKWARD", "namespace")
        try expect("/config/namespaces/billing", "BACKWARD", "namespace")
        try expect("/schemas/Invoice/config", "FULL", "server")

        // The global form with ?namespace= sets the namespaced model.
        try put("/schemas/Other/config?namespace=billing", "FULL_TRANSITIVE", answers: "model")
        try expect("/schemas/billing/Other/config", "FULL_TRANSITIVE", "model")

        // A global model (no namespace) is a model of its own.
        try put("/schemas/Invoice/config", "SEMVER", answers: "model")
        try expect("/schemas/Invoice/config", "SEMVER", "model")
        try expect("/schemas/billing/Invoice/config", "FORWARD", "model")
        try expect("/schemas/Invoice/config?namespace=billing", "FORWARD", "model")

        // A PUT at a scope replaces the level there.
        try put("/schemas/billing/Invoice/config", "BACKWARD_TRANSITIVE", answers: "model")
        try expect("/schemas/billing/Invoice/config", "BACKWARD_TRANSITIVE", "model")

        // DELETE falls back one scope at a time; a second DELETE is 404.
        try delete("/schemas/billing/Invoice/config")
        try expect("/schemas/billing/Invoice/config", "BACKWARD", "namespace")
        try expect("/schemas/Invoice/config", "SEMVER", "model")   // the global model kept its own
        try delete("/schemas/Other/config?namespace=billing")
        try expect("/schemas/billing/Other/config", "BACKWARD", "namespace")
        try delete("/config/namespaces/billing")
        try expect("/config/namespaces/billing", "FULL", "server")
        try expect("/schemas/billing/Invoice/config", "FULL", "server")
        try expect("/schemas/Invoice/config?namespace=billing", "FULL", "server")
        try delete("/schemas/Invoice/config")
        try expect("/schemas/Invoice/config", "FULL", "server")
        try put("/config", "NONE", answers: "server")
        try expect("/schemas/billing/Invoice/config", "NONE", "server")

        // Every level name is accepted at every scope.
        for level in ["NONE", "BACKWARD", "BACKWARD_TRANSITIVE", "FORWARD", "FORWARD_TRANSITIVE", "FULL", "FULL_TRANSITIVE", "SEMVER"] {
            try put("/config/namespaces/levels", level, answers: "namespace")
            try put("/schemas/levels/M/config", level, answers: "model")
        }

        // Validation: the usual 422 shape, and nothing changes.
        try put("/config", "FORWARD", answers: "server")
        let missing = try server.call("PUT", "/config", key: nil, json: "{}")
        XCTAssertEqual(missing.status, 422, missing.text)
        XCTAssertEqual(missing.text, #"{"detail":[{"type":"missing","loc":["body","compatibility"],"msg":"Field required","input":null}],"body":{}}"#)
        for path in ["/config", "/config/namespaces/billing", "/schemas/billing/Invoice/config", "/schemas/Invoice/config"] {
            try server.putLevel(path, "SOMETIMES").assertUnknownLevel(["body", "compatibility"], input: "SOMETIMES", "PUT \(path) SOMETIMES")
            try server.putLevel(path, "backward").assertUnknownLevel(["body", "compatibility"], input: "backward", "PUT \(path) lower case")
            try server.call("PUT", path, key: nil, json: #"{"compatibility":1}"#)
                .assertUnknownLevel(["body", "compatibility"], input: 1, "PUT \(path) a number")
            try server.call("PUT", path, key: nil, json: #"{"compatibility":null}"#)
                .assertUnknownLevel(["body", "compatibility"], input: nil, "PUT \(path) null")
            let missingHere = try server.call("PUT", path, key: nil, json: #"{"level":"FULL"}"#)
            XCTAssertEqual(missingHere.status, 422, "\(path): \(missingHere.text)")
            XCTAssertEqual(try missingHere.json()["detail"]?[0]?["loc"], ["body", "compatibility"], path)
            XCTAssertEqual(try missingHere.json()["detail"]?[0]?["type"], "missing", path)
            for text in ["{bad", "[1]"] {
                XCTAssertEqual(try server.call("PUT", path, key: nil, json: text).status, 422, "\(path) \(text)")
            }
        }
        try expect("/config", "FORWARD", "server")
        try expect("/config/namespaces/billing", "FORWARD", "server")
        try expect("/schemas/billing/Invoice/config", "FORWARD", "server")
        try expect("/schemas/Invoice/config", "FORWARD", "server")
        XCTAssertEqual(try server.stop(), 0)
    }

    // MARK: - server default

    private func serverDefault(_ backend: Backend) throws {
        let url = try backend.freshDatabaseURL()
        let server = try ServerProcess(databaseURL: url, workers: 2,
                                       environment: ["PYRMUTE_REGISTRY_DEFAULT_COMPATIBILITY": "BACKWARD"])
        XCTAssertEqual(try server.call("/config", key: nil).text, Compat.level("BACKWARD", "server"))
        XCTAssertEqual(try server.call("/config/namespaces/ns", key: nil).text, Compat.level("BACKWARD", "server"))
        XCTAssertEqual(try server.call("/schemas/ns/Age/config", key: nil).text, Compat.level("BACKWARD", "server"))

        // The default is enforced: number → integer is refused, with nothing set anywhere.
        let v1 = Compat.closed([("age", ["type": "number"])])
        let v2 = Compat.closed([("age", ["type": "integer"])])
        XCTAssertEqual(try server.registerSchema("/schemas/ns/Age", "1.0.0", v1).status, 201)
        let refused = try server.registerSchema("/schemas/ns/Age", "2.0.0", v2)
        XCTAssertEqual(refused.status, 409, refused.text)
        XCTAssertEqual(refused.detail, "Schema for ns::Age version 2.0.0 is not BACKWARD compatible with 1.0.0: "
                       + "Property 'age' type narrowed from number to integer")

        // A second server on the same database, without the setting: its own default until a level
        // is stored; a stored level is seen by both servers and all their workers.
        let other = try ServerProcess(databaseURL: url, workers: 2)
        XCTAssertEqual(try other.call("/config", key: nil).text, Compat.level("NONE", "server"))
        let put = try server.putLevel("/config/namespaces/ns", "FORWARD")
        XCTAssertEqual(put.text, Compat.level("FORWARD", "namespace"))
        for _ in 0..<6 {
            XCTAssertEqual(try other.call("/schemas/ns/Age/config", key: nil).text, Compat.level("FORWARD", "namespace"))
        }
        XCTAssertEqual(try other.putLevel("/config", "FULL").text, Compat.level("FULL", "server"))
        for _ in 0..<6 {
            XCTAssertEqual(try server.call("/config", key: nil).text, Compat.level("FULL", "server"))
            XCTAssertEqual(try server.call("/schemas/Age/config", key: nil).text, Compat.level("FULL", "server"))
        }
        // …and enforced there: under FORWARD (namespace), number → integer is accepted.
        XCTAssertEqual(try other.registerSchema("/schemas/ns/Age", "2.0.0", v2).status, 201)
        XCTAssertEqual(try server.storedVersions("/schemas/ns/Age"), ["1.0.0", "2.0.0"])
        XCTAssertEqual(try other.stop(), 0)
        XCTAssertEqual(try server.stop(), 0)

        // An unknown default stops startup, naming the variable.
        let bad = try CommandRunner.run(Paths.cli, ["serve", "--host", "127.0.0.1", "--port", String(FreePort.next())], environment: [
            "PYRMUTE_REGISTRY_DATABASE_URL": url, "PYRMUTE_REGISTRY_DEFAULT_COMPATIBILITY": "SOMETIMES",
            "PYRMUTE_REGISTRY_SUPERVISOR_PORT": "0",
        ], timeout: 20)
        XCTAssertEqual(bad.status, 1, bad.output)
        XCTAssertTrue(bad.output.contains("PYRMUTE_REGISTRY_DEFAULT_COMPATIBILITY"), bad.output)
        XCTAssertFalse(bad.output.contains("Starting "), "started anyway: \(bad.output)")
    }

    // MARK: - permissions and audit

    private func permissionsAndAudit(_ backend: Backend) throws {
        let (server, admin) = try AuthSupport.server(backend, workers: 2,
                                                     environment: ["PYRMUTE_REGISTRY_AUDIT_PATHS": #"["/schemas"]"#])
        let reader = try server.createKey("reader", admin: admin)
        let writer = try server.createKey("writer", permission: "write", admin: admin)
        let schema = Compat.closed([("age", ["type": "number"])])
        XCTAssertEqual(try server.registerSchema("/schemas/ns/User", "1.0.0", schema, key: writer.key).status, 201)

        // Reads and the dry run need READ.
        for path in ["/config", "/config/namespaces/ns", "/schemas/ns/User/config", "/schemas/User/config?namespace=ns", "/schemas/User/config"] {
            let response = try server.call(path, key: reader.key)
            XCTAssertEqual(response.status, 200, "\(path): \(response.text)")
            XCTAssertEqual(response.text, Compat.level("NONE", "server"), path)
            try server.call(path, key: nil).assertUnauthorized(AuthSupport.required, "GET \(path) without a key")
        }
        for model in ["/schemas/ns/User", "/schemas/User?namespace=ns", "/schemas/User"] {
            let dry = try server.dryRun(model, "2.0.0", schema, key: reader.key)
            XCTAssertEqual(dry.status, 200, "dry run \(model) with a read key: \(dry.text)")
            XCTAssertEqual(try dry.json()["compatible"], true, model)
            try server.dryRun(model, "2.0.0", schema, key: nil).assertUnauthorized(AuthSupport.required, "dry run \(model) without a key")
        }

        // Changes need ADMIN.
        let changes: [(String, String)] = [
            ("PUT", "/config"), ("PUT", "/config/namespaces/ns"), ("DELETE", "/config/namespaces/ns"),
            ("PUT", "/schemas/ns/User/config"), ("DELETE", "/schemas/ns/User/config"),
            ("PUT", "/schemas/User/config?namespace=ns"), ("PUT", "/schemas/User/config"), ("DELETE", "/schemas/User/config"),
        ]
        for (who, key) in [("reader", reader.key), ("writer", writer.key)] {
            for (method, path) in changes {
                try server.call(method, path, key: key, json: method == "PUT" ? Compat.body("FULL") : nil)
                    .assertForbidden("admin", "\(who): \(method) \(path)")
            }
        }
        try server.call("PUT", "/config", key: nil, json: Compat.body("FULL")).assertUnauthorized(AuthSupport.required, "PUT /config without a key")
        XCTAssertEqual(try server.call("/config", key: admin).text, Compat.level("NONE", "server"), "refused changes changed nothing")
        XCTAssertEqual(try server.call("/schemas/ns/User/config", key: admin).text, Compat.level("NONE", "server"))

        XCTAssertEqual(try server.putLevel("/config", "FULL", key: admin).text, Compat.level("FULL", "server"))
        XCTAssertEqual(try server.putLevel("/config/namespaces/ns", "BACKWARD", key: admin).text, Compat.level("BACKWARD", "namespace"))
        XCTAssertEqual(try server.putLevel("/schemas/ns/User/config", "FORWARD", key: admin).text, Compat.level("FORWARD", "model"))
        XCTAssertEqual(try server.call("/schemas/ns/User/config", key: reader.key).text, Compat.level("FORWARD", "model"))
        XCTAssertEqual(try server.call("DELETE", "/schemas/ns/User/config", key: admin).status, 204)
        XCTAssertEqual(try server.call("DELETE", "/config/namespaces/ns", key: admin).status, 204)
        XCTAssertEqual(try server.call("/schemas/ns/User/config", key: reader.key).text, Compat.level("FULL", "server"))

        // Every change of a level is audited, though AUDIT_PATHS lists only /schemas; reads are not.
        let wanted: [(method: String, path: String, status: Int, key: String)] = [
            ("PUT", "/config", 403, "reader"), ("DELETE", "/config/namespaces/ns", 403, "writer"),
            ("PUT", "/config", 200, "admin"), ("PUT", "/config/namespaces/ns", 200, "admin"),
            ("PUT", "/schemas/ns/User/config", 200, "admin"), ("DELETE", "/schemas/ns/User/config", 204, "admin"),
            ("DELETE", "/config/namespaces/ns", 204, "admin"),
        ]
        func has(_ rows: [JSONValue], _ want: (method: String, path: String, status: Int, key: String)) -> Bool {
            rows.contains {
                $0["method"]?.stringValue == want.method && $0["path"]?.stringValue == want.path
                    && $0["status_code"]?.intValue == want.status && $0["api_key_name"]?.stringValue == want.key
            }
        }
        var rows: [JSONValue] = []
        let deadline = Date().addingTimeInterval(5)
        repeat {
            rows = try server.auditLogs(admin: admin, query: "limit=1000").logs
            if wanted.allSatisfy({ has(rows, $0) }) { break }
            usleep(100_000)
        } while Date() < deadline
        for want in wanted {
            XCTAssertTrue(has(rows, want), "no audit row for \(want); rows: \(rows.map { "\($0["method"] ?? .null) \($0["path"] ?? .null) \($0["status_code"] ?? .null)" })")
        }
        XCTAssertFalse(rows.contains { $0["method"] == "GET" }, "reads are not audited")
        XCTAssertEqual(try server.stop(), 0)
    }

    // MARK: - OpenAPI

    func testOpenAPIDocumentsEveryCompatibilityRoute() throws {
        let server = try ServerProcess(databaseURL: Backend.sqlite.freshDatabaseURL(), workers: 1)
        let contract = try OpenAPIConformance(server)
        let documented = Set(contract.operations.map { "\($0.method.uppercased()) \($0.path)" })
        let routes = [
            "GET /config", "PUT /config",
            "GET /config/namespaces/{namespace}", "PUT /config/namespaces/{namespace}", "DELETE /config/namespaces/{namespace}",
            "GET /schemas/{namespace}/{model_name}/config", "PUT /schemas/{namespace}/{model_name}/config",
            "DELETE /schemas/{namespace}/{model_name}/config",
            "GET /schemas/{model_name}/config", "PUT /schemas/{model_name}/config", "DELETE /schemas/{model_name}/config",
            "POST /schemas/{namespace}/{model_name}/compatibility", "POST /schemas/{model_name}/compatibility",
        ]
        for route in routes { XCTAssertTrue(documented.contains(route), "\(route) is missing from /openapi.json") }
        XCTAssertFalse(documented.contains("DELETE /config"), "the server scope has no DELETE")

        func queryParameters(_ method: String, _ template: String) -> [String] {
            (contract.operation(method, template)?["parameters"]?.arrayValue ?? [])
                .filter { $0["in"] == "query" }.compactMap { $0["name"]?.stringValue }
        }
        for method in ["GET", "PUT", "DELETE"] {
            XCTAssertTrue(queryParameters(method, "/schemas/{model_name}/config").contains("namespace"), "\(method) global config: ?namespace=")
        }
        XCTAssertTrue(queryParameters("POST", "/schemas/{model_name}/compatibility").contains("namespace"))
        for template in ["/schemas/{namespace}/{model_name}/compatibility", "/schemas/{model_name}/compatibility"] {
            XCTAssertTrue(queryParameters("POST", template).contains("level"), "\(template): ?level=")
            XCTAssertNotNil(contract.operation("POST", template)?["requestBody"], "\(template) documents its body")
        }
        for template in ["/config", "/config/namespaces/{namespace}", "/schemas/{namespace}/{model_name}/config"] {
            XCTAssertNotNil(contract.operation("PUT", template)?["requestBody"], "PUT \(template) documents its body")
        }

        // Real answers match the document (status documented, body valid against the documented schema).
        let ns = ["namespace": "billing"], model = ["namespace": "billing", "model_name": "Invoice"], global = ["model_name": "Invoice"]
        let body = Compat.body("BACKWARD")
        try contract.call("GET", "/config")
        try contract.call("PUT", "/config", json: body)
        try contract.call("PUT", "/config", json: Compat.body("SOMETIMES"))
        try contract.call("GET", "/config/namespaces/{namespace}", ns)
        try contract.call("PUT", "/config/namespaces/{namespace}", ns, json: body)
        try contract.call("PUT", "/config/namespaces/{namespace}", ns, json: "{}")
        try contract.call("DELETE", "/config/namespaces/{namespace}", ns)
        try contract.call("DELETE", "/config/namespaces/{namespace}", ns)
        try contract.call("GET", "/schemas/{namespace}/{model_name}/config", model)
        try contract.call("PUT", "/schemas/{namespace}/{model_name}/config", model, json: body)
        try contract.call("DELETE", "/schemas/{namespace}/{model_name}/config", model)
        try contract.call("DELETE", "/schemas/{namespace}/{model_name}/config", model)
        try contract.call("GET", "/schemas/{model_name}/config", global, query: "namespace=billing")
        try contract.call("PUT", "/schemas/{model_name}/config", global, json: body)
        try contract.call("DELETE", "/schemas/{model_name}/config", global)
        let schema = Compat.closed([("age", ["type": "number"])])
        XCTAssertEqual(try server.registerSchema("/schemas/billing/Invoice", "1.0.0", schema).status, 201)
        let narrowed = Compat.schemaBody("1.1.0", Compat.closed([("age", ["type": "integer"])]))
        try contract.call("POST", "/schemas/{namespace}/{model_name}/compatibility", model, json: narrowed)
        try contract.call("POST", "/schemas/{namespace}/{model_name}/compatibility", model, query: "level=FULL", json: narrowed)
        try contract.call("POST", "/schemas/{namespace}/{model_name}/compatibility", model, query: "level=BOGUS", json: narrowed)
        try contract.call("POST", "/schemas/{namespace}/{model_name}/compatibility", model, json: "{}")
        try contract.call("POST", "/schemas/{model_name}/compatibility", global, query: "namespace=billing&level=BACKWARD", json: narrowed)
        try contract.call("POST", "/schemas/{model_name}/compatibility", global, json: narrowed)
        // The 409 of a refused registration is documented too.
        XCTAssertEqual(try server.putLevel("/schemas/billing/Invoice/config", "BACKWARD").status, 200)
        try contract.call("POST", "/schemas/{namespace}/{model_name}/versions", model, json: narrowed)
        XCTAssertEqual(try server.stop(), 0)
    }
}
