import RegistryDomain
import RegistryJSON
import RegistryRuntime
@testable import RegistrySchemas
import XCTest

/// Which versions each level compares a new one with, and how a change becomes a message.
final class CompatibilityPolicyTests: XCTestCase {
    private let existing = ["1.0.0", "1.1.0", "1.1.3", "2.0.0", "2.1.0"].enumerated().map { index, text in
        CompatibilityPolicy.Existing(id: index + 1, version: text, number: SchemaVersion(text)!)
    }

    private func plan(_ level: CompatibilityLevel, _ new: String) -> [String] {
        CompatibilityPolicy.plan(level, new: SchemaVersion(new)!, existing: existing).map { comparison in
            let d = comparison.directions
            return comparison.existing.version + (d == .both ? " both" : d.backward ? " backward" : " forward")
        }
    }

    func testLatestOnlyLevelsCompareWithTheHighestVersionWhateverTheNewOne() {
        XCTAssertEqual(plan(.backward, "3.0.0"), ["2.1.0 backward"])
        XCTAssertEqual(plan(.forward, "1.0.1"), ["2.1.0 forward"])
        XCTAssertEqual(plan(.full, "2.2.0"), ["2.1.0 both"])
        XCTAssertEqual(plan(.none, "2.2.0"), [])
    }

    func testTransitiveLevelsCompareWithEveryVersionInOrder() {
        XCTAssertEqual(plan(.backwardTransitive, "3.0.0"),
                       ["1.0.0 backward", "1.1.0 backward", "1.1.3 backward", "2.0.0 backward", "2.1.0 backward"])
        XCTAssertEqual(plan(.fullTransitive, "0.1.0").count, 5)
        XCTAssertEqual(plan(.forwardTransitive, "0.1.0").first, "1.0.0 forward")
    }

    func testSemverChecksTheLowerVersionsOfTheLineAndBothWaysWithinAMinor() {
        XCTAssertEqual(plan(.semver, "3.0.0"), [], "a new MAJOR line may change anything")
        XCTAssertEqual(plan(.semver, "1.2.0"), ["1.0.0 backward", "1.1.0 backward", "1.1.3 backward"])
        XCTAssertEqual(plan(.semver, "1.1.4"), ["1.0.0 backward", "1.1.0 both", "1.1.3 both"])
        XCTAssertEqual(plan(.semver, "1.1.1"), ["1.0.0 backward", "1.1.0 both"], "higher versions of the line are not checked")
        XCTAssertEqual(plan(.semver, "2.0.1"), ["2.0.0 both"])
        XCTAssertEqual(plan(.semver, "0.9.0"), [])
    }

    func testAMessageNamesTheDirectionItBreaksOrTheOnesChecked() {
        let old = CompatibilityChecker.Candidate(jsonSchema: ["type": "object", "properties": ["age": ["type": "number"]]],
                                                 avroSchema: nil)
        let new = CompatibilityChecker.Candidate(jsonSchema: ["type": "object", "properties": ["age": ["type": "integer"]]],
                                                 avroSchema: ["type": "record", "name": "R", "fields": []])
        let full = CompatibilityChecker.report(.full, new: new, against: [("1.0.0", .both, old)])
        XCTAssertEqual(full.messages.map { "\($0.change.code) \($0.direction) \($0.breaking) \($0.schema)" },
                       ["TYPE_NARROWED backward true json"], "no Avro message when the old version has no Avro schema")
        XCTAssertFalse(full.isCompatible)
        let forward = CompatibilityChecker.report(.forward, new: new, against: [("1.0.0", .forwardOnly, old)])
        XCTAssertEqual(forward.messages.map { "\($0.direction) \($0.breaking)" }, ["forward false"])
        XCTAssertTrue(forward.isCompatible)
        XCTAssertEqual(forward.json.serialized(), ##"{"compatible":true,"level":"FORWARD","checked_against":["1.0.0"],"messages":["##
                       + ##"{"version":"1.0.0","schema":"json","direction":"forward","path":"#/properties/age","change":"TYPE_NARROWED","##
                       + ##""breaking":false,"description":"Property 'age' type narrowed from number to integer"}]}"##)
    }

    func testTheRefusalNamesTheLevelTheVersionAndTheFirstBreak() {
        let old = CompatibilityChecker.Candidate(jsonSchema: ["type": "number"], avroSchema: nil)
        let new = CompatibilityChecker.Candidate(jsonSchema: ["type": "integer"], avroSchema: nil)
        let report = CompatibilityChecker.report(.backward, new: new, against: [("1.1.0", .backwardOnly, old)])
        let refusal = IncompatibleSchema(ModelKey(namespace: "ns", model: "Model"), version: "2.0.0", report: report)
        XCTAssertEqual(refusal.detail, "Schema for ns::Model version 2.0.0 is not BACKWARD compatible with 1.1.0: "
                       + (report.firstBreak?.change.description ?? "-"))
        XCTAssertEqual(refusal.body["messages"]?.arrayValue?.count, report.messages.count)
    }

    func testScopeKeysKeepAGlobalModelApartFromEveryNamespace() {
        let keys = [CompatibilityScope.server, .namespace("null"), .namespace(""), .model(ModelKey(namespace: nil, model: "M")),
                    .model(ModelKey(namespace: "null", model: "M")), .model(ModelKey(namespace: "", model: "M"))].map(\.storageKey)
        XCTAssertEqual(Set(keys).count, keys.count, "\(keys)")
        XCTAssertEqual(CompatibilityScope.model(ModelKey(namespace: nil, model: "M")).chain.map(\.source), ["model", "server"])
        XCTAssertEqual(CompatibilityScope.model(ModelKey(namespace: "a", model: "M")).chain.map(\.source),
                       ["model", "namespace", "server"])
    }
}
