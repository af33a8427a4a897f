import Logging
import NIOCore
import NIOEmbedded
import NIOHTTP1
@testable import RegistryHTTP
import RegistryDomain
import RegistryStorage
import XCTest

/// Each kind of error a step can throw, as the status, headers and body it becomes.
final class ErrorMappingTests: XCTestCase {
    private struct Unexpected: Error, CustomStringConvertible {
        var description: String { "disk on fire" }
    }

    private func mapped(_ error: any Error, production: Bool = false) -> Response {
        let loop = EmbeddedEventLoop()
        let request = Request(head: HTTPRequestHead(version: .http1_1, method: .GET, uri: "/schemas"), body: nil,
                              remoteAddress: nil, eventLoop: loop)
        let context = RequestContext(logger: Logger(label: "tests", factory: { _ in SwiftLogNoOpLogHandler() }))
        return ErrorMappingMiddleware(isProduction: production).response(for: error, request, context)
    }

    private func text(_ response: Response) -> String { String(decoding: response.body, as: UTF8.self) }

    func testHTTPErrorKeepsItsStatusAndHeaders() {
        let response = mapped(HTTPError(status: .unauthorized, detail: "Invalid API key", headers: ["WWW-Authenticate": "Bearer"]))
        XCTAssertEqual(response.status, .unauthorized)
        XCTAssertEqual(text(response), #"{"detail":"Invalid API key"}"#)
        XCTAssertEqual(response.headers.map(\.name), ["Content-Type", "WWW-Authenticate"])
    }

    func testValidationFailureIsA422InPydanticShape() {
        let failure = ValidationFailure(issues: [ValidationIssue(type: "missing", location: ["body"], message: "Field required",
                                                                 input: .null)])
        let response = mapped(failure)
        XCTAssertEqual(response.status, .unprocessableEntity)
        XCTAssertEqual(text(response), #"{"detail":[{"type":"missing","loc":["body"],"msg":"Field required","input":null}],"body":null}"#)
    }

    func testRegistryErrorsMapToTheirStatuses() {
        let cases: [(RegistryError, HTTPResponseStatus)] = [
            (.badRequest("bad"), .badRequest), (.notFound("gone"), .notFound),
            (.conflict("twice"), .conflict), (.unprocessable("odd"), .unprocessableEntity),
        ]
        for (error, status) in cases {
            let response = mapped(error)
            XCTAssertEqual(response.status, status)
            XCTAssertEqual(response.headers.map(\.name), ["Content-Type"])
        }
        XCTAssertEqual(text(mapped(RegistryError.conflict("Version 1.0.0 already exists"))),
                       #"{"detail":"Version 1.0.0 already exists"}"#)
    }

    func testDatabaseErrorIsA503WithoutItsText() {
        let response = mapped(DatabaseError.connectionFailed("could not connect to server"))
        XCTAssertEqual(response.status, .serviceUnavailable)
        XCTAssertEqual(text(response), #"{"detail":"Database error occurred. Please try again later."}"#)
    }

    func testUnexpectedErrorIsA500ShownOnlyOutsideProduction() {
        XCTAssertEqual(mapped(Unexpected()).status, .internalServerError)
        XCTAssertEqual(text(mapped(Unexpected())), #"{"detail":"disk on fire"}"#)
        XCTAssertEqual(text(mapped(Unexpected(), production: true)),
                       #"{"detail":"An unexpected error occurred. Please try again later."}"#)
    }

    func testHeadersAttachedOnTheWayReplaceThoseOfTheError() {
        let limited = ErrorWithHeaders(error: HTTPError(status: .forbidden, detail: "no", headers: ["X-RateLimit-Limit": "9"]),
                                       headers: ["X-RateLimit-Limit": "1", "X-RateLimit-Remaining": "0"])
        let response = mapped(limited)
        XCTAssertEqual(response.status, .forbidden)
        XCTAssertEqual(response.headers.map(\.name), ["Content-Type", "X-RateLimit-Limit", "X-RateLimit-Remaining"])
        XCTAssertEqual(response.headers.first(name: "X-RateLimit-Limit"), "1")
    }
}
