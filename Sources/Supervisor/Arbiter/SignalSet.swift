import Foundation

/// The signals the arbiter handles synchronously: blocked in every thread (before any thread
/// starts) and collected with `sigtimedwait` in the arbiter loop.
struct SignalSet {
    static let handled: [Int32] = [SIGCHLD, SIGTERM, SIGINT, SIGHUP, SIGTTIN, SIGTTOU, SIGQUIT]
    private var set = sigset_t()

    init() {
        sigemptyset(&set)
        for signal in Self.handled { sigaddset(&set, signal) }
    }

    func block() {
        var mask = set
        pthread_sigmask(SIG_BLOCK, &mask, nil)
    }

    /// The next pending signal, or nil after `timeout` seconds.
    func wait(timeout: Double) -> Int32? {
        var mask = set
        var info = siginfo_t()
        var spec = timespec(tv_sec: Int(timeout), tv_nsec: Int((timeout - Double(Int(timeout))) * 1e9))
        let signal = sigtimedwait(&mask, &info, &spec)
        return signal > 0 ? signal : nil
    }
}
