import RegistryStorage

/// A key's namespace scope as a SQL condition on a nullable namespace column (NULL: the global
/// scope), its values bound as parameters appended to `parameters` (numbered after them). The
/// text varies only with the number and kinds of patterns. A prefix is compared with `substr`
/// (characters on both databases), not `LIKE` (case-insensitive on SQLite, and `_`/`%` would need
/// escaping).
public enum ScopeSQL {
    public static func condition(_ scope: KeyScope, column: String, _ parameters: inout [SQLValue]) -> String {
        var alternatives: [String] = []
        for pattern in scope.patterns {
            switch pattern {
            case .global:
                alternatives.append("\(column) IS NULL")
            case .exact(let name):
                parameters.append(.text(name))
                alternatives.append("\(column) = $\(parameters.count)")
            case .prefix(let start):
                parameters.append(.text(start))
                let value = parameters.count
                parameters.append(.int(Int64(start.unicodeScalars.count)))
                alternatives.append("substr(\(column), 1, $\(parameters.count)) = $\(value)")
            }
        }
        return alternatives.isEmpty ? "1 = 0" : "(" + alternatives.joined(separator: " OR ") + ")"
    }
}
