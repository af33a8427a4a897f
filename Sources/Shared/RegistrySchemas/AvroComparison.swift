// `avro_changes` of the compare endpoint — an addition to the reference, which never compares
// Avro schemas (API.md §7.6, §13 item 18).
//
// Produced only when both versions have an Avro record schema (an object with a `fields` array).
// Fields are matched by `name` (fields that are not objects or whose `name` is not a string are
// skipped; for duplicate names the last field wins, like the reference's dict). Only field names
// and field `type`s are compared (types by value: key order does not matter, 1 == 1.0); record
// name/namespace/doc/aliases, field defaults/doc/order are not.
//
//   {"fields_added":[names], "fields_removed":[names],
//    "fields_type_changed":[{"field":name,"from":<old type>,"to":<new type>}],
//    "breaking_changes":[...], "compatibility":"breaking"|"backward_compatible"|"identical"}
//
// Names are sorted (UTF-8 byte order), type changes by field name. Breaking entries, in this order
// (the new schema is the reader of data written with the old one):
//   1. {"type":"fields_removed","details":[names],
//       "description":"Removing fields can break consumers expecting these fields"}
//   2. per changed field, unless the change is a safe one (below):
//      {"type":"field_type_changed","field":name,"from":<old>,"to":<new>,
//       "description":"Field '<name>' type changed from <old> to <new>"}   (Python-style str())
//   3. {"type":"fields_added_without_default","details":[names],
//       "description":"New fields without a default cannot read data written with the old schema"}
// A type change is safe (listed in fields_type_changed, not breaking) when, following Avro's schema
// resolution for unions, every branch the old type can hold (the old type itself, or each branch
// of an old union) is readable by the new type (the new type itself, or some branch of a new
// union), where a branch is readable by another when
//   * they are equal (as values), or
//   * both are primitive (a name like "int", or an object {"type":"int",…}) with the same name
//     (e.g. only a logicalType changed; resolution ignores logical types) or a standard
//     promotion: int→long/float/double, long→float/double, float→double, string↔bytes.
// So "string" → ["null","string"] and ["null","string"] → ["string","null","int"] are safe,
// ["null","string"] → "string" is breaking. Named/complex types are only compared for equality.
// An added field with a `default` member (any value, null included) is backward compatible.
// compatibility: "breaking" if any breaking entry, else "backward_compatible" if anything was
// added, removed or changed, else "identical".

import RegistryJSON

internal enum AvroComparison {
    /// nil unless both schemas are records with a `fields` array.
    static func changes(from old: JSONValue, to new: JSONValue) -> JSONObject? {
        guard let fields1 = fieldsByName(old), let fields2 = fieldsByName(new) else { return nil }

        let added = SchemaNames.sorted(fields2.names.filter { fields1.byName[Array($0.utf8)] == nil })
        let removed = SchemaNames.sorted(fields1.names.filter { fields2.byName[Array($0.utf8)] == nil })
        let common = SchemaNames.sorted(fields1.names.filter { fields2.byName[Array($0.utf8)] != nil })

        var typeChanged: [JSONValue] = []
        var breakingTypeChanges: [JSONValue] = []
        for name in common {
            let key = Array(name.utf8)
            let oldType = fields1.byName[key]!["type"] ?? .null
            let newType = fields2.byName[key]!["type"] ?? .null
            if PyJSON.equal(oldType, newType) { continue }
            typeChanged.append(["field": .string(name), "from": oldType, "to": newType])
            if !isSafeChange(writer: oldType, reader: newType) {
                let from = PyRepr.str(oldType), to = PyRepr.str(newType)
                breakingTypeChanges.append([
                    "type": "field_type_changed",
                    "field": .string(name),
                    "from": oldType,
                    "to": newType,
                    "description": .string("Field '\(name)' type changed from \(from) to \(to)"),
                ])
            }
        }
        let addedWithoutDefault = added.filter { fields2.byName[Array($0.utf8)]!["default"] == nil }

        var breaking: [JSONValue] = []
        if !removed.isEmpty {
            breaking.append([
                "type": "fields_removed",
                "details": SchemaNames.jsonArray(removed),
                "description": "Removing fields can break consumers expecting these fields",
            ])
        }
        breaking.append(contentsOf: breakingTypeChanges)
        if !addedWithoutDefault.isEmpty {
            breaking.append([
                "type": "fields_added_without_default",
                "details": SchemaNames.jsonArray(addedWithoutDefault),
                "description": "New fields without a default cannot read data written with the old schema",
            ])
        }

        let compatibility: String
        if !breaking.isEmpty {
            compatibility = "breaking"
        } else if !added.isEmpty || !removed.isEmpty || !typeChanged.isEmpty {
            compatibility = "backward_compatible"
        } else {
            compatibility = "identical"
        }

        return JSONObject([
            ("fields_added", SchemaNames.jsonArray(added)),
            ("fields_removed", SchemaNames.jsonArray(removed)),
            ("fields_type_changed", .array(typeChanged)),
            ("breaking_changes", .array(breaking)),
            ("compatibility", .string(compatibility)),
        ])
    }

    struct Fields {
        /// Unique names in first-seen order.
        var names: [String] = []
        /// UTF-8 bytes of the name → the (last) field object with that name.
        var byName: [[UInt8]: JSONObject] = [:]
    }

    /// The record's fields, or nil when `schema` is not an object with a `fields` array.
    static func fieldsByName(_ schema: JSONValue) -> Fields? {
        guard let list = schema["fields"]?.arrayValue else { return nil }
        var fields = Fields()
        for item in list {
            guard let field = item.objectValue, let name = field["name"]?.stringValue else { continue }
            let key = Array(name.utf8)
            if fields.byName.updateValue(field, forKey: key) == nil { fields.names.append(name) }
        }
        return fields
    }

    static let primitiveTypes: Set<String> = ["null", "boolean", "int", "long", "float", "double", "bytes", "string"]

    static let promotions: [String: Set<String>] = [
        "int": ["long", "float", "double"],
        "long": ["float", "double"],
        "float": ["double"],
        "string": ["bytes"],
        "bytes": ["string"],
    ]

    /// "int" for `"int"` and for `{"type": "int", …}`; nil for anything that is not primitive.
    static func primitiveName(_ type: JSONValue) -> String? {
        let name: String?
        switch type {
        case .string(let s): name = s
        case .object(let o): name = o["type"]?.stringValue
        default: name = nil
        }
        guard let n = name, primitiveTypes.contains(n) else { return nil }
        return n
    }

    /// Can data written with `writer` be read with `reader` (within the simple rules above)?
    static func isSafeChange(writer: JSONValue, reader: JSONValue) -> Bool {
        if PyJSON.equal(writer, reader) { return true }
        let writerBranches = writer.arrayValue ?? [writer]
        let readerBranches = reader.arrayValue ?? [reader]
        return writerBranches.allSatisfy { w in
            readerBranches.contains { r in branchReadable(writer: w, reader: r) }
        }
    }

    /// One non-union writer type read as one non-union reader type.
    static func branchReadable(writer: JSONValue, reader: JSONValue) -> Bool {
        if PyJSON.equal(writer, reader) { return true }
        guard let w = primitiveName(writer), let r = primitiveName(reader) else { return false }
        return w == r || promotions[w]?.contains(r) == true
    }
}
