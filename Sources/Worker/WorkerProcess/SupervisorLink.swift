import CShim
import Foundation
import RegistryRuntime

/// The write end of the worker's control pipe (fd 4). Messages are written whole, in order, from
/// one serial queue, so a slow supervisor never blocks an event loop.
/// `@unchecked Sendable`: `pending` is only touched under `lock`; the writes happen on `queue`.
final class SupervisorLink: @unchecked Sendable {
    private let fd: Int32
    private let queue = DispatchQueue(label: "pyrmute.supervisor-link")
    private let lock = NSLock()
    private var pending = 0

    init(fd: Int32) {
        self.fd = fd
        _ = pyrmute_set_cloexec(fd)
        _ = pyrmute_set_blocking(fd)
    }

    /// Queues `message`. With `mayDrop`, it is dropped while an earlier droppable one is still
    /// being written (a beat behind a stalled supervisor is stale anyway).
    func send(_ message: WorkerMessage, mayDrop: Bool = false) {
        if mayDrop {
            lock.lock()
            let busy = pending > 0
            if !busy { pending += 1 }
            lock.unlock()
            if busy { return }
        }
        let bytes = message.line
        queue.async { [self] in
            bytes.withUnsafeBytes { buffer in
                var offset = 0
                while offset < buffer.count {
                    let n = write(fd, buffer.baseAddress! + offset, buffer.count - offset)
                    if n < 0, errno == EINTR { continue }
                    if n <= 0 { break }   // the supervisor is gone: nothing left to tell
                    offset += n
                }
            }
            if mayDrop {
                lock.lock()
                pending -= 1
                lock.unlock()
            }
        }
    }

    /// Waits until everything queued is written.
    func flush() { queue.sync {} }
}
