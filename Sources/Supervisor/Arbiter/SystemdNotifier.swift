import CShim
import Foundation
import Logging

/// sd_notify(3) without libsystemd: `READY=1`, `RELOADING=1`, `STOPPING=1` and `STATUS=` datagrams
/// to `$NOTIFY_SOCKET`, so a `Type=notify` unit knows when the server serves. Without the
/// variable (not under systemd) it does nothing.
struct SystemdNotifier {
    private let path: String?
    private let logger: Logger

    init(environment: [String: String] = ProcessInfo.processInfo.environment, logger: Logger) {
        path = environment["NOTIFY_SOCKET"].flatMap { $0.isEmpty ? nil : $0 }
        self.logger = logger
    }

    func ready(status: String) { send("READY=1\nSTATUS=\(status)") }
    func reloading() { send("RELOADING=1\nMONOTONIC_USEC=\(UInt64(monotonicNow() * 1_000_000))") }
    func stopping() { send("STOPPING=1") }
    func status(_ text: String) { send("STATUS=\(text)") }

    private func send(_ message: String) {
        guard let path else { return }
        let error = pyrmute_notify(path, message)
        if error != 0 {
            logger.warning("cannot notify systemd", metadata: ["socket": "\(path)", "error": "\(String(cString: strerror(error)))"])
        }
    }
}
