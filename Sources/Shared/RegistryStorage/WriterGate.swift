/// What SQLite write transactions of one server queue on before they ask SQLite for its write
/// lock. SQLite's own wait for a busy lock is a poll with sleeps that grow to 100 ms, so writers
/// contending there wait far longer than the lock is held; a gate hands the turn over at once.
public protocol WriterGate: AnyObject, Sendable {
    func withExclusiveAccess<T>(_ body: () throws -> T) rethrows -> T
}
