import Foundation
import RegistryJSON
import RegistryRuntime
import XCTest

/// Issue 15, HTTP caching: one version, latest, a versions list and a `GET /schemas` page carry a
/// weak `ETag` and `Cache-Control: no-cache` (`private, no-cache` with keys); `If-None-Match`
/// naming the current tag (or `*`) answers 304 without a body; the tag changes whenever the body
/// would (deprecation and overwrite included), on every worker at once; errors carry none.
final class HTTPCachingTests: XCTestCase {
    func testETagsAndConditionalRequests_sqlite() throws { try conditionalRequests(.sqlite) }
    func testETagsAndConditionalRequests_postgres() throws { try conditionalRequests(.postgres) }
    func testETagChangesWhenTheBodyDoes_sqlite() throws { try tagsFollowTheBody(.sqlite, environment: [:]) }
    func testETagChangesWhenTheBodyDoes_postgres() throws { try tagsFollowTheBody(.postgres, environment: [:]) }
    func testETagsWithTheResponseCacheOff_sqlite() throws { try tagsFollowTheBody(.sqlite, environment: ["PYRMUTE_REGISTRY_RESPONSE_CACHE_MB": "0"]) }
    func testETagsWithTheResponseCacheOff_postgres() throws { try tagsFollowTheBody(.postgres, environment: ["PYRMUTE_REGISTRY_RESPONSE_CACHE_MB": "0"]) }
    func testCachingWithAuthentication_sqlite() throws { try withAuthentication(.sqlite) }
    func testCachingWithAuthentication_postgres() throws { try withAuthentication(.postgres) }

    static let etagPattern = #"^W/"[0-9a-f]{16}"$"#
    static let routes = ["/schemas/shop/Order/versions/1.0.0", "/schemas/shop/Order/versions/latest", "/schemas/shop/Order/versions",
                         "/schemas?namespace=shop", "/schemas", "/schemas/Global/versions/2.0.0", "/schemas/Global/versions/latest",
                         "/schemas/Global/versions", "/schemas?limit=1&offset=1&include_deprecated=true"]

    private func seed(_ server: ServerProcess, key: String? = nil) throws {
        for (path, version) in [("/schemas/shop/Order/versions", "1.0.0"), ("/schemas/shop/Order/versions", "1.1.0"),
                                ("/schemas/Global/versions", "2.0.0")] {
            let response = try server.call("POST", path, key: key,
                                           json: #"{"version":"\#(version)","json_schema":{"type":"object","title":"\#(version)"},"registered_by":"etag"}"#)
            XCTAssertEqual(response.status, 201, "\(path) \(version): \(response.text)")
        }
    }

    // MARK: - ETag, If-None-Match, HEAD, errors

    private func conditionalRequests(_ backend: Backend) throws {
        let server = try ServerProcess(databaseURL: backend.freshDatabaseURL(), workers: 2)
        try seed(server)

        for path in Self.routes {
            let first = try server.request(path)
            XCTAssertEqual(first.status, 200, "GET \(path): \(first.text)")
            let tag = try XCTUnwrap(first.header("ETag"), "GET \(path): no ETag")
            XCTAssertNotNil(tag.range(of: Self.etagPattern, options: .regularExpression), "GET \(path): ETag \(tag)")
            XCTAssertEqual(first.header("Cache-Control"), "no-cache", "GET \(path)")
            XCTAssertEqual(first.header("Content-Type"), "application/json", "GET \(path)")
            XCTAssertNoThrow(try first.json(), "GET \(path)")

            // The same body, the same tag, from every worker (fresh connections spread over both).
            for _ in 0..<8 {
                let again = try server.request(path)
                XCTAssertEqual(again.header("ETag"), tag, "GET \(path) again")
                XCTAssertEqual(again.body, first.body, "GET \(path) again")
            }

            // If-None-Match: the tag, `*`, a list holding it, the tag without W/ (weak comparison) → 304.
            for value in [tag, "*", #""0000000000000000", \#(tag)"#, #"W/"1111111111111111",\#(tag)"#, String(tag.dropFirst(2))] {
                for _ in 0..<4 {
                    let response = try server.request(path, headers: [("If-None-Match", value)])
                    XCTAssertEqual(response.status, 304, "GET \(path) If-None-Match: \(value): \(response.text)")
                    XCTAssertEqual(response.body, [], "GET \(path) If-None-Match: \(value): a 304 has no body")
                    XCTAssertEqual(response.header("ETag"), tag, "GET \(path) If-None-Match: \(value)")
                    XCTAssertEqual(response.header("Cache-Control"), "no-cache", "GET \(path) If-None-Match: \(value)")
                    XCTAssertNotEqual(response.header("Content-Length").flatMap(Int.init).map { $0 > 0 }, true,
                                      "GET \(path) If-None-Match: \(value): a 304 announces no body")
                }
            }
            // A tag that is not the current one → 200 with the body.
            for value in [#"W/"0000000000000000""#, #""0000000000000000""#, "\"\"", "W/\"\(tag.dropFirst(3).dropLast(2))\""] {
                let response = try server.request(path, headers: [("If-None-Match", value)])
                XCTAssertEqual(response.status, 200, "GET \(path) If-None-Match: \(value)")
                XCTAssertEqual(response.body, first.body, "GET \(path) If-None-Match: \(value)")
                XCTAssertEqual(response.header("ETag"), tag, "GET \(path) If-None-Match: \(value)")
            }

            // HEAD: the GET's status and tag, no body; conditional too.
            for _ in 0..<3 {
                let head = try server.request("HEAD", path)
                XCTAssertEqual(head.status, 200, "HEAD \(path)")
                XCTAssertEqual(head.header("ETag"), tag, "HEAD \(path)")
                XCTAssertEqual(head.header("Cache-Control"), "no-cache", "HEAD \(path)")
                let conditional = try server.request("HEAD", path, headers: [("If-None-Match", tag)])
                XCTAssertEqual(conditional.status, 304, "HEAD \(path) If-None-Match")
                XCTAssertEqual(conditional.header("ETag"), tag, "HEAD \(path) If-None-Match")
            }
        }

        // HEAD sends no body bytes at all: the whole answer on the wire ends with the head.
        let raw = try RawConnection(port: server.port)
        try raw.send("HEAD /schemas/shop/Order/versions/1.0.0 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        let text = try raw.readResponse()
        XCTAssertTrue(text.hasPrefix("HTTP/1.1 200"), text)
        XCTAssertTrue(text.hasSuffix("\r\n\r\n"), "HEAD answered with body bytes: \(text)")

        // Errors carry no tag, with or without If-None-Match, and are not turned into 304s.
        for path in ["/schemas/shop/Order/versions/9.9.9", "/schemas/shop/Nobody/versions/latest", "/schemas/shop/Nobody/versions",
                     "/schemas/Nobody/versions/1.0.0", "/schemas?limit=0"] {
            for headers in [[], [("If-None-Match", "*")]] as [[(String, String)]] {
                let response = try server.request(path, headers: headers)
                XCTAssertTrue([404, 422].contains(response.status), "GET \(path) \(headers): \(response.status) \(response.text)")
                XCTAssertNil(response.header("ETag"), "GET \(path) \(headers): an error has no ETag")
                XCTAssertNotNil((try? response.json())?["detail"], "GET \(path) \(headers): \(response.text)")
            }
        }

        // The body is the representation; compression does not change the (weak) tag.
        for n in 0..<40 {
            XCTAssertEqual(try server.register("/schemas/bulk/Model\(n)/versions", version: "1.0.0",
                                               schema: ["type": "object", "description": .string(String(repeating: "compressible ", count: 20))]).status, 201)
        }
        let plain = try server.request("/schemas?namespace=bulk")
        let plainTag = try XCTUnwrap(plain.header("ETag"))
        let gzipped = try server.request("/schemas?namespace=bulk", headers: [("Accept-Encoding", "gzip")])
        XCTAssertEqual(gzipped.status, 200)
        XCTAssertEqual(gzipped.header("ETag"), plainTag, "gzip (\(gzipped.header("Content-Encoding") ?? "not applied")) changed the tag")
        XCTAssertEqual(try server.request("/schemas?namespace=bulk", headers: [("Accept-Encoding", "gzip"), ("If-None-Match", plainTag)]).status, 304)

        // Routes outside the four carry no tag (the config is read from the database each time).
        XCTAssertNil(try server.request("/config").header("ETag"))
        XCTAssertEqual(try server.stop(), 0)
    }

    // MARK: - the tag follows the body, on every worker at once

    private func tagsFollowTheBody(_ backend: Backend, environment: [String: String]) throws {
        let server = try ServerProcess(databaseURL: backend.freshDatabaseURL(), workers: 2, environment: environment)
        try seed(server)
        let version = "/schemas/shop/Order/versions/1.0.0", latest = "/schemas/shop/Order/versions/latest"
        let list = "/schemas/shop/Order/versions", page = "/schemas?namespace=shop", all = "/schemas"

        /// The current tag of `path` after reading it from both workers (several fresh connections).
        func current(_ path: String) throws -> (tag: String, body: [UInt8]) {
            let first = try server.request(path)
            XCTAssertEqual(first.status, 200, "GET \(path): \(first.text)")
            let tag = try XCTUnwrap(first.header("ETag"), "GET \(path)")
            for _ in 0..<5 {
                let response = try server.request(path, headers: [("If-None-Match", tag)])
                XCTAssertEqual(response.status, 304, "GET \(path) with its own tag")
            }
            return (tag, first.body)
        }
        /// After a write: the old tag is refused on every fresh connection (200, new body, new tag),
        /// and the new tag answers 304.
        func changed(_ path: String, from old: (tag: String, body: [UInt8]), after write: String,
                     file: StaticString = #filePath, line: UInt = #line) throws -> (tag: String, body: [UInt8]) {
            var newTag: String?
            for attempt in 0..<8 {
                let response = try server.request(path, headers: [("If-None-Match", old.tag)])
                XCTAssertEqual(response.status, 200, "GET \(path) If-None-Match: <tag before \(write)> (attempt \(attempt)): " +
                               "the answer still says nothing changed", file: file, line: line)
                guard response.status == 200 else { continue }
                XCTAssertNotEqual(response.body, old.body, "GET \(path) after \(write): the same body", file: file, line: line)
                let tag = response.header("ETag")
                XCTAssertNotEqual(tag, old.tag, "GET \(path): the ETag did not change after \(write)", file: file, line: line)
                if let newTag { XCTAssertEqual(tag, newTag, "GET \(path) after \(write): workers disagree on the tag", file: file, line: line) }
                newTag = tag
            }
            let tag = try XCTUnwrap(newTag, file: file, line: line)
            for _ in 0..<4 {
                XCTAssertEqual(try server.request(path, headers: [("If-None-Match", tag)]).status, 304, "GET \(path) new tag after \(write)",
                               file: file, line: line)
            }
            return (tag, try server.request(path).body)
        }
        func unchanged(_ path: String, _ old: (tag: String, body: [UInt8]), after write: String, file: StaticString = #filePath, line: UInt = #line) throws {
            for _ in 0..<4 {
                let response = try server.request(path, headers: [("If-None-Match", old.tag)])
                XCTAssertEqual(response.status, 304, "GET \(path) after \(write), which does not change it: \(response.text)", file: file, line: line)
            }
        }

        var versionTag = try current(version), latestTag = try current(latest), listTag = try current(list)
        var pageTag = try current(page), allTag = try current(all)
        let otherModel = try current("/schemas/Global/versions/2.0.0")

        // Deprecation: the version, the listing pages (include_deprecated=false leaves it out).
        XCTAssertEqual(try server.request("POST", version + "/deprecate?message=old").status, 200)
        versionTag = try changed(version, from: versionTag, after: "deprecation")
        XCTAssertEqual(try server.request(version).json()["deprecated"], true)
        pageTag = try changed(page, from: pageTag, after: "deprecation")
        allTag = try changed(all, from: allTag, after: "deprecation")
        try unchanged(latest, latestTag, after: "deprecation of another version")
        try unchanged("/schemas/Global/versions/2.0.0", otherModel, after: "deprecation in another model")

        // A new deprecation message: a new body, a new tag.
        XCTAssertEqual(try server.request("POST", version + "/deprecate?message=older").status, 200)
        versionTag = try changed(version, from: versionTag, after: "a new deprecation message")

        // Overwrite (deprecation kept, schema changed).
        XCTAssertEqual(try server.register("/schemas/shop/Order/versions?allow_overwrite=true", version: "1.0.0",
                                           schema: ["type": "object", "title": "replaced"]).status, 201)
        versionTag = try changed(version, from: versionTag, after: "overwrite")
        XCTAssertEqual(try server.request(version).json()["json_schema"]?["title"], "replaced")

        // Overwrite of the latest version: latest changes too.
        XCTAssertEqual(try server.register("/schemas/shop/Order/versions?allow_overwrite=true", version: "1.1.0",
                                           schema: ["type": "object", "title": "replaced too"]).status, 201)
        latestTag = try changed(latest, from: latestTag, after: "overwrite of the latest version")

        // Undeprecation.
        XCTAssertEqual(try server.request("POST", version + "/undeprecate").status, 200)
        versionTag = try changed(version, from: versionTag, after: "undeprecation")

        // A new latest version: latest, the versions list, the pages.
        XCTAssertEqual(try server.register("/schemas/shop/Order/versions", version: "1.2.0").status, 201)
        latestTag = try changed(latest, from: latestTag, after: "registration of 1.2.0")
        XCTAssertEqual(try server.request(latest).json()["version"], "1.2.0")
        listTag = try changed(list, from: listTag, after: "registration of 1.2.0")
        pageTag = try changed(page, from: pageTag, after: "registration of 1.2.0")
        allTag = try changed(all, from: allTag, after: "registration of 1.2.0")
        try unchanged(version, versionTag, after: "registration of another version")

        // A registration in another namespace changes the unfiltered page, not the namespace's.
        XCTAssertEqual(try server.register("/schemas/elsewhere/Thing/versions", version: "1.0.0").status, 201)
        allTag = try changed(all, from: allTag, after: "registration of another model")
        try unchanged(page, pageTag, after: "registration in another namespace")

        // Deletion: the versions list, latest (when it was the latest), the pages; the version itself 404, without a tag.
        XCTAssertEqual(try server.request("DELETE", "/schemas/shop/Order/versions/1.2.0?force=true").status, 200)
        listTag = try changed(list, from: listTag, after: "deletion of 1.2.0")
        XCTAssertEqual(try server.request(list).json()["versions"], ["1.0.0", "1.1.0"])
        latestTag = try changed(latest, from: latestTag, after: "deletion of the latest version")
        XCTAssertEqual(try server.request(latest).json()["version"], "1.1.0")
        pageTag = try changed(page, from: pageTag, after: "deletion of 1.2.0")
        allTag = try changed(all, from: allTag, after: "deletion of 1.2.0")
        for _ in 0..<6 {
            let gone = try server.request("/schemas/shop/Order/versions/1.2.0", headers: [("If-None-Match", "*")])
            XCTAssertEqual(gone.status, 404, "a deleted version: \(gone.text)")
            XCTAssertNil(gone.header("ETag"))
        }

        // Deleting every version: 404 without a tag on every route of the model, even with `*`.
        for v in ["1.0.0", "1.1.0"] {
            XCTAssertEqual(try server.request("DELETE", "/schemas/shop/Order/versions/\(v)?force=true").status, 200)
        }
        for path in [version, latest, list] {
            for _ in 0..<6 {
                let response = try server.request(path, headers: [("If-None-Match", "*")])
                XCTAssertEqual(response.status, 404, "GET \(path) after deleting every version: \(response.status) \(response.text)")
                XCTAssertNil(response.header("ETag"), "GET \(path) after deleting every version")
            }
        }
        pageTag = try changed(page, from: pageTag, after: "deletion of the model's last version")
        XCTAssertEqual(try server.request(page).json()["total_count"], 0)
        _ = (versionTag, latestTag, listTag, allTag)
        XCTAssertEqual(try server.stop(), 0)
    }

    // MARK: - with keys

    private func withAuthentication(_ backend: Backend) throws {
        let (server, admin) = try AuthSupport.server(backend, workers: 2)
        try seed(server, key: admin)
        let reader = try server.createKey("etag-reader", permission: "read", admin: admin)
        let path = "/schemas/shop/Order/versions/1.0.0"
        let first = try server.call(path, key: reader.key)
        XCTAssertEqual(first.status, 200, first.text)
        let tag = try XCTUnwrap(first.header("ETag"))
        XCTAssertEqual(first.header("Cache-Control"), "private, no-cache")
        for route in Self.routes {
            let response = try server.call(route, key: reader.key)
            XCTAssertEqual(response.status, 200, "GET \(route): \(response.text)")
            XCTAssertEqual(response.header("Cache-Control"), "private, no-cache", "GET \(route)")
            XCTAssertNotNil(response.header("ETag"), "GET \(route)")
        }
        for _ in 0..<6 {
            let response = try server.call("GET", path, key: reader.key, headers: [("If-None-Match", tag)])
            XCTAssertEqual(response.status, 304, response.text)
            XCTAssertEqual(response.header("Cache-Control"), "private, no-cache")
        }
        // A cached answer is still only for those who may read it: no key, a bad key, a revoked key → 401, never 304.
        for _ in 0..<6 {
            let none = try server.call("GET", path, key: nil, headers: [("If-None-Match", tag)])
            none.assertUnauthorized(AuthSupport.required, "no key, If-None-Match")
            XCTAssertNil(none.header("ETag"), "a 401 has no ETag")
            try server.call("GET", path, key: AuthSupport.garbageKey(), headers: [("If-None-Match", tag)])
                .assertUnauthorized(AuthSupport.invalid, "unknown key, If-None-Match")
        }
        XCTAssertEqual(try server.call("POST", "/api-keys/\(reader.id)/revoke", key: admin, json: #"{"revoked_by":"etag"}"#).status, 200)
        for _ in 0..<6 {
            let revoked = try server.call("GET", path, key: reader.key, headers: [("If-None-Match", tag)])
            revoked.assertUnauthorized(AuthSupport.invalid, "revoked key, If-None-Match")
            XCTAssertNil(revoked.header("ETag"))
        }
        XCTAssertEqual(try server.stop(), 0)
    }
}
