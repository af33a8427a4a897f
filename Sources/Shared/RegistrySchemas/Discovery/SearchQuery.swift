import RegistryDomain
import RegistryDiscovery
import RegistryJSON

/// `GET /search`: words (each with `*` wildcards, all must match one place), the kinds searched,
/// and the page.
public struct SearchQuery: Sendable {
    public enum Kind: String, Sendable, CaseIterable {
        case model, field, text, any

        var kinds: [SearchTerm.Kind] {
            switch self {
            case .model: return [.model]
            case .field: return [.field]
            case .text: return [.text]
            case .any: return SearchTerm.Kind.allCases
            }
        }
    }

    /// Lower-cased, distinct, in the order given.
    public let words: [String]
    public let kind: Kind
    public let namespace: SchemaListQuery.NamespaceFilter
    public let includeDeprecated: Bool
    public let limit: Int
    public let offset: Int
    /// A scoped key's namespaces: results outside them are left out (and not counted).
    public var keyScope: KeyScope?

    /// Names the query exactly, for caching its page.
    public var cacheKey: String {
        let scope: String
        switch namespace {
        case .any: scope = "*"
        case .globalOnly: scope = "-"
        case .exact(let name): scope = "=" + name
        }
        return [kind.rawValue, includeDeprecated ? "d" : "", String(limit), String(offset), scope, words.joined(separator: " "),
                keyScope?.storageText ?? ""]
            .joined(separator: "\u{0}")
    }

    public init(q: String, kind: Kind, namespace: SchemaListQuery.NamespaceFilter, includeDeprecated: Bool,
                limit: Int, offset: Int) {
        var words: [String] = []
        for word in q.lowercased().split(whereSeparator: { $0.isWhitespace }).map(String.init) where !words.contains(word) {
            words.append(word)
        }
        self.words = words
        self.kind = kind
        self.namespace = namespace
        self.includeDeprecated = includeDeprecated
        self.limit = limit
        self.offset = offset
    }
}
