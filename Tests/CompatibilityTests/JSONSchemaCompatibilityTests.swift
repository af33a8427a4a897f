import Foundation
import RegistryCompatibility
import RegistryJSON
import XCTest

/// Helpers shared by the JSON Schema compatibility tests.
class JSONSchemaCompatTestCase: XCTestCase {
    func js(_ text: String, file: StaticString = #filePath, line: UInt = #line) -> JSONValue {
        do { return try JSONParser.parse(text) } catch {
            XCTFail("bad JSON in test: \(error)", file: file, line: line)
            return .null
        }
    }

    func changes(_ old: String, _ new: String) -> [SchemaChange] {
        JSONSchemaCompatibility.changes(old: js(old), new: js(new))
    }

    /// Exactly one change, with this code, path and flags.
    @discardableResult
    func expectOnly(
        _ old: String, _ new: String, _ code: String, _ path: String, back: Bool, fwd: Bool,
        file: StaticString = #filePath, line: UInt = #line
    ) -> SchemaChange? {
        let cs = changes(old, new)
        XCTAssertEqual(cs.count, 1, "changes: \(cs)", file: file, line: line)
        guard let c = cs.first else { return nil }
        XCTAssertEqual(c.code, code, "\(c)", file: file, line: line)
        XCTAssertEqual(c.path, path, "\(c)", file: file, line: line)
        XCTAssertEqual(c.breaksBackward, back, "breaksBackward of \(c)", file: file, line: line)
        XCTAssertEqual(c.breaksForward, fwd, "breaksForward of \(c)", file: file, line: line)
        XCTAssertFalse(c.description.isEmpty, file: file, line: line)
        return c
    }

    /// Some change has this code, path and flags.
    @discardableResult
    func expectHas(
        _ old: String, _ new: String, _ code: String, _ path: String, back: Bool, fwd: Bool,
        file: StaticString = #filePath, line: UInt = #line
    ) -> SchemaChange? {
        let cs = changes(old, new)
        guard let c = cs.first(where: { $0.code == code && $0.path == path }) else {
            XCTFail("no \(code) at \(path) in \(cs)", file: file, line: line)
            return nil
        }
        XCTAssertEqual(c.breaksBackward, back, "breaksBackward of \(c)", file: file, line: line)
        XCTAssertEqual(c.breaksForward, fwd, "breaksForward of \(c)", file: file, line: line)
        return c
    }

    func expectNone(_ old: String, _ new: String, file: StaticString = #filePath, line: UInt = #line) {
        let cs = changes(old, new)
        XCTAssertEqual(cs, [], file: file, line: line)
    }

    func expectFlags(_ old: String, _ new: String, back: Bool, fwd: Bool, file: StaticString = #filePath, line: UInt = #line) {
        let cs = changes(old, new)
        XCTAssertEqual(cs.contains { $0.breaksBackward }, back, "backward: \(cs)", file: file, line: line)
        XCTAssertEqual(cs.contains { $0.breaksForward }, fwd, "forward: \(cs)", file: file, line: line)
    }
}

final class JSONSchemaCompatibilityTests: JSONSchemaCompatTestCase {
    // MARK: type

    func testIdenticalSchemasHaveNoChanges() {
        expectNone(#"{"type":"object","properties":{"a":{"type":"string"}},"required":["a"]}"#,
                   #"{"type":"object","properties":{"a":{"type":"string"}},"required":["a"]}"#)
        expectNone("true", "{}")
    }

    func testTypeNarrowedNumberToInteger() {
        let c = expectOnly(#"{"properties":{"age":{"type":"number"}}}"#, #"{"properties":{"age":{"type":"integer"}}}"#,
                           "TYPE_NARROWED", "#/properties/age", back: true, fwd: false)
        XCTAssertEqual(c?.description, "Property 'age' type narrowed from number to integer")
    }

    func testTypeWidenedIntegerToNumber() {
        expectOnly(#"{"type":"integer"}"#, #"{"type":"number"}"#, "TYPE_WIDENED", "#", back: false, fwd: true)
    }

    func testTypeChanged() {
        expectOnly(#"{"type":"string"}"#, #"{"type":"boolean"}"#, "TYPE_CHANGED", "#", back: true, fwd: true)
    }

    func testTypeArraysAreUnions() {
        expectOnly(#"{"type":"string"}"#, #"{"type":["string","null"]}"#, "TYPE_WIDENED", "#", back: false, fwd: true)
        expectOnly(#"{"type":["string","null"]}"#, #"{"type":"string"}"#, "TYPE_NARROWED", "#", back: true, fwd: false)
        expectOnly(#"{"type":["string","integer"]}"#, #"{"type":["string","boolean"]}"#, "TYPE_CHANGED", "#", back: true, fwd: true)
        // integer ⊂ number: ["number","integer"] is the same set as "number".
        expectNone(#"{"type":["number","integer"]}"#, #"{"type":"number"}"#)
        expectNone(#"{"type":["null","string"]}"#, #"{"type":["string","null"]}"#)
    }

    func testAbsentTypeIsAny() {
        expectOnly(#"{}"#, #"{"type":"string"}"#, "TYPE_NARROWED", "#", back: true, fwd: false)
        expectOnly(#"{"type":"string"}"#, #"{}"#, "TYPE_WIDENED", "#", back: false, fwd: true)
    }

    // MARK: enum / const

    func testEnumValues() {
        expectOnly(#"{"enum":["a","b"]}"#, #"{"enum":["a","b","c"]}"#, "ENUM_VALUE_ADDED", "#/enum", back: false, fwd: true)
        expectOnly(#"{"enum":["a","b"]}"#, #"{"enum":["a"]}"#, "ENUM_VALUE_REMOVED", "#/enum", back: true, fwd: false)
        expectNone(#"{"enum":[1,"b"]}"#, #"{"enum":["b",1.0]}"#)
        expectOnly(#"{}"#, #"{"enum":["a"]}"#, "ENUM_ADDED", "#/enum", back: true, fwd: false)
        expectOnly(#"{"enum":["a"]}"#, #"{}"#, "ENUM_REMOVED", "#/enum", back: false, fwd: true)
    }

    func testConst() {
        expectOnly(#"{"const":"a"}"#, #"{"const":"b"}"#, "CONST_CHANGED", "#/const", back: true, fwd: true)
        expectOnly(#"{}"#, #"{"const":"b"}"#, "CONST_ADDED", "#/const", back: true, fwd: false)
        expectOnly(#"{"const":"b"}"#, #"{}"#, "CONST_REMOVED", "#/const", back: false, fwd: true)
        expectNone(#"{"const":1}"#, #"{"const":1.0}"#)
    }

    // MARK: strings

    func testStringLengths() {
        expectOnly(#"{"type":"string","minLength":1}"#, #"{"type":"string","minLength":3}"#, "MIN_LENGTH_INCREASED", "#/minLength", back: true, fwd: false)
        expectOnly(#"{"type":"string","minLength":3}"#, #"{"type":"string","minLength":1}"#, "MIN_LENGTH_DECREASED", "#/minLength", back: false, fwd: true)
        expectOnly(#"{"type":"string","minLength":3}"#, #"{"type":"string"}"#, "MIN_LENGTH_DECREASED", "#/minLength", back: false, fwd: true)
        expectOnly(#"{"type":"string","maxLength":10}"#, #"{"type":"string","maxLength":5}"#, "MAX_LENGTH_DECREASED", "#/maxLength", back: true, fwd: false)
        expectOnly(#"{"type":"string","maxLength":5}"#, #"{"type":"string","maxLength":10}"#, "MAX_LENGTH_INCREASED", "#/maxLength", back: false, fwd: true)
        expectOnly(#"{"type":"string"}"#, #"{"type":"string","maxLength":10}"#, "MAX_LENGTH_DECREASED", "#/maxLength", back: true, fwd: false)
        expectNone(#"{"type":"string"}"#, #"{"type":"string","minLength":0}"#)
    }

    func testStringKeywordsIgnoredWhenNoStringIsAllowed() {
        expectNone(#"{"type":"integer","minLength":3}"#, #"{"type":"integer"}"#)
    }

    func testPatternAndFormat() {
        expectOnly(#"{"type":"string"}"#, #"{"type":"string","pattern":"^a"}"#, "PATTERN_ADDED", "#/pattern", back: true, fwd: false)
        expectOnly(#"{"type":"string","pattern":"^a"}"#, #"{"type":"string"}"#, "PATTERN_REMOVED", "#/pattern", back: false, fwd: true)
        expectOnly(#"{"type":"string","pattern":"^a"}"#, #"{"type":"string","pattern":"^b"}"#, "PATTERN_CHANGED", "#/pattern", back: true, fwd: true)
        expectOnly(#"{"type":"string","format":"date"}"#, #"{"type":"string","format":"date-time"}"#, "FORMAT_CHANGED", "#/format", back: true, fwd: true)
        expectOnly(#"{"type":"string"}"#, #"{"type":"string","format":"email"}"#, "FORMAT_ADDED", "#/format", back: true, fwd: false)
        expectOnly(#"{"type":"string","format":"email"}"#, #"{"type":"string"}"#, "FORMAT_REMOVED", "#/format", back: false, fwd: true)
    }

    // MARK: numbers

    func testMinimumMaximum() {
        expectOnly(#"{"type":"number","minimum":0}"#, #"{"type":"number","minimum":5}"#, "MINIMUM_INCREASED", "#/minimum", back: true, fwd: false)
        expectOnly(#"{"type":"number","minimum":5}"#, #"{"type":"number","minimum":0}"#, "MINIMUM_DECREASED", "#/minimum", back: false, fwd: true)
        expectOnly(#"{"type":"number"}"#, #"{"type":"number","minimum":0}"#, "MINIMUM_INCREASED", "#/minimum", back: true, fwd: false)
        expectOnly(#"{"type":"number","minimum":0}"#, #"{"type":"number"}"#, "MINIMUM_DECREASED", "#/minimum", back: false, fwd: true)
        expectOnly(#"{"type":"number","maximum":10}"#, #"{"type":"number","maximum":5}"#, "MAXIMUM_DECREASED", "#/maximum", back: true, fwd: false)
        expectOnly(#"{"type":"number","maximum":5}"#, #"{"type":"number","maximum":10.5}"#, "MAXIMUM_INCREASED", "#/maximum", back: false, fwd: true)
        expectNone(#"{"type":"number","maximum":5}"#, #"{"type":"number","maximum":5.0}"#)
    }

    func testExclusiveBounds() {
        expectOnly(#"{"type":"number","exclusiveMinimum":0}"#, #"{"type":"number","exclusiveMinimum":1}"#, "EXCLUSIVE_MINIMUM_INCREASED", "#/exclusiveMinimum", back: true, fwd: false)
        expectOnly(#"{"type":"number","exclusiveMaximum":10}"#, #"{"type":"number","exclusiveMaximum":20}"#, "EXCLUSIVE_MAXIMUM_INCREASED", "#/exclusiveMaximum", back: false, fwd: true)
        // >= 5 becomes > 5: narrower.
        expectOnly(#"{"type":"number","minimum":5}"#, #"{"type":"number","exclusiveMinimum":5}"#, "MINIMUM_INCREASED", "#/minimum", back: true, fwd: false)
        // >= 5 becomes > 4: wider.
        expectOnly(#"{"type":"number","minimum":5}"#, #"{"type":"number","exclusiveMinimum":4}"#, "MINIMUM_DECREASED", "#/minimum", back: false, fwd: true)
        // <= 5 becomes < 5: narrower.
        expectOnly(#"{"type":"number","maximum":5}"#, #"{"type":"number","exclusiveMaximum":5}"#, "MAXIMUM_DECREASED", "#/maximum", back: true, fwd: false)
    }

    func testMultipleOf() {
        expectOnly(#"{"type":"integer","multipleOf":2}"#, #"{"type":"integer","multipleOf":4}"#, "MULTIPLE_OF_CHANGED", "#/multipleOf", back: true, fwd: false)
        expectOnly(#"{"type":"integer","multipleOf":4}"#, #"{"type":"integer","multipleOf":2}"#, "MULTIPLE_OF_CHANGED", "#/multipleOf", back: false, fwd: true)
        expectOnly(#"{"type":"integer","multipleOf":2}"#, #"{"type":"integer","multipleOf":3}"#, "MULTIPLE_OF_CHANGED", "#/multipleOf", back: true, fwd: true)
        expectOnly(#"{"type":"number"}"#, #"{"type":"number","multipleOf":0.5}"#, "MULTIPLE_OF_ADDED", "#/multipleOf", back: true, fwd: false)
        expectOnly(#"{"type":"number","multipleOf":0.5}"#, #"{"type":"number"}"#, "MULTIPLE_OF_REMOVED", "#/multipleOf", back: false, fwd: true)
    }

    // MARK: arrays

    func testItems() {
        expectOnly(#"{"type":"array","items":{"type":"number"}}"#, #"{"type":"array","items":{"type":"integer"}}"#, "TYPE_NARROWED", "#/items", back: true, fwd: false)
        expectOnly(#"{"type":"array"}"#, #"{"type":"array","items":{"type":"string"}}"#, "ITEMS_ADDED", "#/items", back: true, fwd: false)
        expectOnly(#"{"type":"array","items":{"type":"string"}}"#, #"{"type":"array"}"#, "ITEMS_REMOVED", "#/items", back: false, fwd: true)
    }

    func testPrefixItems() {
        expectOnly(#"{"type":"array","prefixItems":[{"type":"string"}]}"#, #"{"type":"array","prefixItems":[{"type":"string"},{"type":"integer"}]}"#,
                   "PREFIX_ITEMS_ADDED", "#/prefixItems/1", back: true, fwd: false)
        expectOnly(#"{"type":"array","prefixItems":[{"type":"string"},{"type":"integer"}]}"#, #"{"type":"array","prefixItems":[{"type":"string"}]}"#,
                   "PREFIX_ITEMS_REMOVED", "#/prefixItems/1", back: false, fwd: true)
        expectOnly(#"{"type":"array","prefixItems":[{"type":"string"}]}"#, #"{"type":"array","prefixItems":[{"type":"integer"}]}"#,
                   "TYPE_CHANGED", "#/prefixItems/0", back: true, fwd: true)
        // items: false closes the tuple; a new position opens it (wider).
        expectHas(#"{"type":"array","prefixItems":[{"type":"string"}],"items":false}"#,
                  #"{"type":"array","prefixItems":[{"type":"string"},{"type":"string"}],"items":false}"#,
                  "PREFIX_ITEMS_ADDED", "#/prefixItems/1", back: false, fwd: true)
    }

    func testItemCountsAndUniqueness() {
        expectOnly(#"{"type":"array"}"#, #"{"type":"array","minItems":1}"#, "MIN_ITEMS_INCREASED", "#/minItems", back: true, fwd: false)
        expectOnly(#"{"type":"array","minItems":2}"#, #"{"type":"array","minItems":1}"#, "MIN_ITEMS_DECREASED", "#/minItems", back: false, fwd: true)
        expectOnly(#"{"type":"array","maxItems":2}"#, #"{"type":"array","maxItems":1}"#, "MAX_ITEMS_DECREASED", "#/maxItems", back: true, fwd: false)
        expectOnly(#"{"type":"array","maxItems":2}"#, #"{"type":"array"}"#, "MAX_ITEMS_INCREASED", "#/maxItems", back: false, fwd: true)
        expectOnly(#"{"type":"array"}"#, #"{"type":"array","uniqueItems":true}"#, "UNIQUE_ITEMS_ADDED", "#/uniqueItems", back: true, fwd: false)
        expectOnly(#"{"type":"array","uniqueItems":true}"#, #"{"type":"array","uniqueItems":false}"#, "UNIQUE_ITEMS_REMOVED", "#/uniqueItems", back: false, fwd: true)
    }

    // MARK: objects

    func testOpenModelPropertyAdded() {
        // A property that any value could hold is now constrained: narrower.
        expectOnly(#"{"type":"object","properties":{"a":{"type":"string"}}}"#,
                   #"{"type":"object","properties":{"a":{"type":"string"},"b":{"type":"integer"}}}"#,
                   "PROPERTY_ADDED", "#/properties/b", back: true, fwd: false)
        // An unconstrained property changes nothing.
        expectOnly(#"{"type":"object"}"#, #"{"type":"object","properties":{"b":{"description":"x"}}}"#,
                   "PROPERTY_ADDED", "#/properties/b", back: false, fwd: false)
    }

    func testOpenModelPropertyRemoved() {
        expectOnly(#"{"type":"object","properties":{"a":{"type":"string"},"b":{"type":"integer"}}}"#,
                   #"{"type":"object","properties":{"a":{"type":"string"}}}"#,
                   "PROPERTY_REMOVED", "#/properties/b", back: false, fwd: true)
    }

    func testClosedModel() {
        expectOnly(#"{"type":"object","properties":{"a":{"type":"string"}},"additionalProperties":false}"#,
                   #"{"type":"object","properties":{"a":{"type":"string"},"b":{"type":"integer"}},"additionalProperties":false}"#,
                   "PROPERTY_ADDED", "#/properties/b", back: false, fwd: true)
        expectOnly(#"{"type":"object","properties":{"a":{"type":"string"},"b":{"type":"integer"}},"additionalProperties":false}"#,
                   #"{"type":"object","properties":{"a":{"type":"string"}},"additionalProperties":false}"#,
                   "PROPERTY_REMOVED", "#/properties/b", back: true, fwd: false)
    }

    func testAdditionalProperties() {
        expectOnly(#"{"type":"object"}"#, #"{"type":"object","additionalProperties":false}"#,
                   "ADDITIONAL_PROPERTIES_NARROWED", "#/additionalProperties", back: true, fwd: false)
        expectOnly(#"{"type":"object","additionalProperties":false}"#, #"{"type":"object"}"#,
                   "ADDITIONAL_PROPERTIES_WIDENED", "#/additionalProperties", back: false, fwd: true)
        expectOnly(#"{"type":"object","additionalProperties":{"type":"string"}}"#, #"{"type":"object","additionalProperties":{"type":"integer"}}"#,
                   "ADDITIONAL_PROPERTIES_CHANGED", "#/additionalProperties", back: true, fwd: true)
        // Partially open: a property added with the same schema additionalProperties gave it.
        expectOnly(#"{"type":"object","additionalProperties":{"type":"string"}}"#,
                   #"{"type":"object","properties":{"x":{"type":"string"}},"additionalProperties":{"type":"string"}}"#,
                   "PROPERTY_ADDED", "#/properties/x", back: false, fwd: false)
        expectOnly(#"{"type":"object","additionalProperties":{"type":"string"}}"#,
                   #"{"type":"object","properties":{"x":{"type":"integer"}},"additionalProperties":{"type":"string"}}"#,
                   "PROPERTY_ADDED", "#/properties/x", back: true, fwd: true)
    }

    func testPatternProperties() {
        // A property added where a pattern already applied (the pattern still applies): narrower only by its own schema.
        expectOnly(#"{"type":"object","patternProperties":{"^x_":{"type":"string"}},"additionalProperties":false}"#,
                   #"{"type":"object","properties":{"x_a":{"maxLength":3}},"patternProperties":{"^x_":{"type":"string"}},"additionalProperties":false}"#,
                   "PROPERTY_ADDED", "#/properties/x_a", back: true, fwd: false)
        // A property not matching the pattern falls under additionalProperties: false: wider.
        expectOnly(#"{"type":"object","patternProperties":{"^x_":{"type":"string"}},"additionalProperties":false}"#,
                   #"{"type":"object","properties":{"y":{"type":"string"}},"patternProperties":{"^x_":{"type":"string"}},"additionalProperties":false}"#,
                   "PROPERTY_ADDED", "#/properties/y", back: false, fwd: true)
        expectOnly(#"{"type":"object","patternProperties":{"^x_":{"type":"string"}}}"#,
                   #"{"type":"object","patternProperties":{"^x_":{"type":"integer"}}}"#,
                   "TYPE_CHANGED", "#/patternProperties/^x_", back: true, fwd: true)
        expectOnly(#"{"type":"object"}"#, #"{"type":"object","patternProperties":{"^x_":{"type":"integer"}}}"#,
                   "PATTERN_PROPERTY_ADDED", "#/patternProperties/^x_", back: true, fwd: false)
        expectOnly(#"{"type":"object","patternProperties":{"^x_":{"type":"integer"}}}"#, #"{"type":"object"}"#,
                   "PATTERN_PROPERTY_REMOVED", "#/patternProperties/^x_", back: false, fwd: true)
    }

    func testRequired() {
        let c = expectOnly(#"{"type":"object","properties":{"a":{}},"required":[]}"#, #"{"type":"object","properties":{"a":{}},"required":["a"]}"#,
                           "REQUIRED_ADDED", "#/required", back: true, fwd: false)
        XCTAssertEqual(c?.description, "Property 'a' is now required")
        expectOnly(#"{"type":"object","properties":{"a":{}},"required":["a"]}"#, #"{"type":"object","properties":{"a":{}}}"#,
                   "REQUIRED_REMOVED", "#/required", back: false, fwd: true)
    }

    func testDependentRequired() {
        expectOnly(#"{"type":"object"}"#, #"{"type":"object","dependentRequired":{"card":["billing"]}}"#,
                   "DEPENDENT_REQUIRED_ADDED", "#/dependentRequired/card", back: true, fwd: false)
        expectOnly(#"{"type":"object","dependentRequired":{"card":["billing","zip"]}}"#, #"{"type":"object","dependentRequired":{"card":["billing"]}}"#,
                   "DEPENDENT_REQUIRED_REMOVED", "#/dependentRequired/card", back: false, fwd: true)
    }

    func testPropertyCounts() {
        expectOnly(#"{"type":"object"}"#, #"{"type":"object","minProperties":1}"#, "MIN_PROPERTIES_INCREASED", "#/minProperties", back: true, fwd: false)
        expectOnly(#"{"type":"object","maxProperties":3}"#, #"{"type":"object","maxProperties":4}"#, "MAX_PROPERTIES_INCREASED", "#/maxProperties", back: false, fwd: true)
    }

    func testNestedPropertyPathAndDescription() {
        let c = expectOnly(
            #"{"type":"object","properties":{"address":{"type":"object","properties":{"zip":{"type":"string","maxLength":10}}}}}"#,
            #"{"type":"object","properties":{"address":{"type":"object","properties":{"zip":{"type":"string","maxLength":5}}}}}"#,
            "MAX_LENGTH_DECREASED", "#/properties/address/properties/zip/maxLength", back: true, fwd: false)
        XCTAssertEqual(c?.description, "Property 'address.zip' maximum length decreased from 10 to 5")
    }

    // MARK: composition

    func testAnyOfBranches() {
        expectOnly(#"{"anyOf":[{"type":"string"}]}"#, #"{"anyOf":[{"type":"string"},{"type":"null"}]}"#,
                   "COMPOSITION_BRANCH_ADDED", "#/anyOf/1", back: false, fwd: true)
        expectOnly(#"{"anyOf":[{"type":"string"},{"type":"null"}]}"#, #"{"anyOf":[{"type":"string"}]}"#,
                   "COMPOSITION_BRANCH_REMOVED", "#/anyOf/1", back: true, fwd: false)
        // Matched by equality regardless of order.
        expectNone(#"{"anyOf":[{"type":"string"},{"type":"null"}]}"#, #"{"anyOf":[{"type":"null"},{"type":"string"}]}"#)
        // Matched by structure: the changed branch is compared, not added and removed.
        expectOnly(#"{"anyOf":[{"type":"string","maxLength":5},{"type":"null"}]}"#, #"{"anyOf":[{"type":"null"},{"type":"string","maxLength":3}]}"#,
                   "MAX_LENGTH_DECREASED", "#/anyOf/1/maxLength", back: true, fwd: false)
    }

    func testAllOfBranches() {
        expectOnly(#"{"allOf":[{"type":"object"}]}"#, #"{"allOf":[{"type":"object"},{"required":["a"]}]}"#,
                   "COMPOSITION_BRANCH_ADDED", "#/allOf/1", back: true, fwd: false)
        expectOnly(#"{"allOf":[{"type":"object"},{"required":["a"]}]}"#, #"{"allOf":[{"type":"object"}]}"#,
                   "COMPOSITION_BRANCH_REMOVED", "#/allOf/1", back: false, fwd: true)
    }

    func testOneOfBranches() {
        expectOnly(#"{"oneOf":[{"type":"string"}]}"#, #"{"oneOf":[{"type":"string"},{"type":"integer"}]}"#,
                   "COMPOSITION_BRANCH_ADDED", "#/oneOf/1", back: true, fwd: true)
        // A widened branch may overlap another: breaks both.
        expectOnly(#"{"oneOf":[{"type":"integer"},{"type":"string"}]}"#, #"{"oneOf":[{"type":"number"},{"type":"string"}]}"#,
                   "TYPE_WIDENED", "#/oneOf/0", back: true, fwd: true)
        // A narrowed branch breaks both: [1.5] matched only branch 0 and now matches none; with
        // several narrowed branches a new document may match two old ones.
        expectOnly(#"{"oneOf":[{"type":"number"},{"type":"string"}]}"#, #"{"oneOf":[{"type":"integer"},{"type":"string"}]}"#,
                   "TYPE_NARROWED", "#/oneOf/0", back: true, fwd: true)
    }

    func testCompositionKeywordAddedOrRemoved() {
        expectOnly(#"{}"#, #"{"anyOf":[{"type":"string"}]}"#, "COMPOSITION_BRANCH_ADDED", "#/anyOf/0", back: true, fwd: false)
        expectOnly(#"{"anyOf":[{"type":"string"}]}"#, #"{}"#, "COMPOSITION_BRANCH_REMOVED", "#/anyOf/0", back: false, fwd: true)
    }

    func testNot() {
        // not string → not (string or null): the forbidden set grows, the accepted one shrinks.
        expectOnly(#"{"not":{"type":"string"}}"#, #"{"not":{"type":["string","null"]}}"#, "NOT_CHANGED", "#/not", back: true, fwd: false)
        expectOnly(#"{"not":{"type":["string","null"]}}"#, #"{"not":{"type":"string"}}"#, "NOT_CHANGED", "#/not", back: false, fwd: true)
        expectOnly(#"{}"#, #"{"not":{"type":"null"}}"#, "NOT_ADDED", "#/not", back: true, fwd: false)
        expectOnly(#"{"not":{"type":"null"}}"#, #"{}"#, "NOT_REMOVED", "#/not", back: false, fwd: true)
    }

    // MARK: boolean schemas, annotations, unsupported

    func testBooleanSchemas() {
        expectOnly(#"{"properties":{"a":{"type":"string"}}}"#, #"{"properties":{"a":false}}"#, "SCHEMA_FALSE", "#/properties/a", back: true, fwd: false)
        expectOnly(#"{"properties":{"a":false}}"#, #"{"properties":{"a":{"type":"string"}}}"#, "SCHEMA_TRUE", "#/properties/a", back: false, fwd: true)
        expectNone("false", "false")
        expectFlags(#"{"type":"string"}"#, "true", back: false, fwd: true)
    }

    func testAnnotationsBreakNothing() {
        let cs = changes(#"{"title":"A","description":"x","type":"string","examples":["a"],"default":"a"}"#,
                         #"{"title":"B","type":"string","examples":["b"],"default":"b","deprecated":true}"#)
        XCTAssertEqual(Set(cs.map(\.code)), ["ANNOTATION_CHANGED"])
        XCTAssertEqual(cs.count, 5)
        XCTAssertFalse(cs.contains { $0.breaksBackward || $0.breaksForward })
        XCTAssertTrue(cs.contains { $0.path == "#/title" })
        XCTAssertTrue(cs.contains { $0.path == "#/description" && $0.description.contains("description removed") })
    }

    func testUnsupportedKeywordBreaksBoth() {
        let c = expectOnly(#"{"type":"array","contains":{"type":"string"}}"#, #"{"type":"array","contains":{"type":"integer"}}"#,
                           "UNSUPPORTED_KEYWORD_CHANGED", "#/contains", back: true, fwd: true)
        XCTAssertTrue(c?.description.contains("'contains'") ?? false)
        expectNone(#"{"if":{"type":"string"},"then":{"minLength":1}}"#, #"{"if":{"type":"string"},"then":{"minLength":1}}"#)
        expectOnly(#"{"x-custom":1}"#, #"{"x-custom":2}"#, "UNSUPPORTED_KEYWORD_CHANGED", "#/x-custom", back: true, fwd: true)
    }

    func testDescriptionsAndPathsEscape() {
        expectOnly(#"{"properties":{"a/b":{"type":"number"}}}"#, #"{"properties":{"a/b":{"type":"integer"}}}"#,
                   "TYPE_NARROWED", "#/properties/a~1b", back: true, fwd: false)
    }
}

final class JSONSchemaCompatibilityMoreTests: JSONSchemaCompatTestCase {
    func testOneOfTwoNarrowedBranchesBreakBoth() {
        let cs = changes(#"{"oneOf":[{"type":"number","minimum":0},{"type":"number","maximum":10}]}"#,
                         #"{"oneOf":[{"type":"number","minimum":5},{"type":"number","maximum":3}]}"#)
        XCTAssertEqual(cs.map(\.code), ["MINIMUM_INCREASED", "MAXIMUM_DECREASED"])
        XCTAssertTrue(cs.allSatisfy { $0.breaksBackward && $0.breaksForward })
    }

    func testOneOfOfTrivialBranchesRejectsEverything() {
        // Found by fuzzing against the validator: "x" matches both branches, so the new schema rejects it.
        let cs = changes(#"{"type":"string"}"#, #"{"type":"string","oneOf":[true,true]}"#)
        XCTAssertEqual(cs.map(\.code), ["COMPOSITION_BRANCH_ADDED", "COMPOSITION_BRANCH_ADDED"])
        XCTAssertTrue(cs.allSatisfy { $0.breaksBackward && !$0.breaksForward })
        let one = changes(#"{"type":"string"}"#, #"{"type":"string","oneOf":[{"title":"t"}]}"#)
        XCTAssertFalse(one.contains { $0.breaksBackward || $0.breaksForward })
    }

    func testUnevaluatedPropertiesMakesPropertyChangesConservative() {
        expectOnly(#"{"type":"object","properties":{"a":{"type":"string"}},"unevaluatedProperties":false}"#,
                   #"{"type":"object","properties":{"a":{"type":"string"},"b":{"type":"string"}},"unevaluatedProperties":false}"#,
                   "PROPERTY_ADDED", "#/properties/b", back: true, fwd: true)
        expectOnly(#"{"type":"array","prefixItems":[{"type":"string"}],"unevaluatedItems":false}"#,
                   #"{"type":"array","prefixItems":[{"type":"string"},{}],"unevaluatedItems":false}"#,
                   "PREFIX_ITEMS_ADDED", "#/prefixItems/1", back: true, fwd: true)
    }

    func testFormatComparedWhateverTheType() {
        expectOnly(#"{"type":"integer","format":"int32"}"#, #"{"type":"integer","format":"int64"}"#, "FORMAT_CHANGED", "#/format", back: true, fwd: true)
    }

    func testDependentSchemasAndPropertyNames() {
        expectOnly(#"{"type":"object"}"#, #"{"type":"object","dependentSchemas":{"a":{"required":["b"]}}}"#,
                   "DEPENDENT_SCHEMA_ADDED", "#/dependentSchemas/a", back: true, fwd: false)
        expectOnly(#"{"type":"object","dependentSchemas":{"a":{"required":["b"]}}}"#, #"{"type":"object","dependentSchemas":{"a":{"required":["b","c"]}}}"#,
                   "REQUIRED_ADDED", "#/dependentSchemas/a/required", back: true, fwd: false)
        expectOnly(#"{"type":"object"}"#, #"{"type":"object","propertyNames":{"maxLength":8}}"#,
                   "MAX_LENGTH_DECREASED", "#/propertyNames/maxLength", back: true, fwd: false)
    }

    func testTypeChangeSkipsKeywordsOfTheOtherType() {
        // string → integer: the string keywords no longer matter; one change.
        expectOnly(#"{"type":"string","minLength":1}"#, #"{"type":"integer","minimum":1}"#, "TYPE_CHANGED", "#", back: true, fwd: true)
    }

    func testNullableViaAnyOfWidening() {
        // Optional[str] in pydantic: string → anyOf [string, null] adds a branch (wider).
        expectHas(#"{"properties":{"n":{"type":"string"}}}"#, #"{"properties":{"n":{"anyOf":[{"type":"string"},{"type":"null"}],"default":null}}}"#,
                  "COMPOSITION_BRANCH_ADDED", "#/properties/n/anyOf/1", back: false, fwd: true)
        expectFlags(#"{"properties":{"n":{"type":"string"}}}"#, #"{"properties":{"n":{"anyOf":[{"type":"string"},{"type":"null"}],"default":null}}}"#,
                    back: false, fwd: true)
        XCTAssertEqual(changes(#"{"properties":{"n":{"type":"string"}}}"#, #"{"properties":{"n":{"anyOf":[{"type":"string"},{"type":"null"}],"default":null}}}"#).count, 2)
        expectHas(#"{"properties":{"n":{"type":"string"}}}"#, #"{"properties":{"n":{"anyOf":[{"type":"string"},{"type":"null"}],"default":null}}}"#,
                  "ANNOTATION_CHANGED", "#/properties/n/default", back: false, fwd: false)
        // And back: the null branch removed (narrower); the kept branch changed too.
        let cs = changes(#"{"anyOf":[{"type":"string","maxLength":5},{"type":"null"}]}"#, #"{"type":"string","maxLength":9}"#)
        XCTAssertEqual(cs.map(\.code).sorted(), ["COMPOSITION_BRANCH_REMOVED", "MAX_LENGTH_INCREASED"])
        XCTAssertEqual(cs.first { $0.code == "COMPOSITION_BRANCH_REMOVED" }?.path, "#/anyOf/1")
        XCTAssertEqual(cs.first { $0.code == "MAX_LENGTH_INCREASED" }?.path, "#/maxLength")
    }
}
