import Foundation
import NIOHTTP1

/// `X-Correlation-ID`, else `X-Request-ID`, else a new UUIDv4. A given id is kept only when it is
/// at most 128 characters of `[A-Za-z0-9._:/+=-]`, so that it is safe in headers, logs and the
/// 255-character audit column (the reference echoes anything).
enum CorrelationID {
    static let maximumLength = 128

    static func resolve(_ headers: HTTPHeaders) -> String {
        for name in ["X-Correlation-ID", "X-Request-ID"] {
            if let value = headers.first(name: name), !value.isEmpty {
                return isAcceptable(value) ? value : generate()
            }
        }
        return generate()
    }

    static func generate() -> String { UUID().uuidString.lowercased() }

    static func isAcceptable(_ value: String) -> Bool {
        value.utf8.count <= maximumLength && value.utf8.allSatisfy { c in
            (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A)
                || c == UInt8(ascii: ".") || c == UInt8(ascii: "_") || c == UInt8(ascii: ":")
                || c == UInt8(ascii: "/") || c == UInt8(ascii: "+") || c == UInt8(ascii: "=")
                || c == UInt8(ascii: "-")
        }
    }
}
