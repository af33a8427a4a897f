import Foundation
import RegistryJSON
import RegistryRuntime
import XCTest

/// Compatibility checks of issue 14 through the real server, on both databases: enforcement on
/// registration at every level and direction (JSON Schema and Avro), the dry run, SEMVER, and
/// concurrent conflicting registrations.
final class CompatibilityCheckTests: XCTestCase {
    func testEnforcementLevelsAndDirections_sqlite() throws { try enforcement(.sqlite) }
    func testEnforcementLevelsAndDirections_postgres() throws { try enforcement(.postgres) }
    func testTransitiveLevelsAndAvro_sqlite() throws { try transitiveAndAvro(.sqlite) }
    func testTransitiveLevelsAndAvro_postgres() throws { try transitiveAndAvro(.postgres) }
    func testDryRun_sqlite() throws { try dryRun(.sqlite) }
    func testDryRun_postgres() throws { try dryRun(.postgres) }
    func testSemver_sqlite() throws { try semver(.sqlite) }
    func testSemver_postgres() throws { try semver(.postgres) }
    func testConcurrentConflictingRegistrations_sqlite() throws { try concurrentConflicts(.sqlite) }
    func testConcurrentConflictingRegistrations_postgres() throws { try concurrentConflicts(.postgres) }

    typealias M = Compat
    static let number: JSONValue = ["type": "number"]
    static let integer: JSONValue = ["type": "integer"]
    static let string: JSONValue = ["type": "string"]

    static func narrowed(_ name: String) -> String { "Property '\(name)' type narrowed from number to integer" }
    static func addedClosed(_ name: String, required: Bool = false) -> String {
        "Property '\(name)' added\(required ? " (required)" : "") (closed content model, additionalProperties false: it was rejected before)"
    }

    // MARK: - enforcement: levels × directions on JSON Schema

    private func enforcement(_ backend: Backend) throws {
        let server = try ServerProcess(databaseURL: backend.freshDatabaseURL(), workers: 2)
        let number = Self.number, integer = Self.integer, string = Self.string

        /// Registers and expects a refusal with exactly `detail` and `messages`; nothing is stored.
        func refused(_ model: String, _ version: String, _ json: JSONValue, _ detail: String, _ messages: [JSONValue],
                     query: String = "", file: StaticString = #filePath, line: UInt = #line) throws {
            let before = try server.storedVersions(model)
            let response = try server.registerSchema(model, version, json, query: query)
            response.assertJSON(409, M.refusal(detail, messages), "\(model) \(version)", file: file, line: line)
            XCTAssertEqual(try server.storedVersions(model), before, "\(model) \(version): nothing stored", file: file, line: line)
        }
        func accepted(_ model: String, _ version: String, _ json: JSONValue, query: String = "",
                      file: StaticString = #filePath, line: UInt = #line) throws {
            let response = try server.registerSchema(model, version, json, query: query)
            XCTAssertEqual(response.status, 201, "\(model) \(version): \(response.text)", file: file, line: line)
            XCTAssertEqual(try response.json()["json_schema"], json, file: file, line: line)
        }

        // BACKWARD: an optional property added to a closed model is fine, number → integer is not,
        // nor is a new required property; widening (forward-only) is accepted.
        let back = "/schemas/ns/Back"
        XCTAssertEqual(try server.putLevel(back + "/config", "BACKWARD").text, M.level("BACKWARD", "model"))
        try accepted(back, "1.0.0", M.closed([("age", number)]))
        try accepted(back, "1.1.0", M.closed([("age", number), ("nick", string)]))
        try refused(back, "1.2.0", M.closed([("age", integer), ("nick", string)]),
                    "Schema for ns::Back version 1.2.0 is not BACKWARD compatible with 1.1.0: " + Self.narrowed("age"),
                    [M.message("1.1.0", "json", "backward", "#/properties/age", "TYPE_NARROWED", true, Self.narrowed("age"))])
        try refused(back, "1.2.0", M.closed([("age", number), ("nick", string), ("tag", string)], required: ["tag"]),
                    "Schema for ns::Back version 1.2.0 is not BACKWARD compatible with 1.1.0: Property 'tag' is now required",
                    [M.message("1.1.0", "json", "backward", "#/properties/tag", "PROPERTY_ADDED", false, Self.addedClosed("tag", required: true)),
                     M.message("1.1.0", "json", "backward", "#/required", "REQUIRED_ADDED", true, "Property 'tag' is now required")])
        try accepted(back, "1.2.0", M.closed([("age", ["type": ["number", "null"]]), ("nick", string)]))
        XCTAssertEqual(try server.storedVersions(back), ["1.0.0", "1.1.0", "1.2.0"])
        XCTAssertEqual(try server.call("/schemas/ns/Back/versions/1.3.0", key: nil).status, 404)

        // FORWARD: widening and a property added to a closed model are refused; a new required
        // property (backward-only break) is accepted.
        let fwd = "/schemas/ns/Fwd"
        XCTAssertEqual(try server.putLevel(fwd + "/config", "FORWARD").status, 200)
        try accepted(fwd, "1.0.0", M.closed([("n", integer)]))
        try refused(fwd, "1.1.0", M.closed([("n", number)]),
                    "Schema for ns::Fwd version 1.1.0 is not FORWARD compatible with 1.0.0: Property 'n' type widened from integer to number",
                    [M.message("1.0.0", "json", "forward", "#/properties/n", "TYPE_WIDENED", true, "Property 'n' type widened from integer to number")])
        try refused(fwd, "1.1.0", M.closed([("n", integer), ("extra", string)]),
                    "Schema for ns::Fwd version 1.1.0 is not FORWARD compatible with 1.0.0: " + Self.addedClosed("extra"),
                    [M.message("1.0.0", "json", "forward", "#/properties/extra", "PROPERTY_ADDED", true, Self.addedClosed("extra"))])
        try accepted(fwd, "1.1.0", M.closed([("n", integer)], required: ["n"]))
        XCTAssertEqual(try server.storedVersions(fwd), ["1.0.0", "1.1.0"])

        // FULL: both directions.
        let full = "/schemas/ns/Full"
        XCTAssertEqual(try server.putLevel(full + "/config", "FULL").status, 200)
        try accepted(full, "1.0.0", M.closed([("n", number)]))
        try refused(full, "1.1.0", M.closed([("n", integer)]),
                    "Schema for ns::Full version 1.1.0 is not FULL compatible with 1.0.0: " + Self.narrowed("n"),
                    [M.message("1.0.0", "json", "backward", "#/properties/n", "TYPE_NARROWED", true, Self.narrowed("n"))])
        try refused(full, "1.1.0", M.closed([("n", ["type": ["number", "null"]])]),
                    "Schema for ns::Full version 1.1.0 is not FULL compatible with 1.0.0: Property 'n' type widened from number to number or null",
                    [M.message("1.0.0", "json", "forward", "#/properties/n", "TYPE_WIDENED", true, "Property 'n' type widened from number to number or null")])
        try refused(full, "1.1.0", M.closed([("n", string)]),
                    "Schema for ns::Full version 1.1.0 is not FULL compatible with 1.0.0: Property 'n' type changed from number to string",
                    [M.message("1.0.0", "json", "both", "#/properties/n", "TYPE_CHANGED", true, "Property 'n' type changed from number to string")])
        try accepted(full, "1.1.0", M.closed([("n", ["type": "number", "description": "amount"])]))
        XCTAssertEqual(try server.storedVersions(full), ["1.0.0", "1.1.0"])

        // NONE (the built-in default): anything goes, in any order.
        let free = "/schemas/ns/Free"
        try accepted(free, "1.0.0", ["type": "string"])
        try accepted(free, "2.0.0", ["type": "boolean"])
        try accepted(free, "1.5.0", M.closed([("x", integer)]))

        // A global model (no namespace): the detail names the model alone.
        XCTAssertEqual(try server.putLevel("/schemas/Glob/config", "BACKWARD").text, M.level("BACKWARD", "model"))
        try accepted("/schemas/Glob", "1.0.0", M.closed([("age", number)]))
        try refused("/schemas/Glob", "2.0.0", M.closed([("age", integer)]),
                    "Schema for Glob version 2.0.0 is not BACKWARD compatible with 1.0.0: " + Self.narrowed("age"),
                    [M.message("1.0.0", "json", "backward", "#/properties/age", "TYPE_NARROWED", true, Self.narrowed("age"))])
        // …and the namespaced model of that name is another model, under NONE.
        try accepted("/schemas/Glob?namespace=ns", "1.0.0", M.closed([("age", number)]))
        try accepted("/schemas/Glob?namespace=ns", "2.0.0", M.closed([("age", integer)]))
        XCTAssertEqual(try server.storedVersions("/schemas/Glob?namespace=ns"), ["1.0.0", "2.0.0"])
        XCTAssertEqual(try server.storedVersions("/schemas/ns/Glob"), ["1.0.0", "2.0.0"])
        XCTAssertEqual(try server.storedVersions("/schemas/Glob"), ["1.0.0"])

        // The namespace scope is enforced, and the model scope wins over it.
        XCTAssertEqual(try server.putLevel("/config/namespaces/strict", "FULL").status, 200)
        try accepted("/schemas/strict/A", "1.0.0", M.closed([("n", number)]))
        try refused("/schemas/strict/A", "1.1.0", M.closed([("n", integer)]),
                    "Schema for strict::A version 1.1.0 is not FULL compatible with 1.0.0: " + Self.narrowed("n"),
                    [M.message("1.0.0", "json", "backward", "#/properties/n", "TYPE_NARROWED", true, Self.narrowed("n"))])
        XCTAssertEqual(try server.putLevel("/schemas/strict/A/config", "FORWARD").status, 200)
        try accepted("/schemas/strict/A", "1.1.0", M.closed([("n", integer)]))
        // The server scope is enforced where nothing else is set.
        XCTAssertEqual(try server.putLevel("/config", "FORWARD").status, 200)
        try refused("/schemas/ns/Free", "2.1.0", ["type": ["boolean", "null"]],
                    "Schema for ns::Free version 2.1.0 is not FORWARD compatible with 2.0.0: Root schema type widened from boolean to boolean or null",
                    [M.message("2.0.0", "json", "forward", "#", "TYPE_WIDENED", true, "Root schema type widened from boolean to boolean or null")])
        XCTAssertEqual(try server.putLevel("/config", "NONE").status, 200)
        try accepted("/schemas/ns/Free", "2.1.0", ["type": ["boolean", "null"]])

        // allow_overwrite: an existing version is compared with the others, not with itself.
        let over = "/schemas/ns/Over"
        XCTAssertEqual(try server.putLevel(over + "/config", "BACKWARD").status, 200)
        try accepted(over, "1.0.0", M.closed([("n", number)]))
        try accepted(over, "1.1.0", M.closed([("n", number), ("m", string)]))
        let duplicate = try server.registerSchema(over, "1.1.0", M.closed([("n", integer)]))
        XCTAssertEqual(duplicate.status, 409)
        XCTAssertEqual(duplicate.text, #"{"detail":"Schema ns::Over@1.1.0 already exists. Use allow_overwrite=true to replace it."}"#,
                       "the duplicate check comes before the compatibility check")
        try refused(over, "1.1.0", M.closed([("n", integer), ("m", string)]),
                    "Schema for ns::Over version 1.1.0 is not BACKWARD compatible with 1.0.0: " + Self.narrowed("n"),
                    [M.message("1.0.0", "json", "backward", "#/properties/n", "TYPE_NARROWED", true, Self.narrowed("n")),
                     M.message("1.0.0", "json", "backward", "#/properties/m", "PROPERTY_ADDED", false, Self.addedClosed("m"))],
                    query: "?allow_overwrite=true")
        XCTAssertEqual(try server.call("/schemas/ns/Over/versions/1.1.0", key: nil).json()["json_schema"],
                       M.closed([("n", number), ("m", string)]), "the refused overwrite left the version as it was")
        // Removing `m` from a closed model breaks backward against 1.1.0 itself, but 1.1.0 is the one replaced.
        try accepted(over, "1.1.0", M.closed([("n", number)]), query: "?allow_overwrite=true")
        XCTAssertEqual(try server.call("/schemas/ns/Over/versions/1.1.0", key: nil).json()["json_schema"], M.closed([("n", number)]))
        XCTAssertEqual(try server.storedVersions(over), ["1.0.0", "1.1.0"])

        // Order of checks: version format (400) and schema validity (422) come before compatibility.
        let badVersion = try server.registerSchema(over, "1.2.0-beta", M.closed([("n", integer)]))
        XCTAssertEqual(badVersion.status, 400, badVersion.text)
        let badSchema = try server.registerSchema(over, "1.2.0", ["type": "foo"])
        XCTAssertEqual(badSchema.status, 422, badSchema.text)
        XCTAssertEqual(badSchema.detail, "Invalid JSON Schema: 'foo' is not valid under any of the given schemas")
        XCTAssertEqual(try server.storedVersions(over), ["1.0.0", "1.1.0"])
        XCTAssertEqual(try server.stop(), 0)
    }

    // MARK: - transitive levels, Avro

    private func transitiveAndAvro(_ backend: Backend) throws {
        let server = try ServerProcess(databaseURL: backend.freshDatabaseURL(), workers: 2)
        let number = Self.number, integer = Self.integer, string = Self.string

        // A history written under NONE (1.0.0 → 1.1.0 narrows), then a transitive level: 1.2.0 is
        // fine against the latest (1.1.0) but not against 1.0.0.
        let trans = "/schemas/ns/Trans"
        XCTAssertEqual(try server.registerSchema(trans, "1.0.0", M.closed([("a", number)])).status, 201)
        XCTAssertEqual(try server.registerSchema(trans, "1.1.0", M.closed([("a", integer)])).status, 201)
        let v12 = M.closed([("a", integer), ("b", string)])
        let addedB = Self.addedClosed("b")

        XCTAssertEqual(try server.putLevel(trans + "/config", "BACKWARD_TRANSITIVE").text, M.level("BACKWARD_TRANSITIVE", "model"))
        let refusedTransitive = try server.registerSchema(trans, "1.2.0", v12)
        refusedTransitive.assertJSON(409, M.refusal(
            "Schema for ns::Trans version 1.2.0 is not BACKWARD_TRANSITIVE compatible with 1.0.0: " + Self.narrowed("a"), [
                M.message("1.0.0", "json", "backward", "#/properties/a", "TYPE_NARROWED", true, Self.narrowed("a")),
                M.message("1.0.0", "json", "backward", "#/properties/b", "PROPERTY_ADDED", false, addedB),
                M.message("1.1.0", "json", "backward", "#/properties/b", "PROPERTY_ADDED", false, addedB),
            ]), "BACKWARD_TRANSITIVE")
        XCTAssertEqual(try server.storedVersions(trans), ["1.0.0", "1.1.0"])
        try server.dryRun(trans, "1.2.0", v12, query: "?level=BACKWARD").assertJSON(200, M.result(true, "BACKWARD", ["1.1.0"], [
            M.message("1.1.0", "json", "backward", "#/properties/b", "PROPERTY_ADDED", false, addedB),
        ]), "dry run BACKWARD")
        XCTAssertEqual(try server.putLevel(trans + "/config", "BACKWARD").status, 200)
        XCTAssertEqual(try server.registerSchema(trans, "1.2.0", v12).status, 201, "BACKWARD checks the latest only")

        // FORWARD / FULL against the latest (identical) pass; their transitive forms do not.
        try server.dryRun(trans, "1.3.0", v12, query: "?level=FORWARD").assertJSON(200, M.result(true, "FORWARD", ["1.2.0"], []), "FORWARD")
        try server.dryRun(trans, "1.3.0", v12, query: "?level=FULL").assertJSON(200, M.result(true, "FULL", ["1.2.0"], []), "FULL")
        try server.dryRun(trans, "1.3.0", v12, query: "?level=FORWARD_TRANSITIVE").assertJSON(200, M.result(false, "FORWARD_TRANSITIVE",
            ["1.0.0", "1.1.0", "1.2.0"], [
                M.message("1.0.0", "json", "forward", "#/properties/a", "TYPE_NARROWED", false, Self.narrowed("a")),
                M.message("1.0.0", "json", "forward", "#/properties/b", "PROPERTY_ADDED", true, addedB),
                M.message("1.1.0", "json", "forward", "#/properties/b", "PROPERTY_ADDED", true, addedB),
            ]), "FORWARD_TRANSITIVE")
        try server.dryRun(trans, "1.3.0", v12, query: "?level=FULL_TRANSITIVE").assertJSON(200, M.result(false, "FULL_TRANSITIVE",
            ["1.0.0", "1.1.0", "1.2.0"], [
                M.message("1.0.0", "json", "backward", "#/properties/a", "TYPE_NARROWED", true, Self.narrowed("a")),
                M.message("1.0.0", "json", "forward", "#/properties/b", "PROPERTY_ADDED", true, addedB),
                M.message("1.1.0", "json", "forward", "#/properties/b", "PROPERTY_ADDED", true, addedB),
            ]), "FULL_TRANSITIVE")
        XCTAssertEqual(try server.putLevel(trans + "/config", "FORWARD_TRANSITIVE").status, 200)
        let refusedForward = try server.registerSchema(trans, "1.3.0", v12)
        XCTAssertEqual(refusedForward.status, 409, refusedForward.text)
        XCTAssertEqual(refusedForward.detail, "Schema for ns::Trans version 1.3.0 is not FORWARD_TRANSITIVE compatible with 1.0.0: " + addedB)
        XCTAssertEqual(try server.putLevel(trans + "/config", "FULL_TRANSITIVE").status, 200)
        XCTAssertEqual(try server.registerSchema(trans, "1.3.0", v12).detail,
                       "Schema for ns::Trans version 1.3.0 is not FULL_TRANSITIVE compatible with 1.0.0: " + Self.narrowed("a"))
        XCTAssertEqual(try server.storedVersions(trans), ["1.0.0", "1.1.0", "1.2.0"])

        // Avro: checked when both the new body and the version compared carry avro_schema. The
        // JSON Schemas are identical throughout, so every message here is about Avro.
        let rec = "/schemas/ns/Rec"
        let json: JSONValue = ["type": "object"]
        let id: JSONValue = ["name": "id", "type": "long"]
        let emailNoDefault: JSONValue = ["name": "email", "type": "string"]
        let emailDefault: JSONValue = ["name": "email", "type": "string", "default": ""]
        let withoutDefault = "Field 'email' added without a default: the new schema cannot read old data"
        XCTAssertEqual(try server.putLevel(rec + "/config", "BACKWARD").status, 200)
        XCTAssertEqual(try server.registerSchema(rec, "1.0.0", json, avro: M.record("Rec", [id])).status, 201)
        let avroRefused = try server.registerSchema(rec, "1.1.0", json, avro: M.record("Rec", [id, emailNoDefault]))
        avroRefused.assertJSON(409, M.refusal("Schema for ns::Rec version 1.1.0 is not BACKWARD compatible with 1.0.0: " + withoutDefault, [
            M.message("1.0.0", "avro", "backward", "#/fields/email", "FIELD_ADDED_WITHOUT_DEFAULT", true, withoutDefault),
        ]), "Avro field added without a default")
        XCTAssertEqual(try server.storedVersions(rec), ["1.0.0"])
        XCTAssertEqual(try server.registerSchema(rec, "1.1.0", json, avro: M.record("Rec", [id, emailDefault])).status, 201)

        // Avro resolution is not transitive: dropping the default again reads 1.1.0 data but not 1.0.0 data.
        let v12avro = M.record("Rec", [id, emailNoDefault])
        let latestOnly = try server.dryRun(rec, "1.2.0", json, avro: v12avro)
        XCTAssertEqual(latestOnly.status, 200, latestOnly.text)
        XCTAssertEqual(try latestOnly.json()["compatible"], true, latestOnly.text)
        XCTAssertEqual(try latestOnly.json()["checked_against"], ["1.1.0"])
        XCTAssertTrue(try latestOnly.json()["messages"]?.arrayValue?.allSatisfy { $0["schema"] == "avro" && $0["breaking"] == false } == true,
                      latestOnly.text)
        let transitive = try server.dryRun(rec, "1.2.0", json, avro: v12avro, query: "?level=BACKWARD_TRANSITIVE")
        XCTAssertEqual(try transitive.json()["compatible"], false, transitive.text)
        XCTAssertEqual(try transitive.json()["messages"]?[0], M.message("1.0.0", "avro", "backward", "#/fields/email",
                                                                        "FIELD_ADDED_WITHOUT_DEFAULT", true, withoutDefault), transitive.text)
        XCTAssertEqual(try server.putLevel(rec + "/config", "BACKWARD_TRANSITIVE").status, 200)
        XCTAssertEqual(try server.registerSchema(rec, "1.2.0", json, avro: v12avro).detail,
                       "Schema for ns::Rec version 1.2.0 is not BACKWARD_TRANSITIVE compatible with 1.0.0: " + withoutDefault)
        // Without an avro_schema in the new body only the JSON Schemas are compared.
        try server.dryRun(rec, "1.2.0", json).assertJSON(200, M.result(true, "BACKWARD_TRANSITIVE", ["1.0.0", "1.1.0"], []), "no avro")
        XCTAssertEqual(try server.registerSchema(rec, "1.2.0", json).status, 201)
        // …and a version without one is compared on JSON Schema only.
        XCTAssertEqual(try server.putLevel(rec + "/config", "BACKWARD").status, 200)
        try server.dryRun(rec, "1.3.0", json, avro: M.record("Rec", [id, ["name": "other", "type": "int"]]))
            .assertJSON(200, M.result(true, "BACKWARD", ["1.2.0"], []), "latest without avro_schema")
        XCTAssertEqual(try server.storedVersions(rec), ["1.0.0", "1.1.0", "1.2.0"])
        XCTAssertEqual(try server.stop(), 0)
    }

    // MARK: - dry run

    private func dryRun(_ backend: Backend) throws {
        let server = try ServerProcess(databaseURL: backend.freshDatabaseURL(), workers: 2)
        let ageNumber: JSONValue = ["type": "object", "properties": ["age": ["type": "number"]]]
        let ageInteger: JSONValue = ["type": "object", "properties": ["age": ["type": "integer"]]]
        let empty = #"{"compatible":true,"level":"NONE","checked_against":[],"messages":[]}"#

        // A model without versions is compatible with anything, at any level.
        for model in ["/schemas/ns/Empty", "/schemas/Empty", "/schemas/Empty?namespace=ns"] {
            let response = try server.dryRun(model, "1.0.0", ageInteger)
            XCTAssertEqual(response.status, 200, "\(model): \(response.text)")
            XCTAssertEqual(response.header("Content-Type"), "application/json")
            XCTAssertEqual(response.text, empty, model)
            XCTAssertEqual(try server.dryRun(model, "1.0.0", ageInteger, query: "?level=FULL_TRANSITIVE").text,
                           #"{"compatible":true,"level":"FULL_TRANSITIVE","checked_against":[],"messages":[]}"#, model)
        }
        XCTAssertEqual(try server.storedVersions("/schemas/ns/Empty"), [], "the dry run stores nothing")
        XCTAssertEqual(try server.call("/schemas/Empty/versions", key: nil).status, 404)

        // The issue's example, byte for byte.
        XCTAssertEqual(try server.registerSchema("/schemas/ns/User", "1.1.0", ageNumber).status, 201)
        XCTAssertEqual(try server.dryRun("/schemas/ns/User", "2.0.0", ageInteger).text, empty, "NONE checks nothing")
        let example = try server.dryRun("/schemas/ns/User", "2.0.0", ageInteger, query: "?level=BACKWARD")
        XCTAssertEqual(example.status, 200)
        XCTAssertEqual(example.text, ##"{"compatible":false,"level":"BACKWARD","checked_against":["1.1.0"],"## +
                       ##""messages":[{"version":"1.1.0","schema":"json","direction":"backward","path":"#/properties/age","## +
                       ##""change":"TYPE_NARROWED","breaking":true,"description":"Property 'age' type narrowed from number to integer"}]}"##)
        // The global form with ?namespace= is the same model; without it, another (empty) one.
        XCTAssertEqual(try server.dryRun("/schemas/User?namespace=ns", "2.0.0", ageInteger, query: "?level=BACKWARD").text, example.text)
        XCTAssertEqual(try server.dryRun("/schemas/User", "2.0.0", ageInteger, query: "?level=BACKWARD").text,
                       #"{"compatible":true,"level":"BACKWARD","checked_against":[],"messages":[]}"#)

        // Without ?level= the level in force is used; ?level= overrides it.
        XCTAssertEqual(try server.putLevel("/schemas/ns/User/config", "FORWARD").status, 200)
        try server.dryRun("/schemas/ns/User", "2.0.0", ageInteger).assertJSON(200, M.result(true, "FORWARD", ["1.1.0"], [
            M.message("1.1.0", "json", "forward", "#/properties/age", "TYPE_NARROWED", false, Self.narrowed("age")),
        ]), "level in force FORWARD")
        try server.dryRun("/schemas/ns/User", "2.0.0", ageInteger, query: "?level=FULL").assertJSON(200, M.result(false, "FULL", ["1.1.0"], [
            M.message("1.1.0", "json", "backward", "#/properties/age", "TYPE_NARROWED", true, Self.narrowed("age")),
        ]), "?level=FULL")
        try server.dryRun("/schemas/ns/User", "2.0.0", ageInteger, query: "?level=NONE").assertJSON(200, M.result(true, "NONE", [], []), "?level=NONE")
        XCTAssertEqual(try server.putLevel("/config/namespaces/ns", "BACKWARD").status, 200)
        XCTAssertEqual(try server.dryRun("/schemas/ns/User", "2.0.0", ageInteger).json()["level"], "FORWARD", "the model scope wins")
        XCTAssertEqual(try server.call("DELETE", "/schemas/ns/User/config", key: nil).status, 204)
        XCTAssertEqual(try server.dryRun("/schemas/ns/User", "2.0.0", ageInteger).json()["compatible"], false, "the namespace level now")
        XCTAssertEqual(try server.call("DELETE", "/config/namespaces/ns", key: nil).status, 204)

        // A non-breaking change is listed with breaking false; FULL checks both directions.
        var described = ageNumber.objectValue!
        described["description"] = "A user"
        try server.dryRun("/schemas/ns/User", "1.2.0", .object(described), query: "?level=FULL").assertJSON(200, M.result(true, "FULL", ["1.1.0"], [
            M.message("1.1.0", "json", "both", "#/description", "ANNOTATION_CHANGED", false, "Root schema description added"),
        ]), "annotation under FULL")

        // Unknown levels and bad bodies.
        for level in ["BOGUS", "backward", ""] {
            let response = try server.dryRun("/schemas/ns/User", "2.0.0", ageInteger, query: "?level=\(level)")
            response.assertUnknownLevel(["query", "level"], input: .string(level), "?level=\(level)")
        }
        let global = try server.dryRun("/schemas/User?namespace=ns", "2.0.0", ageInteger, query: "?level=BOGUS")
        global.assertUnknownLevel(["query", "level"], input: "BOGUS", "global form ?level=BOGUS")
        XCTAssertEqual(try server.dryRun("/schemas/ns/User", "2.0.0-beta", ageInteger).status, 400)
        let badPattern = try server.dryRun("/schemas/ns/User", "bad", ageInteger)
        XCTAssertEqual(badPattern.status, 422)
        XCTAssertEqual(try badPattern.json()["detail"]?[0]?["loc"], ["body", "version"])
        let missing = try server.call("POST", "/schemas/ns/User/compatibility", key: nil, json: #"{"version":"2.0.0","registered_by":"x"}"#)
        XCTAssertEqual(missing.status, 422)
        XCTAssertEqual(try missing.json()["detail"]?[0]?["loc"], ["body", "json_schema"])
        let invalid = try server.dryRun("/schemas/ns/User", "2.0.0", ["type": "foo"])
        XCTAssertEqual(invalid.status, 422)
        XCTAssertEqual(invalid.detail, "Invalid JSON Schema: 'foo' is not valid under any of the given schemas")
        let invalidAvro = try server.dryRun("/schemas/ns/User", "2.0.0", ageNumber, avro: ["type": "record", "name": "User", "fields": []])
        XCTAssertEqual(invalidAvro.status, 422)
        XCTAssertEqual(invalidAvro.detail, "Invalid Avro schema: Avro schema 'fields' array cannot be empty")
        XCTAssertEqual(try server.storedVersions("/schemas/ns/User"), ["1.1.0"], "nothing stored by any dry run")

        // checked_against: semantic order, deprecated versions included, the submitted version never.
        let ord = "/schemas/ns/Ord"
        let object: JSONValue = ["type": "object"]
        for version in ["1.2.0", "1.10.0", "1.9.0", "0.5.0"] {
            XCTAssertEqual(try server.registerSchema(ord, version, object).status, 201)
        }
        XCTAssertEqual(try server.call("POST", "/schemas/ns/Ord/versions/1.10.0/deprecate", key: nil).status, 200)
        func checked(_ version: String, _ level: String, file: StaticString = #filePath, line: UInt = #line) throws -> [String] {
            let response = try server.dryRun(ord, version, object, query: "?level=\(level)")
            XCTAssertEqual(response.status, 200, response.text, file: file, line: line)
            XCTAssertEqual(try response.json()["compatible"], true, response.text, file: file, line: line)
            XCTAssertEqual(try response.json()["messages"], [], response.text, file: file, line: line)
            return try response.json()["checked_against"]?.arrayValue?.compactMap { $0.stringValue } ?? []
        }
        XCTAssertEqual(try checked("2.0.0", "BACKWARD"), ["1.10.0"])
        XCTAssertEqual(try checked("1.0.0", "FORWARD"), ["1.10.0"], "the latest existing, not the latest below")
        XCTAssertEqual(try checked("2.0.0", "FULL"), ["1.10.0"])
        XCTAssertEqual(try checked("2.0.0", "BACKWARD_TRANSITIVE"), ["0.5.0", "1.2.0", "1.9.0", "1.10.0"])
        XCTAssertEqual(try checked("2.0.0", "FORWARD_TRANSITIVE"), ["0.5.0", "1.2.0", "1.9.0", "1.10.0"])
        XCTAssertEqual(try checked("2.0.0", "FULL_TRANSITIVE"), ["0.5.0", "1.2.0", "1.9.0", "1.10.0"])
        XCTAssertEqual(try checked("1.9.0", "FULL_TRANSITIVE"), ["0.5.0", "1.2.0", "1.10.0"], "an overwrite is compared with the others")
        XCTAssertEqual(try checked("1.10.0", "BACKWARD"), ["1.9.0"], "an overwrite of the latest is compared with the one before")
        XCTAssertEqual(try checked("2.0.0", "NONE"), [])
        XCTAssertEqual(try checked("2.0.0", "SEMVER"), [])
        XCTAssertEqual(try checked("1.11.0", "SEMVER"), ["1.2.0", "1.9.0", "1.10.0"])
        XCTAssertEqual(try checked("1.9.5", "SEMVER"), ["1.2.0", "1.9.0"])
        XCTAssertEqual(try checked("0.5.1", "SEMVER"), ["0.5.0"])

        // Messages: in checked_against order, per version JSON Schema before Avro.
        let mix = "/schemas/ns/Mix"
        let id: JSONValue = ["name": "id", "type": "long"]
        let avro = M.record("Mix", [id])
        XCTAssertEqual(try server.registerSchema(mix, "1.0.0", ageNumber, avro: avro).status, 201)
        XCTAssertEqual(try server.registerSchema(mix, "1.1.0", ageNumber, avro: avro).status, 201)
        let avroBreak = M.record("Mix", [id, ["name": "email", "type": "string"]])
        let withoutDefault = "Field 'email' added without a default: the new schema cannot read old data"
        try server.dryRun(mix, "1.2.0", ageInteger, avro: avroBreak, query: "?level=BACKWARD_TRANSITIVE").assertJSON(200, M.result(
            false, "BACKWARD_TRANSITIVE", ["1.0.0", "1.1.0"], [
                M.message("1.0.0", "json", "backward", "#/properties/age", "TYPE_NARROWED", true, Self.narrowed("age")),
                M.message("1.0.0", "avro", "backward", "#/fields/email", "FIELD_ADDED_WITHOUT_DEFAULT", true, withoutDefault),
                M.message("1.1.0", "json", "backward", "#/properties/age", "TYPE_NARROWED", true, Self.narrowed("age")),
                M.message("1.1.0", "avro", "backward", "#/fields/email", "FIELD_ADDED_WITHOUT_DEFAULT", true, withoutDefault),
            ]), "json before avro, version by version")
        XCTAssertEqual(try server.storedVersions(mix), ["1.0.0", "1.1.0"])
        XCTAssertEqual(try server.stop(), 0)
    }

    // MARK: - SEMVER

    private func semver(_ backend: Backend) throws {
        let server = try ServerProcess(databaseURL: backend.freshDatabaseURL(), workers: 2)
        let number = Self.number, integer = Self.integer, string = Self.string
        let sem = "/schemas/ns/Sem"
        XCTAssertEqual(try server.putLevel(sem + "/config", "SEMVER").text, M.level("SEMVER", "model"))

        let v100 = M.closed([("age", number)])
        XCTAssertEqual(try server.registerSchema(sem, "1.0.0", v100).status, 201, "the first version opens MAJOR 1")

        // A MINOR must be backward compatible with the lower versions of its MAJOR.
        let v110 = M.closed([("age", number), ("nick", string)])
        try server.dryRun(sem, "1.1.0", v110).assertJSON(200, M.result(true, "SEMVER", ["1.0.0"], [
            M.message("1.0.0", "json", "backward", "#/properties/nick", "PROPERTY_ADDED", false, Self.addedClosed("nick")),
        ]), "minor: backward against 1.0.0")
        XCTAssertEqual(try server.registerSchema(sem, "1.1.0", v110).status, 201)

        // A new MAJOR may break anything.
        try server.dryRun(sem, "2.0.0", ["type": "string"]).assertJSON(200, M.result(true, "SEMVER", [], []), "major")
        XCTAssertEqual(try server.registerSchema(sem, "2.0.0", ["type": "string"]).status, 201)

        let v120 = M.closed([("age", integer), ("nick", string)])
        let minorRefused = try server.registerSchema(sem, "1.2.0", v120)
        minorRefused.assertJSON(409, M.refusal("Schema for ns::Sem version 1.2.0 is not SEMVER compatible with 1.0.0: " + Self.narrowed("age"), [
            M.message("1.0.0", "json", "backward", "#/properties/age", "TYPE_NARROWED", true, Self.narrowed("age")),
            M.message("1.0.0", "json", "backward", "#/properties/nick", "PROPERTY_ADDED", false, Self.addedClosed("nick")),
            M.message("1.1.0", "json", "backward", "#/properties/age", "TYPE_NARROWED", true, Self.narrowed("age")),
        ]), "minor narrowing")
        // Backward-only: a widening is a valid MINOR (the forward break does not count).
        let v120ok = M.closed([("age", ["type": ["number", "null"]]), ("nick", string)])
        XCTAssertEqual(try server.registerSchema(sem, "1.2.0", v120ok).status, 201)

        // A PATCH must be compatible both ways with the versions sharing MAJOR.MINOR (and backward
        // with the lower ones of its MAJOR).
        let v111 = M.closed([("age", number), ("nick", string), ("x", string)])
        let patchRefused = try server.registerSchema(sem, "1.1.1", v111)
        patchRefused.assertJSON(409, M.refusal("Schema for ns::Sem version 1.1.1 is not SEMVER compatible with 1.1.0: " + Self.addedClosed("x"), [
            M.message("1.0.0", "json", "backward", "#/properties/nick", "PROPERTY_ADDED", false, Self.addedClosed("nick")),
            M.message("1.0.0", "json", "backward", "#/properties/x", "PROPERTY_ADDED", false, Self.addedClosed("x")),
            M.message("1.1.0", "json", "forward", "#/properties/x", "PROPERTY_ADDED", true, Self.addedClosed("x")),
        ]), "patch adding a property")
        let v111ok = M.closed([("age", ["type": "number", "description": "years"]), ("nick", string)])
        try server.dryRun(sem, "1.1.1", v111ok).assertJSON(200, M.result(true, "SEMVER", ["1.0.0", "1.1.0"], [
            M.message("1.0.0", "json", "backward", "#/properties/age/description", "ANNOTATION_CHANGED", false, "Property 'age' description added"),
            M.message("1.0.0", "json", "backward", "#/properties/nick", "PROPERTY_ADDED", false, Self.addedClosed("nick")),
            M.message("1.1.0", "json", "both", "#/properties/age/description", "ANNOTATION_CHANGED", false, "Property 'age' description added"),
        ]), "patch with an annotation only")
        XCTAssertEqual(try server.registerSchema(sem, "1.1.1", v111ok).status, 201)

        // A patch of an older line: registered later, checked against what shares its MAJOR.MINOR.
        let v101 = M.closed([("age", number), ("nick", string)])
        let olderPatch = try server.registerSchema(sem, "1.0.1", v101)
        olderPatch.assertJSON(409, M.refusal("Schema for ns::Sem version 1.0.1 is not SEMVER compatible with 1.0.0: " + Self.addedClosed("nick"), [
            M.message("1.0.0", "json", "forward", "#/properties/nick", "PROPERTY_ADDED", true, Self.addedClosed("nick")),
        ]), "older patch")
        XCTAssertEqual(try server.registerSchema(sem, "1.0.1", v100).status, 201)

        // MAJOR 2 is checked on its own line only.
        try server.dryRun(sem, "2.1.0", ["type": "string", "maxLength": 5]).assertJSON(200, M.result(false, "SEMVER", ["2.0.0"], [
            M.message("2.0.0", "json", "backward", "#/maxLength", "MAX_LENGTH_DECREASED", true, "Root schema maximum length decreased from none to 5"),
        ]), "2.1.0 against 2.0.0")
        XCTAssertEqual(try server.registerSchema(sem, "2.1.0", ["type": ["string", "null"]]).status, 201)
        // Under another level the same model is checked differently (the level is per request).
        XCTAssertEqual(try server.dryRun(sem, "2.2.0", ["type": ["string", "null"]], query: "?level=BACKWARD_TRANSITIVE").json()["compatible"],
                       false, "against MAJOR 1 too")

        XCTAssertEqual(try server.storedVersions(sem), ["1.0.0", "1.0.1", "1.1.0", "1.1.1", "1.2.0", "2.0.0", "2.1.0"])
        XCTAssertEqual(try server.stop(), 0)
    }

    // MARK: - concurrency

    private func concurrentConflicts(_ backend: Backend) throws {
        let server = try ServerProcess(databaseURL: backend.freshDatabaseURL(), workers: 2)
        XCTAssertEqual(try server.putLevel("/config/namespaces/race", "BACKWARD").status, 200)
        let number = Self.number, string = Self.string
        let base = M.closed([("a", number)])
        // Each is backward compatible with 1.0.0; each removes from a closed model what the other added.
        let left = ("1.1.0", M.closed([("a", number), ("b", string)]))
        let right = ("1.2.0", M.closed([("a", number), ("c", string)]))

        for round in 0..<8 {
            let model = "/schemas/race/M\(round)"
            XCTAssertEqual(try server.registerSchema(model, "1.0.0", base).status, 201)
            var results: [HTTPClientResponse?] = [nil, nil]
            let lock = NSLock()
            let group = DispatchGroup()
            let start = Date().addingTimeInterval(0.1)
            for (index, (version, schema)) in [left, right].enumerated() {
                group.enter()
                Thread.detachNewThread {
                    defer { group.leave() }
                    while Date() < start { usleep(200) }
                    let response = try? server.registerSchema(model, version, schema)
                    lock.lock()
                    results[index] = response
                    lock.unlock()
                }
            }
            XCTAssertEqual(group.wait(timeout: .now() + 60), .success)
            let statuses = results.map { $0?.status ?? -1 }
            XCTAssertEqual(statuses.sorted(), [201, 409], "round \(round): \(results.map { $0?.text ?? "no answer" })")
            guard let winner = statuses.firstIndex(of: 201), let loser = statuses.firstIndex(of: 409) else { continue }
            let (winnerVersion, winnerSchema) = [left, right][winner]
            let (loserVersion, loserSchema) = [left, right][loser]
            XCTAssertEqual(results[loser]?.detail?.hasPrefix("Schema for race::M\(round) version \(loserVersion) is not BACKWARD compatible with "),
                           true, "round \(round): \(results[loser]?.text ?? "")")
            // What is stored satisfies the level, and agrees with the refusal.
            XCTAssertEqual(try server.storedVersions(model), ["1.0.0", winnerVersion], "round \(round)")
            XCTAssertEqual(try server.call("\(model)/versions/\(winnerVersion)", key: nil).json()["json_schema"], winnerSchema)
            let again = try server.dryRun(model, loserVersion, loserSchema)
            XCTAssertEqual(try again.json()["compatible"], false, "round \(round): \(again.text)")
            let stored = try server.dryRun(model, winnerVersion, winnerSchema)
            XCTAssertEqual(try stored.json()["compatible"], true, "round \(round): the stored version against the others: \(stored.text)")
        }
        XCTAssertEqual(try server.stop(), 0)
    }
}
