import NIOCore
import NIOHTTP1

/// The client's address for the audit trail: the direct peer, unless the peer is a trusted proxy
/// (`TRUSTED_PROXIES`), then the right-most `X-Forwarded-For` entry that is not a trusted proxy.
enum ClientAddress {
    static func resolve(_ request: Request, trusted: [String]) -> String? {
        let peer = request.remoteAddress?.ipAddress
        guard let peer, isTrusted(peer, trusted), let forwarded = request.headers.first(name: "X-Forwarded-For") else { return peer }
        let chain = forwarded.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        return chain.last { !isTrusted($0, trusted) } ?? chain.first ?? peer
    }

    /// Exact addresses, or IPv4 CIDR blocks such as `10.0.0.0/8`.
    static func isTrusted(_ address: String, _ trusted: [String]) -> Bool {
        trusted.contains { entry in
            guard let slash = entry.firstIndex(of: "/") else { return entry == address || entry == "*" }
            guard let bits = Int(entry[entry.index(after: slash)...]), (0...32).contains(bits),
                  let network = ipv4(String(entry[..<slash])), let value = ipv4(address) else { return false }
            let mask: UInt32 = bits == 0 ? 0 : ~UInt32(0) << (32 - bits)
            return network & mask == value & mask
        }
    }

    private static func ipv4(_ text: String) -> UInt32? {
        let parts = text.split(separator: ".")
        guard parts.count == 4 else { return nil }
        var value: UInt32 = 0
        for part in parts {
            guard let octet = UInt8(part) else { return nil }
            value = value << 8 | UInt32(octet)
        }
        return value
    }
}
