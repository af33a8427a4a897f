import Foundation
import RegistryJSON
import RegistryJSONSchema
import RegistryRuntime
import XCTest

/// A server's own `/openapi.json`, used to call operations by their path template and check
/// each answer against it, as schemathesis' status-code and response-schema checks do: the
/// status is documented, the content type is the documented one, and a JSON body is valid against
/// the documented schema (Draft 2020-12, `$ref`s into `components`).
final class OpenAPIConformance {
    let document: JSONValue
    private let server: ServerProcess
    private var validators: [String: JSONSchemaValidator] = [:]
    /// RFC 3986's unreserved characters: everything else in a path value is percent-encoded.
    private static let unreserved = CharacterSet.alphanumerics.union(CharacterSet(charactersIn: "-._~"))

    init(_ server: ServerProcess) throws {
        self.server = server
        let response = try server.request("/openapi.json")
        guard response.status == 200 else { throw TestTimeout(what: "/openapi.json: \(response.status) \(response.text)") }
        document = try response.json()
    }

    /// (path template, lower-case method, operation) in document order.
    var operations: [(path: String, method: String, operation: JSONValue)] {
        guard let paths = document["paths"]?.objectValue else { return [] }
        return paths.flatMap { path, item in
            (item.objectValue ?? JSONObject()).map { (path, $0.key, $0.value) }
        }
    }

    func operation(_ method: String, _ template: String) -> JSONValue? {
        document["paths"]?[template]?[method.lowercased()]
    }

    /// Calls `method template` with its `{parameters}` filled from `path` and checks the answer.
    @discardableResult
    func call(_ method: String, _ template: String, _ path: [String: String] = [:], query: String = "", key: String? = nil,
              json: String? = nil, file: StaticString = #filePath, line: UInt = #line) throws -> HTTPClientResponse {
        var target = template
        for (name, value) in path {
            let encoded = value.addingPercentEncoding(withAllowedCharacters: Self.unreserved) ?? value
            target = target.replacingOccurrences(of: "{\(name)}", with: encoded)
        }
        XCTAssertFalse(target.contains("{"), "unfilled parameter in \(target)", file: file, line: line)
        if !query.isEmpty { target += "?" + query }
        let response = try server.call(method, target, key: key, json: json)
        check(response, method, template, context: "\(method) \(target)", file: file, line: line)
        return response
    }

    func check(_ response: HTTPClientResponse, _ method: String, _ template: String, context: String,
               file: StaticString = #filePath, line: UInt = #line) {
        guard let operation = operation(method, template) else {
            return XCTFail("\(method) \(template) is not in the document", file: file, line: line)
        }
        let status = String(response.status)
        guard let documented = operation["responses"]?[status] else {
            return XCTFail("\(context): status \(status) is not documented (\(response.text))", file: file, line: line)
        }
        guard let content = documented["content"]?.objectValue, !content.isEmpty else {
            if response.status == 204 { XCTAssertTrue(response.body.isEmpty, context, file: file, line: line) }
            return
        }
        let type = response.header("Content-Type") ?? ""
        if content.keys.contains(where: { $0 != "application/json" && type.hasPrefix($0) }) { return }
        guard let schema = content["application/json"]?["schema"], type == "application/json" else {
            return XCTFail("\(context): content type \(type) is not documented for \(status)", file: file, line: line)
        }
        do {
            let body = try response.json()
            let errors = try validator(for: "\(method) \(template) \(status)", schema).errors(body)
            XCTAssertTrue(errors.isEmpty, "\(context) → \(status): body does not match the document: "
                          + errors.map { "\($0.path.joined(separator: "/")): \($0.message)" }.joined(separator: "; ")
                          + "\nbody: \(response.text)", file: file, line: line)
        } catch {
            XCTFail("\(context): \(error)", file: file, line: line)
        }
    }

    /// The response schema with the document's `components` beside it, so that its `$ref`s resolve.
    private func validator(for key: String, _ schema: JSONValue) throws -> JSONSchemaValidator {
        if let known = validators[key] { return known }
        var root = schema.objectValue ?? JSONObject()
        root["components"] = document["components"]
        let validator = try JSONSchemaValidator(schema: .object(root))
        validators[key] = validator
        return validator
    }
}
