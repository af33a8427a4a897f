import Foundation
import RegistryJSON

public struct DatabaseURLError: Error, CustomStringConvertible, Sendable {
    public let reason: String
    public var description: String { reason }
}

/// `PYRMUTE_REGISTRY_DATABASE_URL`, understood the way SQLAlchemy reads it.
public struct DatabaseURL: Sendable, CustomStringConvertible {
    public enum Kind: Sendable, Equatable {
        /// A file path, or `nil` for `:memory:` (one private database per connection).
        case sqlite(path: String?)
        /// A libpq connection URI (`postgresql://…`).
        case postgres(uri: String)
    }

    public let raw: String
    public let kind: Kind

    /// The text before `://`, as `/health` reports it (`sqlite`, `postgresql+psycopg2`, …).
    public var scheme: String { Self.scheme(of: raw) }

    public init(parsing raw: String) throws {
        self.raw = raw
        guard let sep = raw.range(of: "://") else {
            throw DatabaseURLError(reason: "a URL such as sqlite:///./registry.db or postgresql://user:pass@host:5432/db")
        }
        let scheme = String(raw[..<sep.lowerBound]).lowercased()
        let rest = String(raw[sep.upperBound...])
        let dialect = scheme.split(separator: "+", maxSplits: 1).first.map(String.init) ?? scheme
        switch dialect {
        case "sqlite", "sqlite3":
            // sqlite:///relative.db, sqlite:////absolute.db, sqlite:///:memory: or sqlite:// (memory)
            guard rest.isEmpty || rest.hasPrefix("/") else {
                throw DatabaseURLError(reason: "sqlite:///relative/path.db, sqlite:////absolute/path.db or sqlite:///:memory:")
            }
            var path = rest.isEmpty ? "" : String(rest.dropFirst())
            if let q = path.firstIndex(of: "?") { path = String(path[..<q]) }
            path = path.removingPercentEncoding ?? path
            kind = .sqlite(path: (path.isEmpty || path == ":memory:") ? nil : path)
        case "postgresql", "postgres", "psql":
            guard !rest.isEmpty else { throw DatabaseURLError(reason: "postgresql://user:password@host:port/database") }
            kind = .postgres(uri: "postgresql://" + rest)
        default:
            throw DatabaseURLError(reason: "a sqlite:// or postgresql:// URL (scheme '\(scheme)' is not supported)")
        }
    }

    public var isMemory: Bool { kind == .sqlite(path: nil) }

    /// The URL with any password replaced by `***`, safe for logs and error messages.
    public var description: String { Self.redact(raw) }

    public static func scheme(of raw: String) -> String {
        guard let sep = raw.range(of: "://") else { return "unknown" }
        return String(raw[..<sep.lowerBound])
    }

    public static func redact(_ raw: String) -> String {
        guard let sep = raw.range(of: "://") else { return raw }
        let rest = raw[sep.upperBound...]
        let authorityEnd = rest.firstIndex(of: "/") ?? rest.endIndex
        guard let at = rest[..<authorityEnd].lastIndex(of: "@") else { return raw }
        let userInfo = rest[..<at]
        guard let colon = userInfo.firstIndex(of: ":") else { return raw }
        return String(raw[..<sep.upperBound]) + userInfo[..<colon] + ":***" + rest[at...]
    }
}
