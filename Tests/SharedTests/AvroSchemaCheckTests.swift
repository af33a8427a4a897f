import RegistryJSON
import RegistrySchemas
import XCTest

final class AvroSchemaCheckTests: XCTestCase {
    private func problem(_ json: String, file: StaticString = #filePath, line: UInt = #line) -> String? {
        do {
            return AvroSchemaCheck.firstProblem(try JSONParser.parse(json))
        } catch {
            XCTFail("bad test JSON: \(error)", file: file, line: line)
            return "<unparsable>"
        }
    }

    // MARK: valid schemas

    func testMinimalRecordPasses() {
        XCTAssertNil(problem(#"{"type":"record","name":"User","fields":[{"name":"id","type":"int"}]}"#))
    }

    func testRichRecordPasses() {
        let schema = #"""
            {"type":"record","name":"User","namespace":"com.example","doc":"A user",
             "fields":[
               {"name":"id","type":"long"},
               {"name":"email","type":["null","string"],"default":null},
               {"name":"status","type":{"type":"enum","name":"Status","symbols":["A","B"]}},
               {"name":"tags","type":{"type":"array","items":"string"}},
               {"name":"attrs","type":{"type":"map","values":"string"}},
               {"name":"address","type":{"type":"record","name":"Address","fields":[]}}
             ]}
            """#
        XCTAssertNil(problem(schema))
    }

    func testNullMemberValuesCountAsPresent() {
        // The reference checks membership (`"name" in d`), not the value.
        XCTAssertNil(problem(#"{"type":"record","name":null,"fields":[{"name":null,"type":null}]}"#))
    }

    func testNoDeeperValidation() {
        XCTAssertNil(problem(#"{"type":"record","name":"X","fields":[{"name":"a","type":"no-such-type"}]}"#))
        XCTAssertNil(problem(#"{"type":"record","name":"X","fields":[{"name":"a","type":"int"},{"name":"a","type":"int"}]}"#))
    }

    // MARK: check 1 — type

    func testTypeNotRecord() {
        XCTAssertEqual(problem(#"{"type":"enum","name":"E","symbols":["A"]}"#),
                       "Avro schema must be of type 'record', got 'enum'")
    }

    func testTypeMissingRendersNone() {
        XCTAssertEqual(problem(#"{"name":"X","fields":[{"name":"a","type":"int"}]}"#),
                       "Avro schema must be of type 'record', got 'None'")
        XCTAssertEqual(problem("{}"), "Avro schema must be of type 'record', got 'None'")
    }

    func testTypeNullRendersNone() {
        XCTAssertEqual(problem(#"{"type":null,"name":"X","fields":[]}"#),
                       "Avro schema must be of type 'record', got 'None'")
    }

    func testNonStringTypesRenderedLikePythonStr() {
        XCTAssertEqual(problem(#"{"type":["null","string"]}"#),
                       "Avro schema must be of type 'record', got '['null', 'string']'")
        XCTAssertEqual(problem(#"{"type":1}"#), "Avro schema must be of type 'record', got '1'")
        XCTAssertEqual(problem(#"{"type":1.50}"#), "Avro schema must be of type 'record', got '1.5'")
        XCTAssertEqual(problem(#"{"type":1e5}"#), "Avro schema must be of type 'record', got '100000.0'")
        XCTAssertEqual(problem(#"{"type":true}"#), "Avro schema must be of type 'record', got 'True'")
        XCTAssertEqual(problem(#"{"type":{"type":"record"}}"#),
                       "Avro schema must be of type 'record', got '{'type': 'record'}'")
        XCTAssertEqual(problem(#"{"type":[]}"#), "Avro schema must be of type 'record', got '[]'")
    }

    func testTypeIsCaseAndByteExact() {
        XCTAssertEqual(problem(#"{"type":"Record","name":"X","fields":[{"name":"a","type":"int"}]}"#),
                       "Avro schema must be of type 'record', got 'Record'")
        XCTAssertEqual(problem(#"{"type":"record ","name":"X","fields":[{"name":"a","type":"int"}]}"#),
                       "Avro schema must be of type 'record', got 'record '")
    }

    func testTypeStringRenderedBare() {
        // str() of a string is the bare text, quotes inside are not escaped.
        XCTAssertEqual(problem(#"{"type":"it's"}"#), "Avro schema must be of type 'record', got 'it's'")
    }

    // MARK: checks 2–5 — record members

    func testMissingName() {
        XCTAssertEqual(problem(#"{"type":"record","fields":[{"name":"a","type":"int"}]}"#),
                       "Avro schema must have a 'name' field")
    }

    func testMissingFields() {
        XCTAssertEqual(problem(#"{"type":"record","name":"X"}"#), "Avro schema must have a 'fields' array")
    }

    func testFieldsNotArray() {
        XCTAssertEqual(problem(#"{"type":"record","name":"X","fields":{"a":"int"}}"#),
                       "Avro schema 'fields' must be an array")
        XCTAssertEqual(problem(#"{"type":"record","name":"X","fields":null}"#),
                       "Avro schema 'fields' must be an array")
        XCTAssertEqual(problem(#"{"type":"record","name":"X","fields":"a"}"#),
                       "Avro schema 'fields' must be an array")
    }

    func testFieldsEmpty() {
        XCTAssertEqual(problem(#"{"type":"record","name":"X","fields":[]}"#),
                       "Avro schema 'fields' array cannot be empty")
    }

    // MARK: checks 6–8 — fields

    func testFieldNotObject() {
        XCTAssertEqual(problem(#"{"type":"record","name":"X","fields":["id"]}"#),
                       "Field at index 0 must be a dictionary")
        XCTAssertEqual(problem(#"{"type":"record","name":"X","fields":[{"name":"a","type":"int"},[1]]}"#),
                       "Field at index 1 must be a dictionary")
    }

    func testFieldMissingName() {
        XCTAssertEqual(problem(#"{"type":"record","name":"X","fields":[{"name":"a","type":"int"},{"type":"int"}]}"#),
                       "Field at index 1 is missing 'name'")
    }

    func testFieldMissingType() {
        XCTAssertEqual(problem(#"{"type":"record","name":"X","fields":[{"name":"a"}]}"#),
                       "Field at index 0 is missing 'type'")
    }

    // MARK: order of the checks

    func testOrderTypeBeforeName() {
        XCTAssertEqual(problem(#"{"type":"enum"}"#), "Avro schema must be of type 'record', got 'enum'")
    }

    func testOrderNameBeforeFields() {
        XCTAssertEqual(problem(#"{"type":"record"}"#), "Avro schema must have a 'name' field")
        XCTAssertEqual(problem(#"{"type":"record","fields":"x"}"#), "Avro schema must have a 'name' field")
    }

    func testOrderFieldsChecksBeforeFieldEntries() {
        XCTAssertEqual(problem(#"{"type":"record","name":"X","fields":5}"#), "Avro schema 'fields' must be an array")
    }

    func testOrderFieldsCheckedInIndexOrder() {
        // The first failing field wins, whatever its failure.
        XCTAssertEqual(problem(#"{"type":"record","name":"X","fields":[{"name":"a"},"b"]}"#),
                       "Field at index 0 is missing 'type'")
        XCTAssertEqual(problem(#"{"type":"record","name":"X","fields":[{"name":"a","type":"int"},"b",{"name":"c"}]}"#),
                       "Field at index 1 must be a dictionary")
    }

    func testOrderNameBeforeTypeInField() {
        XCTAssertEqual(problem(#"{"type":"record","name":"X","fields":[{}]}"#), "Field at index 0 is missing 'name'")
    }

    func testNonObjectSchema() {
        XCTAssertEqual(AvroSchemaCheck.firstProblem(.array([])), "Avro schema must be a dictionary")
        XCTAssertEqual(AvroSchemaCheck.firstProblem(.string("record")), "Avro schema must be a dictionary")
        XCTAssertEqual(AvroSchemaCheck.firstProblem(.null), "Avro schema must be a dictionary")
    }
}
