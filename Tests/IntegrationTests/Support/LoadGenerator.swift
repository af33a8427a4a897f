import Foundation
import RegistryRuntime

/// Threads sending requests in a loop until stopped. Connection errors are counted apart:
/// once the server stops accepting they are expected; a response other than 200 is not.
final class LoadGenerator: @unchecked Sendable {
    struct Result {
        var succeeded = 0
        var connectionErrors = 0
        var errorSamples: [String] = []
        var badResponses: [String] = []
    }

    private let url: String
    private let lock = NSLock()
    private var running = true
    private var result = Result()
    private var threads: [Thread] = []
    private let finished = DispatchGroup()

    init(url: String) { self.url = url }

    func start(threads count: Int) {
        for _ in 0..<count {
            finished.enter()
            let thread = Thread { [self] in
                while lock.withLock({ running }) {
                    do {
                        let response = try SimpleHTTPClient.request("GET", url, timeout: 10)
                        lock.withLock {
                            if response.status == 200 { result.succeeded += 1 }
                            else { result.badResponses.append("\(response.status) \(response.text)") }
                        }
                    } catch {
                        lock.withLock {
                            result.connectionErrors += 1
                            if result.errorSamples.count < 5 { result.errorSamples.append("\(error)") }
                        }
                        usleep(5_000)
                    }
                }
                finished.leave()
            }
            thread.start()
        }
    }

    func stop() -> Result {
        lock.withLock { running = false }
        finished.wait()
        return lock.withLock { result }
    }
}
