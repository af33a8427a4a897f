import Foundation
import RegistryRuntime

/// The supervisor's end of a worker's control pipe: non-blocking reads, split into messages.
final class ControlPipe {
    private(set) var fd: Int32
    private var pending: [UInt8] = []
    /// A line longer than this is not a message this supervisor understands; it is dropped.
    private static let longestLine = 4 << 20

    init(fd: Int32) { self.fd = fd }

    /// The messages that arrived since the last call; `closed` once the worker closed its end.
    func drain() -> (messages: [WorkerMessage], closed: Bool) {
        guard fd >= 0 else { return ([], true) }
        var closed = false
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n > 0 { pending.append(contentsOf: chunk[0..<n]); continue }
            if n < 0, errno == EINTR { continue }
            closed = n == 0
            break
        }
        var messages: [WorkerMessage] = []
        while let newline = pending.firstIndex(of: UInt8(ascii: "\n")) {
            if let message = WorkerMessage(line: pending[..<newline]) { messages.append(message) }
            pending.removeSubrange(...newline)
        }
        if pending.count > Self.longestLine { pending.removeAll() }
        if closed { close() }
        return (messages, closed)
    }

    func close() {
        if fd >= 0 { Glibc.close(fd) }
        fd = -1
    }
}
