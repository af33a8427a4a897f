import CShim
import Foundation
import RegistryStorage

/// A mutex in the shared region that threads of every worker queue on (process-shared, robust: a
/// worker killed while holding it passes it on instead of blocking the others forever).
public final class SharedMutex: WriterGate, @unchecked Sendable {
    private let memory: UnsafeMutableRawPointer

    init(memory: UnsafeMutableRawPointer, initialise: Bool) {
        self.memory = memory
        if initialise {
            let rc = pyrmute_shared_mutex_init(memory)
            precondition(rc == 0, "pthread_mutex_init: \(rc)")
        }
    }

    public func withLock<T>(_ body: () throws -> T) rethrows -> T {
        let rc = pyrmute_shared_mutex_lock(memory)
        precondition(rc == 0, "pthread_mutex_lock: \(rc)")
        defer { pyrmute_shared_mutex_unlock(memory) }
        return try body()
    }

    public func withExclusiveAccess<T>(deadline: UInt64, _ body: () throws -> T) throws -> T {
        let rc = pyrmute_shared_mutex_lock_until(memory, Int64(deadline))
        if rc == ETIMEDOUT { throw DatabaseError.locked }
        precondition(rc == 0, "pthread_mutex_clocklock: \(rc)")
        defer { pyrmute_shared_mutex_unlock(memory) }
        return try body()
    }
}
