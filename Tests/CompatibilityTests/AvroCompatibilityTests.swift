import RegistryCompatibility
import RegistryJSON
import Foundation
import XCTest

/// Hand-written pairs for each schema-resolution rule of the Avro specification: codes, paths and
/// both flags (backward: new reads old data; forward: old reads new data).
final class AvroCompatibilityTests: XCTestCase {
    // MARK: Helpers

    private func json(_ text: String, file: StaticString = #filePath, line: UInt = #line) -> JSONValue {
        do { return try JSONParser.parse(text) } catch {
            XCTFail("bad JSON in the test: \(error)", file: file, line: line)
            return .null
        }
    }

    private func changes(_ old: String, _ new: String, file: StaticString = #filePath, line: UInt = #line) -> [SchemaChange] {
        AvroCompatibility.changes(old: json(old, file: file, line: line), new: json(new, file: file, line: line))
    }

    /// Asserts exactly these changes (code, path, breaksBackward, breaksForward), in any order.
    private func assertChanges(
        _ old: String, _ new: String, _ expected: [(String, String, Bool, Bool)],
        file: StaticString = #filePath, line: UInt = #line
    ) {
        let found = changes(old, new, file: file, line: line)
        let actual = found.map { "\($0.code) \($0.path) b=\($0.breaksBackward) f=\($0.breaksForward)" }.sorted()
        let wanted = expected.map { "\($0.0) \($0.1) b=\($0.2) f=\($0.3)" }.sorted()
        XCTAssertEqual(actual, wanted, "descriptions: \(found.map(\.description))", file: file, line: line)
        for change in found {
            XCTAssertFalse(change.description.isEmpty, file: file, line: line)
        }
        // The flags agree with the resolution question asked of the whole schemas.
        XCTAssertEqual(found.contains(where: \.breaksBackward), !AvroCompatibility.canRead(reader: json(new), writer: json(old)),
                       "backward flag vs resolution", file: file, line: line)
        XCTAssertEqual(found.contains(where: \.breaksForward), !AvroCompatibility.canRead(reader: json(old), writer: json(new)),
                       "forward flag vs resolution", file: file, line: line)
    }

    private func record(_ fields: String, name: String = "R", extra: String = "") -> String {
        #"{"type": "record", "name": "\#(name)"\#(extra), "fields": [\#(fields)]}"#
    }

    // MARK: Identity

    func testIdenticalSchemasHaveNoChanges() {
        let schema = record(#"{"name": "a", "type": "int"}, {"name": "b", "type": ["null", "string"], "default": null}"#)
        assertChanges(schema, schema, [])
        assertChanges(#""string""#, #"{"type": "string"}"#, [])
    }

    // MARK: Records: fields

    func testFieldAddedWithDefault() {
        assertChanges(
            record(#"{"name": "a", "type": "int"}"#),
            record(#"{"name": "a", "type": "int"}, {"name": "b", "type": "string", "default": "x"}"#),
            [("FIELD_ADDED_WITH_DEFAULT", "#/fields/b", false, false)]
        )
    }

    func testFieldAddedWithoutDefaultBreaksBackward() {
        let found = changes(
            record(#"{"name": "a", "type": "int"}"#),
            record(#"{"name": "a", "type": "int"}, {"name": "b", "type": "string"}"#)
        )
        XCTAssertEqual(found.count, 1)
        XCTAssertEqual(found.first?.code, "FIELD_ADDED_WITHOUT_DEFAULT")
        XCTAssertEqual(found.first?.path, "#/fields/b")
        XCTAssertEqual(found.first?.breaksBackward, true)
        XCTAssertEqual(found.first?.breaksForward, false)
        XCTAssertEqual(found.first?.description, "Field 'b' added without a default: the new schema cannot read old data")
    }

    func testFieldRemovedBreaksForwardUnlessTheOldFieldHasADefault() {
        assertChanges(
            record(#"{"name": "a", "type": "int"}, {"name": "b", "type": "string"}"#),
            record(#"{"name": "a", "type": "int"}"#),
            [("FIELD_REMOVED", "#/fields/b", false, true)]
        )
        assertChanges(
            record(#"{"name": "a", "type": "int"}, {"name": "b", "type": "string", "default": ""}"#),
            record(#"{"name": "a", "type": "int"}"#),
            [("FIELD_REMOVED", "#/fields/b", false, false)]
        )
    }

    func testFieldDefaultsAndFieldAliasesAreReportedWithoutBreaking() {
        assertChanges(
            record(#"{"name": "a", "type": "int"}, {"name": "b", "type": "int", "default": 1, "aliases": ["x"]}"#),
            record(#"{"name": "a", "type": "int", "default": 0}, {"name": "b", "type": "int", "default": 2, "aliases": ["y"]}"#),
            [
                ("FIELD_DEFAULT_ADDED", "#/fields/a", false, false),
                ("FIELD_DEFAULT_CHANGED", "#/fields/b", false, false),
                ("FIELD_ALIAS_ADDED", "#/fields/b", false, false),
                ("FIELD_ALIAS_REMOVED", "#/fields/b", false, false),
            ]
        )
    }

    func testFieldRenamedWithAnAliasInTheNewSchemaReadsBackwardOnly() {
        // New reader field `full_name` aliases old `name`: backward resolves. Forward: the old reader
        // field `name` finds nothing in new data and has no default.
        assertChanges(
            record(#"{"name": "name", "type": "string"}"#),
            record(#"{"name": "full_name", "type": "string", "aliases": ["name"]}"#),
            [("FIELD_RENAMED", "#/fields/full_name", false, true)]
        )
    }

    func testFieldRenamedWithAnAliasInTheOldSchemaReadsForwardOnly() {
        assertChanges(
            record(#"{"name": "name", "type": "string", "aliases": ["full_name"]}"#),
            record(#"{"name": "full_name", "type": "string"}"#),
            [("FIELD_RENAMED", "#/fields/full_name", true, false)]
        )
    }

    func testFieldRenamedThroughAnAliasComparesTheTypesInTheDirectionsItMatches() {
        // Matched by the new field's alias (backward only): int → string breaks backward there;
        // forward the old field `n` has a default, so nothing breaks forward.
        assertChanges(
            record(#"{"name": "n", "type": "int", "default": 0}"#),
            record(#"{"name": "m", "type": "string", "aliases": ["n"]}"#),
            [
                ("FIELD_RENAMED", "#/fields/m", false, false),
                ("TYPE_CHANGED", "#/fields/m", true, false),
            ]
        )
    }

    func testNestedRecordFieldPaths() {
        let old = record(#"{"name": "address", "type": {"type": "record", "name": "Address", "fields": [{"name": "city", "type": "string"}]}}"#)
        let new = record(#"{"name": "address", "type": {"type": "record", "name": "Address", "fields": [{"name": "city", "type": "int"}, {"name": "zip", "type": "string"}]}}"#)
        assertChanges(old, new, [
            ("TYPE_CHANGED", "#/fields/address/fields/city", true, true),
            ("FIELD_ADDED_WITHOUT_DEFAULT", "#/fields/address/fields/zip", true, false),
        ])
        let found = changes(old, new)
        XCTAssertTrue(found.contains { $0.description == "Field 'address.city' type changed from string to int" }, "\(found.map(\.description))")
    }

    // MARK: Primitives

    func testPromotionsReadBackwardAndBreakForward() {
        for (from, to) in [("int", "long"), ("int", "float"), ("int", "double"), ("long", "float"), ("long", "double"), ("float", "double")] {
            assertChanges(
                record(#"{"name": "v", "type": "\#(from)"}"#), record(#"{"name": "v", "type": "\#(to)"}"#),
                [("TYPE_PROMOTED", "#/fields/v", false, true)]
            )
            assertChanges(
                record(#"{"name": "v", "type": "\#(to)"}"#), record(#"{"name": "v", "type": "\#(from)"}"#),
                [("TYPE_NARROWED", "#/fields/v", true, false)]
            )
        }
    }

    func testStringAndBytesPromoteBothWays() {
        assertChanges(record(#"{"name": "v", "type": "string"}"#), record(#"{"name": "v", "type": "bytes"}"#),
                      [("TYPE_PROMOTED", "#/fields/v", false, false)])
        assertChanges(record(#"{"name": "v", "type": "bytes"}"#), record(#"{"name": "v", "type": "string"}"#),
                      [("TYPE_PROMOTED", "#/fields/v", false, false)])
    }

    func testUnrelatedTypesBreakBothWays() {
        assertChanges(record(#"{"name": "v", "type": "int"}"#), record(#"{"name": "v", "type": "string"}"#),
                      [("TYPE_CHANGED", "#/fields/v", true, true)])
        assertChanges(record(#"{"name": "v", "type": "boolean"}"#), record(#"{"name": "v", "type": "int"}"#),
                      [("TYPE_CHANGED", "#/fields/v", true, true)])
        assertChanges(#""int""#, #""null""#, [("TYPE_CHANGED", "#", true, true)])
        assertChanges(
            record(#"{"name": "v", "type": {"type": "array", "items": "int"}}"#),
            record(#"{"name": "v", "type": {"type": "map", "values": "int"}}"#),
            [("TYPE_CHANGED", "#/fields/v", true, true)]
        )
    }

    func testPrimitiveNamesAsStringsOrObjectsAreTheSame() {
        assertChanges(record(#"{"name": "v", "type": "long"}"#), record(#"{"name": "v", "type": {"type": "long"}}"#), [])
        assertChanges(record(#"{"name": "v", "type": {"type": "int"}}"#), record(#"{"name": "v", "type": "long"}"#),
                      [("TYPE_PROMOTED", "#/fields/v", false, true)])
    }

    func testLogicalTypesFollowTheirUnderlyingType() {
        assertChanges(
            record(#"{"name": "t", "type": {"type": "long", "logicalType": "timestamp-millis"}}"#),
            record(#"{"name": "t", "type": {"type": "long", "logicalType": "timestamp-micros"}}"#),
            [("LOGICAL_TYPE_CHANGED", "#/fields/t", false, false)]
        )
        assertChanges(
            record(#"{"name": "d", "type": {"type": "int", "logicalType": "date"}}"#),
            record(#"{"name": "d", "type": "long"}"#),
            [("TYPE_PROMOTED", "#/fields/d", false, true)]
        )
        assertChanges(
            record(#"{"name": "u", "type": {"type": "string", "logicalType": "uuid"}}"#),
            record(#"{"name": "u", "type": "int"}"#),
            [("TYPE_CHANGED", "#/fields/u", true, true)]
        )
    }

    // MARK: Enums

    func testEnumSymbolAddedBreaksForwardUnlessTheOldEnumHasADefault() {
        let field = { (symbols: String, extra: String) in
            self.record(#"{"name": "suit", "type": {"type": "enum", "name": "Suit", "symbols": [\#(symbols)]\#(extra)}}"#)
        }
        assertChanges(field(#""SPADES", "HEARTS""#, ""), field(#""SPADES", "HEARTS", "CLUBS""#, ""),
                      [("ENUM_SYMBOL_ADDED", "#/fields/suit/symbols/CLUBS", false, true)])
        assertChanges(field(#""SPADES", "HEARTS""#, #", "default": "SPADES""#), field(#""SPADES", "HEARTS", "CLUBS""#, #", "default": "SPADES""#),
                      [("ENUM_SYMBOL_ADDED", "#/fields/suit/symbols/CLUBS", false, false)])
    }

    func testEnumSymbolRemovedBreaksBackwardUnlessTheNewEnumHasADefault() {
        let field = { (symbols: String, extra: String) in
            self.record(#"{"name": "suit", "type": {"type": "enum", "name": "Suit", "symbols": [\#(symbols)]\#(extra)}}"#)
        }
        assertChanges(field(#""SPADES", "HEARTS""#, ""), field(#""SPADES""#, ""),
                      [("ENUM_SYMBOL_REMOVED", "#/fields/suit/symbols/HEARTS", true, false)])
        assertChanges(field(#""SPADES", "HEARTS""#, ""), field(#""SPADES""#, #", "default": "SPADES""#), [
            ("ENUM_SYMBOL_REMOVED", "#/fields/suit/symbols/HEARTS", false, false),
            ("ENUM_DEFAULT_CHANGED", "#/fields/suit", false, false),
        ])
    }

    func testEnumReorderedSymbolsChangeNothing() {
        assertChanges(#"{"type": "enum", "name": "E", "symbols": ["A", "B"]}"#, #"{"type": "enum", "name": "E", "symbols": ["B", "A"]}"#, [])
    }

    // MARK: Arrays and maps

    func testArrayItemsAndMapValuesPaths() {
        assertChanges(
            record(#"{"name": "tags", "type": {"type": "array", "items": "int"}}, {"name": "attrs", "type": {"type": "map", "values": "string"}}"#),
            record(#"{"name": "tags", "type": {"type": "array", "items": "long"}}, {"name": "attrs", "type": {"type": "map", "values": "int"}}"#),
            [("TYPE_PROMOTED", "#/fields/tags/items", false, true), ("TYPE_CHANGED", "#/fields/attrs/values", true, true)]
        )
    }

    // MARK: Fixed

    func testFixedSizeAndName() {
        assertChanges(#"{"type": "fixed", "name": "MD5", "size": 16}"#, #"{"type": "fixed", "name": "MD5", "size": 20}"#,
                      [("FIXED_SIZE_CHANGED", "#", true, true)])
        assertChanges(#"{"type": "fixed", "name": "MD5", "size": 16}"#, #"{"type": "fixed", "name": "Hash", "size": 16}"#,
                      [("NAME_CHANGED", "#", true, true)])
        assertChanges(#"{"type": "fixed", "name": "MD5", "size": 16}"#, #"{"type": "fixed", "name": "Hash", "aliases": ["MD5"], "size": 16}"#,
                      [("NAME_CHANGED", "#", false, true), ("ALIAS_ADDED", "#", false, false)])
    }

    // MARK: Names, namespaces, aliases

    func testRecordRenamedWithAliasInTheNewSchema() {
        // The specification's example: a reader named "Bar" with the alias "Foo" reads data written as "Foo".
        assertChanges(
            record(#"{"name": "a", "type": "int"}"#, name: "Foo"),
            record(#"{"name": "a", "type": "int"}"#, name: "Bar", extra: #", "aliases": ["Foo"]"#),
            [("NAME_CHANGED", "#", false, true), ("ALIAS_ADDED", "#", false, false)]
        )
        assertChanges(record(#"{"name": "a", "type": "int"}"#, name: "Foo"), record(#"{"name": "a", "type": "int"}"#, name: "Bar"),
                      [("NAME_CHANGED", "#", true, true)])
    }

    func testAliasesAreFullNamesRelativeToTheNamespace() {
        // The alias "Foo" of ns.Bar is ns.Foo: it matches the writer ns.Foo.
        assertChanges(
            record(#"{"name": "a", "type": "int"}"#, name: "Foo", extra: #", "namespace": "ns""#),
            record(#"{"name": "a", "type": "int"}"#, name: "Bar", extra: #", "namespace": "ns", "aliases": ["Foo"]"#),
            [("NAME_CHANGED", "#", false, true), ("ALIAS_ADDED", "#", false, false)]
        )
        // …but not other.Foo.
        assertChanges(
            record(#"{"name": "a", "type": "int"}"#, name: "other.Foo"),
            record(#"{"name": "a", "type": "int"}"#, name: "Bar", extra: #", "namespace": "ns", "aliases": ["Foo"]"#),
            [("NAME_CHANGED", "#", true, true), ("ALIAS_ADDED", "#", false, false)]
        )
    }

    func testNamespaceChangeAloneDoesNotBreak() {
        // The specification matches named types by their unqualified names.
        assertChanges(
            record(#"{"name": "a", "type": "int"}"#, name: "R", extra: #", "namespace": "com.example.v1""#),
            record(#"{"name": "a", "type": "int"}"#, name: "R", extra: #", "namespace": "com.example.v2""#),
            [("NAMESPACE_CHANGED", "#", false, false)]
        )
    }

    func testEnumNameChange() {
        assertChanges(
            record(#"{"name": "e", "type": {"type": "enum", "name": "Color", "symbols": ["RED"]}}"#),
            record(#"{"name": "e", "type": {"type": "enum", "name": "Colour", "symbols": ["RED"]}}"#),
            [("NAME_CHANGED", "#/fields/e", true, true)]
        )
    }

    // MARK: Unions

    func testUnionBranchAddedBreaksForward() {
        assertChanges(
            record(#"{"name": "v", "type": ["null", "string"]}"#),
            record(#"{"name": "v", "type": ["null", "string", "int"]}"#),
            [("UNION_BRANCH_ADDED", "#/fields/v/int", false, true)]
        )
    }

    func testUnionBranchRemovedBreaksBackward() {
        assertChanges(
            record(#"{"name": "v", "type": ["null", "string", "int"]}"#),
            record(#"{"name": "v", "type": ["null", "string"]}"#),
            [("UNION_BRANCH_REMOVED", "#/fields/v/int", true, false)]
        )
    }

    func testUnionBranchesResolveThroughPromotion() {
        // int removed, but the new union's long reads it; long added, which the old union cannot read.
        assertChanges(
            record(#"{"name": "v", "type": ["null", "int"]}"#),
            record(#"{"name": "v", "type": ["null", "long"]}"#),
            [("UNION_BRANCH_REMOVED", "#/fields/v/int", false, false), ("UNION_BRANCH_ADDED", "#/fields/v/long", false, true)]
        )
    }

    func testTypeMadeOptional() {
        // Writer int, reader ["null", "int"]: resolves. Writer ["null", "int"], reader int: a null breaks.
        assertChanges(
            record(#"{"name": "v", "type": "int"}"#),
            record(#"{"name": "v", "type": ["null", "int"], "default": null}"#),
            [("TYPE_CHANGED_TO_UNION", "#/fields/v", false, false), ("UNION_BRANCH_ADDED", "#/fields/v/null", false, true),
             ("FIELD_DEFAULT_ADDED", "#/fields/v", false, false)]
        )
        assertChanges(
            record(#"{"name": "v", "type": ["null", "int"]}"#),
            record(#"{"name": "v", "type": "int"}"#),
            [("UNION_CHANGED_TO_TYPE", "#/fields/v", false, false), ("UNION_BRANCH_REMOVED", "#/fields/v/null", true, false)]
        )
    }

    func testTypeChangedToAUnionWithoutItsType() {
        assertChanges(
            record(#"{"name": "v", "type": "boolean"}"#),
            record(#"{"name": "v", "type": ["null", "string"]}"#),
            [("TYPE_CHANGED_TO_UNION", "#/fields/v", true, true)]
        )
        // A union whose long reads the old int: backward resolves, forward does not.
        assertChanges(
            record(#"{"name": "v", "type": "int"}"#),
            record(#"{"name": "v", "type": ["null", "long"]}"#),
            [("TYPE_CHANGED_TO_UNION", "#/fields/v", false, true)]
        )
    }

    func testRecordInsideAUnionIsComparedByName() {
        let old = record(#"{"name": "v", "type": ["null", {"type": "record", "name": "Inner", "fields": [{"name": "x", "type": "int"}]}]}"#)
        let new = record(#"{"name": "v", "type": ["null", {"type": "record", "name": "Inner", "fields": [{"name": "x", "type": "int"}, {"name": "y", "type": "int"}]}]}"#)
        assertChanges(old, new, [("FIELD_ADDED_WITHOUT_DEFAULT", "#/fields/v/Inner/fields/y", true, false)])
    }

    // MARK: Recursion

    func testRecursiveTypesTerminate() {
        // The specification's linked list.
        let old = #"{"type": "record", "name": "LongList", "aliases": ["LinkedLongs"], "fields": [{"name": "value", "type": "long"}, {"name": "next", "type": ["null", "LongList"]}]}"#
        let new = #"{"type": "record", "name": "LongList", "aliases": ["LinkedLongs"], "fields": [{"name": "value", "type": "long"}, {"name": "next", "type": ["null", "LongList"]}, {"name": "label", "type": "string", "default": ""}]}"#
        assertChanges(old, new, [("FIELD_ADDED_WITH_DEFAULT", "#/fields/label", false, false)])
        let narrowed = #"{"type": "record", "name": "LongList", "fields": [{"name": "value", "type": "int"}, {"name": "next", "type": ["null", "LongList"]}]}"#
        assertChanges(old, narrowed, [("TYPE_NARROWED", "#/fields/value", true, false), ("ALIAS_REMOVED", "#", false, false)])
    }

    func testARelativeAliasDenotesANameInTheTypesNamespace() {
        // The new schema moves to com.acme.v2 and renames E to F with the alias "E": the alias is
        // com.acme.v2.E, not the writer's E (null namespace), and the unqualified names differ, so
        // backward breaks (avro 1.12.0 compares the alias as written and accepts it; the
        // specification decides: AvroDifferentialTests lists this known difference).
        assertChanges(
            record(#"{"name": "e", "type": {"type": "enum", "name": "E", "symbols": ["A"]}}"#),
            record(#"{"name": "e", "type": {"type": "enum", "name": "F", "aliases": ["E"], "symbols": ["A"]}}"#, extra: #", "namespace": "com.acme.v2""#),
            [("NAMESPACE_CHANGED", "#", false, false), ("NAME_CHANGED", "#/fields/e", true, true), ("ALIAS_ADDED", "#/fields/e", false, false)]
        )
        // A fully qualified alias reaches the null namespace.
        assertChanges(
            record(#"{"name": "e", "type": {"type": "enum", "name": "E", "symbols": ["A"]}}"#, extra: #", "namespace": "com.acme""#),
            record(#"{"name": "e", "type": {"type": "enum", "name": "F", "aliases": ["com.acme.E"], "symbols": ["A"]}}"#, extra: #", "namespace": "com.acme.v2""#),
            [("NAMESPACE_CHANGED", "#", false, false), ("NAME_CHANGED", "#/fields/e", false, true), ("ALIAS_ADDED", "#/fields/e", false, false)]
        )
    }

    func testDottedNamesAreFullNames() {
        assertChanges(
            record(#"{"name": "a", "type": "int"}"#, name: "com.example.Thing"),
            record(#"{"name": "a", "type": "int"}"#, name: "Thing", extra: #", "namespace": "org.other""#),
            [("NAMESPACE_CHANGED", "#", false, false)]
        )
    }

    func testAFieldNameWinsOverAnAlias() {
        // The new field `b` has the alias "a", but the old schema has a `b` of its own: it is read.
        assertChanges(
            record(#"{"name": "a", "type": "string"}, {"name": "b", "type": "int"}"#),
            record(#"{"name": "b", "type": "int", "aliases": ["a"]}"#),
            [("FIELD_ALIAS_ADDED", "#/fields/b", false, false), ("FIELD_REMOVED", "#/fields/a", false, true)]
        )
    }

    func testAnEnumDefaultThatIsNotASymbolIsNoDefault() {
        assertChanges(
            #"{"type": "enum", "name": "E", "symbols": ["A", "B"]}"#,
            #"{"type": "enum", "name": "E", "symbols": ["A"], "default": "Z"}"#,
            [("ENUM_SYMBOL_REMOVED", "#/symbols/B", true, false), ("ENUM_DEFAULT_CHANGED", "#", false, false)]
        )
    }

    func testANamedTypeUsedTwiceIsComparedOnce() {
        let old = record(#"{"name": "home", "type": {"type": "record", "name": "Address", "fields": [{"name": "city", "type": "string"}]}}, {"name": "work", "type": "Address"}"#)
        let new = record(#"{"name": "home", "type": {"type": "record", "name": "Address", "fields": [{"name": "city", "type": "string"}, {"name": "zip", "type": "string"}]}}, {"name": "work", "type": "Address"}"#)
        assertChanges(old, new, [("FIELD_ADDED_WITHOUT_DEFAULT", "#/fields/home/fields/zip", true, false)])
    }

    func testMutuallyRecursiveTypesTerminate() {
        let old = #"{"type": "record", "name": "A", "fields": [{"name": "b", "type": ["null", {"type": "record", "name": "B", "fields": [{"name": "a", "type": ["null", "A"]}, {"name": "n", "type": "int"}]}]}]}"#
        let new = #"{"type": "record", "name": "A", "fields": [{"name": "b", "type": ["null", {"type": "record", "name": "B", "fields": [{"name": "a", "type": ["null", "A"]}, {"name": "n", "type": "long"}]}]}]}"#
        assertChanges(old, new, [("TYPE_PROMOTED", "#/fields/b/B/fields/n", false, true)])
        XCTAssertEqual(changes(old, new).first?.description, "Field 'b<B>.n' type promoted from int to long")
    }

    func testSentences() {
        let found = changes(
            record(#"{"name": "suit", "type": {"type": "enum", "name": "Suit", "symbols": ["SPADES", "HEARTS"]}}, {"name": "v", "type": ["null", "string", "int"]}"#),
            record(#"{"name": "suit", "type": {"type": "enum", "name": "Suit", "symbols": ["SPADES"]}}, {"name": "v", "type": ["null", "string"]}, {"name": "w", "type": "int", "default": 0}"#)
        ).map(\.description)
        XCTAssertEqual(found, [
            "Field 'suit' enum symbol 'HEARTS' removed",
            "Field 'v' union branch int removed",
            "Field 'w' added with a default",
        ])
    }

    // MARK: The specification's resolution examples

    func testSpecificationResolutionRules() {
        // "if the writer's schema is a union, but the reader's is not: if the reader's schema matches
        // the selected writer's schema, it is recursively resolved against it" — as a check, every
        // writer branch must resolve.
        XCTAssertFalse(AvroCompatibility.canRead(reader: json(#""string""#), writer: json(#"["null", "string"]"#)))
        XCTAssertTrue(AvroCompatibility.canRead(reader: json(#""long""#), writer: json(#"["int", "long"]"#)))
        // "if the reader's is a union, but the writer's is not: the first schema in the reader's union
        // that matches the writer's schema is recursively resolved against it."
        XCTAssertTrue(AvroCompatibility.canRead(reader: json(#"["null", "double"]"#), writer: json(#""float""#)))
        XCTAssertFalse(AvroCompatibility.canRead(reader: json(#"["null", "int"]"#), writer: json(#""long""#)))
        // "if the writer's record contains a field with a name not present in the reader's record,
        // the writer's value for that field is ignored."
        XCTAssertTrue(AvroCompatibility.canRead(
            reader: json(record(#"{"name": "a", "type": "int"}"#)),
            writer: json(record(#"{"name": "a", "type": "int"}, {"name": "b", "type": "string"}"#))
        ))
        // "if the reader's record schema has a field that contains a default value, and writer's
        // schema does not have a field with the same name, then the reader should use the default".
        XCTAssertTrue(AvroCompatibility.canRead(
            reader: json(record(#"{"name": "a", "type": "int"}, {"name": "b", "type": "string", "default": "x"}"#)),
            writer: json(record(#"{"name": "a", "type": "int"}"#))
        ))
        // "if the writer's symbol is not present in the reader's enum and the reader has a default
        // value, then that value is used, otherwise an error is signalled."
        XCTAssertTrue(AvroCompatibility.canRead(
            reader: json(#"{"type": "enum", "name": "Shapes", "symbols": ["SQUARE", "CIRCLE", "UNKNOWN"], "default": "UNKNOWN"}"#),
            writer: json(#"{"type": "enum", "name": "Shapes", "symbols": ["SQUARE", "TRIANGLE", "CIRCLE"]}"#)
        ))
        XCTAssertFalse(AvroCompatibility.canRead(
            reader: json(#"{"type": "enum", "name": "Shapes", "symbols": ["SQUARE", "CIRCLE"]}"#),
            writer: json(#"{"type": "enum", "name": "Shapes", "symbols": ["SQUARE", "TRIANGLE", "CIRCLE"]}"#)
        ))
        // Maps and arrays resolve their values and items.
        XCTAssertTrue(AvroCompatibility.canRead(reader: json(#"{"type": "map", "values": "double"}"#), writer: json(#"{"type": "map", "values": "int"}"#)))
        XCTAssertFalse(AvroCompatibility.canRead(reader: json(#"{"type": "array", "items": "int"}"#), writer: json(#"{"type": "array", "items": "long"}"#)))
    }
}

/// The time of the issue's figure: a 200-field record against 100 versions.
final class AvroCompatibilityTimingTests: XCTestCase {
    func testTwoHundredFieldsAgainstOneHundredVersions() throws {
        func schema(version: Int) -> JSONValue {
            var fields: [JSONValue] = []
            for index in 0..<200 {
                let type: JSONValue
                switch index % 5 {
                case 0: type = "int"
                case 1: type = ["null", "string"]
                case 2: type = ["type": "array", "items": "long"]
                case 3: type = ["type": "enum", "name": .string("E\(index)"), "symbols": ["A", "B", .string("V\(version % 7)")]]
                default: type = ["type": "record", "name": .string("N\(index)"), "fields": [["name": "x", "type": "double"]]]
                }
                fields.append(["name": .string("field_\(index)"), "type": type, "default": index % 5 == 1 ? .null : nil])
            }
            return ["type": "record", "name": "Big", "fields": .array(fields.map { field in
                // Drop the null placeholders: a default only where one was given.
                guard case .object(let object) = field else { return field }
                return .object(JSONObject(object.filter { !($0.key == "default" && $0.value == .null && object["type"]?.arrayValue == nil) }.map { ($0.key, $0.value) }))
            })]
        }
        let versions = (0..<100).map(schema(version:))
        let candidate = schema(version: 100)
        let start = DispatchTime.now().uptimeNanoseconds
        var breaking = 0
        for version in versions {
            let changes = AvroCompatibility.changes(old: version, new: candidate)
            breaking += changes.filter { $0.breaksBackward || $0.breaksForward }.count
        }
        let milliseconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6
        let resolveStart = DispatchTime.now().uptimeNanoseconds
        for version in versions {
            _ = AvroCompatibility.canRead(reader: candidate, writer: version)
        }
        let resolveMilliseconds = Double(DispatchTime.now().uptimeNanoseconds - resolveStart) / 1e6
        print("AVRO-TIMING 200 fields x 100 versions: changes \(String(format: "%.1f", milliseconds)) ms (\(breaking) breaking changes); parse + resolve alone \(String(format: "%.1f", resolveMilliseconds)) ms")
        XCTAssertGreaterThan(breaking, 0)
    }
}
