import Foundation
import XCTest

/// CORS from the `CORS_*` settings (contract §1.4). No database is involved beyond start-up.
final class CORSTests: XCTestCase {
    func testDefaultsAllowEveryOrigin() throws {
        let server = try ServerProcess(databaseURL: Backend.sqlite.freshDatabaseURL(), workers: 1,
                                       environment: ["PYRMUTE_REGISTRY_ENABLE_AUTH": "true"])
        for path in ["/health", "/no/such/path", "/schemas"] {
            let preflight = try server.request("OPTIONS", path, headers: [
                ("Origin", "https://ui.example"), ("Access-Control-Request-Method", "POST"),
                ("Access-Control-Request-Headers", "X-API-Key, Content-Type"),
            ])
            XCTAssertEqual(preflight.status, 200, path)
            XCTAssertEqual(preflight.text, "OK")
            XCTAssertEqual(preflight.header("Content-Type"), "text/plain; charset=utf-8")
            XCTAssertEqual(preflight.header("Access-Control-Allow-Origin"), "https://ui.example")
            XCTAssertEqual(preflight.header("Access-Control-Allow-Methods"), "DELETE, GET, HEAD, OPTIONS, PATCH, POST, PUT")
            XCTAssertEqual(preflight.header("Access-Control-Allow-Headers"), "X-API-Key, Content-Type")
            XCTAssertEqual(preflight.header("Access-Control-Allow-Credentials"), "true")
            XCTAssertEqual(preflight.header("Access-Control-Max-Age"), "600")
            XCTAssertEqual(preflight.header("Vary"), "Origin")
            XCTAssertNil(preflight.header("X-Correlation-ID"), "answered before the correlation layer")
        }

        let simple = try server.request("/health", headers: [("Origin", "https://ui.example")])
        XCTAssertEqual(simple.header("Access-Control-Allow-Origin"), "*")
        XCTAssertEqual(simple.header("Access-Control-Allow-Credentials"), "true")
        XCTAssertEqual(simple.header("Access-Control-Expose-Headers"),
                       "X-Correlation-ID, X-RateLimit-Limit, X-RateLimit-Remaining, X-RateLimit-Reset, Retry-After")
        XCTAssertNil(simple.header("Vary"))
        let withCookie = try server.request("/health", headers: [("Origin", "https://ui.example"), ("Cookie", "a=b")])
        XCTAssertEqual(withCookie.header("Access-Control-Allow-Origin"), "https://ui.example")
        XCTAssertEqual(withCookie.header("Vary"), "Origin")
        // Errors carry the headers too (a 401 from the auth step here).
        let unauthorized = try server.request("/schemas", headers: [("Origin", "https://ui.example")])
        XCTAssertEqual(unauthorized.status, 401)
        XCTAssertEqual(unauthorized.header("Access-Control-Allow-Origin"), "*")
        XCTAssertNil(try server.request("/health").header("Access-Control-Allow-Origin"), "no Origin, no CORS headers")
        // A plain OPTIONS (no preflight headers) is not a route.
        XCTAssertEqual(try server.request("OPTIONS", "/health").status, 405)
        XCTAssertEqual(try server.stop(), 0)
    }

    func testConfiguredOriginsMethodsAndHeaders() throws {
        let server = try ServerProcess(databaseURL: Backend.sqlite.freshDatabaseURL(), workers: 1, environment: [
            "PYRMUTE_REGISTRY_CORS_ORIGINS": "https://a.example,https://b.example",
            "PYRMUTE_REGISTRY_CORS_ALLOW_METHODS": #"["GET","POST"]"#,
            "PYRMUTE_REGISTRY_CORS_ALLOW_HEADERS": "X-API-Key",
            "PYRMUTE_REGISTRY_CORS_ALLOW_CREDENTIALS": "false",
        ])
        let allowed = try server.request("/health/live", headers: [("Origin", "https://b.example")])
        XCTAssertEqual(allowed.header("Access-Control-Allow-Origin"), "https://b.example")
        XCTAssertEqual(allowed.header("Vary"), "Origin")
        XCTAssertNil(allowed.header("Access-Control-Allow-Credentials"))
        XCTAssertNil(try server.request("/health/live", headers: [("Origin", "https://evil.example")]).header("Access-Control-Allow-Origin"))

        let good = try server.request("OPTIONS", "/schemas", headers: [
            ("Origin", "https://a.example"), ("Access-Control-Request-Method", "POST"), ("Access-Control-Request-Headers", "x-api-key"),
        ])
        XCTAssertEqual(good.status, 200)
        XCTAssertEqual(good.header("Access-Control-Allow-Methods"), "GET, POST")
        XCTAssertEqual(good.header("Access-Control-Allow-Headers"), "X-API-Key")
        for (origin, method, headers, reason) in [("https://evil.example", "GET", "x-api-key", "origin"),
                                                  ("https://a.example", "DELETE", "x-api-key", "method"),
                                                  ("https://a.example", "GET", "X-Other", "headers")] {
            let refused = try server.request("OPTIONS", "/schemas", headers: [
                ("Origin", origin), ("Access-Control-Request-Method", method), ("Access-Control-Request-Headers", headers),
            ])
            XCTAssertEqual(refused.status, 400, reason)
            XCTAssertEqual(refused.text, "Disallowed CORS \(reason)")
        }
        XCTAssertEqual(try server.stop(), 0)
    }
}
