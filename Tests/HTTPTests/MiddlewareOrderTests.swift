@testable import RegistryHTTP
import RegistryTraffic
import XCTest

/// The order of the middleware chain, as a client sees it.
final class MiddlewareOrderTests: XCTestCase {
    private static let limited = ["ENABLE_AUTH": "true", "RATE_LIMIT_ENABLED": "true", "RATE_LIMIT_PER_MINUTE": "1",
                                  "CORS_ORIGINS": "https://app.example"]

    func testPreflightIsAnsweredBeforeAuthenticationAndRateLimit() async throws {
        let server = try InProcessServer(Self.limited)
        for _ in 0..<3 {   // over the limit of one, were preflights counted
            let response = try await server.send("OPTIONS", "/schemas", headers: [
                ("Origin", "https://app.example"), ("Access-Control-Request-Method", "GET"),
            ])
            XCTAssertEqual(response.status, 200)
            XCTAssertEqual(response.body, "OK")
            XCTAssertEqual(response.header("Access-Control-Allow-Origin"), "https://app.example")
            XCTAssertNil(response.header("WWW-Authenticate"))
            XCTAssertNil(response.header("X-RateLimit-Limit"))
            XCTAssertNil(response.header("X-Correlation-ID"), "a preflight is not observed as a request")
        }
        let metrics = server.app.metrics.snapshot.requests
        XCTAssertEqual(metrics.keys.map(\.route), ["preflight"])
        XCTAssertEqual(metrics.values.first?.count, 3)
    }

    func testRateLimitWinsOverAuthenticationAndItsHeadersAreOnErrors() async throws {
        let server = try InProcessServer(Self.limited)
        let refused = try await server.send("GET", "/schemas")
        XCTAssertEqual(refused.status, 401)
        XCTAssertEqual(refused.body, #"{"detail":"API key required. Provide via X-API-Key header or Bearer token."}"#)
        XCTAssertEqual(refused.headerNames, ["Content-Type", "WWW-Authenticate", "X-RateLimit-Limit", "X-RateLimit-Remaining",
                                             "X-RateLimit-Reset", "X-Correlation-ID", "Content-Length"])
        XCTAssertEqual(refused.header("X-RateLimit-Limit"), "1")
        XCTAssertEqual(refused.header("X-RateLimit-Remaining"), "0")

        let limited = try await server.send("GET", "/schemas")
        XCTAssertEqual(limited.status, 429)
        XCTAssertEqual(limited.body, #"{"detail":"Rate limit exceeded: 1 requests per minute"}"#)
        XCTAssertEqual(limited.headerNames, ["Content-Type", "Retry-After", "X-RateLimit-Limit", "X-RateLimit-Remaining",
                                             "X-RateLimit-Reset", "X-Correlation-ID", "Content-Length"])
        XCTAssertNil(limited.header("WWW-Authenticate"))
    }

    func testAVerifiedKeyCountsAgainstItsOwnBucketEvenWhenForbidden() async throws {
        let server = try InProcessServer(Self.limited)
        let reader = try server.makeKey("reader", .read)
        let forbidden = try await server.send("GET", "/api-keys", headers: [("X-API-Key", reader.key)])
        XCTAssertEqual(forbidden.status, 403)
        XCTAssertEqual(forbidden.body, #"{"detail":"Insufficient permissions. Required: admin"}"#)
        XCTAssertEqual(forbidden.header("X-RateLimit-Remaining"), "0")
        // The anonymous bucket (ip:) is still untouched.
        let anonymous = try await server.send("GET", "/schemas")
        XCTAssertEqual(anonymous.status, 401)
        XCTAssertEqual(anonymous.header("X-RateLimit-Remaining"), "0")
        let again = try await server.send("GET", "/schemas", headers: [("X-API-Key", reader.key)])
        XCTAssertEqual(again.status, 429)
    }

    func testHealthProbesAreNeverLimited() async throws {
        let server = try InProcessServer(Self.limited)
        for _ in 0..<3 {
            let response = try await server.send("GET", "/health/live")
            XCTAssertEqual(response.status, 200)
            XCTAssertEqual(response.body, #"{"alive":true}"#)
            XCTAssertNil(response.header("X-RateLimit-Limit"))
        }
    }

    func testUnroutedAnswersAreObservedAndDecorated() async throws {
        let server = try InProcessServer(Self.limited)
        let notAllowed = try await server.send("PUT", "/schemas", headers: [("Origin", "https://app.example")])
        XCTAssertEqual(notAllowed.status, 405)
        XCTAssertEqual(notAllowed.body, #"{"detail":"Method Not Allowed"}"#)
        XCTAssertEqual(notAllowed.header("Allow"), "GET, HEAD")
        XCTAssertEqual(notAllowed.header("Access-Control-Allow-Origin"), "https://app.example")
        XCTAssertNotNil(notAllowed.header("X-Correlation-ID"))
        XCTAssertNil(notAllowed.header("X-RateLimit-Limit"))

        let redirect = try await server.send("GET", "/schemas/?limit=5")
        XCTAssertEqual(redirect.status, 307)
        XCTAssertEqual(redirect.header("Location"), "http://registry.test/schemas?limit=5")

        let missing = try await server.send("GET", "/nowhere", headers: [("X-Correlation-ID", "trace-1")])
        XCTAssertEqual(missing.status, 404)
        XCTAssertEqual(missing.body, #"{"detail":"Not Found"}"#)
        XCTAssertEqual(missing.header("X-Correlation-ID"), "trace-1")

        let routes = Set(server.app.metrics.snapshot.requests.keys.map(\.route))
        XCTAssertEqual(routes, ["unmatched"])
    }

    func testAForbiddenRequestIsAuditedWithItsKey() async throws {
        let server = try InProcessServer(["ENABLE_AUTH": "true", "AUDIT_ENABLED": "true"])
        let reader = try server.makeKey("reader", .read)
        let forbidden = try await server.send("POST", "/api-keys", headers: [("X-API-Key", reader.key)],
                                              body: #"{"name":"someone"}"#)
        XCTAssertEqual(forbidden.status, 403)
        try server.app.audit?.flush()
        let rows = try AuditLog(pool: server.pool).search(AuditQuery(apiKeyID: nil, pathPrefix: nil, statusCode: nil, since: nil,
                                                                     until: nil, limit: 10, offset: 0)).rows
        XCTAssertEqual(rows.count, 1)
        XCTAssertEqual(rows.first?["api_key_id"]?.intValue, reader.id)
        XCTAssertEqual(rows.first?["status_code"]?.intValue, 403)
        XCTAssertEqual(rows.first?["correlation_id"]?.stringValue, forbidden.header("X-Correlation-ID"))
    }
}
