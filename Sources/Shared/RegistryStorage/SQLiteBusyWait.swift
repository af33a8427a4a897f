import CSQLite
import Foundation

/// How a connection waits for a write lock another connection holds. SQLite's built-in busy
/// timeout sleeps 1, 2, 5, 10 … 100 ms between tries: under contention a writer sleeps long after
/// the lock was released, and a p99 of hundreds of milliseconds follows. This handler tries again
/// after 50 µs, doubling to at most 1 ms, until the wait's deadline.
///
/// A wait's deadline is `timeout` after it began, or the one a transaction set for its whole
/// wait (the writer gate's and SQLite's lock together), so that no write waits longer than the
/// timeout in all.
final class SQLiteBusyWait {
    static let firstDelayMicroseconds: UInt32 = 50
    static let longestDelayMicroseconds: UInt32 = 1000

    let timeoutNanoseconds: UInt64
    /// Set by a transaction until it holds SQLite's write lock.
    var deadline: UInt64?
    private var waitEnds: UInt64 = 0

    init(timeoutMilliseconds: Int32) {
        timeoutNanoseconds = UInt64(max(1, timeoutMilliseconds)) * 1_000_000
    }

    /// Installs the handler on `db`; the connection keeps `self` alive as long as `db`.
    func install(on db: OpaquePointer?) {
        sqlite3_busy_handler(db, { context, attempt in
            guard let context else { return 0 }
            return Unmanaged<SQLiteBusyWait>.fromOpaque(context).takeUnretainedValue().retry(attempt: Int(attempt)) ? 1 : 0
        }, Unmanaged.passUnretained(self).toOpaque())
    }

    private func retry(attempt: Int) -> Bool {
        let now = MonotonicClock.now
        if attempt == 0 { waitEnds = deadline ?? now + timeoutNanoseconds }
        guard now < waitEnds else { return false }
        usleep(Self.delay(attempt: attempt))
        return true
    }

    static func delay(attempt: Int) -> UInt32 {
        attempt >= 5 ? longestDelayMicroseconds : firstDelayMicroseconds << UInt32(attempt)
    }
}
