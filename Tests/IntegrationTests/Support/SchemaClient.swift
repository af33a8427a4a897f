import Foundation
import RegistryJSON
import RegistryRuntime

/// Small conveniences for the schema endpoints in tests.
extension ServerProcess {
    @discardableResult
    func register(_ path: String, version: String, schema: JSONValue = [:], by: String = "tester",
                  extra: [(String, JSONValue)] = []) throws -> HTTPClientResponse {
        var body = JSONObject([("version", .string(version)), ("json_schema", schema), ("registered_by", .string(by))])
        for (key, value) in extra { body[key] = value }
        return try request("POST", path, headers: [("Content-Type", "application/json")], body: Array(JSONValue.object(body).serialized().utf8))
    }

    func post(_ path: String, json text: String) throws -> HTTPClientResponse {
        try request("POST", path, headers: [("Content-Type", "application/json")], body: Array(text.utf8))
    }
}

extension HTTPClientResponse {
    var detail: String? { (try? json())?["detail"]?.stringValue }
}
