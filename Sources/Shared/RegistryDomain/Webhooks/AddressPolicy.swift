import Foundation

/// Which addresses a webhook may reach: loopback, link-local, private (RFC 1918, unique-local
/// IPv6), unspecified, multicast, CGNAT and IPv4-mapped forms of them are refused unless
/// `PYRMUTE_REGISTRY_WEBHOOK_ALLOW_PRIVATE` is set.
public enum AddressPolicy {
    /// Why an address (text form, IPv4 or IPv6) is refused; nil when it is public or not an address.
    public static func refusal(_ address: String) -> String? {
        if let v4 = ipv4(address) { return refusal(v4: v4) }
        if let v6 = ipv6(address) { return refusal(v6: v6) }
        return nil
    }

    public static func isAddressLiteral(_ host: String) -> Bool { ipv4(host) != nil || ipv6(host) != nil }

    static func refusal(v4 b: [UInt8]) -> String? {
        switch (b[0], b[1]) {
        case (127, _): return "loopback"
        case (10, _), (192, 168): return "private"
        case (172, 16...31): return "private"
        case (169, 254): return "link-local"
        case (0, _): return "unspecified"
        case (100, 64...127): return "shared (CGNAT)"
        case (224...255, _): return "multicast or reserved"
        default: return nil
        }
    }

    static func refusal(v6 b: [UInt8]) -> String? {
        if b.allSatisfy({ $0 == 0 }) { return "unspecified" }
        if b[0..<15].allSatisfy({ $0 == 0 }) && b[15] == 1 { return "loopback" }
        if b[0..<10].allSatisfy({ $0 == 0 }) && b[10] == 0xFF && b[11] == 0xFF { return refusal(v4: Array(b[12..<16])) }
        if b[0] == 0xFE && (b[1] & 0xC0) == 0x80 { return "link-local" }
        if (b[0] & 0xFE) == 0xFC { return "private (unique local)" }
        if b[0] == 0xFF { return "multicast" }
        return nil
    }

    static func ipv4(_ text: String) -> [UInt8]? {
        var addr = in_addr()
        guard inet_pton(AF_INET, text, &addr) == 1 else { return nil }
        return withUnsafeBytes(of: &addr) { Array($0) }
    }

    static func ipv6(_ text: String) -> [UInt8]? {
        var host = text
        if host.hasPrefix("[") && host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        var addr = in6_addr()
        guard inet_pton(AF_INET6, host, &addr) == 1 else { return nil }
        return withUnsafeBytes(of: &addr) { Array($0) }
    }
}
