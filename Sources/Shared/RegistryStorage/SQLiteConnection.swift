import CSQLite
import RegistryTracing
import Foundation

/// libsqlite3: WAL, a busy timeout, foreign keys on, a cache of prepared statements; write
/// transactions queue on the server's `WriterGate` when it has one.
public final class SQLiteConnection: DatabaseConnection {
    public let dialect = SQLDialect.sqlite
    public private(set) var isBroken = false

    private var db: OpaquePointer?
    private var statements: [String: OpaquePointer] = [:]
    private let writerGate: WriterGate?
    private let busyWait: SQLiteBusyWait
    /// Kept alive by its connections: its WAL hook holds it unretained.
    private let checkpointer: SQLiteCheckpointer?
    private static let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

    /// `path` nil opens a private in-memory database.
    /// `checkpointer` takes the WAL checkpoints off this connection's commits.
    public init(path: String?, busyTimeoutMilliseconds: Int32 = 5000, writerGate: WriterGate? = nil,
                checkpointer: SQLiteCheckpointer? = nil) throws {
        self.writerGate = writerGate
        busyWait = SQLiteBusyWait(timeoutMilliseconds: busyTimeoutMilliseconds)
        self.checkpointer = checkpointer
        let flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX
        let rc = sqlite3_open_v2(path ?? ":memory:", &db, flags, nil)
        guard rc == SQLITE_OK else {
            let message = db.map { String(cString: sqlite3_errmsg($0)) } ?? String(cString: sqlite3_errstr(rc))
            sqlite3_close_v2(db)
            db = nil
            throw DatabaseError.connectionFailed("unable to open database file \(path ?? ":memory:"): \(message)")
        }
        busyWait.install(on: db)
        sqlite3_extended_result_codes(db, 1)
        if path != nil { try executeScript("PRAGMA journal_mode=WAL") }
        checkpointer?.adopt(db)
        try executeScript("PRAGMA foreign_keys=ON; PRAGMA synchronous=NORMAL")
    }

    deinit { close() }

    /// Bytes SQLite holds in this process (page caches, prepared statements, schema): what a
    /// worker's memory owes to SQLite, for the metrics.
    public static var memoryInUse: Int64 { sqlite3_memory_used() }

    public func close() {
        for stmt in statements.values { sqlite3_finalize(stmt) }
        statements.removeAll()
        if let db { sqlite3_close_v2(db) }
        db = nil
        isBroken = true
    }

    public func query(_ sql: String, _ parameters: [SQLValue]) throws -> [SQLRow] {
        try StatementSpan.run(sql, system: "sqlite") { try rows(sql, parameters) }
    }

    private func rows(_ sql: String, _ parameters: [SQLValue]) throws -> [SQLRow] {
        var rows: [SQLRow] = []
        try eachRow(sql, parameters) { stmt in
            let columns = sqlite3_column_count(stmt)
            var values: [SQLValue] = []
            values.reserveCapacity(Int(columns))
            for i in 0..<columns { values.append(column(stmt, i)) }
            rows.append(SQLRow(values))
        }
        return rows
    }

    public func forEachRow(_ sql: String, _ parameters: [SQLValue], _ body: (SQLCursor) throws -> Void) throws {
        try StatementSpan.run(sql, system: "sqlite") {
            try eachRow(sql, parameters) { stmt in try body(SQLCursor(source: .sqlite(stmt))) }
        }
    }

    /// Prepares (or reuses), binds and steps the statement, handing it to `body` on each row.
    private func eachRow(_ sql: String, _ parameters: [SQLValue], _ body: (OpaquePointer) throws -> Void) throws {
        let stmt = try prepared(sql)
        defer { sqlite3_reset(stmt); sqlite3_clear_bindings(stmt) }
        try bind(parameters, to: stmt)
        while true {
            let rc = sqlite3_step(stmt)
            if rc == SQLITE_DONE { break }
            guard rc == SQLITE_ROW else { throw error(rc) }
            try body(stmt)
        }
    }

    @discardableResult
    public func execute(_ sql: String, _ parameters: [SQLValue]) throws -> Int {
        try StatementSpan.run(sql, system: "sqlite") { try step(sql, parameters) }
    }

    private func step(_ sql: String, _ parameters: [SQLValue]) throws -> Int {
        let stmt = try prepared(sql)
        defer { sqlite3_reset(stmt); sqlite3_clear_bindings(stmt) }
        try bind(parameters, to: stmt)
        var rc = sqlite3_step(stmt)
        while rc == SQLITE_ROW { rc = sqlite3_step(stmt) }
        guard rc == SQLITE_DONE else { throw error(rc) }
        return Int(sqlite3_changes(db))
    }

    public func executeScript(_ sql: String) throws {
        try StatementSpan.run(sql, system: "sqlite") { try exec(sql) }
    }

    private func exec(_ sql: String) throws {
        var message: UnsafeMutablePointer<CChar>?
        let rc = sqlite3_exec(db, sql, nil, nil, &message)
        if rc != SQLITE_OK {
            let text = message.map { String(cString: $0) } ?? String(cString: sqlite3_errstr(rc))
            sqlite3_free(message)
            throw classify(rc, text)
        }
    }

    public func transaction<T>(_ body: () throws -> T) throws -> T {
        let deadline = MonotonicClock.now + busyWait.timeoutNanoseconds
        guard let writerGate else { return try immediateTransaction(waitingUntil: deadline, body) }
        return try writerGate.withExclusiveAccess(deadline: deadline) { try immediateTransaction(waitingUntil: deadline, body) }
    }

    private func immediateTransaction<T>(waitingUntil deadline: UInt64, _ body: () throws -> T) throws -> T {
        busyWait.deadline = deadline
        defer { busyWait.deadline = nil }
        try executeScript("BEGIN IMMEDIATE")
        busyWait.deadline = nil
        do {
            let result = try body()
            try executeScript("COMMIT")
            return result
        } catch {
            try? executeScript("ROLLBACK")
            throw error
        }
    }

    // MARK: - internals

    private func prepared(_ sql: String) throws -> OpaquePointer {
        if let stmt = statements[sql] { return stmt }
        guard let db else { throw DatabaseError.connectionFailed("connection closed") }
        var stmt: OpaquePointer?
        let rc = sqlite3_prepare_v3(db, Self.numberedPlaceholders(sql), -1, UInt32(SQLITE_PREPARE_PERSISTENT), &stmt, nil)
        guard rc == SQLITE_OK, let stmt else { throw error(rc) }
        statements[sql] = stmt
        return stmt
    }

    /// `$1` → `?1`: SQLite numbers `?NNN` parameters explicitly, whatever their order in the text.
    static func numberedPlaceholders(_ sql: String) -> String {
        var out = ""
        out.reserveCapacity(sql.utf8.count)
        var previous: Character = " "
        for ch in sql {
            if previous == "$", ch.isNumber { out.removeLast(); out.append("?") }
            out.append(ch)
            previous = ch
        }
        return out
    }

    private func bind(_ parameters: [SQLValue], to stmt: OpaquePointer) throws {
        for (offset, value) in parameters.enumerated() {
            let index = Int32(offset + 1)
            let rc: Int32
            switch value {
            case .null: rc = sqlite3_bind_null(stmt, index)
            case .int(let v): rc = sqlite3_bind_int64(stmt, index, v)
            case .double(let v): rc = sqlite3_bind_double(stmt, index, v)
            case .bool(let b): rc = sqlite3_bind_int64(stmt, index, b ? 1 : 0)
            case .text(let s): rc = sqlite3_bind_text(stmt, index, s, -1, Self.transient)
            }
            guard rc == SQLITE_OK else { throw error(rc) }
        }
    }

    private func column(_ stmt: OpaquePointer, _ i: Int32) -> SQLValue {
        switch sqlite3_column_type(stmt, i) {
        case SQLITE_INTEGER: return .int(sqlite3_column_int64(stmt, i))
        case SQLITE_FLOAT: return .double(sqlite3_column_double(stmt, i))
        case SQLITE_NULL: return .null
        default:
            guard let text = sqlite3_column_text(stmt, i) else { return .null }
            let count = Int(sqlite3_column_bytes(stmt, i))
            return .text(String(decoding: UnsafeBufferPointer(start: text, count: count), as: UTF8.self))
        }
    }

    private func error(_ rc: Int32) -> DatabaseError {
        classify(rc, db.map { String(cString: sqlite3_errmsg($0)) } ?? String(cString: sqlite3_errstr(rc)))
    }

    private func classify(_ rc: Int32, _ message: String) -> DatabaseError {
        // Extended codes are not imported as constants: SQLITE_CONSTRAINT_PRIMARYKEY = 19 | 6 << 8,
        // SQLITE_CONSTRAINT_UNIQUE = 19 | 8 << 8.
        switch rc {
        case SQLITE_CONSTRAINT | (6 << 8), SQLITE_CONSTRAINT | (8 << 8): return .uniqueViolation(message)
        // SQLITE_READONLY too: a connection opened while the file was read-only stays read-only
        // (SQLite falls back silently) until it is reopened, so writes would fail after the
        // permissions are back; thrown away, the pool opens a fresh one for the next caller.
        case _ where [SQLITE_CANTOPEN, SQLITE_NOTADB, SQLITE_CORRUPT, SQLITE_IOERR, SQLITE_READONLY].contains(rc & 0xff):
            isBroken = true
            return .connectionFailed(message)
        default: return .statementFailed(message)
        }
    }
}
