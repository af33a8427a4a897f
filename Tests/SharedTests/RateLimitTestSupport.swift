import Foundation
import Logging
import RegistryDomain
import RegistryStorage
import XCTest

/// Unix seconds that a test moves by hand.
final class TestClock: @unchecked Sendable {
    var now: Double
    init(_ now: Double) { self.now = now }
}

/// Log lines gathered by `CollectingLogHandler`: "<level> <message> <error metadata>".
final class LogMessages: @unchecked Sendable {
    private let lock = NSLock()
    private var items: [String] = []
    func append(_ text: String) { lock.withLock { items.append(text) } }
    var all: [String] { lock.withLock { items } }

    var logger: Logger { Logger(label: "test") { _ in CollectingLogHandler(messages: self) } }
}

struct CollectingLogHandler: LogHandler {
    let messages: LogMessages
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .info
    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }
    func log(event: LogEvent) {
        messages.append("\(event.level) \(event.message) \(event.metadata?["error"].map { "\($0)" } ?? "")")
    }
}

extension XCTestCase {
    /// A pool on a new SQLite file, removed after the test; with the registry's tables if `migrated`.
    func temporarySQLitePool(migrated: Bool = true) throws -> ConnectionPool {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("ratelimit-\(UUID().uuidString).db").path
        let pool = ConnectionPool(url: try DatabaseURL(parsing: "sqlite:///" + path), capacity: 4)
        if migrated { try pool.withConnection { _ = try Migrator(connection: $0).migrate() } }
        addTeardownBlock { pool.close(); try? FileManager.default.removeItem(atPath: path) }
        return pool
    }
}
