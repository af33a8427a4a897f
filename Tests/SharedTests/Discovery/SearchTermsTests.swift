import RegistryDiscovery
import RegistryJSON
import XCTest

final class SearchTermsTests: XCTestCase {
    private func terms(_ json: String, avro: String? = nil, message: String? = nil) throws -> [SearchTerm] {
        SearchTerms.of(model: "Order", jsonSchema: try JSONParser.parse(json), avroSchema: try avro.map { try JSONParser.parse($0) },
                       deprecationMessage: message)
    }

    func testFieldsAtAnyDepthWithTheirPointers() throws {
        let found = try terms(#"""
            {"type": "object", "properties": {
                "customer": {"type": "object", "properties": {"customer_id": {"type": "string"}}},
                "lines": {"type": "array", "items": {"$ref": "#/$defs/line"}},
                "a/b~c": {"type": "string"}},
             "$defs": {"line": {"properties": {"sku": {"type": "string"}}}},
             "oneOf": [{"properties": {"voucher": {"type": "string"}}}]}
            """#).filter { $0.kind == .field }
        XCTAssertEqual(found.map(\.matched), ["customer", "customer_id", "lines", "a/b~c", "voucher", "sku"])
        XCTAssertEqual(found.map(\.path), [
            "#/properties/customer", "#/properties/customer/properties/customer_id", "#/properties/lines",
            "#/properties/a~1b~0c", "#/oneOf/0/properties/voucher", "#/$defs/line/properties/sku",
        ])
    }

    func testModelNameAndTextWords() throws {
        let found = try terms(#"{"title": "Payments event", "description": "Sent when a payment settles.", "properties": {}}"#,
                              message: "Use v2")
        XCTAssertEqual(found.first, SearchTerm(kind: .model, matched: "Order", path: nil, source: .modelName))
        XCTAssertEqual(found.filter { $0.kind == .text }.map(\.term), ["payments", "event", "sent", "when", "a", "payment",
                                                                       "settles", "use", "v2"])
        XCTAssertEqual(found.filter { $0.kind == .text }.map(\.path).first!, "#/title")
    }

    func testAvroFieldsAndDocs() throws {
        let found = try terms("{}", avro: #"""
            {"type": "record", "name": "Order", "doc": "An order", "fields": [
                {"name": "id", "type": "string", "doc": "Order id"},
                {"name": "customer", "type": ["null", {"type": "record", "name": "Customer", "fields": [{"name": "customer_id", "type": "long"}]}]}]}
            """#)
        XCTAssertEqual(found.filter { $0.kind == .field }.map(\.path), ["#/fields/0", "#/fields/1", "#/fields/1/type/1/fields/0"])
        XCTAssertEqual(found.filter { $0.kind == .text }.map(\.path), ["#/doc", "#/doc", "#/fields/0/doc", "#/fields/0/doc"])
        XCTAssertTrue(found.filter { $0.kind == .field }.allSatisfy { $0.source == .avroSchema })
    }
}
