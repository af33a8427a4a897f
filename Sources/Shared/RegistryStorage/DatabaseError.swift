import Foundation

/// A failure of the database layer. `message` is the server's own text, first line only.
public enum DatabaseError: Error, CustomStringConvertible, Sendable {
    /// The database could not be reached or the connection was lost.
    case connectionFailed(String)
    /// A UNIQUE constraint refused the row.
    case uniqueViolation(String)
    /// Any other failure of a statement.
    case statementFailed(String)

    /// What SQLite says when its write lock stays taken past the busy timeout.
    public static let locked = DatabaseError.statementFailed("database is locked")

    public var message: String {
        switch self {
        case .connectionFailed(let m), .uniqueViolation(let m), .statementFailed(let m): return m
        }
    }

    public var description: String { message }

    static func firstLine(_ text: String) -> String {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        return trimmed.split(separator: "\n", maxSplits: 1).first.map(String.init) ?? trimmed
    }
}
