import Foundation

/// An answer read off a raw connection.
struct WireResponse {
    let status: Int
    let headers: [(name: String, value: String)]
    let body: [UInt8]

    var text: String { String(decoding: body, as: UTF8.self) }

    func header(_ name: String) -> String? {
        headers.first { $0.name.caseInsensitiveCompare(name) == .orderedSame }?.value
    }
}

struct WireError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// A client socket for requests sent in pieces, and responses read one at a time off a
/// kept-alive connection.
final class Wire {
    private let fd: Int32
    private var received: [UInt8] = []

    init(port: Int) throws {
        fd = try RawConnection.connect(port: port)
    }

    deinit { close(fd) }

    /// Sends `request` on a fresh connection and reads the answer; nil when closed without one.
    static func exchange(port: Int, _ request: [UInt8]) throws -> WireResponse? {
        let wire = try Wire(port: port)
        _ = wire.send(request)
        return try? wire.readResponse()
    }

    /// False once the server has gone.
    func send(_ text: String) -> Bool { send(Array(text.utf8)) }

    func send(_ bytes: [UInt8]) -> Bool {
        var sent = 0
        while sent < bytes.count {
            let n = bytes[sent...].withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if n <= 0 { return false }
            sent += n
        }
        return true
    }

    /// Waits up to `seconds` for something to read: bytes, or the server closing.
    func waitReadable(_ seconds: Double) -> Bool {
        if !received.isEmpty { return true }
        var entry = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        return poll(&entry, 1, Int32(seconds * 1000)) > 0
    }

    /// Everything until the server closes (a reset counts as closing).
    func readToEnd() -> [UInt8] {
        while receiveSome() {}
        defer { received = [] }
        return received
    }

    /// The next response; nil if the connection closes before a whole one arrived.
    func readResponse(method: String = "GET") throws -> WireResponse? {
        let separator: [UInt8] = [13, 10, 13, 10]
        var headEnd = received.firstRange(of: separator)
        while headEnd == nil {
            guard receiveSome() else { return nil }
            headEnd = received.firstRange(of: separator)
        }
        let lines = String(decoding: received[..<headEnd!.lowerBound], as: UTF8.self).components(separatedBy: "\r\n")
        let statusParts = lines[0].split(separator: " ", maxSplits: 2)
        guard statusParts.count >= 2, let status = Int(statusParts[1]) else {
            throw WireError("malformed status line: \(lines[0])")
        }
        let headers = lines.dropFirst().compactMap { line -> (name: String, value: String)? in
            guard let colon = line.firstIndex(of: ":") else { return nil }
            return (String(line[..<colon]), line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces))
        }
        let length = method == "HEAD" ? 0 : Int(headers.first { $0.name.lowercased() == "content-length" }?.value ?? "0") ?? 0
        let bodyStart = headEnd!.upperBound
        while received.count < bodyStart + length {
            guard receiveSome() else { return nil }
        }
        let body = Array(received[bodyStart..<bodyStart + length])
        received.removeFirst(bodyStart + length)
        return WireResponse(status: status, headers: headers, body: body)
    }

    /// False at end of stream, on a reset, or after 10 s without data.
    private func receiveSome() -> Bool {
        var chunk = [UInt8](repeating: 0, count: 65536)
        let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
        guard n > 0 else { return false }
        received.append(contentsOf: chunk[0..<n])
        return true
    }
}
