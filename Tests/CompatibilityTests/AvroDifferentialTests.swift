import Foundation
import RegistryCompatibility
import RegistryJSON
import XCTest

/// The engine against Apache avro's own checker (`avro.compatibility.ReaderWriterCompatibilityChecker`,
/// avro 1.12.0 from PyPI, installed into .venv-tools by scripts/install-python-tools.sh): many
/// generated pairs (fixed seed), one Python process (Tests/CompatibilityTests/avro_oracle.py).
///
/// Known differences, where the Avro specification decides and the engine follows it:
/// - A relative alias of a named type in a namespace. The specification: "Aliases may be
///   fully qualified or relative to the namespace of the schema they alias", so the alias
///   "Old" of `com.acme.New` is `com.acme.Old` and matches a writer `com.acme.Old`. avro 1.12.0's
///   `schema_name_equals` compares the alias as written ("Old") with the writer's full name
///   ("com.acme.Old"), so it reports a name mismatch. The generator marks such pairs
///   (`relativeAliasInNamespace`); a disagreement is accepted only on a marked pair.
final class AvroDifferentialTests: XCTestCase {
    static let pairCount = 600
    static let seed: UInt64 = 0x5EED_A770

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
        let pairs = (0..<Self.pairCount).map { _ in generator.pair() }
        let request = JSONValue.object(["pairs": .array(pairs.map { .array([$0.old, $0.new]) })])
        let answer = try run(python, [oracle], input: Data(request.serialized().utf8))
        XCTAssertEqual(answer.status, 0, "oracle failed: \(answer.stderr)")
        let answers = try JSONParser.parse(answer.stdout).arrayValue ?? []
        XCTAssertEqual(answers.count, pairs.count)

        var agreed = 0, compared = 0, rejected = 0
        var unexplained: [String] = []
        var explained: [String] = []
        var breakCounts = (backward: 0, forward: 0)
        for (pair, verdict) in zip(pairs, answers) {
            guard let backward = verdict["backward"]?.boolValue, let forward = verdict["forward"]?.boolValue else {
                rejected += 1
                XCTFail("avro rejected a generated pair (\(verdict["error"]?.stringValue ?? "?")): \(pair.old.serialized()) → \(pair.new.serialized())")
                continue
            }
            compared += 1
            let changes = AvroCompatibility.changes(old: pair.old, new: pair.new)
            let engineBackward = !changes.contains(where: \.breaksBackward)
            let engineForward = !changes.contains(where: \.breaksForward)
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
            if pair.relativeAliasInNamespace { explained.append(line) } else { unexplained.append(line) }
        }
        print("AVRO-AGREEMENT \(agreed)/\(compared) (avro 1.12.0; \(rejected) rejected; incompatible per avro: backward \(breakCounts.backward), forward \(breakCounts.forward))")
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
    case enumeration(name: String, symbols: [String], defaultSymbol: String?)
    case fixed(name: String, size: Int)
    case array(GenType)
    case map(GenType)
    case record(name: String, aliases: [String], fields: [GenField])
    /// A reference to a named type defined elsewhere in the schema (recursion).
    case reference(String)

    var unionKey: String {
        switch self {
        case .primitive(let p, _): return p
        case .union: return "union"
        case .enumeration(let n, _, _), .fixed(let n, _), .record(let n, _, _), .reference(let n): return n
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
                let branch = random.chance(80) || depth >= 2 ? primitive() : namedType(depth: depth + 1)
                if keys.insert(branch.unionKey).inserted { branches.append(branch) }
            }
            if random.chance(25) { branches.reverse() }
            return .union(branches)
        case 7, 8: return enumeration()
        case 9: return .fixed(name: fresh("F"), size: random.pick([4, 8, 16]))
        case 10, 11: return .array(type(depth: depth + 1))
        case 12, 13: return .map(type(depth: depth + 1))
        default: return record(depth: depth + 1)
        }
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
            let fieldType = type(depth: depth)
            fields.append(GenField(name: "f\(index)", type: fieldType, hasDefault: random.chance(35)))
        }
        return .record(name: name ?? fresh("N"), aliases: [], fields: fields)
    }

    // MARK: Pairs

    mutating func pair() -> GeneratedPair {
        counter = 0
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
        return GeneratedPair(
            old: Self.write(old, namespace: namespace),
            new: Self.write(new, namespace: newNamespace),
            mutations: mutations,
            relativeAliasInNamespace: relativeAlias && (namespace != nil || newNamespace != nil)
        )
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
            case 2:
                log = "\(p) made optional"
                return .union([.primitive("null", logical: nil), type])
            default:
                let to = primitive()
                log = "\(p) changed to \(to.unionKey)"
                return to
            }

        case .union(var branches):
            let roll = random.below(4)
            if roll == 0, branches.count > 1 {
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

        case .enumeration(let name, var symbols, var defaultSymbol):
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
                log = "enum \(name) renamed to \(newName)"
                return .enumeration(name: newName, symbols: symbols, defaultSymbol: defaultSymbol)
            }
            return .enumeration(name: name, symbols: symbols, defaultSymbol: defaultSymbol)

        case .fixed(let name, let size):
            if random.chance(50) {
                log = "fixed \(name) size changed"
                return .fixed(name: name, size: size == 16 ? 8 : 16)
            }
            log = "fixed \(name) renamed"
            return .fixed(name: fresh("RenamedF"), size: size)

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
        case .enumeration(let name, let symbols, let defaultSymbol):
            if !defined.insert(name).inserted { return .string(name) }
            var pairs: [(String, JSONValue)] = [("type", "enum"), ("name", .string(name)), ("symbols", .array(symbols.map { .string($0) }))]
            if let defaultSymbol { pairs.append(("default", .string(defaultSymbol))) }
            return .object(JSONObject(pairs))
        case .fixed(let name, let size):
            if !defined.insert(name).inserted { return .string(name) }
            return .object(["type": "fixed", "name": .string(name), "size": .int(size)])
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
        case .enumeration(_, let symbols, _): return .string(symbols[0])
        case .fixed(_, let size): return .string(String(repeating: "a", count: size))
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
