import Foundation
import RegistryJSON
import RegistryRuntime
import XCTest

/// What the web UI tests register: a namespace with a model of three versions (one deprecated,
/// an Avro schema on the last), a global model, and hostile text — a model name with `<script>`,
/// a namespace with an attribute break, a description with a `javascript:` URL, a deprecation
/// message with markup — that every page must show as text.
enum UISupport {
    static let namespace = "shop"
    static let model = "Order"
    static let xssModel = "<script>alert('model')</script>"
    static let xssNamespace = "\" onmouseover=\"alert('ns')\" x=\""
    static let xssDescription = "javascript:alert('desc') <img src=x onerror=alert('img')>"
    static let xssMessage = "</td><script>alert('deprecated')</script>"
    static let globalModel = "Heartbeat"

    static func path(_ namespace: String?, _ model: String) -> String {
        let m = model.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!
        guard let namespace else { return "/schemas/\(m)" }
        return "/schemas/\(namespace.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!)/\(m)"
    }

    static func orderSchema(_ fields: [(String, String, String)], required: [String]) -> JSONValue {
        .object(JSONObject([
            ("title", "Order"), ("type", "object"),
            ("properties", .object(JSONObject(fields.map { ($0.0, ["type": .string($0.1), "description": .string($0.2)]) }))),
            ("required", .array(required.map(JSONValue.string))),
        ]))
    }

    /// Registers everything through the JSON API (`headers`: the key, when authentication is on).
    static func seed(_ server: ServerProcess, headers: [(String, String)] = []) throws {
        func post(_ path: String, _ body: JSONValue) throws {
            let response = try server.request("POST", path, headers: [("Content-Type", "application/json")] + headers,
                                              body: Array(body.serialized().utf8))
            XCTAssertEqual(response.status, 201, "\(path): \(response.text)")
        }
        let v1 = orderSchema([("id", "string", "Order id"), ("total", "number", "Amount")], required: ["id"])
        let v2 = orderSchema([("id", "string", "Order id"), ("total", "number", "Amount"), ("note", "string", xssDescription)],
                             required: ["id"])
        let v3 = orderSchema([("id", "string", "Order id"), ("total", "integer", "Amount in cents"), ("note", "string", xssDescription)],
                             required: ["id", "total"])
        let avro: JSONValue = ["type": "record", "name": "Order", "fields": [
            ["name": "id", "type": "string"], ["name": "total", "type": "long", "doc": "Amount in cents"],
        ]]
        let base = path(namespace, model) + "/versions"
        try post(base, ["version": "1.0.0", "json_schema": v1, "registered_by": "alice"])
        try post(base, ["version": "1.1.0", "json_schema": v2, "registered_by": "bob"])
        try post(base, ["version": "2.0.0", "json_schema": v3, "avro_schema": avro, "registered_by": "carol"])
        let message = xssMessage.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!
        let deprecated = try server.request("POST", base + "/1.0.0/deprecate?message=\(message)", headers: headers)
        XCTAssertEqual(deprecated.status, 200, deprecated.text)
        try post(path(nil, globalModel) + "/versions", ["version": "1.0.0", "json_schema": orderSchema([("at", "string", "When")], required: []),
                                                                  "registered_by": "dave"])
        let hostile = orderSchema([("x", "string", xssDescription)], required: [])
        try post(path(namespace, xssModel) + "/versions", ["version": "1.0.0", "json_schema": hostile, "registered_by": .string(xssModel)])
        try post(path(xssNamespace, "Evil") + "/versions", ["version": "1.0.0", "json_schema": hostile, "registered_by": "eve"])
    }

    /// The UI's link to a model page, as the pages build it.
    static func query(_ items: [(String, String)]) -> String {
        items.map { "\($0.0)=\($0.1.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!)" }.joined(separator: "&")
    }

    /// Text that would run or break out if it were not escaped.
    static let forbidden = ["<script>alert", "<img src=x", "\" onmouseover=\"", "</td><script>"]
}
