import CShim
import Foundation
import RegistryJSON
import RegistryRuntime

/// The supervisor's own liveness answer, on its own listener and thread, so that it works while
/// every worker is down or busy. `GET /metrics` answers with the whole server's metrics in the
/// Prometheus text format; any other GET with the slots as JSON: 200 while at least one worker is
/// running, 503 when none is.
final class LivenessServer: @unchecked Sendable {
    private let socket: ListeningSocket
    private let lock = NSLock()
    private var document: [UInt8] = []
    private var healthy = false
    private var metrics: [UInt8] = []

    init(host: String, port: Int) throws {
        socket = try ListeningSocket.open(host: host, port: port, reusePort: false, backlog: 64)
    }

    func update(_ snapshot: JSONValue, healthy: Bool) {
        var bytes: [UInt8] = []
        snapshot.write(into: &bytes)
        lock.lock()
        document = bytes
        self.healthy = healthy
        lock.unlock()
    }

    func updateMetrics(_ text: String) {
        let bytes = Array(text.utf8)
        lock.lock()
        metrics = bytes
        lock.unlock()
    }

    func start() {
        let thread = Thread { [self] in serve() }
        thread.name = "liveness"
        thread.start()
    }

    private func serve() {
        while true {
            let client = pyrmute_accept_cloexec(socket.fd)
            if client < 0 {
                if errno == EINTR || errno == ECONNABORTED { continue }
                usleep(100_000)
                continue
            }
            answer(client)
            close(client)
        }
    }

    private func answer(_ client: Int32) {
        var timeout = timeval(tv_sec: 2, tv_usec: 0)
        setsockopt(client, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(client, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var request: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while request.count < 16384, request.firstRange(of: [13, 10, 13, 10]) == nil {
            let n = buffer.withUnsafeMutableBytes { recv(client, $0.baseAddress, $0.count, 0) }
            if n <= 0 { return }
            request.append(contentsOf: buffer[0..<n])
        }
        let line = request.prefix { $0 != 13 }.split(separator: UInt8(ascii: " "))
        let method = line.first.map { String(decoding: $0, as: UTF8.self) } ?? ""
        let path = line.count > 1 ? String(decoding: line[1].prefix { $0 != UInt8(ascii: "?") }, as: UTF8.self) : "/"
        lock.lock()
        let ok = healthy
        let body = path == "/metrics" ? metrics : document
        lock.unlock()
        let contentType = path == "/metrics" ? PrometheusText.contentType : "application/json"
        let status: String
        var payload: [UInt8] = []
        switch method {
        case "GET", "HEAD":
            status = ok || path == "/metrics" ? "200 OK" : "503 Service Unavailable"
            if method == "GET" { payload = body }
        default: status = "405 Method Not Allowed"; payload = Array(#"{"detail":"Method Not Allowed"}"#.utf8)
        }
        let length = method == "HEAD" ? body.count : payload.count
        let head = "HTTP/1.1 \(status)\r\nContent-Type: \(contentType)\r\nContent-Length: \(length)\r\nConnection: close\r\n\r\n"
        let bytes = Array(head.utf8) + payload
        _ = bytes.withUnsafeBytes { send(client, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
    }
}
