import CSQLite
import Foundation

/// Moves most of SQLite's WAL checkpoint work off the commit path. By default the connection whose
/// commit takes the WAL past 1,000 pages copies it back into the database file and syncs it,
/// inside that commit: every writer queued behind it waits for an fsync, the p99 of registration
/// under load. Here connections report the WAL's size after each commit; past 1,000 pages a thread
/// of this process with a connection of its own runs a PASSIVE checkpoint (which blocks neither
/// readers nor writers).
///
/// The WAL only starts again from its beginning when a writer begins while the WAL is wholly
/// copied back, which a background checkpoint racing steady writers seldom achieves: without a
/// backstop the WAL would grow for as long as writes go on, and every read would search it. So a
/// commit that finds it past 4,000 pages checkpoints inline as SQLite does by default (most pages
/// are already copied by then); the next writer starts the WAL again.
public final class SQLiteCheckpointer: @unchecked Sendable {
    public static let pagesBeforeCheckpoint: Int32 = 1000
    public static let pagesBeforeInlineCheckpoint: Int32 = 4000

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
        sqlite3_wal_hook(db, { context, db, _, pages in
            if pages >= SQLiteCheckpointer.pagesBeforeInlineCheckpoint {
                // The committing writer still holds the writer gate, so no commit of this server
                // lands meanwhile and the checkpoint can finish.
                _ = sqlite3_wal_checkpoint_v2(db, nil, SQLITE_CHECKPOINT_PASSIVE, nil, nil)
            } else if pages >= SQLiteCheckpointer.pagesBeforeCheckpoint, let context {
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
