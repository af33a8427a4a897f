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

/// How well a term matches a word: the whole term, its beginning, or somewhere inside.
enum MatchQuality: Int, Comparable {
    case substring = 1, prefix = 2, exact = 3

    static func < (a: MatchQuality, b: MatchQuality) -> Bool { a.rawValue < b.rawValue }
}

/// A query word (`*` matching any run of characters), ready to grade terms.
struct WordPattern {
    private let exact: [Unicode.Scalar]
    private let prefix: [Unicode.Scalar]
    private let substring: [Unicode.Scalar]

    init(_ word: String) {
        exact = Array(word.unicodeScalars)
        prefix = exact + ["*"]
        substring = ["*"] + exact + ["*"]
    }

    /// nil when `term` does not contain the word.
    func quality(_ term: String) -> MatchQuality? {
        let t = Array(term.unicodeScalars)[...]
        if Glob.matches(t, exact[...]) { return .exact }
        if Glob.matches(t, prefix[...]) { return .prefix }
        if Glob.matches(t, substring[...]) { return .substring }
        return nil
    }
}

/// Whole-string matching with `*` as the only wildcard (iterative, with one backtrack point).
enum Glob {
    static func matches(_ text: ArraySlice<Unicode.Scalar>, _ pattern: ArraySlice<Unicode.Scalar>) -> Bool {
        var t = text.startIndex, p = pattern.startIndex
        var star: Int?, resume = t
        while t < text.endIndex {
            if p < pattern.endIndex && pattern[p] == "*" {
                star = p
                p += 1
                resume = t
            } else if p < pattern.endIndex && pattern[p] == text[t] {
                p += 1
                t += 1
            } else if let s = star {
                p = s + 1
                resume += 1
                t = resume
            } else {
                return false
            }
        }
        while p < pattern.endIndex && pattern[p] == "*" { p += 1 }
        return p == pattern.endIndex
    }
}
