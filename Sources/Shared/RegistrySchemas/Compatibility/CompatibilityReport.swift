import RegistryCompatibility
import RegistryJSON
import RegistryRuntime

/// One change between an existing version and the new schema, as the dry run and a refused
/// registration list it.
public struct CompatibilityMessage: Sendable, Equatable {
    public enum SchemaKind: String, Sendable { case json, avro }

    public let version: String
    public let schema: SchemaKind
    /// The directions it breaks in when `breaking`; otherwise the directions that were checked.
    public let direction: String
    public let change: SchemaChange
    public let breaking: Bool

    public var json: JSONValue {
        [
            "version": .string(version),
            "schema": .string(schema.rawValue),
            "direction": .string(direction),
            "path": .string(change.path),
            "change": .string(change.code),
            "breaking": .bool(breaking),
            "description": .string(change.description),
        ]
    }
}

/// The verdict on a new schema at one level: what it was compared with and every change found.
public struct CompatibilityReport: Sendable, Equatable {
    public let level: CompatibilityLevel
    public let checkedAgainst: [String]
    public let messages: [CompatibilityMessage]

    public var isCompatible: Bool { !messages.contains { $0.breaking } }
    public var firstBreak: CompatibilityMessage? { messages.first { $0.breaking } }

    public var json: JSONValue {
        [
            "compatible": .bool(isCompatible),
            "level": .string(level.rawValue),
            "checked_against": .array(checkedAgainst.map(JSONValue.string)),
            "messages": .array(messages.map(\.json)),
        ]
    }
}

/// A registration refused by the level in force: 409 with the dry run's messages.
public struct IncompatibleSchema: Error, Sendable {
    public let detail: String
    public let report: CompatibilityReport

    init(_ key: ModelKey, version: String, report: CompatibilityReport) {
        let first = report.firstBreak
        detail = "Schema for \(key.identifier) version \(version) is not \(report.level.rawValue) compatible with "
            + "\(first?.version ?? "?"): \(first?.change.description ?? "incompatible")"
        self.report = report
    }

    public var body: JSONValue { ["detail": .string(detail), "messages": .array(report.messages.map(\.json))] }
}
