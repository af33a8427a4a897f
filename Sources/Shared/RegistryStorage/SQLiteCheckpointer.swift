import CSQLite
import Foundation

/// Moves SQLite's WAL checkpoints off the commit path. By default the connection whose commit takes
/// the WAL past 1,000 pages copies it back into the database file and syncs it, inside that commit:
/// every writer queued behind it waits for an fsync, the p99 of registration under load. Here
/// connections only report the WAL's size after each commit; a thread of this process with a
/// connection of its own runs a PASSIVE checkpoint (which never blocks readers or writers) once
/// the WAL has grown past the threshold.
public final class SQLiteCheckpointer: @unchecked Sendable {
    public static let pagesBeforeCheckpoint: Int32 = 1000

    private let path: String
    private let condition = NSCondition()
    private var requested = false
    private var stopped = false
    private var started = false

    public init(path: String) {
        self.path = path
    }

    /// Replaces the connection's automatic checkpoints with reports to this checkpointer, which
    /// must outlive the connection (the pool that owns both closes connections first).
    func adopt(_ db: OpaquePointer?) {
        sqlite3_wal_hook(db, { context, _, _, pages in
            if pages >= SQLiteCheckpointer.pagesBeforeCheckpoint, let context {
                Unmanaged<SQLiteCheckpointer>.fromOpaque(context).takeUnretainedValue().request()
            }
            return SQLITE_OK
        }, Unmanaged.passUnretained(self).toOpaque())
    }

    public func stop() {
        condition.lock()
        stopped = true
        condition.signal()
        condition.unlock()
    }

    private func request() {
        condition.lock()
        requested = true
        if !started {
            started = true
            let thread = Thread { [self] in run() }
            thread.name = "sqlite-checkpoint"
            thread.start()
        }
        condition.signal()
        condition.unlock()
    }

    private func run() {
        var db: OpaquePointer?
        defer { sqlite3_close_v2(db) }
        guard sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, nil) == SQLITE_OK else { return }
        let busyWait = SQLiteBusyWait(timeoutMilliseconds: 1000)
        busyWait.install(on: db)
        while true {
            condition.lock()
            while !requested && !stopped { condition.wait() }
            let done = stopped
            requested = false
            condition.unlock()
            if done { return }
            // A failure (another process is checkpointing, a reader pins old pages) is retried
            // at the next report: the WAL only grows meanwhile, nothing is lost.
            _ = sqlite3_wal_checkpoint_v2(db, nil, SQLITE_CHECKPOINT_PASSIVE, nil, nil)
        }
        withExtendedLifetime(busyWait) {}
    }
}
