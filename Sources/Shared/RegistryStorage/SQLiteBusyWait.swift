import CSQLite
import Foundation

/// How a connection waits for a write lock another connection holds. SQLite's built-in busy
/// timeout sleeps 1, 2, 5, 10 … 100 ms between tries: under contention a writer sleeps long after
/// the lock was released, and a p99 of hundreds of milliseconds follows. This handler tries again
/// after 50 µs, doubling to at most 1 ms, until the timeout has passed.
enum SQLiteBusyWait {
    static let firstDelayMicroseconds: UInt32 = 50
    static let longestDelayMicroseconds: UInt32 = 1000

    static func install(on db: OpaquePointer?, timeoutMilliseconds: Int32) {
        // The timeout travels as the context pointer's value: no allocation to own.
        let context = UnsafeMutableRawPointer(bitPattern: Int(max(1, timeoutMilliseconds)))
        sqlite3_busy_handler(db, { context, attempt in
            let timeoutMicroseconds = Int(bitPattern: context) * 1000
            guard SQLiteBusyWait.slept(before: Int(attempt)) < timeoutMicroseconds else { return 0 }
            usleep(SQLiteBusyWait.delay(attempt: Int(attempt)))
            return 1
        }, context)
    }

    static func delay(attempt: Int) -> UInt32 {
        attempt >= 5 ? longestDelayMicroseconds : min(longestDelayMicroseconds, firstDelayMicroseconds << UInt32(attempt))
    }

    /// Microseconds slept by the first `attempts` waits.
    static func slept(before attempts: Int) -> Int {
        (0..<min(attempts, 5)).reduce(0) { $0 + Int(delay(attempt: $1)) } + max(0, attempts - 5) * Int(longestDelayMicroseconds)
    }
}
