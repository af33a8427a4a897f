
public enum SQLDialect: Sendable { case sqlite, postgres }

/// One open connection. Not thread-safe: the pool hands it to one thread at a time.
/// SQL text uses PostgreSQL's `$1, $2, …` placeholders on both dialects and is always a constant
/// of the code; values travel only as bound parameters of prepared statements.
public protocol DatabaseConnection: AnyObject {
    var dialect: SQLDialect { get }
    /// True once the connection can no longer be used; the pool then throws it away.
    var isBroken: Bool { get }

    func query(_ sql: String, _ parameters: [SQLValue]) throws -> [SQLRow]
    /// Runs a query and hands each row to `body` as it is read, without building `SQLRow`s: for
    /// statements that return many rows. The cursor is valid only inside `body`.
    func forEachRow(_ sql: String, _ parameters: [SQLValue], _ body: (SQLCursor) throws -> Void) throws
    @discardableResult
    func execute(_ sql: String, _ parameters: [SQLValue]) throws -> Int
    /// Runs constant DDL (migrations): no parameters, several statements allowed.
    func executeScript(_ sql: String) throws
    /// Runs `body` in a transaction that takes the write lock at once (SQLite `BEGIN IMMEDIATE`).
    func transaction<T>(_ body: () throws -> T) throws -> T
    func close()
}

extension DatabaseConnection {
    public func query(_ sql: String) throws -> [SQLRow] { try query(sql, []) }

    public func scalarInt(_ sql: String, _ parameters: [SQLValue] = []) throws -> Int? {
        try query(sql, parameters).first?.int(0)
    }
}

public enum Database {
    /// `writerGate` orders SQLite write transactions among the processes of one server;
    /// `checkpointer` runs SQLite's WAL checkpoints in the background.
    public static func connect(_ url: DatabaseURL, writerGate: WriterGate? = nil,
                               checkpointer: SQLiteCheckpointer? = nil) throws -> DatabaseConnection {
        switch url.kind {
        case .sqlite(let path): return try SQLiteConnection(path: path, writerGate: writerGate, checkpointer: checkpointer)
        case .postgres(let uri): return try PostgresConnection(uri: uri)
        }
    }
}
