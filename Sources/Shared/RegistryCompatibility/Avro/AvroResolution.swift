/// The Avro specification's schema resolution ("Schema Resolution"), as a yes/no question: can data
/// written with `writer` be read with `reader`? The engine asks it where a change's effect depends
/// on the whole of a type (a union branch added or removed, a type turned into a union).
///
/// - primitives: equal, or the writer's promotes to the reader's: int → long, float, double;
///   long → float, double; float → double; string → bytes; bytes → string;
/// - records, enums, fixed: the same unqualified name, or a reader alias equal to the writer's full
///   name; fixed: the same size; enums: every writer symbol is a reader symbol, unless the reader
///   has a default symbol; records: each reader field is found in the writer (by its name, then by
///   its aliases) and resolves, or has a default; writer fields the reader lacks are skipped;
/// - arrays and maps: their items and values resolve;
/// - a writer union: every branch resolves against the reader (a check cannot know which branch
///   the data uses); a reader union (writer not a union): some branch resolves the writer. The
///   specification resolves the first reader branch that matches; the two differ only when two
///   reader branches match one writer type (through aliases), and avro's checker does the same.
/// A pair met again while it is being resolved (a recursive type) is assumed to resolve. Results
/// are remembered when they are final: a "no", or a "yes" that assumed nothing about a pair still
/// being resolved further up (such a "yes" could be wrong once that pair fails).
struct AvroResolver {
    private struct Pair: Hashable {
        let reader: ObjectIdentifier
        let writer: ObjectIdentifier
    }

    private var memo: [Pair: Bool] = [:]
    /// The pairs being resolved, with their depth in the resolution.
    private var inProgress: [Pair: Int] = [:]
    /// The shallowest in-progress pair assumed to resolve since the current pair began.
    private var shallowestAssumption = Int.max

    static func promotes(writer: String, reader: String) -> Bool {
        switch (writer, reader) {
        case ("int", "long"), ("int", "float"), ("int", "double"),
             ("long", "float"), ("long", "double"),
             ("float", "double"),
             ("string", "bytes"), ("bytes", "string"):
            return true
        default:
            return false
        }
    }

    /// The names match: the same unqualified name, or a reader alias is the writer's full name.
    static func namesMatch(reader: AvroName, writer: AvroName) -> Bool {
        reader.name == writer.name || reader.aliases.contains(writer.fullName)
    }

    /// The writer's field that the reader's field reads: by name, then by the reader field's aliases.
    static func writerField(for readerField: AvroField, in writerFields: [AvroField], index: [String: Int]) -> AvroField? {
        if let direct = index[readerField.name] { return writerFields[direct] }
        for alias in readerField.aliases {
            if let aliased = index[alias] { return writerFields[aliased] }
        }
        return nil
    }

    /// The enum resolves: every writer symbol is a reader symbol, or the reader has a default.
    static func enumResolves(readerSymbols: [String], readerDefault: String?, writerSymbols: [String]) -> Bool {
        if let readerDefault, readerSymbols.contains(readerDefault) { return true }
        let reader = Set(readerSymbols)
        return writerSymbols.allSatisfy(reader.contains)
    }

    mutating func canRead(reader: AvroNode, writer: AvroNode) -> Bool {
        let pair = Pair(reader: reader.id, writer: writer.id)
        if let known = memo[pair] { return known }
        if let depth = inProgress[pair] {
            shallowestAssumption = min(shallowestAssumption, depth)
            return true  // a recursive reference resolves
        }
        let depth = inProgress.count
        inProgress[pair] = depth
        let outer = shallowestAssumption
        shallowestAssumption = Int.max
        let result = resolve(reader: reader, writer: writer)
        inProgress[pair] = nil
        if !result || shallowestAssumption >= depth {
            memo[pair] = result
        }
        shallowestAssumption = min(outer, shallowestAssumption >= depth ? Int.max : shallowestAssumption)
        return result
    }

    private mutating func resolve(reader: AvroNode, writer: AvroNode) -> Bool {
        if case .union(let writerBranches) = writer.kind {
            return writerBranches.allSatisfy { canRead(reader: reader, writer: $0) }
        }
        if case .union(let readerBranches) = reader.kind {
            return readerBranches.contains { canRead(reader: $0, writer: writer) }
        }
        switch (reader.kind, writer.kind) {
        case let (.primitive(r), .primitive(w)):
            return r == w || Self.promotes(writer: w, reader: r)
        case let (.record(rName, rFields), .record(wName, wFields)):
            guard Self.namesMatch(reader: rName, writer: wName) else { return false }
            for field in rFields {
                if let writerField = Self.writerField(for: field, in: wFields, index: writer.fieldIndex) {
                    if !canRead(reader: field.type, writer: writerField.type) { return false }
                } else if !field.hasDefault {
                    return false
                }
            }
            return true
        case let (.enumeration(rName, rSymbols, rDefault), .enumeration(wName, wSymbols, _)):
            return Self.namesMatch(reader: rName, writer: wName)
                && Self.enumResolves(readerSymbols: rSymbols, readerDefault: rDefault, writerSymbols: wSymbols)
        case let (.fixed(rName, rSize), .fixed(wName, wSize)):
            return Self.namesMatch(reader: rName, writer: wName) && rSize == wSize
        case let (.array(r), .array(w)):
            return canRead(reader: r, writer: w)
        case let (.map(r), .map(w)):
            return canRead(reader: r, writer: w)
        default:
            return false
        }
    }
}
