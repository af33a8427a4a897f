import Foundation

/// The signals a worker acts on: TERM/INT (drain and exit) and, for a successor held back
/// during a handover, USR1 (start accepting: the predecessor has stopped).
/// `@unchecked Sendable`: the two flags are only touched under `lock`; `sources` is set in `init`
/// and cancelled from the thread that made it.
final class ProcessSignals: @unchecked Sendable {
    private let lock = NSLock()
    private let changed = DispatchSemaphore(value: 0)
    private var stopRequested = false
    private var goReceived = false
    private var sources: [DispatchSourceSignal] = []

    init() {
        sources = [SIGTERM, SIGINT, SIGUSR1].map { number in
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { [self] in
                lock.withLock { if number == SIGUSR1 { goReceived = true } else { stopRequested = true } }
                changed.signal()
            }
            source.resume()
            return source
        }
    }

    /// Blocks until USR1 (true) or TERM/INT (false).
    func waitForGo() -> Bool {
        while true {
            let (go, stop) = lock.withLock { (goReceived, stopRequested) }
            if stop { return false }
            if go { return true }
            changed.wait()
        }
    }

    /// Blocks until TERM or INT.
    func waitForStop() {
        while !lock.withLock({ stopRequested }) { changed.wait() }
    }

    func cancel() { sources.forEach { $0.cancel() } }
}
