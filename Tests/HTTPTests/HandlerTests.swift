@testable import RegistryHTTP
import XCTest

/// Handlers end to end through the channel, against a SQLite file.
final class HandlerTests: XCTestCase {
    private static let schemaBody = #"{"version":"1.0.0","json_schema":{"type":"object"},"registered_by":"tests"}"#

    func testRegisterThenGetOneVersion() async throws {
        let server = try InProcessServer()
        let created = try await server.send("POST", "/schemas/billing/Invoice/versions", body: Self.schemaBody)
        XCTAssertEqual(created.status, 201, created.body)
        XCTAssertEqual(created.header("Content-Type"), "application/json")

        let fetched = try await server.send("GET", "/schemas/billing/Invoice/versions/1.0.0")
        XCTAssertEqual(fetched.status, 200)
        XCTAssertEqual(fetched.body, created.body)
        XCTAssertTrue(fetched.body.contains(#""json_schema":{"type":"object"}"#), fetched.body)

        let again = try await server.send("POST", "/schemas/billing/Invoice/versions", body: Self.schemaBody)
        XCTAssertEqual(again.status, 409)
        XCTAssertTrue(again.body.hasPrefix(#"{"detail":""#), again.body)

        let missing = try await server.send("GET", "/schemas/billing/Invoice/versions/9.9.9")
        XCTAssertEqual(missing.status, 404)
        XCTAssertTrue(missing.body.hasPrefix(#"{"detail":""#), missing.body)
    }

    func testValidationFailsBeforeTheDatabase() async throws {
        let server = try InProcessServer()
        let response = try await server.send("GET", "/schemas?limit=0")
        XCTAssertEqual(response.status, 422)
        XCTAssertTrue(response.body.contains(#""type":"greater_than_equal""#), response.body)
    }

    func testKeyCreationNamesItsCreator() async throws {
        let server = try InProcessServer(["ENABLE_AUTH": "true"])
        let admin = try server.makeKey("root-admin", .admin)
        let created = try await server.send("POST", "/api-keys", headers: [("Authorization", "Bearer \(admin.key)")],
                                            body: #"{"name":"svc-reader","permission":"read"}"#)
        XCTAssertEqual(created.status, 201, created.body)
        XCTAssertTrue(created.body.contains(#""created_by":"root-admin""#), created.body)
        XCTAssertTrue(created.body.contains(#""api_key":""#), created.body)
    }

    func testKeyEndpointsAnswer400WithAuthenticationOff() async throws {
        let server = try InProcessServer()
        let response = try await server.send("GET", "/api-keys")
        XCTAssertEqual(response.status, 400)
        XCTAssertEqual(response.body, #"{"detail":"Authentication is disabled. Enable it to manage API keys."}"#)
    }
}
