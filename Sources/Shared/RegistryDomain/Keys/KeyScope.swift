import RegistryJSON

/// The namespaces an API key may use (issue 19). A key without a scope (nil) uses every
/// namespace, as before; a scoped key uses the namespaces its patterns name:
/// - `payments`: exactly that namespace (byte equality; `""` is the empty-string namespace);
/// - `team-*`: every namespace that starts with `team-` (`*` only at the end; `*` alone: every
///   named namespace);
/// - `null` (`.global`): the global scope, models registered without a namespace.
public struct KeyScope: Sendable, Equatable {
    public enum Pattern: Sendable, Equatable {
        case global
        case exact(String)
        case prefix(String)

        /// How the pattern is written in JSON.
        public var json: JSONValue {
            switch self {
            case .global: return .null
            case .exact(let name): return .string(name)
            case .prefix(let start): return .string(start + "*")
            }
        }

        /// `namespace` nil is the global scope.
        public func matches(_ namespace: String?) -> Bool {
            switch (self, namespace) {
            case (.global, nil): return true
            case (.exact(let name), let ns?): return Array(ns.utf8) == Array(name.utf8)
            case (.prefix(let start), let ns?): return ns.utf8.starts(with: start.utf8)
            default: return false
            }
        }
    }

    public let patterns: [Pattern]

    public init(_ patterns: [Pattern]) { self.patterns = patterns }

    public static let maximumPatterns = 100
    public static let maximumLength = 255

    /// What a 403 names for the global scope (as `/schemas/{model}/namespaces` keys it).
    public static let globalLabel = "null"

    /// Whether the key may use `namespace` (nil: the global scope).
    public func permits(_ namespace: String?) -> Bool { patterns.contains { $0.matches(namespace) } }

    public var includesGlobal: Bool { patterns.contains(.global) }

    /// The JSON list, as given.
    public var json: JSONValue { .array(patterns.map(\.json)) }

    /// The patterns naming namespaces (not the global one).
    public var named: [Pattern] { patterns.filter { $0 != .global } }

    /// Stable text naming the scope exactly (cache keys, storage).
    public var storageText: String { json.serialized() }

    /// A pattern as written, or why it is refused.
    public static func pattern(_ value: JSONValue) -> Result<Pattern, PatternError> {
        switch value {
        case .null: return .success(.global)
        case .string(let text):
            if text.unicodeScalars.count > maximumLength { return .failure(.tooLong) }
            if text.unicodeScalars.contains("\u{0}") { return .failure(.nul) }
            guard let star = text.firstIndex(of: "*") else { return .success(.exact(text)) }
            guard text.index(after: star) == text.endIndex else { return .failure(.innerStar) }
            return .success(.prefix(String(text[..<star])))
        default: return .failure(.notString)
        }
    }

    public enum PatternError: Error, Sendable {
        case notString, tooLong, nul, innerStar
    }

    /// The scope stored as its JSON list (nil when the text is not one: treated as no access).
    public init?(storageText: String) {
        guard case .array(let items)? = try? JSONParser.parse(storageText) else { return nil }
        var patterns: [Pattern] = []
        for item in items {
            guard case .success(let pattern) = Self.pattern(item) else { return nil }
            patterns.append(pattern)
        }
        self.init(patterns)
    }
}
