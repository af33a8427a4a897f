import RegistryCompatibility
import RegistryJSON
import RegistryRuntime

/// Runs the engines for a plan: the JSON Schema always, the Avro schema when both sides carry one.
enum CompatibilityChecker {
    struct Candidate {
        let jsonSchema: JSONValue
        let avroSchema: JSONValue?
    }

    static func report(_ level: CompatibilityLevel, new: Candidate,
                       against existing: [(version: String, directions: CheckedDirections, schema: Candidate)]) -> CompatibilityReport {
        var messages: [CompatibilityMessage] = []
        for (version, directions, old) in existing {
            let json = JSONSchemaCompatibility.changes(old: old.jsonSchema, new: new.jsonSchema)
            messages += json.map { message($0, version: version, schema: .json, checked: directions) }
            if let oldAvro = old.avroSchema, let newAvro = new.avroSchema {
                let avro = AvroCompatibility.changes(old: oldAvro, new: newAvro)
                messages += avro.map { message($0, version: version, schema: .avro, checked: directions) }
            }
        }
        return CompatibilityReport(level: level, checkedAgainst: existing.map(\.version), messages: messages)
    }

    private static func message(_ change: SchemaChange, version: String, schema: CompatibilityMessage.SchemaKind,
                                checked: CheckedDirections) -> CompatibilityMessage {
        let breaks = CheckedDirections(backward: checked.backward && change.breaksBackward,
                                       forward: checked.forward && change.breaksForward)
        let breaking = breaks.backward || breaks.forward
        return CompatibilityMessage(version: version, schema: schema, direction: (breaking ? breaks : checked).label,
                                    change: change, breaking: breaking)
    }
}
