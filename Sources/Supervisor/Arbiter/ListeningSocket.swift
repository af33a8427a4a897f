import CShim
import Foundation

public struct SocketError: Error, CustomStringConvertible {
    public let description: String
}

/// A listening TCP socket held by the supervisor and handed to a worker as fd 3.
struct ListeningSocket {
    let fd: Int32

    /// Fails when something else already serves HOST:PORT: a plain bind (without SO_REUSEPORT)
    /// is tried first, so that a second server cannot silently share the port with this one.
    static func ensurePortIsFree(host: String, port: Int) throws {
        let probe = try open(host: host, port: port, reusePort: false, listen: false)
        close(probe.fd)
    }

    static func open(host: String, port: Int, reusePort: Bool = true, listen shouldListen: Bool = true,
                     backlog: Int32 = 1024) throws -> ListeningSocket {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        hints.ai_flags = AI_PASSIVE
        var list: UnsafeMutablePointer<addrinfo>?
        let rc = getaddrinfo(host, String(port), &hints, &list)
        guard rc == 0, let info = list else {
            throw SocketError(description: "cannot resolve host '\(host)': \(String(cString: gai_strerror(rc)))")
        }
        defer { freeaddrinfo(list) }
        let fd = socket(info.pointee.ai_family, info.pointee.ai_socktype | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw failure("socket", host, port) }
        var one: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        if reusePort { setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, socklen_t(MemoryLayout<Int32>.size)) }
        guard bind(fd, info.pointee.ai_addr, info.pointee.ai_addrlen) == 0 else {
            let error = failure("bind", host, port)
            close(fd)
            throw error
        }
        if shouldListen, listen(fd, backlog) != 0 {
            let error = failure("listen", host, port)
            close(fd)
            throw error
        }
        // Out of the way of fds 0–4, which the spawn maps for the worker.
        let high = pyrmute_move_fd_high(fd, 16)
        return ListeningSocket(fd: high >= 0 ? high : fd)
    }

    private static func failure(_ call: String, _ host: String, _ port: Int) -> SocketError {
        SocketError(description: "cannot listen on \(host):\(port): \(String(cString: strerror(errno)))")
    }
}
