/// What SQLite write transactions of one server queue on before they ask SQLite for its write
/// lock. SQLite's own wait for a busy lock is a poll with sleeps that grow to 100 ms, so writers
/// contending there wait far longer than the lock is held; a gate hands the turn over at once.
public protocol WriterGate: AnyObject, Sendable {
    /// Runs `body` holding the gate. Waits until `deadline` (`MonotonicClock` nanoseconds) at most,
    /// then throws `DatabaseError.locked`, as SQLite does when its lock stays taken.
    func withExclusiveAccess<T>(deadline: UInt64, _ body: () throws -> T) throws -> T
}
