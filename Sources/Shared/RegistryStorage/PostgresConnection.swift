import CPostgres
import RegistryTracing
import Foundation

/// libpq: one connection, session time zone UTC, named prepared statements cached per SQL text.
///
/// Waits are bounded so that a request never hangs on the database: a statement waits at most
/// `lockTimeoutMilliseconds` (5 s, as SQLite's busy timeout) for a lock another session holds
/// (`lock_timeout`) and runs at most `statementTimeoutMilliseconds` (30 s, `statement_timeout`);
/// either failure is a statement error (the request gets 503) and the connection stays usable.
/// The migrator lifts both for its own transaction.
///
/// TCP connections use keepalives and a user timeout, so a database that vanishes without a word
/// (a network partition, a host that lost power) breaks the connection within about 30 s
/// instead of leaving a request and its pooled connection waiting forever.
public final class PostgresConnection: DatabaseConnection {
    public static let defaultLockTimeoutMilliseconds = 5000
    public static let defaultStatementTimeoutMilliseconds = 30000

    public let dialect = SQLDialect.postgres
    private var conn: OpaquePointer?
    private var statementNames: [String: String] = [:]

    public var isBroken: Bool { conn == nil || PQstatus(conn) != CONNECTION_OK }

    public init(uri: String, connectTimeoutSeconds: Int = 5,
                lockTimeoutMilliseconds: Int = PostgresConnection.defaultLockTimeoutMilliseconds,
                statementTimeoutMilliseconds: Int = PostgresConnection.defaultStatementTimeoutMilliseconds) throws {
        // The URI comes last so that any of these it names overrides our default.
        let defaults = [("connect_timeout", String(connectTimeoutSeconds)), ("keepalives", "1"), ("keepalives_idle", "15"),
                        ("keepalives_interval", "5"), ("keepalives_count", "3"), ("tcp_user_timeout", "30000")]
        let keywords = defaults.map(\.0) + ["dbname"]
        let values = defaults.map(\.1) + [uri]
        conn = withCStringArray(keywords) { k in withCStringArray(values) { v in PQconnectdbParams(k, v, 1) } }
        guard let conn, PQstatus(conn) == CONNECTION_OK else {
            let message = conn.map { String(cString: PQerrorMessage($0)) } ?? "out of memory"
            PQfinish(conn)
            self.conn = nil
            throw DatabaseError.connectionFailed(DatabaseError.firstLine(message))
        }
        // Integers: the script is built from numbers only, never from input.
        try executeScript("SET TIME ZONE 'UTC'; SET client_min_messages TO WARNING; "
            + "SET lock_timeout = \(max(0, lockTimeoutMilliseconds)); SET statement_timeout = \(max(0, statementTimeoutMilliseconds))")
    }

    deinit { close() }

    public func close() {
        if let conn { PQfinish(conn) }
        conn = nil
    }

    public func query(_ sql: String, _ parameters: [SQLValue]) throws -> [SQLRow] {
        let result = try run(sql, parameters)
        defer { PQclear(result) }
        let rowCount = PQntuples(result), columnCount = PQnfields(result)
        var rows: [SQLRow] = []
        rows.reserveCapacity(Int(rowCount))
        for r in 0..<rowCount {
            var values: [SQLValue] = []
            values.reserveCapacity(Int(columnCount))
            for c in 0..<columnCount {
                if PQgetisnull(result, r, c) == 1 {
                    values.append(.null)
                } else {
                    let length = Int(PQgetlength(result, r, c))
                    let bytes = UnsafeRawPointer(PQgetvalue(result, r, c)!).assumingMemoryBound(to: UInt8.self)
                    values.append(.text(String(decoding: UnsafeBufferPointer(start: bytes, count: length), as: UTF8.self)))
                }
            }
            rows.append(SQLRow(values))
        }
        return rows
    }

    public func forEachRow(_ sql: String, _ parameters: [SQLValue], _ body: (SQLCursor) throws -> Void) throws {
        let result = try run(sql, parameters)
        defer { PQclear(result) }
        for row in 0..<PQntuples(result) { try body(SQLCursor(source: .postgres(result, row: row))) }
    }

    @discardableResult
    public func execute(_ sql: String, _ parameters: [SQLValue]) throws -> Int {
        let result = try run(sql, parameters)
        defer { PQclear(result) }
        return Int(String(cString: PQcmdTuples(result))) ?? 0
    }

    public func executeScript(_ sql: String) throws {
        try StatementSpan.run(sql, system: "postgresql") { try exec(sql) }
    }

    private func exec(_ sql: String) throws {
        guard let conn else { throw DatabaseError.connectionFailed("connection closed") }
        let result = PQexec(conn, sql)
        defer { PQclear(result) }
        try check(result)
    }

    public func transaction<T>(_ body: () throws -> T) throws -> T {
        try executeScript("BEGIN")
        do {
            let value = try body()
            try executeScript("COMMIT")
            return value
        } catch {
            if !isBroken { try? executeScript("ROLLBACK") }
            throw error
        }
    }

    // MARK: - internals

    /// The statement's result (the caller clears it), in a span when a traced request runs it.
    private func run(_ sql: String, _ parameters: [SQLValue]) throws -> OpaquePointer {
        try StatementSpan.run(sql, system: "postgresql") { try runPrepared(sql, parameters) }
    }

    private func runPrepared(_ sql: String, _ parameters: [SQLValue]) throws -> OpaquePointer {
        guard let conn else { throw DatabaseError.connectionFailed("connection closed") }
        let name = try statementName(for: sql, on: conn)
        let texts: [String?] = parameters.map(Self.text)
        let result = withOptionalCStringArray(texts) { values in
            PQexecPrepared(conn, name, Int32(texts.count), values, nil, nil, 0)
        }
        do { try check(result) } catch { PQclear(result); throw error }
        return result!
    }

    private func statementName(for sql: String, on conn: OpaquePointer) throws -> String {
        if let name = statementNames[sql] { return name }
        let name = "s\(statementNames.count + 1)"
        let result = PQprepare(conn, name, sql, 0, nil)
        defer { PQclear(result) }
        try check(result)
        statementNames[sql] = name
        return name
    }

    private func check(_ result: OpaquePointer?) throws {
        let status = result.map(PQresultStatus) ?? PGRES_FATAL_ERROR
        if status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK { return }
        let message = DatabaseError.firstLine(String(cString: PQerrorMessage(conn)))
        if isBroken { throw DatabaseError.connectionFailed(message) }
        let state = result.flatMap { PQresultErrorField($0, Int32(UInt8(ascii: "C"))) }.map { String(cString: $0) }
        switch state {
        case "23505": throw DatabaseError.uniqueViolation(message)
        case let s? where s.hasPrefix("08") || s.hasPrefix("57P"): throw DatabaseError.connectionFailed(message)
        default: throw DatabaseError.statementFailed(message)
        }
    }

    private static func text(_ value: SQLValue) -> String? {
        switch value {
        case .null: return nil
        case .int(let v): return String(v)
        case .double(let v): return String(v)
        case .bool(let b): return b ? "true" : "false"
        case .text(let s): return s
        }
    }
}

/// Calls `body` with a NULL-terminated `char *[]` that lives for the duration of the call.
private func withCStringArray<R>(_ strings: [String], _ body: (UnsafePointer<UnsafePointer<CChar>?>) -> R) -> R {
    withOptionalCStringArray(strings.map { Optional($0) }, body)
}

private func withOptionalCStringArray<R>(_ strings: [String?], _ body: (UnsafePointer<UnsafePointer<CChar>?>) -> R) -> R {
    let owned: [UnsafeMutablePointer<CChar>?] = strings.map { $0.map { strdup($0)! } }
    defer { owned.forEach { free($0) } }
    let pointers = owned.map { UnsafePointer($0) } + [nil]
    return pointers.withUnsafeBufferPointer { body($0.baseAddress!) }
}
