import RegistryJSON
import RegistryJSONSchema
import RegistrySchemas
import XCTest

final class SchemaComparisonTests: XCTestCase {
    // MARK: helpers

    private func parse(_ text: String, file: StaticString = #filePath, line: UInt = #line) -> JSONValue {
        do {
            return try JSONParser.parse(text)
        } catch {
            XCTFail("bad test JSON: \(error)", file: file, line: line)
            return .null
        }
    }

    private func changes(
        _ from: String, _ to: String, fromAvro: String? = nil, toAvro: String? = nil,
        file: StaticString = #filePath, line: UInt = #line
    ) -> JSONObject {
        SchemaComparison.changes(
            fromJSONSchema: parse(from, file: file, line: line),
            toJSONSchema: parse(to, file: file, line: line),
            fromAvro: fromAvro.map { parse($0, file: file, line: line) },
            toAvro: toAvro.map { parse($0, file: file, line: line) })
    }

    /// Compares compact serializations (so key order matters), the expectation given as JSON text.
    private func assertJSON(
        _ actual: JSONValue?, _ expected: String, file: StaticString = #filePath, line: UInt = #line
    ) {
        XCTAssertEqual(actual?.serialized(), parse(expected, file: file, line: line).serialized(), file: file, line: line)
    }

    private func compatibility(_ c: JSONObject) -> String? { c["compatibility"]?.stringValue }

    private func typeChangeDescriptions(_ c: JSONObject) -> [String] {
        (c["breaking_changes"]?.arrayValue ?? []).compactMap { entry in
            entry["type"]?.stringValue == "type_changed" ? entry["description"]?.stringValue : nil
        }
    }

    private let keyOrder = [
        "properties_added", "properties_removed", "properties_modified", "required_added",
        "required_removed", "breaking_changes", "compatibility",
    ]

    // MARK: the §6.7 example

    func testContractExampleExactly() {
        let from = #"""
            {"type":"object","properties":{"name":{"type":"string"},"age":{"type":"string"},
             "fax":{"type":"string"},"nick":{"type":"string"}},"required":["name","nick"]}
            """#
        let to = #"""
            {"type":"object","properties":{"name":{"type":"string"},"age":{"type":"integer"},
             "email":{"type":"string"},"nick":{"type":"string"}},"required":["name","email"]}
            """#
        let c = changes(from, to)
        XCTAssertEqual(c.keys, keyOrder)
        assertJSON(.object(c), #"""
            {"properties_added":["email"],"properties_removed":["fax"],
             "properties_modified":[{"property":"age","from":{"type":"string"},"to":{"type":"integer"}}],
             "required_added":["email"],"required_removed":["nick"],
             "breaking_changes":[
              {"type":"properties_removed","details":["fax"],"description":"Removing properties can break consumers expecting these fields"},
              {"type":"type_changed","property":"age","from":"string","to":"integer","description":"Property 'age' type changed from string to integer"},
              {"type":"required_fields_added","details":["email"],"description":"Adding required fields can break existing data producers"}],
             "compatibility":"breaking"}
            """#)
    }

    func testListsAreSortedAndEntriesOrderedByName() {
        let from = #"""
            {"properties":{"zeta":{"type":"string"},"b":{"type":"string"},"x2":{},"x1":{},"Y":{},
             "m2":{"type":"string"},"m1":{"type":"string","title":"a"}},
             "required":["r3","r1","r2","keep"]}
            """#
        let to = #"""
            {"properties":{"zeta":{"type":"integer"},"b":{"type":"number"},"é":{},"a":{},"Z":{},
             "m2":{"type":"string","format":"email"},"m1":{"type":"string","title":"b"}},
             "required":["keep","q2","q1","Q"]}
            """#
        let c = changes(from, to)
        assertJSON(c["properties_added"], #"["Z","a","é"]"#)
        assertJSON(c["properties_removed"], #"["Y","x1","x2"]"#)
        XCTAssertEqual((c["properties_modified"]?.arrayValue ?? []).compactMap { $0["property"]?.stringValue },
                       ["b", "m1", "m2", "zeta"])
        assertJSON(c["required_added"], #"["Q","q1","q2"]"#)
        assertJSON(c["required_removed"], #"["r1","r2","r3"]"#)
        let breaking = c["breaking_changes"]?.arrayValue ?? []
        XCTAssertEqual(breaking.compactMap { $0["type"]?.stringValue },
                       ["properties_removed", "type_changed", "type_changed", "required_fields_added"])
        XCTAssertEqual(breaking.compactMap { $0["property"]?.stringValue }, ["b", "zeta"])
        assertJSON(breaking.first?["details"], #"["Y","x1","x2"]"#)
        assertJSON(breaking.last?["details"], #"["Q","q1","q2"]"#)
        XCTAssertEqual(compatibility(c), "breaking")
    }

    func testNamesSortedByCodePointNotCanonicalEquivalence() {
        // "é" precomposed (U+00E9) and decomposed (e + U+0301) are different property names.
        let c = changes(#"{"properties":{"\u00e9":{},"f":{}}}"#, #"{"properties":{"e\u0301":{},"f":{}}}"#)
        assertJSON(c["properties_added"], #"["e\u0301"]"#)
        assertJSON(c["properties_removed"], #"["\u00e9"]"#)
        XCTAssertEqual(compatibility(c), "breaking")
    }

    // MARK: identical / compatibility levels

    func testIdenticalSchemas() {
        let s = #"{"type":"object","properties":{"a":{"type":"string"}},"required":["a"]}"#
        let c = changes(s, s)
        XCTAssertEqual(c.keys, keyOrder)
        assertJSON(.object(c), #"""
            {"properties_added":[],"properties_removed":[],"properties_modified":[],
             "required_added":[],"required_removed":[],"breaking_changes":[],"compatibility":"identical"}
            """#)
    }

    func testEmptySchemasAreIdentical() {
        XCTAssertEqual(compatibility(changes("{}", "{}")), "identical")
    }

    func testMissingVersusEmptyRequiredIsIdentical() {
        let a = #"{"properties":{"a":{"type":"string"}}}"#
        let b = #"{"properties":{"a":{"type":"string"}},"required":[]}"#
        XCTAssertEqual(compatibility(changes(a, b)), "identical")
        XCTAssertEqual(compatibility(changes(b, a)), "identical")
    }

    func testMissingVersusEmptyPropertiesIsIdentical() {
        XCTAssertEqual(compatibility(changes(#"{"type":"object"}"#, #"{"type":"object","properties":{}}"#)), "identical")
    }

    func testAddedPropertyIsBackwardCompatible() {
        let c = changes(#"{"properties":{"a":{}}}"#, #"{"properties":{"a":{},"b":{"type":"string"}}}"#)
        assertJSON(c["properties_added"], #"["b"]"#)
        assertJSON(c["breaking_changes"], "[]")
        XCTAssertEqual(compatibility(c), "backward_compatible")
    }

    func testRemovedRequiredIsBackwardCompatible() {
        let c = changes(#"{"properties":{"a":{}},"required":["a"]}"#, #"{"properties":{"a":{}}}"#)
        assertJSON(c["required_removed"], #"["a"]"#)
        XCTAssertEqual(compatibility(c), "backward_compatible")
    }

    func testAddedRequiredIsBreakingEvenForUnknownProperty() {
        let c = changes(#"{"properties":{"a":{}}}"#, #"{"properties":{"a":{}},"required":["ghost"]}"#)
        assertJSON(c["breaking_changes"], #"""
            [{"type":"required_fields_added","details":["ghost"],"description":"Adding required fields can break existing data producers"}]
            """#)
        XCTAssertEqual(compatibility(c), "breaking")
    }

    func testRemovedPropertyIsBreaking() {
        let c = changes(#"{"properties":{"a":{},"b":{}}}"#, #"{"properties":{"a":{}}}"#)
        assertJSON(c["breaking_changes"], #"""
            [{"type":"properties_removed","details":["b"],"description":"Removing properties can break consumers expecting these fields"}]
            """#)
        XCTAssertEqual(compatibility(c), "breaking")
    }

    // MARK: modified properties

    func testModificationWithoutTypeChangeIsBackwardCompatible() {
        let c = changes(#"{"properties":{"email":{"type":"string"}}}"#,
                        #"{"properties":{"email":{"type":"string","format":"email"}}}"#)
        assertJSON(c["properties_modified"], #"""
            [{"property":"email","from":{"type":"string"},"to":{"type":"string","format":"email"}}]
            """#)
        assertJSON(c["breaking_changes"], "[]")
        XCTAssertEqual(compatibility(c), "backward_compatible")
    }

    func testNestedChangesAppearOnlyAsModified() {
        let from = #"""
            {"properties":{"address":{"type":"object","properties":{"street":{"type":"string"},"zip":{"type":"string"}},
             "required":["street"]}}}
            """#
        let to = #"""
            {"properties":{"address":{"type":"object","properties":{"street":{"type":"integer"},"city":{"type":"string"}},
             "required":["street","city"]}}}
            """#
        let c = changes(from, to)
        assertJSON(c["properties_added"], "[]")
        assertJSON(c["properties_removed"], "[]")
        assertJSON(c["required_added"], "[]")
        assertJSON(c["breaking_changes"], "[]")
        XCTAssertEqual(c["properties_modified"]?.arrayValue?.count, 1)
        XCTAssertEqual(c["properties_modified"]?[0]?["property"], "address")
        XCTAssertEqual(compatibility(c), "backward_compatible")
    }

    func testChangesOutsidePropertiesAndRequiredAreIgnored() {
        let from = #"{"title":"A","$defs":{"x":{"type":"string"}},"additionalProperties":true,"properties":{"a":{}}}"#
        let to = #"{"title":"B","$defs":{"x":{"type":"integer"}},"additionalProperties":false,"properties":{"a":{}},"type":"object"}"#
        XCTAssertEqual(compatibility(changes(from, to)), "identical")
    }

    func testKeyOrderInsideDefinitionsDoesNotMatter() {
        let c = changes(#"{"properties":{"a":{"type":"string","format":"email","enum":["x",{"p":1,"q":2}]}}}"#,
                        #"{"properties":{"a":{"enum":["x",{"q":2,"p":1}],"format":"email","type":"string"}}}"#)
        XCTAssertEqual(compatibility(c), "identical")
    }

    func testArrayOrderInsideDefinitionsMatters() {
        let c = changes(#"{"properties":{"a":{"enum":["x","y"]}}}"#, #"{"properties":{"a":{"enum":["y","x"]}}}"#)
        XCTAssertEqual(compatibility(c), "backward_compatible")
    }

    func testNumbersCompareNumerically() {
        let c = changes(#"{"properties":{"a":{"type":"integer","minimum":1,"maximum":1e2,"multipleOf":0.5}}}"#,
                        #"{"properties":{"a":{"type":"integer","minimum":1.0,"maximum":100,"multipleOf":5e-1}}}"#)
        XCTAssertEqual(compatibility(c), "identical")
        let d = changes(#"{"properties":{"a":{"minimum":1}}}"#, #"{"properties":{"a":{"minimum":2}}}"#)
        XCTAssertEqual(compatibility(d), "backward_compatible")
    }

    func testLargeIntegersCompareExactly() {
        // Python: 12345678901234567890 != 12345678901234567891, 2**64 == 1.8446744073709552e19.
        let c = changes(#"{"properties":{"a":{"const":12345678901234567890}}}"#,
                        #"{"properties":{"a":{"const":12345678901234567891}}}"#)
        XCTAssertEqual(compatibility(c), "backward_compatible")
        let d = changes(#"{"properties":{"a":{"const":18446744073709551616}}}"#,
                        #"{"properties":{"a":{"const":1.8446744073709552e19}}}"#)
        XCTAssertEqual(compatibility(d), "identical")
        let e = changes(#"{"properties":{"a":{"const":18446744073709551617}}}"#,
                        #"{"properties":{"a":{"const":1.8446744073709552e19}}}"#)
        XCTAssertEqual(compatibility(e), "backward_compatible")
        let f = changes(#"{"properties":{"a":{"const":-0}}}"#, #"{"properties":{"a":{"const":0.0}}}"#)
        XCTAssertEqual(compatibility(f), "identical")
    }

    func testBooleansAreNotNumbers() {
        // Deliberately unlike Python (True == 1): a boolean and a number are different values.
        let c = changes(#"{"properties":{"a":{"const":true}}}"#, #"{"properties":{"a":{"const":1}}}"#)
        XCTAssertEqual(compatibility(c), "backward_compatible")
    }

    func testStringsCompareByCodePoints() {
        let c = changes(#"{"properties":{"a":{"const":"\u00e9"}}}"#, #"{"properties":{"a":{"const":"e\u0301"}}}"#)
        XCTAssertEqual(compatibility(c), "backward_compatible")
    }

    // MARK: type changes

    func testTypeArrays() {
        let c = changes(#"{"properties":{"a":{"type":["string","null"]}}}"#, #"{"properties":{"a":{"type":"string"}}}"#)
        assertJSON(c["breaking_changes"], #"""
            [{"type":"type_changed","property":"a","from":["string","null"],"to":"string",
              "description":"Property 'a' type changed from ['string', 'null'] to string"}]
            """#)
        XCTAssertEqual(compatibility(c), "breaking")
    }

    func testTypeArraysComparedAsValues() {
        let same = changes(#"{"properties":{"a":{"type":["string","null"],"title":"x"}}}"#,
                           #"{"properties":{"a":{"type":["string","null"],"title":"y"}}}"#)
        XCTAssertEqual(typeChangeDescriptions(same), [])
        XCTAssertEqual(compatibility(same), "backward_compatible")
        // Order inside the type array matters (Python list equality).
        let reordered = changes(#"{"properties":{"a":{"type":["string","null"]}}}"#,
                                #"{"properties":{"a":{"type":["null","string"]}}}"#)
        XCTAssertEqual(typeChangeDescriptions(reordered),
                       ["Property 'a' type changed from ['string', 'null'] to ['null', 'string']"])
    }

    func testTypeAddedOrRemovedRendersNone() {
        let added = changes(#"{"properties":{"a":{}}}"#, #"{"properties":{"a":{"type":"string"}}}"#)
        assertJSON(added["breaking_changes"], #"""
            [{"type":"type_changed","property":"a","from":null,"to":"string",
              "description":"Property 'a' type changed from None to string"}]
            """#)
        let removed = changes(#"{"properties":{"a":{"type":"string"}}}"#, #"{"properties":{"a":{"description":"x"}}}"#)
        XCTAssertEqual(typeChangeDescriptions(removed), ["Property 'a' type changed from string to None"])
        assertJSON(removed["breaking_changes"]?[0]?["to"], "null")
    }

    func testExplicitNullTypeEqualsAbsentType() {
        let c = changes(#"{"properties":{"a":{"type":null,"title":"x"}}}"#, #"{"properties":{"a":{"title":"y"}}}"#)
        XCTAssertEqual(typeChangeDescriptions(c), [])
        XCTAssertEqual(compatibility(c), "backward_compatible")
    }

    func testNumericTypeValuesCompareNumerically() {
        let c = changes(#"{"properties":{"a":{"type":1,"title":"x"}}}"#, #"{"properties":{"a":{"type":1.0,"title":"y"}}}"#)
        XCTAssertEqual(typeChangeDescriptions(c), [])
    }

    /// One `isPrintable` serves the comparison and the JSON Schema messages (they disagreed before
    /// they were merged): printable is Python 3.11's `str.isprintable()`, whose Unicode tables are
    /// version 14, so a code point assigned later (U+1FA75, Unicode 15) is escaped like any
    /// unassigned one, while older symbols print as themselves.
    func testPrintableFollowsPythonUnicodeTables() throws {
        let c = changes(#"{"properties":{"a":{"type":["\u00e9", "\ud83e\ude75", "\u0378"]}}}"#, #"{"properties":{"a":{}}}"#)
        XCTAssertEqual(typeChangeDescriptions(c), [#"Property 'a' type changed from ['é', '\U0001fa75', '\u0378'] to None"#])

        let validator = try JSONSchemaValidator(schema: try JSONParser.parse(#"{"type": "integer"}"#))
        let errors = validator.errors(try JSONParser.parse(#""\u00e9\ud83e\ude75""#))
        XCTAssertEqual(errors.map(\.message), [#"'é\U0001fa75' is not of type 'integer'"#])
    }

    func testTypeValuesRenderedLikePythonStr() {
        let weird = #"""
            ["it's", "a\"b", "both'\"", "x\ny\t\r\\", "\u00e9", "\u0085", "\u00a0", "\u200b", "\ud83d\ude00",
             "\u0007\u007f", "\ue000", "\u2028", "\u0378", "\udb40\udc01"]
            """#
        let c = changes(#"{"properties":{"a":{"type":\#(weird)}}}"#, #"{"properties":{"a":{}}}"#)
        // Expected text produced by CPython 3: print(f"{json.loads(weird)}").
        let expected = #"["it's", 'a"b', 'both\'"', 'x\ny\t\r\\', 'é', '\x85', '\xa0', '\u200b', '😀', '\x07\x7f', '\ue000', '\u2028', '\u0378', '\U000e0001']"#
        XCTAssertEqual(typeChangeDescriptions(c), ["Property 'a' type changed from \(expected) to None"])

        let numbers = #"""
            [1, 1.0, 1e5, 1E400, -1e400, -0, -0.0, 12345678901234567890, 1e-7, 1.5e16, 1e16, 1e17, 0.0001,
             true, false, null, {"a": [1, {}], "it's": "x"}, []]
            """#
        let d = changes(#"{"properties":{"a":{"type":\#(numbers)}}}"#, #"{"properties":{"a":{"type":"x"}}}"#)
        XCTAssertEqual(typeChangeDescriptions(d), [
            "Property 'a' type changed from [1, 1.0, 100000.0, inf, -inf, 0, -0.0, 12345678901234567890, 1e-07, "
                + #"1.5e+16, 1e+16, 1e+17, 0.0001, True, False, None, {'a': [1, {}], "it's": 'x'}, []] to x"#,
        ])
        // The raw JSON values are kept in from/to.
        assertJSON(d["breaking_changes"]?[0]?["from"], numbers)
    }

    func testStringTypeRenderedBare() {
        let c = changes(#"{"properties":{"a":{"type":"it's"}}}"#, #"{"properties":{"a":{"type":true}}}"#)
        XCTAssertEqual(typeChangeDescriptions(c), ["Property 'a' type changed from it's to True"])
    }

    func testPropertyNameRenderedBare() {
        let c = changes(#"{"properties":{"it's":{"type":"a"}}}"#, #"{"properties":{"it's":{"type":"b"}}}"#)
        XCTAssertEqual(typeChangeDescriptions(c), ["Property 'it's' type changed from a to b"])
    }

    // MARK: boolean and other non-object property definitions

    func testBooleanSchemasChangedIsModifiedNotTypeChange() {
        let c = changes(#"{"properties":{"a":true}}"#, #"{"properties":{"a":false}}"#)
        assertJSON(.object(c), #"""
            {"properties_added":[],"properties_removed":[],"properties_modified":[{"property":"a","from":true,"to":false}],
             "required_added":[],"required_removed":[],"breaking_changes":[],"compatibility":"backward_compatible"}
            """#)
    }

    func testBooleanSchemasUnchangedIsIdentical() {
        XCTAssertEqual(compatibility(changes(#"{"properties":{"a":true,"b":false}}"#, #"{"properties":{"a":true,"b":false}}"#)),
                       "identical")
    }

    func testBooleanSchemaToObjectSchema() {
        let c = changes(#"{"properties":{"a":true}}"#, #"{"properties":{"a":{"type":"string"}}}"#)
        assertJSON(c["breaking_changes"], #"""
            [{"type":"type_changed","property":"a","from":null,"to":"string",
              "description":"Property 'a' type changed from None to string"}]
            """#)
        assertJSON(c["properties_modified"], #"[{"property":"a","from":true,"to":{"type":"string"}}]"#)
        let back = changes(#"{"properties":{"a":{"type":"string"}}}"#, #"{"properties":{"a":false}}"#)
        XCTAssertEqual(typeChangeDescriptions(back), ["Property 'a' type changed from string to None"])
        // A boolean schema against an object without `type`: both types are None.
        let noType = changes(#"{"properties":{"a":true}}"#, #"{"properties":{"a":{}}}"#)
        XCTAssertEqual(typeChangeDescriptions(noType), [])
        XCTAssertEqual(compatibility(noType), "backward_compatible")
    }

    func testOtherNonObjectDefinitions() {
        let c = changes(#"{"properties":{"a":1,"b":"x","c":null,"d":[1]}}"#,
                        #"{"properties":{"a":1.0,"b":"y","c":null,"d":[1,2]}}"#)
        XCTAssertEqual((c["properties_modified"]?.arrayValue ?? []).compactMap { $0["property"]?.stringValue }, ["b", "d"])
        XCTAssertEqual(compatibility(c), "backward_compatible")
    }

    // MARK: malformed properties / required

    func testPropertiesNotAnObjectCountAsMissing() {
        XCTAssertEqual(compatibility(changes(#"{"properties":["a","b"]}"#, #"{"properties":null}"#)), "identical")
        let c = changes(#"{"properties":"abc"}"#, #"{"properties":{"a":{}}}"#)
        assertJSON(c["properties_added"], #"["a"]"#)
        XCTAssertEqual(compatibility(c), "backward_compatible")
    }

    func testRequiredNotAnArrayCountsAsMissing() {
        // Python would make set("ab") == {"a", "b"}; we treat it as no `required`.
        let c = changes(#"{"required":"ab"}"#, #"{"required":{"a":1}}"#)
        XCTAssertEqual(compatibility(c), "identical")
        let d = changes(#"{"required":null}"#, #"{"required":["a"]}"#)
        assertJSON(d["required_added"], #"["a"]"#)
    }

    func testRequiredNonStringEntriesIgnoredAndDuplicatesMerged() {
        let c = changes(#"{"required":["a",1,null,{"x":1},["b"]]}"#, #"{"required":["a","a",true,"c","c"]}"#)
        assertJSON(c["required_added"], #"["c"]"#)
        assertJSON(c["required_removed"], "[]")
        assertJSON(c["breaking_changes"]?[0]?["details"], #"["c"]"#)
    }

    func testSchemaNotAnObjectCountsAsEmpty() {
        let c = SchemaComparison.changes(fromJSONSchema: .bool(true), toJSONSchema: ["properties": ["a": [:]]],
                                         fromAvro: nil, toAvro: nil)
        assertJSON(c["properties_added"], #"["a"]"#)
        XCTAssertEqual(compatibility(c), "backward_compatible")
    }

    // MARK: Avro

    private let avroV1 = #"""
        {"type":"record","name":"User","fields":[
          {"name":"id","type":"int"},{"name":"name","type":"string"},{"name":"fax","type":"string"},
          {"name":"nick","type":["null","string"],"default":null}]}
        """#

    func testNoAvroChangesUnlessBothSidesHaveARecord() {
        let s = #"{"properties":{"a":{}}}"#
        XCTAssertNil(changes(s, s)["avro_changes"])
        XCTAssertNil(changes(s, s, fromAvro: avroV1)["avro_changes"])
        XCTAssertNil(changes(s, s, toAvro: avroV1)["avro_changes"])
        XCTAssertNil(changes(s, s, fromAvro: "null", toAvro: avroV1)["avro_changes"])
        XCTAssertNil(changes(s, s, fromAvro: avroV1, toAvro: "null")["avro_changes"])
        XCTAssertNil(changes(s, s, fromAvro: avroV1, toAvro: #"{"type":"record","name":"X"}"#)["avro_changes"])
        XCTAssertNil(changes(s, s, fromAvro: #"{"type":"record","name":"X","fields":{}}"#, toAvro: avroV1)["avro_changes"])
        XCTAssertEqual(changes(s, s).keys, keyOrder)
    }

    func testIdenticalAvroIsTrailingKey() {
        let c = changes("{}", "{}", fromAvro: avroV1, toAvro: avroV1)
        XCTAssertEqual(c.keys, keyOrder + ["avro_changes"])
        assertJSON(c["avro_changes"], #"""
            {"fields_added":[],"fields_removed":[],"fields_type_changed":[],"breaking_changes":[],"compatibility":"identical"}
            """#)
    }

    func testAvroFieldTypeKeyOrderIgnored() {
        let a = #"{"type":"record","name":"R","fields":[{"name":"t","type":{"type":"array","items":"int"}}]}"#
        let b = #"{"type":"record","name":"R","fields":[{"type":{"items":"int","type":"array"},"name":"t","doc":"d"}]}"#
        XCTAssertEqual(changes("{}", "{}", fromAvro: a, toAvro: b)["avro_changes"]?["compatibility"], "identical")
    }

    func testAvroAddedFieldWithDefaultIsBackwardCompatible() {
        let a = #"{"type":"record","name":"R","fields":[{"name":"id","type":"int"}]}"#
        let b = #"{"type":"record","name":"R","fields":[{"name":"id","type":"int"},{"name":"email","type":["null","string"],"default":null}]}"#
        let c = changes("{}", "{}", fromAvro: a, toAvro: b)
        assertJSON(c["avro_changes"], #"""
            {"fields_added":["email"],"fields_removed":[],"fields_type_changed":[],"breaking_changes":[],
             "compatibility":"backward_compatible"}
            """#)
        // The JSON Schema part alone decides the top-level answer.
        XCTAssertEqual(compatibility(c), "identical")
    }

    func testAvroBreakingChangesInOrder() {
        let v2 = #"""
            {"type":"record","name":"User","fields":[
              {"name":"id","type":"long"},{"name":"name","type":"int"},
              {"name":"nick","type":"string"},
              {"name":"zip","type":"string"},{"name":"age","type":"int"},{"name":"city","type":"string","default":""}]}
            """#
        let c = changes("{}", "{}", fromAvro: avroV1, toAvro: v2)
        assertJSON(c["avro_changes"], #"""
            {"fields_added":["age","city","zip"],"fields_removed":["fax"],
             "fields_type_changed":[
               {"field":"id","from":"int","to":"long"},
               {"field":"name","from":"string","to":"int"},
               {"field":"nick","from":["null","string"],"to":"string"}],
             "breaking_changes":[
               {"type":"fields_removed","details":["fax"],"description":"Removing fields can break consumers expecting these fields"},
               {"type":"field_type_changed","field":"name","from":"string","to":"int","description":"Field 'name' type changed from string to int"},
               {"type":"field_type_changed","field":"nick","from":["null","string"],"to":"string","description":"Field 'nick' type changed from ['null', 'string'] to string"},
               {"type":"fields_added_without_default","details":["age","zip"],"description":"New fields without a default cannot read data written with the old schema"}],
             "compatibility":"breaking"}
            """#)
        XCTAssertEqual(compatibility(c), "identical")
    }

    private func avroTypeChange(_ old: String, _ new: String) -> JSONValue? {
        let a = #"{"type":"record","name":"R","fields":[{"name":"f","type":\#(old)}]}"#
        let b = #"{"type":"record","name":"R","fields":[{"name":"f","type":\#(new)}]}"#
        return changes("{}", "{}", fromAvro: a, toAvro: b)["avro_changes"]
    }

    func testAvroPromotionsAreNotBreaking() {
        let safe: [(String, String)] = [
            (#""int""#, #""long""#), (#""int""#, #""float""#), (#""int""#, #""double""#),
            (#""long""#, #""float""#), (#""long""#, #""double""#), (#""float""#, #""double""#),
            (#""string""#, #""bytes""#), (#""bytes""#, #""string""#), (#""int""#, #"["null","long"]"#),
            (#"["int","long"]"#, #""long""#), (#"["null","int"]"#, #"["long","null"]"#),
            (#""int""#, #"{"type":"long"}"#), (#""int""#, #"{"type":"int"}"#),
            (#"{"type":"int","logicalType":"date"}"#, #""int""#),
            (#""string""#, #"["null","string"]"#), (#"{"type":"string"}"#, #"["null","string"]"#),
            (#"{"type":"enum","name":"E","symbols":["A"]}"#, #"["null",{"type":"enum","name":"E","symbols":["A"]}]"#),
            (#"["null","string"]"#, #"["null","string","int"]"#), (#"["null","string"]"#, #"["string","null"]"#),
        ]
        for (old, new) in safe {
            let c = avroTypeChange(old, new)
            XCTAssertEqual(c?["compatibility"], "backward_compatible", "\(old) -> \(new)")
            XCTAssertEqual(c?["fields_type_changed"]?.arrayValue?.count, 1, "\(old) -> \(new)")
            assertJSON(c?["breaking_changes"], "[]")
        }
    }

    func testAvroNarrowingIsBreaking() {
        let breaking: [(String, String)] = [
            (#""long""#, #""int""#), (#""double""#, #""float""#), (#""float""#, #""long""#),
            (#""int""#, #""string""#), (#""boolean""#, #""int""#), (#""null""#, #""string""#),
            (#"["null","string"]"#, #""string""#), (#"["null","string","int"]"#, #"["null","string"]"#),
            (#""string""#, #"["null","int"]"#), (#""long""#, #"["null","int"]"#), (#"["int","string"]"#, #""long""#),
            (#"{"type":"array","items":"int"}"#, #"{"type":"array","items":"long"}"#),
            (#"{"type":"enum","name":"E","symbols":["A","B"]}"#, #"{"type":"enum","name":"E","symbols":["A"]}"#),
        ]
        for (old, new) in breaking {
            let c = avroTypeChange(old, new)
            XCTAssertEqual(c?["compatibility"], "breaking", "\(old) -> \(new)")
            XCTAssertEqual(c?["breaking_changes"]?[0]?["type"], "field_type_changed", "\(old) -> \(new)")
        }
        XCTAssertEqual(avroTypeChange(#""long""#, #""int""#)?["breaking_changes"]?[0]?["description"],
                       "Field 'f' type changed from long to int")
        XCTAssertEqual(avroTypeChange(#"{"type":"array","items":"int"}"#, #""int""#)?["breaking_changes"]?[0]?["description"],
                       "Field 'f' type changed from {'type': 'array', 'items': 'int'} to int")
    }

    func testAvroFieldsNotUsableAreSkipped() {
        let a = #"{"type":"record","name":"R","fields":[{"name":"a","type":"int"},"junk",{"name":5,"type":"int"},{"type":"int"}]}"#
        let b = #"{"type":"record","name":"R","fields":[{"name":"a","type":"int"}]}"#
        XCTAssertEqual(changes("{}", "{}", fromAvro: a, toAvro: b)["avro_changes"]?["compatibility"], "identical")
    }

    func testAvroFieldWithoutTypeComparesAsNull() {
        let a = #"{"type":"record","name":"R","fields":[{"name":"a"}]}"#
        let b = #"{"type":"record","name":"R","fields":[{"name":"a","type":"int"}]}"#
        assertJSON(changes("{}", "{}", fromAvro: a, toAvro: b)["avro_changes"]?["fields_type_changed"],
                   #"[{"field":"a","from":null,"to":"int"}]"#)
    }

    func testAvroSortedNames() {
        let a = #"{"type":"record","name":"R","fields":[{"name":"k","type":"int"},{"name":"y","type":"int"},{"name":"b","type":"int"}]}"#
        let b = #"{"type":"record","name":"R","fields":[{"name":"k","type":"int"},{"name":"z","type":"int","default":0},{"name":"c","type":"int","default":0},{"name":"B","type":"int","default":0}]}"#
        let c = changes("{}", "{}", fromAvro: a, toAvro: b)["avro_changes"]
        assertJSON(c?["fields_added"], #"["B","c","z"]"#)
        assertJSON(c?["fields_removed"], #"["b","y"]"#)
    }

    func testAvroDoesNotAffectTopLevelCompatibility() {
        let s1 = #"{"properties":{"a":{"type":"string"}}}"#
        let s2 = #"{"properties":{"a":{"type":"string"},"b":{}}}"#
        let a = #"{"type":"record","name":"R","fields":[{"name":"a","type":"string"}]}"#
        let b = #"{"type":"record","name":"R","fields":[{"name":"a","type":"int"}]}"#
        let c = changes(s1, s2, fromAvro: a, toAvro: b)
        XCTAssertEqual(compatibility(c), "backward_compatible")
        XCTAssertEqual(c["avro_changes"]?["compatibility"], "breaking")
    }
}
