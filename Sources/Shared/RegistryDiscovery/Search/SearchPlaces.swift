/// Numbers the places of one version's terms (its model name, each field, each text) in the
/// order search lists them within a version: kind (model, field, text), then source, then path in
/// code-point order. Ranking then orders a version's results by this number alone (migration 10).
public enum SearchPlaces {
    public struct Posting {
        public let term: SearchTerm
        public let place: Int
    }

    public static func number(_ terms: [SearchTerm]) -> [Posting] {
        struct Place: Hashable {
            let kind: Int
            let source: String
            let path: String?
        }
        let places = Set(terms.map { Place(kind: kindOrder($0.kind), source: $0.source.rawValue, path: $0.path) })
        let ordered = places.sorted { a, b in
            if a.kind != b.kind { return a.kind < b.kind }
            if a.source != b.source { return a.source.utf8.lexicographicallyPrecedes(b.source.utf8) }
            return (a.path ?? "").utf8.lexicographicallyPrecedes((b.path ?? "").utf8)
        }
        var numbers: [Place: Int] = [:]
        for (number, place) in ordered.enumerated() { numbers[place] = number }
        return terms.map { term in
            Posting(term: term, place: numbers[Place(kind: kindOrder(term.kind), source: term.source.rawValue, path: term.path)] ?? 0)
        }
    }

    /// Model names first, then fields, then texts.
    public static func kindOrder(_ kind: SearchTerm.Kind) -> Int {
        switch kind {
        case .model: return 0
        case .field: return 1
        case .text: return 2
        }
    }
}
