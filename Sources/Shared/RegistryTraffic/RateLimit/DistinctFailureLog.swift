import Foundation
import Logging
import RegistryStorage

/// Logs a lasting failure once: a warning per distinct error text, and one line when it is over.
final class DistinctFailureLog: @unchecked Sendable {   // `lastFailure` only under `lock`
    private let logger: Logger
    private let warning: Logger.Message
    private let recovery: Logger.Message
    private let lock = NSLock()
    private var lastFailure: String?

    init(logger: Logger, warning: Logger.Message, recovery: Logger.Message) {
        self.logger = logger
        self.warning = warning
        self.recovery = recovery
    }

    func failed(_ error: Error) {
        let text = (error as? DatabaseError)?.message ?? "\(error)"
        let isNew = lock.withLock {
            defer { lastFailure = text }
            return text != lastFailure
        }
        if isNew { logger.warning(warning, metadata: ["error": "\(text)"]) }
    }

    func succeeded() {
        let recovered = lock.withLock {
            defer { lastFailure = nil }
            return lastFailure != nil
        }
        if recovered { logger.info(recovery) }
    }
}
