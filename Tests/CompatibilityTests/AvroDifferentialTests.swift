import Foundation
import RegistryCompatibility
import RegistryJSON
import XCTest

/// The engine against Apache avro's own checker (`avro.compatibility.ReaderWriterCompatibilityChecker`,
/// avro 1.12.0 from PyPI, installed into .venv-tools by scripts/install-python-tools.sh): many
/// generated pairs (fixed seed), one Python process (Tests/CompatibilityTests/avro_oracle.py).
///
/// Known differences, where the Avro specification decides and the engine follows it:
/// - A relative alias of a named type in a namespace. The specification ("Aliases"): "Type aliases
///   may be fully qualified or relative to the namespace of the type they alias", so the alias
///   "Old" of `com.acme.New` is `com.acme.Old`. avro 1.12.0's `schema_name_equals` compares the
///   alias as written ("Old") with the writer's full name, so
///   (a) a reader `com.acme.New` aliased "Old" does not read a writer `com.acme.Old` for avro (the
///       engine: it does; the alias denotes that name), and
///   (b) a reader `com.acme.v2.New` aliased "Old" reads a writer `Old` in the null namespace for avro
///       (the engine: it does not; the alias denotes `com.acme.v2.Old`, and the unqualified names
///       New and Old differ).
///   The test proves each such disagreement: it asks avro again with every alias written as the
///   full name it denotes (`AvroAliasQualifier`; the same schemas for the specification), and a
///   disagreement counts as known only if avro then agrees with the engine. Any other
///   disagreement fails the test.
final class AvroDifferentialTests: XCTestCase {
    static let pairCount = 1000
    /// AVRO_DIFFERENTIAL_SEED (decimal) explores other pairs; the default keeps the figure stable.
    static let seed: UInt64 = ProcessInfo.processInfo.environment["AVRO_DIFFERENTIAL_SEED"].flatMap { UInt64($0) } ?? 0x5EED_A770

    /// Hand-made pairs asked of avro too (before the generated ones): the specification's examples
    /// and the corners the generator reaches rarely.
    static let probes: [(String, String)] = [
        // The linked list of the specification, a field added with a default, and one narrowed.
        (#"{"type": "record", "name": "LongList", "aliases": ["LinkedLongs"], "fields": [{"name": "value", "type": "long"}, {"name": "next", "type": ["null", "LongList"]}]}"#,
         #"{"type": "record", "name": "LongList", "fields": [{"name": "value", "type": "long"}, {"name": "next", "type": ["null", "LongList"]}, {"name": "label", "type": "string", "default": ""}]}"#),
        (#"{"type": "record", "name": "LongList", "fields": [{"name": "value", "type": "long"}, {"name": "next", "type": ["null", "LongList"]}]}"#,
         #"{"type": "record", "name": "LongList", "fields": [{"name": "value", "type": "int"}, {"name": "next", "type": ["null", "LongList"]}]}"#),
        // Mutual recursion.
        (#"{"type": "record", "name": "A", "fields": [{"name": "b", "type": ["null", {"type": "record", "name": "B", "fields": [{"name": "a", "type": ["null", "A"]}, {"name": "n", "type": "int"}]}]}]}"#,
         #"{"type": "record", "name": "A", "fields": [{"name": "b", "type": ["null", {"type": "record", "name": "B", "fields": [{"name": "a", "type": ["null", "A"]}, {"name": "n", "type": "long"}]}]}]}"#),
        // Enum defaults: the specification's Shapes.
        (#"{"type": "enum", "name": "Shapes", "symbols": ["SQUARE", "TRIANGLE", "CIRCLE"]}"#,
         #"{"type": "enum", "name": "Shapes", "symbols": ["SQUARE", "CIRCLE", "UNKNOWN"], "default": "UNKNOWN"}"#),
        // A reader enum field with an enum default but no field default, missing from the writer.
        (#"{"type": "record", "name": "R", "fields": [{"name": "a", "type": "int"}]}"#,
         #"{"type": "record", "name": "R", "fields": [{"name": "a", "type": "int"}, {"name": "e", "type": {"type": "enum", "name": "E", "symbols": ["X", "Y"], "default": "X"}}]}"#),
        // Unions: reordered, promoted branches, a type made optional, a union narrowed to a type.
        (#"["null", "string", "int"]"#, #"["int", "null", "string"]"#),
        (#"["null", "int"]"#, #"["null", "long"]"#),
        (#"["string", "float"]"#, #"["bytes", "double"]"#),
        (#""int""#, #"["null", "int"]"#),
        (#"["int", "long"]"#, #""long""#),
        (#""float""#, #"["null", "double"]"#),
        // Names and aliases.
        (#"{"type": "fixed", "name": "MD5", "size": 16}"#, #"{"type": "fixed", "name": "Hash", "aliases": ["MD5"], "size": 16}"#),
        (#"{"type": "record", "name": "R", "namespace": "com.example.v1", "fields": [{"name": "a", "type": "int"}]}"#,
         #"{"type": "record", "name": "R", "namespace": "com.example.v2", "fields": [{"name": "a", "type": "int"}]}"#),
        (#"{"type": "record", "name": "Foo", "fields": [{"name": "a", "type": "int"}]}"#,
         #"{"type": "record", "name": "Bar", "aliases": ["Foo"], "fields": [{"name": "a", "type": "int"}]}"#),
        (#"{"type": "record", "name": "R", "namespace": "ns", "fields": [{"name": "a", "type": "int"}]}"#,
         #"{"type": "record", "name": "S", "namespace": "ns", "aliases": ["R"], "fields": [{"name": "a", "type": "int"}]}"#),
        // Field renames through aliases on either side, and a name that wins over an alias.
        (#"{"type": "record", "name": "R", "fields": [{"name": "name", "type": "string"}]}"#,
         #"{"type": "record", "name": "R", "fields": [{"name": "full_name", "type": "string", "aliases": ["name"]}]}"#),
        (#"{"type": "record", "name": "R", "fields": [{"name": "name", "type": "string", "aliases": ["full_name"]}]}"#,
         #"{"type": "record", "name": "R", "fields": [{"name": "full_name", "type": "string"}]}"#),
        (#"{"type": "record", "name": "R", "fields": [{"name": "a", "type": "string"}, {"name": "b", "type": "int"}]}"#,
         #"{"type": "record", "name": "R", "fields": [{"name": "b", "type": "int", "aliases": ["a"]}]}"#),
        // Logical types follow the underlying type.
        (#"{"type": "long", "logicalType": "timestamp-millis"}"#, #"{"type": "long", "logicalType": "timestamp-micros"}"#),
        (#"{"type": "bytes", "logicalType": "decimal", "precision": 9, "scale": 2}"#, #""string""#),
        // Arrays and maps, and a map that became an array.
        (#"{"type": "map", "values": {"type": "array", "items": "int"}}"#, #"{"type": "map", "values": {"type": "array", "items": "double"}}"#),
        (#"{"type": "map", "values": "int"}"#, #"{"type": "array", "items": "int"}"#),
    ]

    private static var repositoryRoot: URL {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }  // file, CompatibilityTests, Tests
        return url
    }

    func testAgreementWithApacheAvro() throws {
        let python = Self.repositoryRoot.appendingPathComponent(".venv-tools/bin/python").path
        let oracle = Self.repositoryRoot.appendingPathComponent("Tests/CompatibilityTests/avro_oracle.py").path
        guard FileManager.default.isExecutableFile(atPath: python) else {
            throw XCTSkip("the avro oracle is unavailable: \(python) is missing (run scripts/install-python-tools.sh)")
        }
        guard (try? run(python, ["-c", "import avro.compatibility"], input: Data())).map({ $0.status == 0 }) == true else {
            throw XCTSkip("the avro oracle is unavailable: `import avro.compatibility` fails in .venv-tools (run scripts/install-python-tools.sh)")
        }

        var generator = AvroPairGenerator(seed: Self.seed)
        let pairs = try Self.probes.map { old, new in
            GeneratedPair(old: try JSONParser.parse(old), new: try JSONParser.parse(new), mutations: ["probe"],
                          relativeAliasInNamespace: (old + new).contains("aliases") && (old + new).contains("namespace"))
        } + (0..<Self.pairCount).map { _ in generator.pair() }
        // One process: the pairs as generated, then the same pairs with aliases written as full names.
        let qualified = pairs.map { (old: AvroAliasQualifier.qualify($0.old), new: AvroAliasQualifier.qualify($0.new)) }
        let request = JSONValue.object(["pairs": .array(pairs.map { .array([$0.old, $0.new]) } + qualified.map { .array([$0.old, $0.new]) })])
        let answer = try run(python, [oracle], input: Data(request.serialized().utf8))
        XCTAssertEqual(answer.status, 0, "oracle failed: \(answer.stderr)")
        let allAnswers = try JSONParser.parse(answer.stdout).arrayValue ?? []
        XCTAssertEqual(allAnswers.count, 2 * pairs.count)
        guard allAnswers.count == 2 * pairs.count else { return }
        let answers = Array(allAnswers[..<pairs.count])
        let qualifiedAnswers = Array(allAnswers[pairs.count...])

        var agreed = 0, compared = 0, rejected = 0
        var unexplained: [String] = []
        var explained: [String] = []
        var breakCounts = (backward: 0, forward: 0)
        for ((pair, verdict), qualifiedVerdict) in zip(zip(pairs, answers), qualifiedAnswers) {
            guard let backward = verdict["backward"]?.boolValue, let forward = verdict["forward"]?.boolValue else {
                rejected += 1
                XCTFail("avro rejected a generated pair (\(verdict["error"]?.stringValue ?? "?")): \(pair.old.serialized()) → \(pair.new.serialized())")
                continue
            }
            compared += 1
            let changes = AvroCompatibility.changes(old: pair.old, new: pair.new)
            let engineBackward = !changes.contains(where: \.breaksBackward)
            let engineForward = !changes.contains(where: \.breaksForward)
            // The changes' flags and the resolution question asked of the whole schemas agree.
            XCTAssertEqual(engineBackward, AvroCompatibility.canRead(reader: pair.new, writer: pair.old), "backward: \(pair.old.serialized()) → \(pair.new.serialized())")
            XCTAssertEqual(engineForward, AvroCompatibility.canRead(reader: pair.old, writer: pair.new), "forward: \(pair.old.serialized()) → \(pair.new.serialized())")
            if !backward { breakCounts.backward += 1 }
            if !forward { breakCounts.forward += 1 }
            if engineBackward == backward && engineForward == forward {
                agreed += 1
                continue
            }
            let line = """
                [\(pair.mutations.joined(separator: ", "))] avro backward=\(backward) forward=\(forward), \
                engine backward=\(engineBackward) forward=\(engineForward)
                  old: \(pair.old.serialized())
                  new: \(pair.new.serialized())
                  changes: \(changes.map { "\($0.code) \($0.path) b=\($0.breaksBackward) f=\($0.breaksForward)" })
                """
            let qualifiedAgrees = qualifiedVerdict["backward"]?.boolValue == engineBackward && qualifiedVerdict["forward"]?.boolValue == engineForward
            if pair.relativeAliasInNamespace && qualifiedAgrees { explained.append(line) } else { unexplained.append(line) }
        }
        print("AVRO-AGREEMENT \(agreed)/\(compared) (avro 1.12.0, seed \(Self.seed); \(rejected) rejected; incompatible per avro: backward \(breakCounts.backward), forward \(breakCounts.forward)); \(explained.count) known differences (relative aliases), \(unexplained.count) unexplained; with aliases as full names: \(agreed + explained.count)/\(compared)")
        for line in explained { print("AVRO-DISAGREEMENT (known: relative alias in a namespace, the specification decides for the engine)\n\(line)") }
        for line in unexplained { print("AVRO-DISAGREEMENT (unexplained)\n\(line)") }
        XCTAssertEqual(unexplained.count, 0, "disagreements outside the known differences")
        // The generated pairs exercise both outcomes in both directions.
        XCTAssertGreaterThan(breakCounts.backward, compared / 10)
        XCTAssertGreaterThan(breakCounts.forward, compared / 10)
        XCTAssertLessThan(breakCounts.backward, compared - compared / 10)
        XCTAssertLessThan(breakCounts.forward, compared - compared / 10)
    }

    private func run(_ executable: String, _ arguments: [String], input: Data) throws -> (status: Int32, stdout: String, stderr: String) {
        let inputFile = FileManager.default.temporaryDirectory.appendingPathComponent("avro-oracle-\(UUID().uuidString).json")
        try input.write(to: inputFile)
        defer { try? FileManager.default.removeItem(at: inputFile) }
        let errorFile = FileManager.default.temporaryDirectory.appendingPathComponent("avro-oracle-\(UUID().uuidString).err")
        _ = FileManager.default.createFile(atPath: errorFile.path, contents: nil)
        defer { try? FileManager.default.removeItem(at: errorFile) }

        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.standardInput = try FileHandle(forReadingFrom: inputFile)
        let stdout = Pipe()
        process.standardOutput = stdout
        process.standardError = try FileHandle(forWritingTo: errorFile)
        try process.run()
        let output = stdout.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let errors = (try? String(contentsOf: errorFile, encoding: .utf8)) ?? ""
        return (process.terminationStatus, String(decoding: output, as: UTF8.self), errors)
    }
}

// MARK: - The generator

/// SplitMix64: a fixed seed gives the same pairs everywhere.
struct SplitMix64 {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    mutating func below(_ n: Int) -> Int { Int(next() % UInt64(n)) }
    mutating func chance(_ percent: Int) -> Bool { below(100) < percent }
    mutating func pick<T>(_ items: [T]) -> T { items[below(items.count)] }
}

/// A schema under construction: mutated as a tree, then written as JSON (named types defined once,
/// referred to by name after).
indirect enum GenType {
    case primitive(String, logical: String?)
    case union([GenType])
    case enumeration(name: String, symbols: [String], defaultSymbol: String?, aliases: [String] = [])
    case fixed(name: String, size: Int, aliases: [String] = [])
    case array(GenType)
    case map(GenType)
    case record(name: String, aliases: [String], fields: [GenField])
    /// A reference to a named type defined elsewhere in the schema (recursion).
    case reference(String)

    var unionKey: String {
        switch self {
        case .primitive(let p, _): return p
        case .union: return "union"
        case .enumeration(let n, _, _, _), .fixed(let n, _, _), .record(let n, _, _), .reference(let n): return n
        case .array: return "array"
        case .map: return "map"
        }
    }
}

struct GenField {
    var name: String
    var type: GenType
    var hasDefault: Bool
    var aliases: [String] = []
}

struct GeneratedPair {
    let old: JSONValue
    let new: JSONValue
    let mutations: [String]
    let relativeAliasInNamespace: Bool
}

struct AvroPairGenerator {
    private var random: SplitMix64
    private var counter = 0
    /// The named types of the schema being generated: a later field may use one again (by name).
    private var namedPool: [GenType] = []
    static let primitives = ["null", "boolean", "int", "long", "float", "double", "bytes", "string"]
    static let symbolPool = ["A", "B", "C", "D", "E", "F"]

    init(seed: UInt64) { random = SplitMix64(state: seed) }

    private mutating func fresh(_ prefix: String) -> String {
        counter += 1
        return "\(prefix)\(counter)"
    }

    // MARK: Types

    private mutating func primitive() -> GenType {
        switch random.below(12) {
        case 8: return .primitive("int", logical: "date")
        case 9: return .primitive("long", logical: "timestamp-millis")
        default: return .primitive(random.pick(Self.primitives.filter { $0 != "null" }), logical: nil)
        }
    }

    private mutating func type(depth: Int) -> GenType {
        let roll = random.below(depth >= 2 ? 10 : 16)
        switch roll {
        case 0..<5: return primitive()
        case 5, 6:
            var branches: [GenType] = [.primitive("null", logical: nil)]
            var keys: Set<String> = ["null"]
            for _ in 0..<(1 + random.below(2)) {
                let branch = random.chance(60) || depth >= 2 ? primitive() : namedType(depth: depth + 1)
                if keys.insert(branch.unionKey).inserted { branches.append(branch) }
            }
            if random.chance(25) { branches.reverse() }
            return .union(branches)
        case 7, 8: return pooled(enumeration())
        case 9: return pooled(.fixed(name: fresh("F"), size: random.pick([4, 8, 16])))
        case 10, 11: return .array(type(depth: depth + 1))
        case 12, 13: return .map(type(depth: depth + 1))
        default: return pooled(record(depth: depth + 1))
        }
    }

    private mutating func pooled(_ type: GenType) -> GenType {
        namedPool.append(type)
        return type
    }

    private mutating func namedType(depth: Int) -> GenType {
        switch random.below(3) {
        case 0: return enumeration()
        case 1: return .fixed(name: fresh("F"), size: random.pick([4, 8, 16]))
        default: return record(depth: depth)
        }
    }

    private mutating func enumeration() -> GenType {
        let count = 2 + random.below(3)
        let symbols = Array(Self.symbolPool.prefix(count))
        return .enumeration(name: fresh("E"), symbols: symbols, defaultSymbol: random.chance(30) ? symbols[0] : nil)
    }

    private mutating func record(depth: Int, name: String? = nil, fieldCount: Int? = nil) -> GenType {
        let count = fieldCount ?? (1 + random.below(3))
        var fields: [GenField] = []
        for index in 0..<count {
            let fieldType = !namedPool.isEmpty && random.chance(10) ? random.pick(namedPool) : type(depth: depth)
            fields.append(GenField(name: "f\(index)", type: fieldType, hasDefault: random.chance(35)))
        }
        return .record(name: name ?? fresh("N"), aliases: [], fields: fields)
    }

    // MARK: Pairs

    mutating func pair() -> GeneratedPair {
        counter = 0
        namedPool = []
        let namespace: String? = random.chance(30) ? "com.acme" : nil
        var root = record(depth: 0, name: "Root", fieldCount: 2 + random.below(4))
        if random.chance(10), case .record(let name, let aliases, var fields) = root {
            // A recursive field: the list's tail.
            fields.append(GenField(name: "next", type: .union([.primitive("null", logical: nil), .reference(name)]), hasDefault: true))
            root = .record(name: name, aliases: aliases, fields: fields)
        }
        let old = root
        var new = root
        var mutations: [String] = []
        var relativeAlias = false
        for _ in 0..<(1 + random.below(3)) {
            var log = ""
            new = mutate(new, log: &log, aliasUsed: &relativeAlias)
            mutations.append(log)
        }
        var newNamespace = namespace
        if random.chance(5) {
            newNamespace = namespace == nil ? "com.acme.v2" : nil
            mutations.append("namespace changed")
        }
        var pair = GeneratedPair(
            old: Self.write(old, namespace: namespace),
            new: Self.write(new, namespace: newNamespace),
            mutations: mutations,
            relativeAliasInNamespace: relativeAlias && (namespace != nil || newNamespace != nil)
        )
        if random.chance(35) {
            // The mutations the other way round: aliases and defaults in the old schema.
            pair = GeneratedPair(old: pair.new, new: pair.old, mutations: ["swapped"] + pair.mutations,
                                 relativeAliasInNamespace: pair.relativeAliasInNamespace)
        }
        return pair
    }

    /// One mutation somewhere in the tree: a record's fields, or a type.
    private mutating func mutate(_ type: GenType, log: inout String, aliasUsed: inout Bool) -> GenType {
        switch type {
        case .record(let name, var aliases, var fields):
            let roll = random.below(100)
            if roll < 12 {
                let field = GenField(name: fresh("added"), type: self.type(depth: 2), hasDefault: random.chance(50))
                fields.insert(field, at: random.below(fields.count + 1))
                log = "field added \(field.hasDefault ? "with" : "without") default in \(name)"
            } else if roll < 22, !fields.isEmpty {
                let removed = fields.remove(at: random.below(fields.count))
                log = "field \(removed.name) removed from \(name) (default: \(removed.hasDefault))"
            } else if roll < 30, !fields.isEmpty {
                let index = random.below(fields.count)
                fields[index].hasDefault.toggle()
                log = "field \(fields[index].name) default toggled in \(name)"
            } else if roll < 36, !fields.isEmpty {
                let index = random.below(fields.count)
                let oldName = fields[index].name
                fields[index].name = fresh("renamed")
                if random.chance(60) { fields[index].aliases.append(oldName) }
                log = "field \(oldName) renamed to \(fields[index].name) (alias: \(!fields[index].aliases.isEmpty))"
            } else if roll < 40, name != "Root" {
                let newName = fresh("Renamed")
                if random.chance(60) {
                    aliases.append(name)
                    aliasUsed = true
                }
                log = "record \(name) renamed to \(newName) (alias: \(!aliases.isEmpty))"
                return .record(name: newName, aliases: aliases, fields: fields)
            } else if !fields.isEmpty {
                let index = random.below(fields.count)
                fields[index].type = mutate(fields[index].type, log: &log, aliasUsed: &aliasUsed)
                log = "\(name).\(fields[index].name): " + log
            } else {
                log = "nothing"
            }
            return .record(name: name, aliases: aliases, fields: fields)

        case .primitive(let p, _):
            let promotions: [String: [String]] = [
                "int": ["long", "float", "double"], "long": ["float", "double"], "float": ["double"],
                "string": ["bytes"], "bytes": ["string"],
            ]
            let narrowings: [String: [String]] = ["long": ["int"], "float": ["int", "long"], "double": ["int", "long", "float"]]
            switch random.below(5) {
            case 0 where promotions[p] != nil:
                let to = random.pick(promotions[p]!)
                log = "\(p) promoted to \(to)"
                return .primitive(to, logical: nil)
            case 1 where narrowings[p] != nil:
                let to = random.pick(narrowings[p]!)
                log = "\(p) narrowed to \(to)"
                return .primitive(to, logical: nil)
            case 2 where p != "null":
                log = "\(p) made optional"
                return .union([.primitive("null", logical: nil), type])
            default:
                let to = primitive()
                log = "\(p) changed to \(to.unionKey)"
                return to
            }

        case .union(var branches):
            let roll = random.below(5)
            if roll == 4, branches.count > 1 {
                branches.append(branches.removeFirst())
                log = "union branches reordered"
                return .union(branches)
            } else if roll == 0, branches.count > 1 {
                let removed = branches.remove(at: random.below(branches.count))
                log = "union branch \(removed.unionKey) removed"
                return branches.count == 1 && random.chance(50) ? branches[0] : .union(branches)
            } else if roll == 1 {
                let added = primitive()
                if !branches.contains(where: { $0.unionKey == added.unionKey }) {
                    branches.insert(added, at: random.below(branches.count + 1))
                    log = "union branch \(added.unionKey) added"
                } else {
                    log = "union branch \(added.unionKey) already there"
                }
                return .union(branches)
            } else if roll == 2, branches.count > 1 {
                let index = random.below(branches.count)
                log = "union unwrapped to \(branches[index].unionKey)"
                return branches[index]
            } else {
                let index = random.below(branches.count)
                let mutated = mutate(branches[index], log: &log, aliasUsed: &aliasUsed)
                if case .union = mutated { log = "union branch unchanged"; return .union(branches) }
                if branches.enumerated().contains(where: { $0.offset != index && $0.element.unionKey == mutated.unionKey }) {
                    log = "union branch mutation skipped"
                    return .union(branches)
                }
                branches[index] = mutated
                log = "union branch: " + log
                return .union(branches)
            }

        case .enumeration(let name, var symbols, var defaultSymbol, let aliases):
            switch random.below(5) {
            case 0:
                if let extra = Self.symbolPool.first(where: { !symbols.contains($0) }) {
                    symbols.append(extra)
                    log = "enum \(name) symbol \(extra) added"
                }
            case 1 where symbols.count > 1:
                let removed = symbols.remove(at: random.below(symbols.count))
                if defaultSymbol == removed { defaultSymbol = symbols[0] }
                log = "enum \(name) symbol \(removed) removed"
            case 2:
                defaultSymbol = defaultSymbol == nil ? symbols.last : nil
                log = "enum \(name) default toggled"
            case 3:
                let extra = Self.symbolPool.first(where: { !symbols.contains($0) })
                if let extra { symbols.append(extra) }
                let removed = symbols.remove(at: 0)
                if defaultSymbol == removed { defaultSymbol = symbols.last }
                if random.chance(50) { defaultSymbol = symbols.last }
                log = "enum \(name) symbols swapped (default \(defaultSymbol ?? "none"))"
            default:
                let newName = fresh("RenamedE")
                let alias = random.chance(50)
                aliasUsed = aliasUsed || alias
                log = "enum \(name) renamed to \(newName) (alias: \(alias))"
                return .enumeration(name: newName, symbols: symbols, defaultSymbol: defaultSymbol, aliases: alias ? [name] : [])
            }
            return .enumeration(name: name, symbols: symbols, defaultSymbol: defaultSymbol, aliases: aliases)

        case .fixed(let name, let size, let aliases):
            if random.chance(50) {
                log = "fixed \(name) size changed"
                return .fixed(name: name, size: size == 16 ? 8 : 16, aliases: aliases)
            }
            let alias = random.chance(50)
            aliasUsed = aliasUsed || alias
            log = "fixed \(name) renamed (alias: \(alias))"
            return .fixed(name: fresh("RenamedF"), size: size, aliases: alias ? [name] : [])

        case .array(let items):
            if random.chance(20) {
                log = "array became map"
                return .map(items)
            }
            let mutated = mutate(items, log: &log, aliasUsed: &aliasUsed)
            log = "items: " + log
            return .array(mutated)

        case .map(let values):
            if random.chance(20) {
                log = "map became array"
                return .array(values)
            }
            let mutated = mutate(values, log: &log, aliasUsed: &aliasUsed)
            log = "values: " + log
            return .map(mutated)

        case .reference(let name):
            log = "reference \(name) kept"
            return type
        }
    }

    // MARK: Writing JSON

    static func write(_ type: GenType, namespace: String?) -> JSONValue {
        var defined: Set<String> = []
        var json = write(type, defined: &defined)
        if let namespace, case .object(var object) = json {
            object = JSONObject(object.map { ($0.key, $0.value) } + [("namespace", .string(namespace))])
            json = .object(object)
        }
        return json
    }

    private static func write(_ type: GenType, defined: inout Set<String>) -> JSONValue {
        switch type {
        case .primitive(let p, let logical):
            if let logical { return .object(["type": .string(p), "logicalType": .string(logical)]) }
            return .string(p)
        case .union(let branches):
            return .array(branches.map { write($0, defined: &defined) })
        case .enumeration(let name, let symbols, let defaultSymbol, let aliases):
            if !defined.insert(name).inserted { return .string(name) }
            var pairs: [(String, JSONValue)] = [("type", "enum"), ("name", .string(name)), ("symbols", .array(symbols.map { .string($0) }))]
            if !aliases.isEmpty { pairs.append(("aliases", .array(aliases.map { .string($0) }))) }
            if let defaultSymbol { pairs.append(("default", .string(defaultSymbol))) }
            return .object(JSONObject(pairs))
        case .fixed(let name, let size, let aliases):
            if !defined.insert(name).inserted { return .string(name) }
            var pairs: [(String, JSONValue)] = [("type", "fixed"), ("name", .string(name)), ("size", .int(size))]
            if !aliases.isEmpty { pairs.append(("aliases", .array(aliases.map { .string($0) }))) }
            return .object(JSONObject(pairs))
        case .array(let items):
            return .object(["type": "array", "items": write(items, defined: &defined)])
        case .map(let values):
            return .object(["type": "map", "values": write(values, defined: &defined)])
        case .reference(let name):
            return .string(name)
        case .record(let name, let aliases, let fields):
            if !defined.insert(name).inserted { return .string(name) }
            var pairs: [(String, JSONValue)] = [("type", "record"), ("name", .string(name))]
            if !aliases.isEmpty { pairs.append(("aliases", .array(aliases.map { .string($0) }))) }
            let fieldValues: [JSONValue] = fields.map { field in
                var fieldPairs: [(String, JSONValue)] = [("name", .string(field.name)), ("type", write(field.type, defined: &defined))]
                if !field.aliases.isEmpty { fieldPairs.append(("aliases", .array(field.aliases.map { .string($0) }))) }
                if field.hasDefault, let value = defaultValue(field.type) { fieldPairs.append(("default", value)) }
                return .object(JSONObject(fieldPairs))
            }
            pairs.append(("fields", .array(fieldValues)))
            return .object(JSONObject(pairs))
        }
    }

    /// A valid default for the type (a union's is its first branch's), or nil where there is none.
    private static func defaultValue(_ type: GenType) -> JSONValue? {
        switch type {
        case .primitive(let p, _):
            switch p {
            case "null": return .null
            case "boolean": return .bool(false)
            case "int", "long": return .int(0)
            case "float", "double": return .double(0.5)
            default: return .string("")
            }
        case .union(let branches): return branches.first.flatMap(defaultValue)
        case .enumeration(_, let symbols, _, _): return .string(symbols[0])
        case .fixed(_, let size, _): return .string(String(repeating: "a", count: size))
        case .array: return .array([])
        case .map: return .object(JSONObject())
        case .reference: return nil
        case .record(_, _, let fields):
            var pairs: [(String, JSONValue)] = []
            for field in fields {
                guard let value = defaultValue(field.type) else { return nil }
                pairs.append((field.name, value))
            }
            return .object(JSONObject(pairs))
        }
    }
}

/// Rewrites every named type's aliases as the full names they denote (relative to the type's
/// namespace): the same schema for the specification, and the form avro 1.12.0's checker compares.
enum AvroAliasQualifier {
    static func qualify(_ schema: JSONValue) -> JSONValue { qualify(schema, namespace: "") }

    private static func qualify(_ schema: JSONValue, namespace: String) -> JSONValue {
        switch schema {
        case .array(let branches):
            return .array(branches.map { qualify($0, namespace: namespace) })
        case .object(let object):
            guard let type = object["type"] else { return schema }
            guard case .string(let word) = type else {
                return .object(replacing(object, "type", with: qualify(type, namespace: namespace)))
            }
            switch word {
            case "record", "error", "enum", "fixed":
                let name = object["name"]?.stringValue ?? ""
                let space: String
                if let dot = name.lastIndex(of: ".") {
                    space = String(name[..<dot])
                } else {
                    space = object["namespace"]?.stringValue ?? namespace
                }
                var result = object
                if let aliases = object["aliases"]?.arrayValue {
                    let full: [JSONValue] = aliases.compactMap(\.stringValue).map { alias in
                        .string(alias.contains(".") || space.isEmpty ? alias : "\(space).\(alias)")
                    }
                    result = replacing(result, "aliases", with: .array(full))
                }
                if let fields = object["fields"]?.arrayValue {
                    let rewritten: [JSONValue] = fields.map { field in
                        guard let fieldObject = field.objectValue, let fieldType = fieldObject["type"] else { return field }
                        return .object(replacing(fieldObject, "type", with: qualify(fieldType, namespace: space)))
                    }
                    result = replacing(result, "fields", with: .array(rewritten))
                }
                return .object(result)
            case "array":
                return .object(object["items"].map { replacing(object, "items", with: qualify($0, namespace: namespace)) } ?? object)
            case "map":
                return .object(object["values"].map { replacing(object, "values", with: qualify($0, namespace: namespace)) } ?? object)
            default:
                return schema
            }
        default:
            return schema
        }
    }

    private static func replacing(_ object: JSONObject, _ key: String, with value: JSONValue) -> JSONObject {
        JSONObject(object.map { ($0.key, $0.key == key ? value : $0.value) })
    }
}
