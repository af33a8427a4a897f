#if canImport(Glibc)
@preconcurrency import Glibc
#endif
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import RegistryRuntime

/// Log lines written from an event loop are gathered until the loop has run the work of its
/// current wake-up, then written with one call: under load one access line per request would
/// otherwise cost one `write(2)` each (a third of a cached answer's time). The lines still leave
/// within the same turn of the loop, before it waits for more I/O. Lines from other threads, and
/// warnings and worse, are written at once.
public final class EventLoopLogOutput: LogLineOutput, Sendable {
    private final class Buffer: @unchecked Sendable {
        var text = ""
    }

    private let buffers = ThreadSpecificVariable<Buffer>()
    private let direct = StandardOutput()

    public init() {}

    public func write(_ line: String, urgent: Bool) {
        guard !urgent, let loop = MultiThreadedEventLoopGroup.currentEventLoop else {
            direct.write(line, urgent: urgent)
            return
        }
        let buffer: Buffer
        if let existing = buffers.currentValue {
            buffer = existing
        } else {
            buffer = Buffer()
            buffers.currentValue = buffer
        }
        let first = buffer.text.isEmpty
        buffer.text += line
        if first {
            // Runs after the tasks and I/O events already due on this loop: one write per turn.
            loop.execute { [direct] in
                let text = buffer.text
                buffer.text = ""
                direct.write(text, urgent: false)
            }
        }
    }
}
