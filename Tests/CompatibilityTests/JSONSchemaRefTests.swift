import Foundation
import RegistryCompatibility
import RegistryJSON
import XCTest

final class JSONSchemaRefTests: JSONSchemaCompatTestCase {
    func testRefToDefsIsFollowed() {
        let old = ##"{"type":"object","properties":{"a":{"$ref":"#/$defs/A"}},"$defs":{"A":{"type":"number"}}}"##
        let new = ##"{"type":"object","properties":{"a":{"$ref":"#/$defs/A"}},"$defs":{"A":{"type":"integer"}}}"##
        expectOnly(old, new, "TYPE_NARROWED", "#/properties/a", back: true, fwd: false)
    }

    func testInlineVersusRefIsTheSame() {
        expectNone(##"{"properties":{"a":{"type":"string"}}}"##,
                   ##"{"properties":{"a":{"$ref":"#/$defs/S"}},"$defs":{"S":{"type":"string"}}}"##)
        expectNone(##"{"properties":{"a":{"$ref":"#/definitions/S"}},"definitions":{"S":{"type":"string"}}}"##,
                   ##"{"properties":{"a":{"$ref":"#/$defs/T"}},"$defs":{"T":{"type":"string"}}}"##)
    }

    func testEqualDefinitionsThatPointIntoTheBodyAreStillFollowed() {
        // $defs are equal, but A points at #/properties/x, which changed.
        let old = ##"{"properties":{"x":{"type":"number"},"y":{"$ref":"#/$defs/A"}},"$defs":{"A":{"$ref":"#/properties/x"}}}"##
        let new = ##"{"properties":{"x":{"type":"integer"},"y":{"$ref":"#/$defs/A"}},"$defs":{"A":{"$ref":"#/properties/x"}}}"##
        let cs = changes(old, new)
        XCTAssertEqual(cs.map(\.code), ["TYPE_NARROWED", "TYPE_NARROWED"])
        XCTAssertEqual(cs.map(\.path), ["#/properties/x", "#/properties/y"])
    }

    func testRefSiblings() {
        expectOnly(##"{"properties":{"a":{"$ref":"#/$defs/S"}},"$defs":{"S":{"type":"string"}}}"##,
                   ##"{"properties":{"a":{"$ref":"#/$defs/S","maxLength":3}},"$defs":{"S":{"type":"string"}}}"##,
                   "MAX_LENGTH_DECREASED", "#/properties/a/maxLength", back: true, fwd: false)
    }

    func testUnresolvableRef() {
        expectNone(##"{"$ref":"other.json"}"##, ##"{"$ref":"other.json"}"##)
        expectOnly(##"{"$ref":"other.json"}"##, ##"{"$ref":"another.json"}"##, "UNSUPPORTED_KEYWORD_CHANGED", "#", back: true, fwd: true)
    }

    /// A linked list: recursion through `#/$defs/Node` and through `#`.
    func testRecursiveSchemasTerminate() {
        let old = ##"""
        {"$ref":"#/$defs/Node","$defs":{"Node":{"type":"object","properties":{"value":{"type":"number"},
         "next":{"anyOf":[{"$ref":"#/$defs/Node"},{"type":"null"}]}}}}}
        """##
        expectNone(old, old)
        let narrowed = ##"""
        {"$ref":"#/$defs/Node","$defs":{"Node":{"type":"object","properties":{"value":{"type":"integer"},
         "next":{"anyOf":[{"$ref":"#/$defs/Node"},{"type":"null"}]}}}}}
        """##
        let cs = changes(old, narrowed)
        XCTAssertEqual(cs.map(\.code), ["TYPE_NARROWED"])
        XCTAssertEqual(cs.first?.path, "#/properties/value")
        XCTAssertEqual(cs.first?.breaksBackward, true)
        XCTAssertEqual(cs.first?.breaksForward, false)

        let rootRecursive = ##"{"type":"object","properties":{"child":{"$ref":"#"},"n":{"type":"string"}}}"##
        expectNone(rootRecursive, rootRecursive)
        let rootRecursive2 = ##"{"type":"object","properties":{"child":{"$ref":"#"},"n":{"type":"string","minLength":1}}}"##
        expectOnly(rootRecursive, rootRecursive2, "MIN_LENGTH_INCREASED", "#/properties/n/minLength", back: true, fwd: false)

        // Mutual recursion on one side, a differently named recursion on the other.
        let a = ##"{"$ref":"#/$defs/A","$defs":{"A":{"type":"object","properties":{"b":{"$ref":"#/$defs/B"}}},"B":{"type":"object","properties":{"a":{"$ref":"#/$defs/A"}}}}}"##
        let b = ##"{"$ref":"#/$defs/X","$defs":{"X":{"type":"object","properties":{"b":{"type":"object","properties":{"a":{"$ref":"#/$defs/X"}}}}}}}"##
        expectNone(a, b)
        // Recursion through `not` (role-swapped comparison) terminates too.
        let n = ##"{"$defs":{"N":{"not":{"$ref":"#/$defs/N"}}},"$ref":"#/$defs/N"}"##
        _ = changes(n, n)
        // Recursion against `true` (an added recursive property).
        _ = changes(##"{"type":"object"}"##, rootRecursive)
    }

    /// Found by fuzzing: a `$ref` cycle that never descends into the document must not be assumed
    /// compatible.
    func testIllFoundedRefCyclesAreConservative() {
        expectFlags("true", ##"{"$ref":"#"}"##, back: true, fwd: true)
        expectFlags(##"{"$ref":"#","$defs":{"D":{"type":"string"}}}"##, ##"{"type":"string"}"##, back: true, fwd: true)
        expectFlags(##"{"$ref":"#/$defs/D","$defs":{"D":{"$ref":"#/$defs/D"}}}"##, ##"{"$ref":"#/$defs/D","$defs":{"D":{"type":"array"}}}"##, back: true, fwd: true)
        // A cycle that descends (a tree) stays a clean comparison.
        let tree = ##"{"type":"object","properties":{"kids":{"type":"array","items":{"$ref":"#"}}}}"##
        expectNone(tree, tree)
    }

    /// 200 properties: compared with itself and with a copy with some changes.
    func testTwoHundredProperties() {
        func schema(_ change: Bool) -> JSONValue {
            var props = JSONObject()
            var required: [JSONValue] = []
            for i in 0..<200 {
                let prop: JSONValue
                switch i % 4 {
                case 0: prop = ["type": "string", "maxLength": .int(change && i == 40 ? 10 : 20), "description": .string("field \(i)")]
                case 1: prop = ["type": change && i == 101 ? "integer" : "number", "minimum": 0]
                case 2: prop = ["type": "array", "items": ["$ref": "#/$defs/Item"]]
                default: prop = ["anyOf": [["type": "string"], ["type": "null"]], "default": .null]
                }
                props["field_\(i)"] = prop
                if i % 3 == 0 { required.append(.string("field_\(i)")) }
            }
            if change {
                props["field_7"] = nil
                props["extra"] = ["type": "boolean"]
                required.append("field_1")
            }
            let item: JSONValue = ["type": "object", "properties": ["id": ["type": "integer"], "tags": ["type": "array", "items": ["type": "string"]]],
                                   "required": ["id"]]
            return ["type": "object", "title": "Big", "properties": .object(props), "required": .array(required), "$defs": ["Item": item]]
        }
        let old = schema(false), new = schema(true)
        let start = Date()
        let same = JSONSchemaCompatibility.changes(old: old, new: old)
        let diff = JSONSchemaCompatibility.changes(old: old, new: new)
        let ms = Date().timeIntervalSince(start) * 1000
        print("JSONSCHEMA-COMPAT-200 \(String(format: "%.2f", ms)) ms")
        XCTAssertEqual(same, [])
        let summary = diff.map { "\($0.code) \($0.path) \($0.breaksBackward) \($0.breaksForward)" }.sorted()
        XCTAssertEqual(summary, [
            "MAX_LENGTH_DECREASED #/properties/field_40/maxLength true false",
            "PROPERTY_ADDED #/properties/extra true false",
            "PROPERTY_REMOVED #/properties/field_7 false true",
            "REQUIRED_ADDED #/required true false",
            "TYPE_NARROWED #/properties/field_101 true false",
        ])
    }
}
