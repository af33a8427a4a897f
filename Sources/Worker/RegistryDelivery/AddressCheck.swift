#if canImport(Glibc)
@preconcurrency import Glibc
#endif
import Foundation
import RegistryDomain

/// The SSRF guard: resolves a webhook's host (getaddrinfo, IPv4 and IPv6) and refuses it when any
/// address is loopback, link-local or private (`AddressPolicy`), unless private addresses are
/// allowed. The address it answers is the one the delivery connects to (`PinnedClients`): the
/// name is resolved once per batch, so what was checked is what is called.
enum AddressCheck {
    enum Outcome: Equatable {
        /// The address to connect to (an IPv4 one when the name has both kinds).
        case address(String)
        case refused(String)
    }

    static func check(host: String, allowPrivate: Bool) -> Outcome {
        let bare = bareHost(host)
        let addresses = resolve(bare)
        guard let chosen = addresses.first(where: { $0.contains(".") && !$0.contains(":") }) ?? addresses.first else {
            return .refused("cannot resolve \(host)")
        }
        if !allowPrivate {
            for address in addresses {
                if let why = AddressPolicy.refusal(address) {
                    return .refused("refused: \(host) resolves to \(address), a \(why) address (PYRMUTE_REGISTRY_WEBHOOK_ALLOW_PRIVATE is off)")
                }
            }
        }
        return .address(chosen)
    }

    /// An IPv6 literal without its brackets.
    static func bareHost(_ host: String) -> String {
        host.hasPrefix("[") && host.hasSuffix("]") ? String(host.dropFirst().dropLast()) : host
    }

    static func resolve(_ host: String) -> [String] {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var result: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(host, nil, &hints, &result) == 0, let first = result else { return [] }
        defer { freeaddrinfo(first) }
        var addresses: [String] = []
        var cursor: UnsafeMutablePointer<addrinfo>? = first
        while let info = cursor {
            var buffer = [CChar](repeating: 0, count: Int(NI_MAXHOST))
            if getnameinfo(info.pointee.ai_addr, info.pointee.ai_addrlen, &buffer, socklen_t(buffer.count), nil, 0,
                           NI_NUMERICHOST) == 0 {
                let text = String(cString: buffer)
                // Drop an IPv6 zone (`fe80::1%eth0`).
                addresses.append(text.split(separator: "%").first.map(String.init) ?? text)
            }
            cursor = info.pointee.ai_next
        }
        return addresses
    }
}
