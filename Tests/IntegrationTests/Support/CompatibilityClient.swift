import Foundation
import RegistryJSON
import RegistryRuntime
import XCTest

/// Conveniences for the compatibility endpoints of issue 14 (config scopes, dry run, enforcement).
enum Compat {
    /// The exact body of a config answer: `{"compatibility": LEVEL, "source": SOURCE}`.
    static func level(_ level: String, _ source: String) -> String {
        #"{"compatibility":"\#(level)","source":"\#(source)"}"#
    }

    /// The body of `PUT …/config`.
    static func body(_ level: String) -> String { #"{"compatibility":"\#(level)"}"# }

    /// The validation message for an unknown level.
    static let enumMessage = "Input should be 'NONE', 'BACKWARD', 'BACKWARD_TRANSITIVE', 'FORWARD', 'FORWARD_TRANSITIVE', "
        + "'FULL', 'FULL_TRANSITIVE' or 'SEMVER'"

    /// One dry-run / 409 message, keys in contract order.
    static func message(_ version: String, _ schema: String, _ direction: String, _ path: String, _ change: String,
                        _ breaking: Bool, _ description: String) -> JSONValue {
        .object(JSONObject([
            ("version", .string(version)), ("schema", .string(schema)), ("direction", .string(direction)),
            ("path", .string(path)), ("change", .string(change)), ("breaking", .bool(breaking)),
            ("description", .string(description)),
        ]))
    }

    /// A dry-run answer, keys in contract order.
    static func result(_ compatible: Bool, _ level: String, _ checked: [String], _ messages: [JSONValue]) -> JSONValue {
        .object(JSONObject([
            ("compatible", .bool(compatible)), ("level", .string(level)),
            ("checked_against", .array(checked.map { .string($0) })), ("messages", .array(messages)),
        ]))
    }

    /// The 409 answer of a refused registration.
    static func refusal(_ detail: String, _ messages: [JSONValue]) -> JSONValue {
        .object(JSONObject([("detail", .string(detail)), ("messages", .array(messages))]))
    }

    /// A closed object schema (`additionalProperties: false`), as pydantic writes with `extra="forbid"`.
    static func closed(_ properties: [(String, JSONValue)], required: [String] = []) -> JSONValue {
        var object = JSONObject([("type", "object"), ("properties", .object(JSONObject(properties)))])
        if !required.isEmpty { object["required"] = .array(required.map { .string($0) }) }
        object["additionalProperties"] = false
        return .object(object)
    }

    /// An Avro record with `fields`.
    static func record(_ name: String, _ fields: [JSONValue]) -> JSONValue {
        ["type": "record", "name": .string(name), "fields": .array(fields)]
    }

    /// `model` (`/schemas/ns/M`, or `/schemas/M?namespace=ns`) + `suffix` + `query` (`?a=b`), queries merged.
    static func route(_ model: String, _ suffix: String, _ query: String = "") -> String {
        guard let mark = model.firstIndex(of: "?") else { return model + suffix + query }
        return String(model[..<mark]) + suffix + String(model[mark...]) + query.replacingOccurrences(of: "?", with: "&")
    }

    /// A registration (and dry-run) body.
    static func schemaBody(_ version: String, _ json: JSONValue, avro: JSONValue? = nil) -> String {
        var object = JSONObject([("version", .string(version)), ("json_schema", json)])
        if let avro { object["avro_schema"] = avro }
        object["registered_by"] = "compat-tests"
        return JSONValue.object(object).serialized()
    }
}

extension ServerProcess {
    /// `POST <model path>/versions` (query appended as given, e.g. `?allow_overwrite=true`).
    @discardableResult
    func registerSchema(_ model: String, _ version: String, _ json: JSONValue, avro: JSONValue? = nil, query: String = "",
                        key: String? = nil) throws -> HTTPClientResponse {
        try call("POST", Compat.route(model, "/versions", query), key: key, json: Compat.schemaBody(version, json, avro: avro))
    }

    /// `POST <model path>/compatibility` (the dry run); `query` e.g. `?level=FULL`.
    func dryRun(_ model: String, _ version: String, _ json: JSONValue, avro: JSONValue? = nil, query: String = "",
                key: String? = nil) throws -> HTTPClientResponse {
        let path = Compat.route(model, "/compatibility", query)
        return try call("POST", path, key: key, json: Compat.schemaBody(version, json, avro: avro))
    }

    /// `PUT path` with `{"compatibility": level}`.
    @discardableResult
    func putLevel(_ path: String, _ level: String, key: String? = nil) throws -> HTTPClientResponse {
        try call("PUT", path, key: key, json: Compat.body(level))
    }

    /// The versions of a model (`GET <model path>/versions`); [] when the model has none (404).
    func storedVersions(_ model: String, key: String? = nil) throws -> [String] {
        let response = try call("GET", Compat.route(model, "/versions"), key: key)
        if response.status == 404 { return [] }
        guard response.status == 200 else { throw TestTimeout(what: "versions of \(model): \(response.status) \(response.text)") }
        return try response.json()["versions"]?.arrayValue?.compactMap { $0.stringValue } ?? []
    }
}

extension HTTPClientResponse {
    /// Asserts status and an exact JSON body (parsed: key order matters, whitespace does not).
    func assertJSON(_ status: Int, _ expected: JSONValue, _ context: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(self.status, status, "\(context): \(text)", file: file, line: line)
        XCTAssertEqual(header("Content-Type"), "application/json", context, file: file, line: line)
        guard let body = try? json() else { return XCTFail("\(context): not JSON: \(text)", file: file, line: line) }
        XCTAssertEqual(body, expected, "\(context)\n got: \(body)\nwant: \(expected)", file: file, line: line)
    }

    /// A 422 for an unknown level at `loc`.
    func assertUnknownLevel(_ loc: JSONValue, input: JSONValue, _ context: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(status, 422, "\(context): \(text)", file: file, line: line)
        let first = (try? json())?["detail"]?[0]
        XCTAssertEqual(first?["type"], "enum", "\(context): \(text)", file: file, line: line)
        XCTAssertEqual(first?["loc"], loc, "\(context): \(text)", file: file, line: line)
        XCTAssertEqual(first?["msg"]?.stringValue, Compat.enumMessage, "\(context): \(text)", file: file, line: line)
        XCTAssertEqual(first?["input"], input, "\(context): \(text)", file: file, line: line)
    }
}
