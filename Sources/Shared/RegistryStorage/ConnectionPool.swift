import Foundation

/// A small pool of connections, opened lazily. A connection that breaks is thrown away and a new
/// one is opened for the next caller, so the pool heals when the database comes back.
public final class ConnectionPool: @unchecked Sendable {
    public let url: DatabaseURL
    public let capacity: Int
    /// Handed to every SQLite connection the pool opens.
    public let writerGate: WriterGate?
    private let checkpointer: SQLiteCheckpointer?
    private let condition = NSCondition()
    private var idle: [DatabaseConnection] = []
    private var open = 0
    private var closed = false

    public init(url: DatabaseURL, capacity: Int, writerGate: WriterGate? = nil) {
        self.url = url
        self.writerGate = writerGate
        if case .sqlite(let path?) = url.kind { checkpointer = SQLiteCheckpointer(path: path) } else { checkpointer = nil }
        // Every connection to ":memory:" is a database of its own: one connection keeps one database.
        self.capacity = url.isMemory ? 1 : max(1, capacity)
    }

    /// Runs `body` with a connection. With `retryOnBrokenConnection`, a connection found dead
    /// (say, the server restarted since it was last used) is replaced and `body` runs once more:
    /// only for reads, whose repetition is harmless.
    public func withConnection<T>(retryOnBrokenConnection: Bool = false, _ body: (DatabaseConnection) throws -> T) throws -> T {
        let connection = try checkOut()
        do {
            let value = try body(connection)
            checkIn(connection)
            return value
        } catch let error as DatabaseError {
            let broken = connection.isBroken
            checkIn(connection)
            guard broken, retryOnBrokenConnection else { throw error }
            return try withConnection(retryOnBrokenConnection: false, body)
        } catch {
            checkIn(connection)
            throw error
        }
    }

    /// Connections open and, of those, lent out right now (for metrics).
    public var usage: (open: Int, inUse: Int) {
        condition.lock()
        defer { condition.unlock() }
        return (open, open - idle.count)
    }

    public func close() {
        condition.lock()
        closed = true
        let connections = idle
        idle.removeAll()
        condition.unlock()
        connections.forEach { $0.close() }
        checkpointer?.stop()
    }

    private func checkOut() throws -> DatabaseConnection {
        condition.lock()
        while true {
            if closed { condition.unlock(); throw DatabaseError.connectionFailed("connection pool closed") }
            if let connection = idle.popLast() { condition.unlock(); return connection }
            if open < capacity { break }
            condition.wait()
        }
        open += 1
        condition.unlock()
        do {
            return try Database.connect(url, writerGate: writerGate, checkpointer: checkpointer)
        } catch {
            condition.lock()
            open -= 1
            condition.signal()
            condition.unlock()
            throw error
        }
    }

    private func checkIn(_ connection: DatabaseConnection) {
        condition.lock()
        if connection.isBroken || closed {
            open -= 1
            condition.unlock()
            connection.close()
        } else {
            idle.append(connection)
            condition.unlock()
        }
        condition.signal()
    }
}
