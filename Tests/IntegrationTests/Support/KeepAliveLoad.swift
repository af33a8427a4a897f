import Foundation

/// Threads sending GETs over keep-alive connections the way common HTTP clients pool them
/// (urllib3, Go's net/http, OkHttp): a connection serves a few requests, then the client opens a
/// new one; a request on a *reused* connection that the server had closed (the send fails, or the
/// connection ends or is reset before any byte of the answer) is sent again, once, on a new
/// connection, because a GET is idempotent. Anything else is a failure: a new connection that
/// fails, a retry that fails, an answer cut short, a status other than 200.
final class KeepAliveLoad: @unchecked Sendable {
    struct Result {
        var succeeded = 0
        /// Requests sent again after the server closed an idle reused connection.
        var retried = 0
        /// Answers that closed their connection (`Connection: close`: a draining worker).
        var closedByServer = 0
        var failures = 0
        var failureSamples: [String] = []
    }

    private let port: Int
    private let path: String
    private let requestsPerConnection: ClosedRange<Int>
    private let lock = NSLock()
    private var running = true
    private var result = Result()
    private let finished = DispatchGroup()

    init(port: Int, path: String, requestsPerConnection: ClosedRange<Int> = 1...30) {
        self.port = port
        self.path = path
        self.requestsPerConnection = requestsPerConnection
    }

    func start(threads count: Int) {
        for _ in 0..<count {
            finished.enter()
            let thread = Thread { [self] in
                var connection: Connection?
                var budget = 0
                while lock.withLock({ running }) {
                    if connection == nil || budget <= 0 {
                        connection = nil
                        budget = Int.random(in: requestsPerConnection)
                    }
                    budget -= 1
                    let reused = connection != nil
                    do {
                        let (outcome, keep) = try exchange(&connection, reused: reused)
                        record(outcome, closing: !keep)
                        if !keep { connection = nil }
                    } catch {
                        connection = nil
                        record(.failure("\(error)"), closing: false)
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

    private enum Outcome {
        case success(retried: Bool)
        case failure(String)
    }

    private func record(_ outcome: Outcome, closing: Bool) {
        lock.withLock {
            switch outcome {
            case .success(let retried):
                result.succeeded += 1
                if retried { result.retried += 1 }
                if closing { result.closedByServer += 1 }
            case .failure(let reason):
                result.failures += 1
                if result.failureSamples.count < 8 { result.failureSamples.append(reason) }
            }
        }
    }

    /// One request, sent again once on a new connection when a reused one turns out closed.
    /// Returns whether the connection may serve another request.
    private func exchange(_ connection: inout Connection?, reused: Bool) throws -> (Outcome, Bool) {
        if connection == nil { connection = try Connection(port: port) }
        switch connection!.get(path) {
        case .answered(let status, let keepAlive):
            return (status == 200 ? .success(retried: false) : .failure("status \(status)"), keepAlive)
        case .closedBeforeAnswer(let reason) where reused:
            connection = try Connection(port: port)
            switch connection!.get(path) {
            case .answered(let status, let keepAlive):
                return (status == 200 ? .success(retried: true) : .failure("status \(status) on retry"), keepAlive)
            case .closedBeforeAnswer(let again), .broken(let again):
                return (.failure("retry after '\(reason)' failed on a new connection: \(again)"), false)
            }
        case .closedBeforeAnswer(let reason):
            return (.failure("new connection: \(reason)"), false)
        case .broken(let reason):
            return (.failure("\(reused ? "reused" : "new") connection: \(reason)"), false)
        }
    }

    private final class Connection {
        enum Reply {
            case answered(status: Int, keepAlive: Bool)
            /// Nothing of an answer arrived: the send failed, or EOF/reset first.
            case closedBeforeAnswer(String)
            /// Part of an answer arrived, then the connection failed.
            case broken(String)
        }

        private let fd: Int32

        init(port: Int) throws { fd = try RawConnection.connect(port: port) }
        deinit { close(fd) }

        func get(_ path: String) -> Reply {
            let request = Array("GET \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".utf8)
            let sent = request.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            guard sent == request.count else { return .closedBeforeAnswer("send: \(String(cString: strerror(errno)))") }
            var data: [UInt8] = []
            var buffer = [UInt8](repeating: 0, count: 16384)
            var headerEnd: Int?
            var length = 0
            while true {
                if let end = headerEnd, data.count >= end + length { break }
                let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
                if n <= 0 {
                    let reason = n == 0 ? "connection closed" : "recv: \(String(cString: strerror(errno)))"
                    return data.isEmpty ? .closedBeforeAnswer(reason) : .broken("\(reason) after \(data.count) bytes")
                }
                data.append(contentsOf: buffer[0..<n])
                if headerEnd == nil, let range = data.firstRange(of: [13, 10, 13, 10]) {
                    headerEnd = range.upperBound
                    let head = String(decoding: data[..<range.lowerBound], as: UTF8.self).lowercased()
                    guard let line = head.split(separator: "\r\n").first(where: { $0.hasPrefix("content-length:") }),
                          let value = Int(line.dropFirst("content-length:".count).trimmingCharacters(in: .whitespaces))
                    else { return .broken("no content-length in \(head)") }
                    length = value
                }
            }
            let head = String(decoding: data[..<(headerEnd! - 4)], as: UTF8.self)
            let parts = head.split(separator: " ", maxSplits: 2)
            let status = parts.count > 1 ? Int(parts[1]) ?? 0 : 0
            let keepAlive = !head.lowercased().contains("\r\nconnection: close")
            return .answered(status: status, keepAlive: keepAlive)
        }
    }
}
