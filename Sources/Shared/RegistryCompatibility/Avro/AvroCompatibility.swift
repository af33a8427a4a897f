import RegistryJSON

/// The Avro compatibility engine (issue 14): every difference between two Avro schemas, each with
/// what it breaks under the Avro specification's schema-resolution rules:
/// - backward: the new schema reads data written with the old one (new = reader, old = writer);
/// - forward: the old schema reads data written with the new one (old = reader, new = writer).
///
/// Codes (stable):
/// `FIELD_ADDED_WITH_DEFAULT`, `FIELD_ADDED_WITHOUT_DEFAULT` (breaks backward), `FIELD_REMOVED`
/// (breaks forward when the old field had no default), `FIELD_RENAMED` (matched through an alias;
/// breaks a direction whose reader has no alias for the other name and no default),
/// `FIELD_ALIAS_ADDED`, `FIELD_ALIAS_REMOVED`, `FIELD_DEFAULT_ADDED`, `FIELD_DEFAULT_REMOVED`,
/// `FIELD_DEFAULT_CHANGED`, `TYPE_CHANGED`, `TYPE_PROMOTED` (int→long/float/double, long→float/double,
/// float→double, string↔bytes: breaks forward unless the promotion also goes back, as string↔bytes),
/// `TYPE_NARROWED` (the reverse of a promotion: breaks backward), `LOGICAL_TYPE_CHANGED`,
/// `TYPE_CHANGED_TO_UNION`, `UNION_CHANGED_TO_TYPE`, `UNION_BRANCH_ADDED` (breaks forward unless the
/// old schema reads the branch), `UNION_BRANCH_REMOVED` (breaks backward unless the new schema reads
/// the branch), `ENUM_SYMBOL_ADDED` (breaks forward unless the old enum has a default),
/// `ENUM_SYMBOL_REMOVED` (breaks backward unless the new enum has a default), `ENUM_DEFAULT_CHANGED`,
/// `FIXED_SIZE_CHANGED`, `NAME_CHANGED` (breaks a direction whose reader has no alias for the
/// writer's full name), `NAMESPACE_CHANGED`, `ALIAS_ADDED`, `ALIAS_REMOVED`.
///
/// Paths: `#` is the top-level schema; `#/fields/address/fields/city` a nested field; `/items` and
/// `/values` an array's items and a map's values; `/<branch>` a union branch by its type (a named
/// type's full name, else the type word: `#/fields/email/string`); `/symbols/<SYMBOL>` an enum symbol.
/// Where the thing exists only in the old schema, the path is where it was there.
///
/// Names: the specification matches records, enums and fixed by their unqualified names (or a
/// reader alias equal to the writer's full name), so a namespace change alone breaks nothing.
public enum AvroCompatibility {
    public static func changes(old: JSONValue, new: JSONValue) -> [SchemaChange] {
        changes(old: ParsedAvroSchema(old), new: ParsedAvroSchema(new))
    }

    /// The same, for schemas parsed once (a new schema compared with many versions).
    public static func changes(old: ParsedAvroSchema, new: ParsedAvroSchema) -> [SchemaChange] {
        var differ = AvroDiffer()
        differ.walk(old: old.root, new: new.root, path: "#", mask: .both)
        return differ.changes
    }

    /// Can data written with `writer` be read with `reader` (the specification's resolution)?
    public static func canRead(reader: JSONValue, writer: JSONValue) -> Bool {
        var resolver = AvroResolver()
        return resolver.canRead(reader: AvroSchemaParser.parse(reader), writer: AvroSchemaParser.parse(writer))
    }
}

/// An Avro schema parsed for the engine. The walks only read it, so one parse serves many comparisons.
public struct ParsedAvroSchema: @unchecked Sendable {
    let root: AvroNode

    public init(_ json: JSONValue) { root = AvroSchemaParser.parse(json) }
}

/// Which directions a comparison still speaks for: a field pair matched only through the old
/// field's alias is a pair for forward resolution alone, so what differs inside it breaks forward only.
struct AvroDirections: Hashable {
    var backward: Bool
    var forward: Bool
    static let both = AvroDirections(backward: true, forward: true)
    var isEmpty: Bool { !backward && !forward }
    func and(_ other: AvroDirections) -> AvroDirections {
        AvroDirections(backward: backward && other.backward, forward: forward && other.forward)
    }
}

struct AvroDiffer {
    private struct Visit: Hashable {
        let old: ObjectIdentifier
        let new: ObjectIdentifier
        let mask: AvroDirections
    }

    private(set) var changes: [SchemaChange] = []
    private var resolver = AvroResolver()
    private var visited: Set<Visit> = []

    private mutating func add(_ code: String, _ path: String, _ description: String, backward: Bool = false, forward: Bool = false, mask: AvroDirections) {
        changes.append(SchemaChange(
            code: code, path: path, description: description,
            breaksBackward: backward && mask.backward, breaksForward: forward && mask.forward
        ))
    }

    private mutating func canRead(reader: AvroNode, writer: AvroNode) -> Bool {
        resolver.canRead(reader: reader, writer: writer)
    }

    mutating func walk(old: AvroNode, new: AvroNode, path: String, mask: AvroDirections) {
        if mask.isEmpty || old === new { return }
        if old.named != nil || new.named != nil {
            // Named types are where recursion happens: a pair is compared once per mask.
            guard visited.insert(Visit(old: old.id, new: new.id, mask: mask)).inserted else { return }
        }
        switch (old.kind, new.kind) {
        case let (.union(oldBranches), .union(newBranches)):
            unions(old: old, oldBranches, new: new, newBranches, path: path, mask: mask)
        case let (_, .union(newBranches)):
            typeToUnion(old: old, new: new, newBranches, path: path, mask: mask)
        case let (.union(oldBranches), _):
            unionToType(old: old, oldBranches, new: new, path: path, mask: mask)
        case let (.primitive(o), .primitive(n)):
            if o == n {
                if old.logicalType != new.logicalType {
                    add("LOGICAL_TYPE_CHANGED", path,
                        "\(Self.subject(path)) logical type changed from \(old.logicalType ?? "none") to \(new.logicalType ?? "none") (resolution follows the underlying \(o))",
                        mask: mask)
                }
            } else if AvroResolver.promotes(writer: o, reader: n) {
                add("TYPE_PROMOTED", path, "\(Self.subject(path)) type promoted from \(old.display) to \(new.display)",
                    forward: !AvroResolver.promotes(writer: n, reader: o), mask: mask)
            } else if AvroResolver.promotes(writer: n, reader: o) {
                add("TYPE_NARROWED", path, "\(Self.subject(path)) type narrowed from \(old.display) to \(new.display)", backward: true, mask: mask)
            } else {
                typeChanged(old: old, new: new, path: path, mask: mask)
            }
        case let (.record(oldName, oldFields), .record(newName, newFields)):
            names(oldName, newName, word: "Record", path: path, mask: mask)
            fields(oldFields, old.fieldIndex, newFields, new.fieldIndex, path: path, mask: mask)
        case let (.enumeration(oldName, oldSymbols, oldDefault), .enumeration(newName, newSymbols, newDefault)):
            names(oldName, newName, word: "Enum", path: path, mask: mask)
            let oldSet = Set(oldSymbols), newSet = Set(newSymbols)
            for symbol in newSymbols where !oldSet.contains(symbol) {
                let readable = AvroResolver.enumResolves(readerSymbols: oldSymbols, readerDefault: oldDefault, writerSymbols: [symbol])
                add("ENUM_SYMBOL_ADDED", "\(path)/symbols/\(symbol)",
                    "\(Self.subject(path)) enum symbol '\(symbol)' added" + (readable ? " (the old enum reads it as its default '\(oldDefault ?? "")')" : ""),
                    forward: !readable, mask: mask)
            }
            for symbol in oldSymbols where !newSet.contains(symbol) {
                let readable = AvroResolver.enumResolves(readerSymbols: newSymbols, readerDefault: newDefault, writerSymbols: [symbol])
                add("ENUM_SYMBOL_REMOVED", "\(path)/symbols/\(symbol)",
                    "\(Self.subject(path)) enum symbol '\(symbol)' removed" + (readable ? " (the new enum reads it as its default '\(newDefault ?? "")')" : ""),
                    backward: !readable, mask: mask)
            }
            if oldDefault != newDefault {
                add("ENUM_DEFAULT_CHANGED", path,
                    "\(Self.subject(path)) enum default changed from \(oldDefault.map { "'\($0)'" } ?? "none") to \(newDefault.map { "'\($0)'" } ?? "none")",
                    mask: mask)
            }
        case let (.fixed(oldName, oldSize), .fixed(newName, newSize)):
            names(oldName, newName, word: "Fixed", path: path, mask: mask)
            if oldSize != newSize {
                add("FIXED_SIZE_CHANGED", path, "\(Self.subject(path)) fixed size changed from \(oldSize) to \(newSize)",
                    backward: true, forward: true, mask: mask)
            }
            if old.logicalType != new.logicalType {
                add("LOGICAL_TYPE_CHANGED", path,
                    "\(Self.subject(path)) logical type changed from \(old.logicalType ?? "none") to \(new.logicalType ?? "none") (resolution follows the underlying fixed)",
                    mask: mask)
            }
        case let (.array(o), .array(n)):
            walk(old: o, new: n, path: path + "/items", mask: mask)
        case let (.map(o), .map(n)):
            walk(old: o, new: n, path: path + "/values", mask: mask)
        case let (.unresolved(o), .unresolved(n)) where o == n:
            return
        default:
            typeChanged(old: old, new: new, path: path, mask: mask)
        }
    }

    private mutating func typeChanged(old: AvroNode, new: AvroNode, path: String, mask: AvroDirections) {
        add("TYPE_CHANGED", path, "\(Self.subject(path)) type changed from \(old.display) to \(new.display)",
            backward: !canRead(reader: new, writer: old), forward: !canRead(reader: old, writer: new), mask: mask)
    }

    // MARK: Names

    private mutating func names(_ old: AvroName, _ new: AvroName, word: String, path: String, mask: AvroDirections) {
        if old.name != new.name {
            let backwardOK = AvroResolver.namesMatch(reader: new, writer: old)
            let forwardOK = AvroResolver.namesMatch(reader: old, writer: new)
            var description = "\(word) name changed from \(old.fullName) to \(new.fullName)"
            if backwardOK { description += " (the new schema has the alias \(old.fullName))" }
            if forwardOK { description += " (the old schema has the alias \(new.fullName))" }
            add("NAME_CHANGED", path, description, backward: !backwardOK, forward: !forwardOK, mask: mask)
        } else if old.namespace != new.namespace {
            add("NAMESPACE_CHANGED", path,
                "\(word) \(old.name) namespace changed from \(old.namespace.isEmpty ? "none" : old.namespace) to \(new.namespace.isEmpty ? "none" : new.namespace) (names match unqualified)",
                mask: mask)
        }
        if old.aliases == new.aliases { return }
        let oldAliases = Set(old.aliases), newAliases = Set(new.aliases)
        for alias in new.aliases where !oldAliases.contains(alias) {
            add("ALIAS_ADDED", path, "\(word) \(new.fullName) alias '\(alias)' added", mask: mask)
        }
        for alias in old.aliases where !newAliases.contains(alias) {
            add("ALIAS_REMOVED", path, "\(word) \(old.fullName) alias '\(alias)' removed", mask: mask)
        }
    }

    // MARK: Records

    private mutating func fields(
        _ oldFields: [AvroField], _ oldIndex: [String: Int], _ newFields: [AvroField], _ newIndex: [String: Int],
        path: String, mask: AvroDirections
    ) {
        // Backward: each new (reader) field finds its old (writer) field; forward: the reverse.
        var backwardPartner: [String: String] = [:]  // new field name → old field name
        var forwardPartner: [String: String] = [:]  // old field name → new field name
        var forwardPartners: [String: [String]] = [:]  // new field name → the old fields that read it
        for field in newFields {
            if let writer = AvroResolver.writerField(for: field, in: oldFields, index: oldIndex) { backwardPartner[field.name] = writer.name }
        }
        for field in oldFields {
            if let writer = AvroResolver.writerField(for: field, in: newFields, index: newIndex) {
                forwardPartner[field.name] = writer.name
                forwardPartners[writer.name, default: []].append(field.name)
            }
        }

        var pairedOld: Set<String> = []
        for newField in newFields {
            let fieldPath = "\(path)/fields/\(newField.name)"
            var partners: [String] = []
            if let o = backwardPartner[newField.name] { partners.append(o) }
            for oldName in forwardPartners[newField.name] ?? [] where !partners.contains(oldName) {
                partners.append(oldName)
            }
            if partners.isEmpty {
                if newField.hasDefault {
                    add("FIELD_ADDED_WITH_DEFAULT", fieldPath, "Field '\(Self.dotted(fieldPath))' added with a default", mask: mask)
                } else {
                    add("FIELD_ADDED_WITHOUT_DEFAULT", fieldPath,
                        "Field '\(Self.dotted(fieldPath))' added without a default: the new schema cannot read old data",
                        backward: true, mask: mask)
                }
                continue
            }
            for oldName in partners {
                guard let position = oldIndex[oldName] else { continue }
                let oldField = oldFields[position]
                pairedOld.insert(oldName)
                let dirs = AvroDirections(
                    backward: backwardPartner[newField.name] == oldName,
                    forward: forwardPartner[oldName] == newField.name
                )
                if oldName != newField.name {
                    // Matched through an alias. A direction without the pair: its reader field finds
                    // no writer field (or another one) and needs a default.
                    let backwardBreak = backwardPartner[newField.name] == nil && !newField.hasDefault
                    let forwardBreak = forwardPartner[oldName] == nil && !oldField.hasDefault
                    var description = "Field '\(oldName)' renamed to '\(newField.name)'"
                    if dirs.backward { description += " (the new field has the alias '\(oldName)')" }
                    if dirs.forward { description += " (the old field has the alias '\(newField.name)')" }
                    add("FIELD_RENAMED", fieldPath, description, backward: backwardBreak, forward: forwardBreak, mask: mask)
                } else {
                    fieldDetails(oldField, newField, path: fieldPath, mask: mask)
                }
                walk(old: oldField.type, new: newField.type, path: fieldPath, mask: mask.and(dirs))
            }
        }
        for oldField in oldFields where !pairedOld.contains(oldField.name) {
            let fieldPath = "\(path)/fields/\(oldField.name)"
            if oldField.hasDefault {
                add("FIELD_REMOVED", fieldPath, "Field '\(Self.dotted(fieldPath))' removed (the old schema has a default for it)", mask: mask)
            } else {
                add("FIELD_REMOVED", fieldPath,
                    "Field '\(Self.dotted(fieldPath))' removed: the old schema has no default for it and cannot read new data",
                    forward: true, mask: mask)
            }
        }
    }

    private mutating func fieldDetails(_ old: AvroField, _ new: AvroField, path: String, mask: AvroDirections) {
        let name = Self.dotted(path)
        switch (old.defaultValue, new.defaultValue) {
        case (nil, .some):
            add("FIELD_DEFAULT_ADDED", path, "Field '\(name)' default added", mask: mask)
        case (.some, nil):
            add("FIELD_DEFAULT_REMOVED", path, "Field '\(name)' default removed", mask: mask)
        case let (.some(o), .some(n)) where o != n:
            add("FIELD_DEFAULT_CHANGED", path, "Field '\(name)' default changed from \(o.serialized()) to \(n.serialized())", mask: mask)
        default:
            break
        }
        if old.aliases == new.aliases { return }
        let oldAliases = Set(old.aliases), newAliases = Set(new.aliases)
        for alias in new.aliases where !oldAliases.contains(alias) {
            add("FIELD_ALIAS_ADDED", path, "Field '\(name)' alias '\(alias)' added", mask: mask)
        }
        for alias in old.aliases where !newAliases.contains(alias) {
            add("FIELD_ALIAS_REMOVED", path, "Field '\(name)' alias '\(alias)' removed", mask: mask)
        }
    }

    // MARK: Unions

    /// The branch of `branches` that stands for `node`: the same type word and, for a named type,
    /// the same full name, else a name that matches either way (unqualified, or through an alias).
    private static func matchingBranch(_ node: AvroNode, in branches: [AvroNode], excluding taken: Set<Int> = []) -> Int? {
        if let exact = branches.indices.first(where: { !taken.contains($0) && branches[$0].typeWord == node.typeWord && branches[$0].branchKey == node.branchKey }) {
            return exact
        }
        guard let name = node.named else { return nil }
        return branches.indices.first { index in
            guard !taken.contains(index), branches[index].typeWord == node.typeWord, let other = branches[index].named else { return false }
            return AvroResolver.namesMatch(reader: other, writer: name) || AvroResolver.namesMatch(reader: name, writer: other)
        }
    }

    private mutating func unions(old: AvroNode, _ oldBranches: [AvroNode], new: AvroNode, _ newBranches: [AvroNode], path: String, mask: AvroDirections) {
        var takenNew: Set<Int> = []
        var pairs: [(Int, Int)] = []
        var removed: [Int] = []
        for (index, branch) in oldBranches.enumerated() {
            if let match = Self.matchingBranch(branch, in: newBranches, excluding: takenNew) {
                takenNew.insert(match)
                pairs.append((index, match))
            } else {
                removed.append(index)
            }
        }
        for (o, n) in pairs {
            walk(old: oldBranches[o], new: newBranches[n], path: "\(path)/\(newBranches[n].branchKey)", mask: mask)
        }
        for index in removed {
            let branch = oldBranches[index]
            let readable = canRead(reader: new, writer: branch)
            add("UNION_BRANCH_REMOVED", "\(path)/\(branch.branchKey)",
                "\(Self.subject(path)) union branch \(branch.shortDisplay) removed" + (readable ? " (the new union still reads it)" : ""),
                backward: !readable, mask: mask)
        }
        for (index, branch) in newBranches.enumerated() where !takenNew.contains(index) {
            let readable = canRead(reader: old, writer: branch)
            add("UNION_BRANCH_ADDED", "\(path)/\(branch.branchKey)",
                "\(Self.subject(path)) union branch \(branch.shortDisplay) added" + (readable ? " (the old union reads it)" : ""),
                forward: !readable, mask: mask)
        }
    }

    private mutating func typeToUnion(old: AvroNode, new: AvroNode, _ newBranches: [AvroNode], path: String, mask: AvroDirections) {
        guard let match = Self.matchingBranch(old, in: newBranches) else {
            add("TYPE_CHANGED_TO_UNION", path, "\(Self.subject(path)) type changed from \(old.display) to \(new.display)",
                backward: !canRead(reader: new, writer: old), forward: !canRead(reader: old, writer: new), mask: mask)
            return
        }
        add("TYPE_CHANGED_TO_UNION", path, "\(Self.subject(path)) type changed from \(old.display) to \(new.display)", mask: mask)
        walk(old: old, new: newBranches[match], path: "\(path)/\(newBranches[match].branchKey)", mask: mask)
        for (index, branch) in newBranches.enumerated() where index != match {
            let readable = canRead(reader: old, writer: branch)
            add("UNION_BRANCH_ADDED", "\(path)/\(branch.branchKey)",
                "\(Self.subject(path)) union branch \(branch.shortDisplay) added" + (readable ? " (the old \(old.shortDisplay) reads it)" : ""),
                forward: !readable, mask: mask)
        }
    }

    private mutating func unionToType(old: AvroNode, _ oldBranches: [AvroNode], new: AvroNode, path: String, mask: AvroDirections) {
        guard let match = Self.matchingBranch(new, in: oldBranches) else {
            add("UNION_CHANGED_TO_TYPE", path, "\(Self.subject(path)) type changed from \(old.display) to \(new.display)",
                backward: !canRead(reader: new, writer: old), forward: !canRead(reader: old, writer: new), mask: mask)
            return
        }
        add("UNION_CHANGED_TO_TYPE", path, "\(Self.subject(path)) type changed from \(old.display) to \(new.display)", mask: mask)
        walk(old: oldBranches[match], new: new, path: path, mask: mask)
        for (index, branch) in oldBranches.enumerated() where index != match {
            let readable = canRead(reader: new, writer: branch)
            add("UNION_BRANCH_REMOVED", "\(path)/\(branch.branchKey)",
                "\(Self.subject(path)) union branch \(branch.shortDisplay) removed" + (readable ? " (the new \(new.shortDisplay) reads it)" : ""),
                backward: !readable, mask: mask)
        }
    }

    // MARK: Words

    /// `#/fields/address/fields/city` → `address.city`; items, values and branches in brackets.
    static func dotted(_ path: String) -> String {
        var parts = path.split(separator: "/").map(String.init)
        if parts.first == "#" { parts.removeFirst() }
        var out = ""
        var index = 0
        while index < parts.count {
            let part = parts[index]
            switch part {
            case "fields" where index + 1 < parts.count:
                out += (out.isEmpty ? "" : ".") + parts[index + 1]
                index += 2
                continue
            case "items": out += "[]"
            case "values": out += "{}"
            case "symbols" where index + 1 < parts.count:
                out += "/symbols/\(parts[index + 1])"
                index += 2
                continue
            default: out += "<\(part)>"
            }
            index += 1
        }
        return out
    }

    /// The sentence's subject for a path: "Field 'address.city'", "The schema".
    static func subject(_ path: String) -> String {
        if path == "#" { return "The schema" }
        if path.hasPrefix("#/fields/") { return "Field '\(dotted(path))'" }
        return "The schema's \(dotted(path))"
    }
}
