import Dispatch
import Foundation
import RegistryJSON
import RegistryJSONSchema
import RegistryStorage
import XCTest

/// Expected values come from python-jsonschema 4.26 (`Draft202012Validator.check_schema`,
/// `iter_errors`, python 3.11) run on the same JSON texts.
final class JSONSchemaValidatorTests: XCTestCase {
    private func parse(_ text: String, file: StaticString = #filePath, line: UInt = #line) -> JSONValue {
        do {
            return try JSONParser.parse(text)
        } catch {
            XCTFail("bad JSON in test: \(error)", file: file, line: line)
            return .null
        }
    }

    // MARK: - check_schema messages

    /// (schema JSON, first line of python's SchemaError message or nil when valid)
    static let metaCases: [(String, String?)] = [
        (##"{"type":"object","additionalProperties":"not_a_boolean"}"##, ##"'not_a_boolean' is not of type 'object', 'boolean'"##),
        (##"{"type":"foo"}"##, ##"'foo' is not valid under any of the given schemas"##),
        (##"{}"##, nil),
        (##"true"##, nil),
        (##"false"##, nil),
        (##"{"x-unknown": {"type": "foo"}, "foo": 1}"##, nil),
        (##"{"format": "not-a-known-format"}"##, nil),
        (##"{"format": 5}"##, ##"5 is not of type 'string'"##),
        (##"{"minLength": -1}"##, ##"-1 is less than the minimum of 0"##),
        (##"{"minLength": 1.5}"##, ##"1.5 is not of type 'integer'"##),
        (##"{"minLength": 2.0}"##, nil),
        (##"{"minLength": -0.0}"##, nil),
        (##"{"minLength": 1e400}"##, ##"inf is not of type 'integer'"##),
        (##"{"minLength": 123456789012345678901234567890}"##, nil),
        (##"{"minLength": -123456789012345678901234567890}"##, ##"-123456789012345678901234567890 is less than the minimum of 0"##),
        (##"{"required": "a"}"##, ##"'a' is not of type 'array'"##),
        (##"{"required": ["a", "a"]}"##, ##"['a', 'a'] has non-unique elements"##),
        (##"{"required": ["a", 1]}"##, ##"1 is not of type 'string'"##),
        (##"{"items": 3}"##, ##"3 is not of type 'object', 'boolean'"##),
        (##"{"items": [{}]}"##, ##"[{}] is not of type 'object', 'boolean'"##),
        (##"{"properties": {"x": {"type": "foo"}}}"##, ##"'foo' is not valid under any of the given schemas"##),
        (##"{"properties": []}"##, ##"[] is not of type 'object'"##),
        (##"{"pattern": "("}"##, ##"'(' is not a 'regex'"##),
        (##"{"pattern": "(?P<name>x)(?P=name)"}"##, nil),
        (##"{"pattern": "\\p{L}"}"##, ##"'\\p{L}' is not a 'regex'"##),
        (##"{"patternProperties": {"[a-": {}}}"##, ##"'[a-' is not a 'regex'"##),
        (##"{"$id": "#foo"}"##, ##"'#foo' does not match '^[^#]*#?$'"##),
        (##"{"$id": "http://example.com/s#"}"##, nil),
        (##"{"$anchor": "1abc"}"##, ##"'1abc' does not match '^[A-Za-z_][-A-Za-z0-9._]*$'"##),
        (##"{"$anchor": "ok\n"}"##, nil),
        (##"{"type": "it's"}"##, ##""it's" is not valid under any of the given schemas"##),
        (##"{"type": "say \"hi\""}"##, ##"'say "hi"' is not valid under any of the given schemas"##),
        (##"{"type": "both ' and \""}"##, ##"'both \' and "' is not valid under any of the given schemas"##),
        (##"{"type": "x\u2028y\u00e9\u0000"}"##, ##"'x\u2028yé\x00' is not valid under any of the given schemas"##),
        (##"{"enum": {}}"##, ##"{} is not of type 'array'"##),
        (##"{"enum": []}"##, nil),
        (##"{"const": null, "enum": [1, "a", null]}"##, nil),
        (##"{"multipleOf": 0}"##, ##"0 is less than or equal to the minimum of 0"##),
        (##"{"multipleOf": -0.5}"##, ##"-0.5 is less than or equal to the minimum of 0"##),
        (##"{"type": ["string", "string"]}"##, ##"['string', 'string'] is not valid under any of the given schemas"##),
        (##"{"type": []}"##, ##"[] is not valid under any of the given schemas"##),
        (##"5"##, ##"5 is not of type 'object', 'boolean'"##),
        (##""schema""##, ##"'schema' is not of type 'object', 'boolean'"##),
        (##"null"##, ##"None is not of type 'object', 'boolean'"##),
        (##"[{}]"##, ##"[{}] is not of type 'object', 'boolean'"##),
        (##"{"allOf": []}"##, ##"[] should be non-empty"##),
        (##"{"anyOf": [{}, 3]}"##, ##"3 is not of type 'object', 'boolean'"##),
        (##"{"$defs": {"a": {"properties": {"b": {"minItems": "x"}}}}}"##, ##"'x' is not of type 'integer'"##),
        (##"{"dependentRequired": {"a": "b"}}"##, ##"'b' is not of type 'array'"##),
        (##"{"dependentRequired": {"a": ["b", "b"]}}"##, ##"['b', 'b'] has non-unique elements"##),
        (##"{"$vocabulary": {"x": 1}}"##, ##"1 is not of type 'boolean'"##),
        (##"{"definitions": {"a": 3}}"##, ##"3 is not of type 'object', 'boolean'"##),
        (##"{"dependencies": {"a": ["b", 1]}}"##, ##"['b', 1] is not valid under any of the given schemas"##),
        (##"{"minContains": -1}"##, ##"-1 is less than the minimum of 0"##),
        (##"{"uniqueItems": "yes"}"##, ##"'yes' is not of type 'boolean'"##),
        (##"{"exclusiveMinimum": "1"}"##, ##"'1' is not of type 'number'"##),
        (##"{"maxLength": "x", "minLength": -1}"##, ##"'x' is not of type 'integer'"##),
        (##"{"not": {"items": {"type": 5}}}"##, ##"5 is not valid under any of the given schemas"##),
        (##"{"$schema": "https://json-schema.org/draft/2020-12/schema", "$id": "https://example.com/person.schema.json", "title": "Person", "type": "object", "properties": {"firstName": {"type": "string"}, "age": {"type": "integer", "minimum": 0}}, "required": ["firstName"]}"##, nil),
        (##"{"items": 3}"##, ##"3 is not of type 'object', 'boolean'"##),
        (##"{"dependencies": {"d": {"additionalProperties": null, "oneOf": []}}}"##, ##"{'additionalProperties': None, 'oneOf': []} is not valid under any of the given schemas"##),
        (##"{"type": [1.2345678901234567e+19]}"##, ##"[1.2345678901234567e+19] is not valid under any of the given schemas"##),
        (##"{"type": [1e+22]}"##, ##"[1e+22] is not valid under any of the given schemas"##),
        (##"{"type": "String"}"##, ##"'String' is not valid under any of the given schemas"##),
        (##"{"dependencies": {"d": {"minLength": 1.5}}}"##, ##"{'minLength': 1.5} is not valid under any of the given schemas"##),
        (##"{"maxProperties": -3}"##, ##"-3 is less than the minimum of 0"##),
        (##"{"allOf": [{}, {"anyOf": [true, 3], "uniqueItems": "yes", "$anchor": "a b", "$comment": 5}]}"##, ##"'a b' does not match '^[A-Za-z_][-A-Za-z0-9._]*$'"##),
        (##"{"type": "\u00ad\u0600\udb40\udc01"}"##, ##"'\xad\u0600\U000e0001' is not valid under any of the given schemas"##),
        (##"{"dependencies": {"d": {"title": null, "minContains": -1, "anyOf": null, "multipleOf": true}}}"##, ##"{'title': None, 'minContains': -1, 'anyOf': None, 'multipleOf': True} is not valid under any of the given schemas"##),
        (##"{"contentSchema": {"required": ["a", "b", "a"], "minLength": -99999999999999999999999, "multipleOf": 0.0}}"##, ##"0.0 is less than or equal to the minimum of 0"##),
        (##"{"type": 1e400}"##, ##"inf is not valid under any of the given schemas"##),
        (##"{"dependencies": {"d": {"uniqueItems": 1}}}"##, ##"{'uniqueItems': 1} is not valid under any of the given schemas"##),
        (##"{"not": {"type": "nope"}}"##, ##"'nope' is not valid under any of the given schemas"##),
        (##"{"minLength": -1.0}"##, ##"-1.0 is less than the minimum of 0"##),
        (##"{"dependencies": {"d": {"minLength": [], "pattern": "(", "minItems": -1}}}"##, ##"{'minLength': [], 'pattern': '(', 'minItems': -1} is not valid under any of the given schemas"##),
        (##"{"type": []}"##, ##"[] is not valid under any of the given schemas"##),
        (##"{"dependencies": {"d": {"contains": 3}}}"##, ##"{'contains': 3} is not valid under any of the given schemas"##),
        (##"{"dependencies": {"d": {"$anchor": "1abc"}}}"##, ##"{'$anchor': '1abc'} is not valid under any of the given schemas"##),
        (##"{"unevaluatedProperties": {"contentMediaType": null, "enum": null, "type": "String"}}"##, ##"'String' is not valid under any of the given schemas"##),
        (##"{"$id": "http://example.com/root.json#", "$defs": {"A": {"$id": "#/nope"}}}"##, ##"'#/nope' does not match '^[^#]*#?$'"##),
        (##"{"type": [-1.25]}"##, ##"[-1.25] is not valid under any of the given schemas"##),
        (##"{"dependencies": {"d": {"maxContains": -1}}}"##, ##"{'maxContains': -1} is not valid under any of the given schemas"##),
        (##"{"multipleOf": 0.0}"##, ##"0.0 is less than or equal to the minimum of 0"##),
        (##"{"type": "object", "properties": {"x": {"exclusiveMinimum": "1", "dependentRequired": [], "$id": "#foo"}}}"##, ##"'#foo' does not match '^[^#]*#?$'"##),
        (##"{"maxLength": -5}"##, ##"-5 is less than the minimum of 0"##),
        (##"{"dependencies": {"d": {"patternProperties": {"a**": {}}}}}"##, ##"{'patternProperties': {'a**': {}}} is not valid under any of the given schemas"##),
        (##"{"type": [1.0]}"##, ##"[1.0] is not valid under any of the given schemas"##),
        (##"{"type": 5}"##, ##"5 is not valid under any of the given schemas"##),
        (##"{"type": -0.0}"##, ##"-0.0 is not valid under any of the given schemas"##),
        (##"{"unevaluatedProperties": {"$defs": {"x": {"type": "bad"}}, "$recursiveRef": 5, "enum": "abc", "minLength": "3"}}"##, ##"'bad' is not valid under any of the given schemas"##),
        (##"{"type": "foo"}"##, ##"'foo' is not valid under any of the given schemas"##),
        (##"{"type": [9007199254740993]}"##, ##"[9007199254740993] is not valid under any of the given schemas"##),
        (##"{"multipleOf": 0}"##, ##"0 is less than or equal to the minimum of 0"##),
        (##"{"properties": {"a": {"properties": {"b": {"items": {"dependentSchemas": {"a": {"minItems": -1}}}}}}}}"##, ##"-1 is less than the minimum of 0"##),
        (##"{"type": 1.5}"##, ##"1.5 is not valid under any of the given schemas"##),
        (##"{"items": {"maxItems": -2, "properties": {"a": {"type": "foo"}}, "patternProperties": {"[a-": true}}}"##, ##"'foo' is not valid under any of the given schemas"##),
        (##"{"multipleOf": -1}"##, ##"-1 is less than or equal to the minimum of 0"##),
        (##"{"dependencies": {"d": {"deprecated": "yes"}}}"##, ##"{'deprecated': 'yes'} is not valid under any of the given schemas"##),
        (##"{"type": "\u0378"}"##, ##"'\u0378' is not valid under any of the given schemas"##),
        (##"{"type": "both ' and \""}"##, ##"'both \' and "' is not valid under any of the given schemas"##),
        (##"{"properties": {"a": {"properties": {"b": {"items": {"allOf": [{}, {"type": 1}]}}}}}}"##, ##"1 is not valid under any of the given schemas"##),
        (##"{"dependencies": {"d": {"type": "String", "readOnly": 1}}}"##, ##"{'type': 'String', 'readOnly': 1} is not valid under any of the given schemas"##),
        (##"{"type": "\ud7ff\uf8ff"}"##, ##"'\ud7ff\uf8ff' is not valid under any of the given schemas"##),
        (##"{"properties": {"a": {"properties": {"b": {"items": {"maxItems": 3.5, "minContains": "x"}}}}}}"##, ##"3.5 is not of type 'integer'"##),
        (##"{"properties": {"a": {"properties": {"b": {"items": {"additionalProperties": "x"}}}}}}"##, ##"'x' is not of type 'object', 'boolean'"##),
        (##"{"type": [{}]}"##, ##"[{}] is not valid under any of the given schemas"##),
        (##"{"type": [1.5e+16]}"##, ##"[1.5e+16] is not valid under any of the given schemas"##),
        (##"{"dependencies": {"d": {"dependentSchemas": []}}}"##, ##"{'dependentSchemas': []} is not valid under any of the given schemas"##),
        (##"{"$defs": {"y": {"pattern": "[z-a]", "multipleOf": -0.5, "examples": "x", "contentMediaType": null}}}"##, ##"-0.5 is less than or equal to the minimum of 0"##),
        (##"{"dependencies": {"d": {"items": 3}}}"##, ##"{'items': 3} is not valid under any of the given schemas"##),
        (##"{"dependencies": {"d": {"$defs": []}}}"##, ##"{'$defs': []} is not valid under any of the given schemas"##),
        (##"{"type": {"a": 1}}"##, ##"{'a': 1} is not valid under any of the given schemas"##),
        (##"{"minLength": -99999999999999999999999}"##, ##"-99999999999999999999999 is less than the minimum of 0"##),
        (##"{"type": [0.1]}"##, ##"[0.1] is not valid under any of the given schemas"##),
        (##"{"dependencies": {"d": {"maximum": true}}}"##, ##"{'maximum': True} is not valid under any of the given schemas"##),
        (##"{"prefixItems": []}"##, ##"[] should be non-empty"##),
        (##"{"type": true}"##, ##"True is not valid under any of the given schemas"##),
        (##"{"dependencies": {"d": {"pattern": "(?#unterminated"}}}"##, ##"{'pattern': '(?#unterminated'} is not valid under any of the given schemas"##),
        (##"{"patternProperties": {"(": {}}}"##, ##"'(' is not a 'regex'"##),
    ]

    func testMetaSchemaErrorMatchesPython() {
        for (text, expected) in JSONSchemaValidatorTests.metaCases {
            let got = JSONSchemaCheck.metaSchemaError(parse(text))
            XCTAssertEqual(got, expected, "schema: \(text)")
        }
    }

    func testBriefExamples() {
        XCTAssertEqual(JSONSchemaCheck.metaSchemaError(parse(#"{"type":"object","additionalProperties":"not_a_boolean"}"#)),
                       "'not_a_boolean' is not of type 'object', 'boolean'")
        XCTAssertEqual(JSONSchemaCheck.metaSchemaError(parse(#"{"type":"foo"}"#)),
                       "'foo' is not valid under any of the given schemas")
        XCTAssertNil(JSONSchemaCheck.metaSchemaError(parse("{}")))
        XCTAssertNil(JSONSchemaCheck.metaSchemaError(parse(#"{"totallyUnknown": [1, {"type": "nope"}], "format": "whatever"}"#)))
    }

    func testFirstErrorIsIterationOrderNotBestMatch() {
        // check_schema raises the first error iter_errors yields: maxLength is checked before minLength
        // in the validation vocabulary (best_match would pick "-1 is less than the minimum of 0").
        XCTAssertEqual(JSONSchemaCheck.metaSchemaError(parse(#"{"minLength": -1, "maxLength": "x"}"#)),
                       "'x' is not of type 'integer'")
    }

    func testMetaSchemasAndPydanticLikeSchemasAreValid() throws {
        let docs = [
            ##"{"$schema": "https://json-schema.org/draft/2020-12/schema", "$id": "https://json-schema.org/draft/2020-12/schema", "$vocabulary": {"https://json-schema.org/draft/2020-12/vocab/core": true}, "$dynamicAnchor": "meta", "allOf": [{"$ref": "meta/core"}], "type": ["object", "boolean"], "properties": {"definitions": {"type": "object", "additionalProperties": {"$dynamicRef": "#meta"}, "deprecated": true, "default": {}}}}"##,
            ##"{"$defs": {"Address": {"properties": {"street": {"title": "Street", "type": "string"}, "zip": {"anyOf": [{"pattern": "^\\d{5}(-\\d{4})?$", "type": "string"}, {"type": "null"}], "default": null, "title": "Zip"}}, "required": ["street"], "title": "Address", "type": "object"}, "Cat": {"properties": {"kind": {"const": "cat", "title": "Kind", "type": "string"}}, "required": ["kind"], "title": "Cat", "type": "object"}, "Dog": {"properties": {"kind": {"const": "dog", "title": "Kind", "type": "string"}, "bark": {"default": 1.5, "exclusiveMinimum": 0, "multipleOf": 0.5, "title": "Bark", "type": "number"}}, "required": ["kind"], "title": "Dog", "type": "object"}}, "properties": {"id": {"format": "uuid", "title": "Id", "type": "string"}, "address": {"$ref": "#/$defs/Address"}, "tags": {"items": {"type": "string"}, "title": "Tags", "type": "array", "uniqueItems": true}, "pet": {"discriminator": {"mapping": {"cat": "#/$defs/Cat", "dog": "#/$defs/Dog"}, "propertyName": "kind"}, "oneOf": [{"$ref": "#/$defs/Cat"}, {"$ref": "#/$defs/Dog"}], "title": "Pet"}, "pair": {"maxItems": 2, "minItems": 2, "prefixItems": [{"type": "integer"}, {"type": "string"}], "type": "array"}}, "required": ["id", "address", "pet"], "title": "User", "type": "object"}"##,
        ]
        for d in docs {
            XCTAssertNil(JSONSchemaCheck.metaSchemaError(parse(d)), d)
            XCTAssertNoThrow(try JSONSchemaValidator(schema: parse(d)))
        }
        // The official meta-schema validates itself (and is usable as a $ref target).
        let v = try JSONSchemaValidator(schema: parse(#"{"$ref": "https://json-schema.org/draft/2020-12/schema"}"#))
        XCTAssertTrue(v.isValid(parse(#"{"type": "string", "minLength": 2}"#)))
        XCTAssertEqual(v.errors(parse(#"{"type": 5}"#)).first?.message, "5 is not valid under any of the given schemas")
    }

    // MARK: - instance validation

    func testErrorsOrderPathsAndSchemaPaths() throws {
        let v = try JSONSchemaValidator(schema: parse(#"""
            {"type": "object", "properties": {"name": {"type": "string", "minLength": 2},
             "age": {"type": "integer", "minimum": 0, "maximum": 150}},
             "required": ["name", "age"], "additionalProperties": false}
            """#))
        XCTAssertTrue(v.isValid(parse(#"{"name": "Al", "age": 3.0}"#)))
        let errs = v.errors(parse(#"{"name": "A", "age": -1, "extra": 1, "zzz": 2}"#))
        XCTAssertEqual(errs.map { $0.message }, [
            "'A' is too short",
            "-1 is less than the minimum of 0",
            "Additional properties are not allowed ('extra', 'zzz' were unexpected)",
        ])
        XCTAssertEqual(errs.map { $0.path }, [["name"], ["age"], []])
        XCTAssertEqual(errs.map { $0.schemaPath }, [
            ["properties", "name", "minLength"], ["properties", "age", "minimum"], ["additionalProperties"],
        ])
        XCTAssertEqual(errs.map { $0.validator }, ["minLength", "minimum", "additionalProperties"])
        XCTAssertFalse(v.isValid(parse("[]")))
        XCTAssertEqual(v.errors(parse("{}")).map { $0.message }, ["'name' is a required property", "'age' is a required property"])
    }

    func testAnyOfContextAndFalseSchema() throws {
        let v = try JSONSchemaValidator(schema: parse(#"{"anyOf": [{"type": "object", "required": ["a"]}, {"type": "array", "minItems": 3}, false]}"#))
        let errs = v.errors(parse("[1]"))
        XCTAssertEqual(errs.count, 1)
        XCTAssertEqual(errs[0].message, "[1] is not valid under any of the given schemas")
        XCTAssertEqual(errs[0].validator, "anyOf")
        XCTAssertEqual(errs[0].context.map { $0.message },
                       ["[1] is not of type 'object'", "[1] is too short", "False schema does not allow [1]"])
        XCTAssertEqual(errs[0].context.map { $0.schemaPath }, [["0", "type"], ["1", "minItems"], []])
        XCTAssertEqual(errs[0].context[2].validator, "")
    }

    func testKeywordMessages() throws {
        func first(_ schema: String, _ instance: String) throws -> String? {
            try JSONSchemaValidator(schema: parse(schema)).errors(parse(instance)).first?.message
        }
        XCTAssertEqual(try first(#"{"enum": [1, "a", null]}"#, "true"), "True is not one of [1, 'a', None]")
        XCTAssertNil(try first(#"{"enum": [1, "a", null]}"#, "1.0"))
        XCTAssertEqual(try first(#"{"const": {"a": [1, true]}}"#, #"{"a": [1, 1]}"#), "{'a': [1, True]} was expected")
        XCTAssertNil(try first(#"{"const": {"a": 1, "b": 2}}"#, #"{"b": 2.0, "a": 1}"#))
        XCTAssertEqual(try first(#"{"multipleOf": 0.1}"#, "0.35"), "0.35 is not a multiple of 0.1")
        XCTAssertNil(try first(#"{"multipleOf": 2}"#, "9223372036854775808"))
        XCTAssertEqual(try first(#"{"minimum": 9007199254740993}"#, "9007199254740992.0"),
                       "9007199254740992.0 is less than the minimum of 9007199254740993")
        XCTAssertEqual(try first(#"{"maxLength": 2}"#, #""aé🎉""#), "'aé🎉' is too long")
        XCTAssertEqual(try first(#"{"minItems": 1}"#, "[]"), "[] should be non-empty")
        XCTAssertEqual(try first(#"{"maxProperties": 0}"#, #"{"a": 1}"#), "{'a': 1} is expected to be empty")
        XCTAssertEqual(try first(#"{"uniqueItems": true}"#, "[1, true, 1.0]"), "[1, True, 1.0] has non-unique elements")
        XCTAssertEqual(try first(#"{"prefixItems": [{"type": "string"}], "items": false}"#, #"["a", 1, 2]"#),
                       "Expected at most 1 item but found 2 extra: [1, 2]")
        XCTAssertEqual(try first(#"{"contains": {"type": "string"}, "minContains": 2}"#, #"["a", 1]"#),
                       "Too few items match the given schema (expected at least 2 but only 1 matched)")
        XCTAssertEqual(try first(#"{"dependentRequired": {"a": ["b"]}}"#, #"{"a": 1}"#), "'b' is a dependency of 'a'")
        XCTAssertEqual(try first(#"{"oneOf": [{"type": "integer"}, {"minimum": 2}]}"#, "5"),
                       "5 is valid under each of {'minimum': 2}, {'type': 'integer'}")
        XCTAssertEqual(try first(#"{"not": {"type": "string"}}"#, #""x""#), "'x' should not be valid under {'type': 'string'}")
        XCTAssertEqual(try first(#"{"type": "integer"}"#, #""it's""#), #""it's" is not of type 'integer'"#)
        XCTAssertNil(try first(#"{"type": "integer"}"#, "1.0"))
        XCTAssertEqual(try first(#"{"properties": {"a": {}}, "unevaluatedProperties": false}"#, #"{"a": 1, "c": 1, "b": 2}"#),
                       "Unevaluated properties are not allowed ('b', 'c' were unexpected)")
        XCTAssertEqual(try first(#"{"additionalProperties": false, "patternProperties": {"^x": {}}}"#, #"{"xa": 1, "b": 2}"#),
                       "'b' does not match any of the regexes: '^x'")
        XCTAssertNil(try first(#"{"format": "email"}"#, #""not an email""#))
    }

    func testPythonRegexSemantics() throws {
        let v = try JSONSchemaValidator(schema: parse(#"{"pattern": "^a.c$"}"#))
        XCTAssertTrue(v.isValid(parse(#""abc\n""#)))       // python `$` matches before a final newline
        XCTAssertFalse(v.isValid(parse(#""a\nc""#)))        // `.` does not match a newline
        XCTAssertTrue(v.isValid(parse(#""a\rc""#)))         // ...but does match \r
        let named = try JSONSchemaValidator(schema: parse(#"{"pattern": "(?P<first_word>\\w+) (?P=first_word)"}"#))
        XCTAssertTrue(named.isValid(parse(#""hello hello""#)))
        XCTAssertFalse(named.isValid(parse(#""hello world""#)))
        let set = try JSONSchemaValidator(schema: parse(#"{"pattern": "^[[]$"}"#))
        XCTAssertTrue(set.isValid(parse(#""[""#)))
    }

    func testReferencesAndDynamicReferences() throws {
        let v = try JSONSchemaValidator(schema: parse(#"""
            {"$id": "https://test.json-schema.org/typical-dynamic-resolution/root", "$ref": "list",
             "$defs": {"foo": {"$dynamicAnchor": "items", "type": "string"},
                       "list": {"$id": "list", "type": "array", "items": {"$dynamicRef": "#items"},
                                "$defs": {"items": {"$dynamicAnchor": "items"}}}}}
            """#))
        XCTAssertTrue(v.isValid(parse(#"["foo", "bar"]"#)))
        let errs = v.errors(parse(#"["foo", 42]"#))
        XCTAssertEqual(errs.map { $0.message }, ["42 is not of type 'string'"])
        XCTAssertEqual(errs.first?.path, ["1"])
        XCTAssertEqual(errs.first?.schemaPath, ["items", "$dynamicRef", "type"])

        let pointers = try JSONSchemaValidator(schema: parse(#"""
            {"$defs": {"a~b": {"type": "string"}, "c/d": {"type": "integer"}, "e%f": {"type": "null"}},
             "properties": {"p": {"$ref": "#/$defs/a~0b"}, "q": {"$ref": "#/$defs/c~1d"}, "r": {"$ref": "#/$defs/e%25f"}}}
            """#))
        XCTAssertEqual(pointers.errors(parse(#"{"p": 1, "q": "x", "r": 1}"#)).map { $0.message },
                       ["1 is not of type 'string'", "'x' is not of type 'integer'", "1 is not of type 'null'"])
    }

    func testInitRejectsInvalidAndUnresolvableSchemas() {
        XCTAssertThrowsError(try JSONSchemaValidator(schema: parse(#"{"type": "foo"}"#))) { error in
            XCTAssertEqual(error as? JSONSchemaValidatorError,
                           .invalidSchema("'foo' is not valid under any of the given schemas"))
        }
        XCTAssertThrowsError(try JSONSchemaValidator(schema: parse(#"{"$ref": "https://example.com/elsewhere.json"}"#))) { error in
            XCTAssertEqual(error as? JSONSchemaValidatorError, .unresolvableReference("https://example.com/elsewhere.json"))
        }
    }

    func testSelfReferenceDoesNotCrash() throws {
        // python raises RecursionError; here the evaluation is cut off with an error.
        let v = try JSONSchemaValidator(schema: parse(##"{"$ref": "#"}"##))
        XCTAssertFalse(v.isValid(parse("1")))
        XCTAssertEqual(v.errors(parse("1")).last?.message, "maximum recursion depth exceeded")
    }

    func testNestedSchemas() {
        // python itself gives up (RecursionError) at about 100 levels; debug builds need far more
        // stack per level than release builds, so stay well inside both.
        var text = "true"
        for _ in 0..<40 { text = #"{"properties": {"a": \#(text)}}"# }
        XCTAssertNil(JSONSchemaCheck.metaSchemaError(parse(text)))
        text = #"{"minLength": -1}"#
        for _ in 0..<40 { text = #"{"items": \#(text)}"# }
        XCTAssertEqual(JSONSchemaCheck.metaSchemaError(parse(text)), "-1 is less than the minimum of 0")
    }

    func testPathologicalNestingDoesNotCrash() {
        // Deeper than python can go (RecursionError there): must not overflow the stack here.
        var text = "true"
        for _ in 0..<255 { text = #"{"properties": {"a": \#(text)}}"# }
        let message = JSONSchemaCheck.metaSchemaError(parse(text))
        XCTAssertTrue(message == nil || message == "maximum recursion depth exceeded", message ?? "")
        let regex = String(repeating: "(", count: 5_000) + String(repeating: ")", count: 5_000)
        XCTAssertEqual(JSONSchemaCheck.metaSchemaError(.object(["pattern": .string(regex)])),
                       quoted(regex) + " is not a 'regex'")
    }

    // MARK: - concurrency and speed

    func testConcurrentMetaChecks() {
        let schemas = JSONSchemaValidatorTests.metaCases.map { (parse($0.0), $0.1) }
        let failures = Atomicish()
        DispatchQueue.concurrentPerform(iterations: 8) { _ in
            for (s, expected) in schemas where JSONSchemaCheck.metaSchemaError(s) != expected {
                failures.increment()
            }
        }
        XCTAssertEqual(failures.value, 0)
    }

    func testMetaCheckSpeed() {
        var props: [String] = []
        for i in 0..<20 {
            props.append(#""field_\#(i)": {"title": "Field \#(i)", "anyOf": [{"type": "string", "maxLength": 50, "pattern": "^[a-z]+$"}, {"type": "null"}], "default": null}"#)
        }
        let text = ##"{"$defs": {"Inner": {"type": "object", "properties": {"x": {"type": "integer", "minimum": 0}}, "required": ["x"]}}, "type": "object", "properties": {\##(props.joined(separator: ", ")), "inner": {"$ref": "#/$defs/Inner"}}, "required": ["field_0"]}"##
        let schema = parse(text)
        XCTAssertNil(JSONSchemaCheck.metaSchemaError(schema))
        let n = 200
        let start = Date()
        for _ in 0..<n { _ = JSONSchemaCheck.metaSchemaError(schema) }
        let perCall = Date().timeIntervalSince(start) / Double(n)
        // ~0.15 ms in release builds for this ~2.3 KB schema; generous bound for debug / CI.
        XCTAssertLessThan(perCall, 0.05, "\(text.utf8.count) bytes: \(perCall * 1000) ms per call")
    }
}

/// repr() of an ASCII string without quotes or backslashes.
private func quoted(_ s: String) -> String { "'" + s + "'" }

private final class Atomicish: @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0
    func increment() {
        lock.lock()
        count += 1
        lock.unlock()
    }
    var value: Int {
        lock.lock()
        defer { lock.unlock() }
        return count
    }
}
