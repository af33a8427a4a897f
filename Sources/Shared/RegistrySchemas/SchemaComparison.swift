// The `changes` object of the compare endpoint (API.md §6.7, §7.6).
//
// JSON Schema part — the reference algorithm, with these deliberate fixes (API.md §13 item 18):
//   * every list is sorted (names in UTF-8 byte order; `properties_modified` and the
//     `type_changed` entries by property name), so the output is deterministic;
//   * property definitions that are not objects (boolean schemas, anything else) are compared by
//     value instead of failing with 500; their `type` counts as absent (None);
//   * a `properties` member that is not an object, or a `required` member that is not an array,
//     counts as missing; non-string entries of `required` are ignored; a schema that is not an
//     object counts as `{}`;
//   * "deeply equal" is value equality (`PyJSON.equal`): object key order does not matter,
//     numbers compare numerically (1 == 1.0), booleans never equal numbers.
// Everything else follows the reference: only top-level `properties` / `required` are looked at;
// a change inside a property is reported only as a `properties_modified` entry; breaking entries
// are ordered removed → type changes → required added; `compatibility` is decided by the JSON
// Schema part alone.
//
// Avro part (an addition, see AvroComparison.swift): when both versions carry an Avro record
// schema, a trailing `avro_changes` object is added.

import RegistryJSON

public enum SchemaComparison {
    /// The `changes` object, keys in this order: properties_added, properties_removed,
    /// properties_modified, required_added, required_removed, breaking_changes, compatibility,
    /// and `avro_changes` when both Avro schemas are records with a `fields` array
    /// (`nil` and `.null` both mean "no Avro schema").
    public static func changes(
        fromJSONSchema: JSONValue, toJSONSchema: JSONValue, fromAvro: JSONValue?, toAvro: JSONValue?
    ) -> JSONObject {
        let props1 = properties(of: fromJSONSchema)
        let props2 = properties(of: toJSONSchema)

        let added = SchemaNames.sorted(props2.keys.filter { !props1.contains(key: $0) })
        let removed = SchemaNames.sorted(props1.keys.filter { !props2.contains(key: $0) })

        var breaking: [JSONValue] = []
        if !removed.isEmpty {
            breaking.append([
                "type": "properties_removed",
                "details": SchemaNames.jsonArray(removed),
                "description": "Removing properties can break consumers expecting these fields",
            ])
        }

        var modified: [JSONValue] = []
        let common = SchemaNames.sorted(props1.keys.filter { props2.contains(key: $0) })
        for key in common {
            let old = props1[key]!, new = props2[key]!
            if PyJSON.equal(old, new) { continue }
            let oldType = old.objectValue?["type"]
            let newType = new.objectValue?["type"]
            if !PyJSON.equal(oldType, newType) {
                let from = PyRepr.str(oldType), to = PyRepr.str(newType)
                breaking.append([
                    "type": "type_changed",
                    "property": .string(key),
                    "from": oldType ?? .null,
                    "to": newType ?? .null,
                    "description": .string("Property '\(key)' type changed from \(from) to \(to)"),
                ])
            }
            modified.append(["property": .string(key), "from": old, "to": new])
        }

        let req1 = required(of: fromJSONSchema)
        let req2 = required(of: toJSONSchema)
        let req1Set = Set(req1.map { Array($0.utf8) })
        let req2Set = Set(req2.map { Array($0.utf8) })
        let requiredAdded = SchemaNames.sorted(req2.filter { !req1Set.contains(Array($0.utf8)) })
        let requiredRemoved = SchemaNames.sorted(req1.filter { !req2Set.contains(Array($0.utf8)) })
        if !requiredAdded.isEmpty {
            breaking.append([
                "type": "required_fields_added",
                "details": SchemaNames.jsonArray(requiredAdded),
                "description": "Adding required fields can break existing data producers",
            ])
        }

        let compatibility: String
        if !breaking.isEmpty {
            compatibility = "breaking"
        } else if !added.isEmpty || !modified.isEmpty || !requiredRemoved.isEmpty {
            compatibility = "backward_compatible"
        } else {
            compatibility = "identical"
        }

        var result = JSONObject([
            ("properties_added", SchemaNames.jsonArray(added)),
            ("properties_removed", SchemaNames.jsonArray(removed)),
            ("properties_modified", .array(modified)),
            ("required_added", SchemaNames.jsonArray(requiredAdded)),
            ("required_removed", SchemaNames.jsonArray(requiredRemoved)),
            ("breaking_changes", .array(breaking)),
            ("compatibility", .string(compatibility)),
        ])
        if let fromAvro = fromAvro, let toAvro = toAvro,
            let avroChanges = AvroComparison.changes(from: fromAvro, to: toAvro)
        {
            result["avro_changes"] = .object(avroChanges)
        }
        return result
    }

    /// Top-level `properties`; anything but an object counts as `{}`.
    static func properties(of schema: JSONValue) -> JSONObject {
        schema["properties"]?.objectValue ?? JSONObject()
    }

    /// Top-level `required` as unique strings; not an array → empty; non-strings ignored.
    static func required(of schema: JSONValue) -> [String] {
        guard let items = schema["required"]?.arrayValue else { return [] }
        return SchemaNames.unique(items.compactMap { $0.stringValue })
    }
}
