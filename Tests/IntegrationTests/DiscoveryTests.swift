import Foundation
import RegistryJSON
import RegistryRuntime
import XCTest

/// Discovery (issue 16) through the real server, on both databases: canonical forms and
/// fingerprints, lookup by content, search, kept current by register, overwrite, deprecate and
/// delete; permissions with authentication on.
final class DiscoveryTests: XCTestCase {
    func testCanonicalForms_sqlite() throws { try canonicalForms(.sqlite) }
    func testCanonicalForms_postgres() throws { try canonicalForms(.postgres) }
    func testLookupByContent_sqlite() throws { try lookupByContent(.sqlite) }
    func testLookupByContent_postgres() throws { try lookupByContent(.postgres) }
    func testSearch_sqlite() throws { try search(.sqlite) }
    func testSearch_postgres() throws { try search(.postgres) }
    func testSearchFollowsChanges_sqlite() throws { try searchFollowsChanges(.sqlite) }
    func testSearchFollowsChanges_postgres() throws { try searchFollowsChanges(.postgres) }
    func testSeveralWordsKeepTheFilters_sqlite() throws { try severalWordsKeepTheFilters(.sqlite) }
    func testSeveralWordsKeepTheFilters_postgres() throws { try severalWordsKeepTheFilters(.postgres) }
    func testSearchAfterAVersionIdIsReused_sqlite() throws { try searchAfterAVersionIdIsReused(.sqlite) }
    func testSearchAfterAVersionIdIsReused_postgres() throws { try searchAfterAVersionIdIsReused(.postgres) }
    func testRefusals_sqlite() throws { try refusals(.sqlite) }
    func testPermissions_sqlite() throws { try permissions(.sqlite) }
    func testPermissions_postgres() throws { try permissions(.postgres) }

    static let invoiceJSON = #"{"type": "object", "title": "Invoice", "properties": {"id": {"type": "integer", "maximum": 1.0}}}"#
    static let invoiceJSONCanonical = #"{"properties":{"id":{"maximum":1,"type":"integer"}},"title":"Invoice","type":"object"}"#
    static let invoiceAvro = #"{"type":"record","name":"Invoice","namespace":"billing","doc":"An invoice","fields":[{"name":"id","type":{"type":"long"}},{"name":"total","type":"double","default":0}]}"#

    private func register(_ server: ServerProcess, _ path: String, _ version: String, json: String, avro: String? = nil,
                          query: String = "", file: StaticString = #filePath, line: UInt = #line) throws {
        let avroPart = avro.map { #","avro_schema":\#($0)"# } ?? ""
        let response = try server.post("\(path)/versions\(query)",
                                       json: #"{"version":"\#(version)","registered_by":"t","json_schema":\#(json)\#(avroPart)}"#)
        XCTAssertEqual(response.status, 201, response.text, file: file, line: line)
    }

    private func lookup(_ server: ServerProcess, _ body: String) throws -> [String] {
        let response = try server.post("/schemas/lookup", json: body)
        XCTAssertEqual(response.status, 200, response.text)
        return try response.json()["matches"]?.arrayValue?.map { match in
            let namespace = match["namespace"]?.stringValue.map { $0 + "::" } ?? ""
            let deprecated = match["deprecated"] == .bool(true) ? " (deprecated)" : ""
            return "\(namespace)\(match["model_name"]?.stringValue ?? "")@\(match["version"]?.stringValue ?? "")\(deprecated)"
        } ?? []
    }

    /// Results as `ns::model@version kind matched path score`.
    private func search(_ server: ServerProcess, _ query: String, total: Int? = nil,
                        file: StaticString = #filePath, line: UInt = #line) throws -> [String] {
        let response = try server.request("/search?" + query)
        XCTAssertEqual(response.status, 200, response.text, file: file, line: line)
        let body = try response.json()
        let results = body["results"]?.arrayValue ?? []
        if let total { XCTAssertEqual(body["total"]?.intValue, total, query, file: file, line: line) }
        return results.map { r in
            let namespace = r["namespace"]?.stringValue.map { $0 + "::" } ?? ""
            return "\(namespace)\(r["model_name"]?.stringValue ?? "")@\(r["version"]?.stringValue ?? "") \(r["kind"]?.stringValue ?? "") "
                + "\(r["matched"]?.stringValue ?? "") \(r["path"]?.stringValue ?? "-") \(r["score"]?.intValue ?? 0)"
        }
    }

    // MARK: - canonical forms

    private func canonicalForms(_ backend: Backend) throws {
        let server = try ServerProcess(databaseURL: backend.freshDatabaseURL(), workers: 1)
        try register(server, "/schemas/billing/Invoice", "1.0.0", json: Self.invoiceJSON, avro: Self.invoiceAvro)
        try register(server, "/schemas/Plain", "1.0.0", json: #"{"b": [1e21, -0, 0.5], "a": "\u00e9"}"#)

        let response = try server.request("/schemas/billing/Invoice/versions/1.0.0/canonical")
        response.assertJSON(200, [
            "json_schema": ["canonical": .string(Self.invoiceJSONCanonical),
                            "sha256": "69f75c6cc2351dd4038cae8ef9323bb35cf0220a4e0993de0571103c7a95fc15"],
            "avro_schema": [
                "canonical": #"{"name":"billing.Invoice","type":"record","fields":[{"name":"id","type":"long"},{"name":"total","type":"double"}]}"#,
                "sha256": "4f1158cb17a2ae11215e286ffe86b4fb3776b72be9db55484987835df2ab837e",
                // Apache avro 1.12.0's `fingerprint("CRC-64-AVRO").hex()` of the same schema.
                "rabin": "523af4b957acd7c1",
            ],
        ], "namespaced")
        let global = try server.request("/schemas/Plain/versions/1.0.0/canonical").json()
        XCTAssertEqual(global["json_schema"]?["canonical"], #"{"a":"é","b":[1e+21,0,0.5]}"#)
        XCTAssertEqual(global["avro_schema"], .null)
        XCTAssertEqual(try server.request("/schemas/billing/Invoice/versions/2.0.0/canonical").detail,
                       "Schema billing::Invoice@2.0.0 not found")
        XCTAssertEqual(try server.request("/schemas/billing/Invoice/versions/2.0.0/canonical").status, 404)
        XCTAssertEqual(try server.request("/schemas/Invoice/versions/1.0.0/canonical?namespace=billing").status, 200)
        XCTAssertEqual(try server.stop(), 0)
    }

    // MARK: - lookup

    private func lookupByContent(_ backend: Backend) throws {
        let server = try ServerProcess(databaseURL: backend.freshDatabaseURL(), workers: 2)
        try register(server, "/schemas/billing/Invoice", "1.0.0", json: Self.invoiceJSON, avro: Self.invoiceAvro)
        try register(server, "/schemas/billing/Invoice", "1.1.0", json: #"{"type": "object"}"#)
        try register(server, "/schemas/sales/Invoice", "2.0.0", json: Self.invoiceJSON)
        try register(server, "/schemas/Invoice", "1.0.0", json: Self.invoiceJSON)
        try register(server, "/schemas/billing/Receipt", "1.0.0", json: Self.invoiceJSON)

        // Key order, whitespace and number spelling do not matter; global first, then by namespace and model.
        let respelled = #"{"json_schema": {"properties":{"id":{"maximum":1,"type":"integer"}},"type":"object","title":"Invoice"}}"#
        XCTAssertEqual(try lookup(server, respelled), ["Invoice@1.0.0", "billing::Invoice@1.0.0", "billing::Receipt@1.0.0",
                                                       "sales::Invoice@2.0.0"])
        XCTAssertEqual(try lookup(server, #"{"json_schema": {"type": "object", "title": "Invoice", "properties": {"id": {"type": "integer", "maximum": 1.5}}}}"#), [])
        // Filters.
        let filtered = { (extra: String) in String(respelled.dropLast()) + ", " + extra + "}" }
        XCTAssertEqual(try lookup(server, filtered(#""namespace": "billing""#)), ["billing::Invoice@1.0.0", "billing::Receipt@1.0.0"])
        XCTAssertEqual(try lookup(server, filtered(#""namespace": "", "model_name": "Invoice""#)), ["Invoice@1.0.0"])
        XCTAssertEqual(try lookup(server, filtered(#""model_name": "Invoice""#)),
                       ["Invoice@1.0.0", "billing::Invoice@1.0.0", "sales::Invoice@2.0.0"])
        // Avro by its Parsing Canonical Form: doc, defaults and `{"type": "long"}` vs `"long"` do not matter.
        XCTAssertEqual(try lookup(server, #"{"avro_schema": {"name": "billing.Invoice", "type": "record", "fields": [{"name": "id", "type": "long"}, {"name": "total", "type": "double"}]}}"#),
                       ["billing::Invoice@1.0.0"])
        XCTAssertEqual(try lookup(server, #"{"json_schema": {"type": "object"}, "avro_schema": \#(Self.invoiceAvro)}"#), [])

        // Deprecated versions are found, and say so.
        XCTAssertEqual(try server.request("POST", "/schemas/sales/Invoice/versions/2.0.0/deprecate?message=old").status, 200)
        XCTAssertEqual(try lookup(server, filtered(#""namespace": "sales""#)), ["sales::Invoice@2.0.0 (deprecated)"])
        // Overwrite: the new content is found, the old is not.
        try register(server, "/schemas/billing/Receipt", "1.0.0", json: #"{"type": "string"}"#, query: "?allow_overwrite=true")
        XCTAssertEqual(try lookup(server, filtered(#""namespace": "billing""#)), ["billing::Invoice@1.0.0"])
        XCTAssertEqual(try lookup(server, #"{"json_schema": {"type": "string"}}"#), ["billing::Receipt@1.0.0"])
        // Delete.
        XCTAssertEqual(try server.request("DELETE", "/schemas/Invoice/versions/1.0.0?force=true").status, 200)
        XCTAssertEqual(try lookup(server, filtered(#""model_name": "Invoice""#)),
                       ["billing::Invoice@1.0.0", "sales::Invoice@2.0.0 (deprecated)"])
        XCTAssertEqual(try server.stop(), 0)
    }

    // MARK: - search

    static let orderJSON = #"""
        {"type": "object", "title": "Order", "description": "The payments event of an order",
         "properties": {
            "customer": {"type": "object", "properties": {"customer_id": {"type": "string"}}},
            "lines": {"type": "array", "items": {"$ref": "#/$defs/line"}}},
         "$defs": {"line": {"type": "object", "description": "One line", "properties": {"sku": {"type": "string"}}}}}
        """#

    private func search(_ backend: Backend) throws {
        let server = try ServerProcess(databaseURL: backend.freshDatabaseURL(), workers: 2)
        try register(server, "/schemas/shop/Order", "1.0.0", json: Self.orderJSON)
        try register(server, "/schemas/shop/Order", "1.1.0", json: #"{"type": "object", "properties": {"customer_id": {"type": "string"}}}"#)
        try register(server, "/schemas/shop/Customer", "1.0.0", json: #"{"type": "object", "properties": {"id": {"type": "string"}}}"#,
                     avro: #"{"type": "record", "name": "Customer", "doc": "A customer of the shop", "fields": [{"name": "customer_ref_id", "type": "string", "doc": "Payments reference"}]}"#)
        try register(server, "/schemas/CustomerId", "1.0.0", json: "{}")

        // field: at any depth, with the JSON Pointer; the latest matching version of each model first.
        XCTAssertEqual(try search(server, "q=customer_id&kind=field", total: 2), [
            "shop::Order@1.1.0 field customer_id #/properties/customer_id 3",
            "shop::Order@1.0.0 field customer_id #/properties/customer/properties/customer_id 3",
        ])
        // Wildcards, case-insensitive; Avro fields too.
        XCTAssertEqual(try search(server, "q=CUST*_ID&kind=field", total: 3), [
            "shop::Customer@1.0.0 field customer_ref_id #/fields/0 3",
            "shop::Order@1.1.0 field customer_id #/properties/customer_id 3",
            "shop::Order@1.0.0 field customer_id #/properties/customer/properties/customer_id 3",
        ])
        XCTAssertEqual(try search(server, "q=sku&kind=field"), ["shop::Order@1.0.0 field sku #/$defs/line/properties/sku 3"])
        // model: exact before prefix before substring; global models first among equals.
        XCTAssertEqual(try search(server, "q=customer&kind=model", total: 2), [
            "shop::Customer@1.0.0 model Customer - 3",
            "CustomerId@1.0.0 model CustomerId - 2",
        ])
        XCTAssertEqual(try search(server, "q=tomer&kind=model"), [
            "CustomerId@1.0.0 model CustomerId - 1", "shop::Customer@1.0.0 model Customer - 1",
        ])
        // text: several words must all match one text; titles, descriptions and Avro docs.
        XCTAssertEqual(try search(server, "q=payments+event&kind=text"), ["shop::Order@1.0.0 text payments event #/description 3"])
        XCTAssertEqual(try search(server, "q=payments&kind=text"), [
            "shop::Customer@1.0.0 text Payments #/fields/0/doc 3", "shop::Order@1.0.0 text payments #/description 3",
        ])
        XCTAssertEqual(try search(server, "q=payments+shop&kind=text"), [])
        // any: every kind; namespace filter; paging.
        XCTAssertEqual(try search(server, "q=customer&namespace=", total: 1), ["CustomerId@1.0.0 model CustomerId - 2"])
        // A wildcard that spans the rest of a term makes the match exact.
        let all = try search(server, "q=cust*", total: 7)
        XCTAssertEqual(all, [
            "CustomerId@1.0.0 model CustomerId - 3",
            "shop::Customer@1.0.0 model Customer - 3",
            "shop::Customer@1.0.0 field customer_ref_id #/fields/0 3",
            "shop::Customer@1.0.0 text customer #/doc 3",
            "shop::Order@1.1.0 field customer_id #/properties/customer_id 3",
            "shop::Order@1.0.0 field customer #/properties/customer 3",
            "shop::Order@1.0.0 field customer_id #/properties/customer/properties/customer_id 3",
        ])
        XCTAssertEqual(try search(server, "q=cust*&limit=3&offset=2", total: 7), Array(all[2..<5]))
        XCTAssertEqual(try search(server, "q=zzz", total: 0), [])
        XCTAssertEqual(try server.stop(), 0)
    }

    /// A query of several words reads its rarest word with the query's filters and the others
    /// only where it hit: deprecation and the namespace filter hold whichever word is rarer.
    private func severalWordsKeepTheFilters(_ backend: Backend) throws {
        let server = try ServerProcess(databaseURL: backend.freshDatabaseURL(), workers: 1)
        let both = #"{"type": "object", "description": "Ledger entry"}"#
        try register(server, "/schemas/shop/Order", "1.0.0", json: both)
        try register(server, "/schemas/shop/Order", "1.1.0", json: both)
        try register(server, "/schemas/billing/Invoice", "1.0.0", json: both)
        for minor in 1...4 {
            try register(server, "/schemas/billing/Invoice", "1.\(minor).0", json: #"{"type": "object", "description": "Entry"}"#)
        }
        XCTAssertEqual(try server.request("POST", "/schemas/shop/Order/versions/1.1.0/deprecate").status, 200)
        func versions(_ query: String, total: Int) throws -> [String] {
            try search(server, query, total: total).map { String($0.prefix { $0 != " " }) }
        }
        // `ledger` is the rarer word (in 3 versions against 7): read first, whichever comes first in q.
        for q in ["ledger+entry", "entry+ledger"] {
            XCTAssertEqual(try versions("q=\(q)&kind=text", total: 2), ["billing::Invoice@1.0.0", "shop::Order@1.0.0"])
            XCTAssertEqual(try versions("q=\(q)&kind=text&namespace=shop", total: 1), ["shop::Order@1.0.0"])
            XCTAssertEqual(try versions("q=\(q)&kind=text&include_deprecated=true", total: 3),
                           ["billing::Invoice@1.0.0", "shop::Order@1.1.0", "shop::Order@1.0.0"])
            XCTAssertEqual(try versions("q=\(q)&kind=text&namespace=billing&include_deprecated=true", total: 1), ["billing::Invoice@1.0.0"])
        }
        XCTAssertEqual(try versions("q=entry&kind=text&namespace=billing", total: 5).count, 5)
        XCTAssertEqual(try server.stop(), 0)
    }

    // MARK: - changes

    private func searchFollowsChanges(_ backend: Backend) throws {
        let server = try ServerProcess(databaseURL: backend.freshDatabaseURL(), workers: 2)
        try register(server, "/schemas/shop/Order", "1.0.0", json: #"{"type": "object", "properties": {"amount": {"type": "number"}}}"#)
        try register(server, "/schemas/shop/Order", "2.0.0", json: #"{"type": "object", "properties": {"amount": {"type": "number"}}}"#)
        XCTAssertEqual(try search(server, "q=amount&kind=field").count, 2)

        // Deprecation: hidden unless asked for; its message is searchable text.
        XCTAssertEqual(try server.request("POST", "/schemas/shop/Order/versions/1.0.0/deprecate?message=Replaced%20by%20Checkout").status, 200)
        XCTAssertEqual(try search(server, "q=amount&kind=field"), ["shop::Order@2.0.0 field amount #/properties/amount 3"])
        XCTAssertEqual(try search(server, "q=amount&kind=field&include_deprecated=true").count, 2)
        XCTAssertEqual(try search(server, "q=checkout&kind=text&include_deprecated=true"), ["shop::Order@1.0.0 text Checkout - 3"])
        XCTAssertEqual(try server.request("POST", "/schemas/shop/Order/versions/1.0.0/undeprecate").status, 200)
        XCTAssertEqual(try search(server, "q=checkout&kind=text&include_deprecated=true"), [])

        // Overwrite replaces the terms; delete removes them. `tot*` is asked first (on either
        // worker): the words a worker found for it must not hide the new word.
        for _ in 0..<4 { XCTAssertEqual(try search(server, "q=tot*&kind=field", total: 0), []) }
        try register(server, "/schemas/shop/Order", "2.0.0", json: #"{"type": "object", "properties": {"total": {"type": "number"}}}"#,
                     query: "?allow_overwrite=true")
        for _ in 0..<4 { XCTAssertEqual(try search(server, "q=tot*&kind=field"), ["shop::Order@2.0.0 field total #/properties/total 3"]) }
        XCTAssertEqual(try search(server, "q=amount&kind=field"), ["shop::Order@1.0.0 field amount #/properties/amount 3"])
        XCTAssertEqual(try search(server, "q=total&kind=field"), ["shop::Order@2.0.0 field total #/properties/total 3"])
        XCTAssertEqual(try server.request("DELETE", "/schemas/shop/Order/versions/1.0.0?force=true").status, 200)
        XCTAssertEqual(try search(server, "q=amount", total: 0), [])
        XCTAssertEqual(try server.stop(), 0)
    }

    /// SQLite gives a deleted newest row's id to the next registration, which must not show as
    /// the model that held it (its entry left in the old model's rows, or a worker's cache). A TTL
    /// of an hour leaves the change board alone to tell.
    private func searchAfterAVersionIdIsReused(_ backend: Backend) throws {
        let server = try ServerProcess(databaseURL: backend.freshDatabaseURL(), workers: 1,
                                       environment: ["PYRMUTE_REGISTRY_RESPONSE_CACHE_TTL": "3600"])
        try register(server, "/schemas/shop/Alpha", "1.0.0", json: #"{"type": "object", "title": "Ledger alpha"}"#)
        try register(server, "/schemas/shop/Beta", "1.0.0", json: #"{"type": "object", "title": "Ledger beta"}"#)
        XCTAssertEqual(try search(server, "q=ledger&kind=text", total: 2),
                       ["shop::Alpha@1.0.0 text Ledger #/title 3", "shop::Beta@1.0.0 text Ledger #/title 3"])
        XCTAssertEqual(try server.request("DELETE", "/schemas/shop/Beta/versions/1.0.0?force=true").status, 200)
        try register(server, "/schemas/books/Gamma", "2.3.0", json: #"{"type": "object", "title": "Ledger gamma"}"#)
        XCTAssertEqual(try search(server, "q=ledger&kind=text", total: 2),
                       ["books::Gamma@2.3.0 text Ledger #/title 3", "shop::Alpha@1.0.0 text Ledger #/title 3"])
        XCTAssertEqual(try search(server, "q=ledger+gamma&kind=text", total: 1), ["books::Gamma@2.3.0 text Ledger gamma #/title 3"])
        XCTAssertEqual(try server.stop(), 0)
    }

    // MARK: - refusals

    private func refusals(_ backend: Backend) throws {
        let server = try ServerProcess(databaseURL: backend.freshDatabaseURL(), workers: 1)
        func issue(_ response: HTTPClientResponse) -> (type: String?, loc: JSONValue?) {
            XCTAssertEqual(response.status, 422, response.text)
            let first = (try? response.json())?["detail"]?[0]
            return (first?["type"]?.stringValue, first?["loc"])
        }
        XCTAssertEqual(issue(try server.request("/search")).loc, ["query", "q"])
        XCTAssertEqual(issue(try server.request("/search?q=%20%20")).type, "string_too_short")
        XCTAssertEqual(issue(try server.request("/search?q=a&kind=fields")).type, "enum")
        XCTAssertEqual(issue(try server.request("/search?q=a&limit=101")).type, "less_than_equal")
        XCTAssertEqual(issue(try server.request("/search?q=a&limit=0")).type, "greater_than_equal")
        XCTAssertEqual(issue(try server.request("/search?q=a+b+c+d+e+f+g+h+i")).type, "value_error")
        XCTAssertEqual(issue(try server.post("/schemas/lookup", json: "{}")).loc, ["body", "json_schema"])
        XCTAssertEqual(issue(try server.post("/schemas/lookup", json: #"{"json_schema": []}"#)).type, "dict_type")
        XCTAssertEqual(issue(try server.post("/schemas/lookup", json: #"{"json_schema": {}, "namespace": 3}"#)).type, "string_type")
        XCTAssertEqual(issue(try server.post("/schemas/lookup", json: "[")).type, "json_invalid")
        // The paths next to the new ones answer as before.
        XCTAssertEqual(try server.request("/schemas/a/versions/versions/canonical").detail, "Schema a::versions@canonical not found")
        XCTAssertEqual(try server.request("/schemas/lookup").status, 405)
        XCTAssertEqual(try server.stop(), 0)
    }

    // MARK: - permissions

    private func permissions(_ backend: Backend) throws {
        let (server, admin) = try AuthSupport.server(backend)
        XCTAssertEqual(try server.call("POST", "/schemas/shop/Order/versions", key: admin,
                                       json: #"{"version":"1.0.0","json_schema":{"title":"Order"},"registered_by":"t"}"#).status, 201)
        let reader = try server.createKey("reader", permission: "read", admin: admin).key
        for (method, path, body) in [("GET", "/search?q=order", nil), ("POST", "/schemas/lookup", #"{"json_schema":{"title":"Order"}}"#),
                                     ("GET", "/schemas/shop/Order/versions/1.0.0/canonical", nil)] as [(String, String, String?)] {
            XCTAssertEqual(try server.call(method, path, key: nil, json: body).status, 401, path)
            XCTAssertEqual(try server.call(method, path, key: reader, json: body).status, 200, path)
        }
        XCTAssertEqual(try server.call("GET", "/search?q=order", key: reader).json()["total"], 2)
        // Reads leave no audit line, the lookup's POST included: the registration and the key's creation only.
        _ = try server.auditLogs(admin: admin, count: 2)
        usleep(600_000)
        let (logs, _) = try server.auditLogs(admin: admin, count: 2)
        XCTAssertEqual(logs.compactMap { $0["path"]?.stringValue }.sorted(), ["/api-keys", "/schemas/shop/Order/versions"])
        XCTAssertEqual(try server.stop(), 0)
    }
}
