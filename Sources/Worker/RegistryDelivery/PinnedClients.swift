import AsyncHTTPClient
import Foundation
import NIOCore
import RegistryDomain
import RegistryStorage

/// HTTP clients that each connect to one checked address: a host name is mapped to the address
/// `AddressCheck` resolved and checked (async-http-client's `dnsOverride`), so the client does not
/// resolve it again, while `Host`, SNI and the certificate check keep the URL's own name. One
/// client per (host, address), kept while it is used (its idle connections are reused) and closed
/// a minute after its last use. Touched by the deliverer's thread only.
final class PinnedClients: @unchecked Sendable {
    enum Target: Sendable {
        case client(HTTPClient)
        case refused(String)
    }

    static let idleNanoseconds: UInt64 = 60_000_000_000
    private let group: EventLoopGroup
    private var clients: [String: (client: HTTPClient, lastUsed: UInt64)] = [:]

    init(group: EventLoopGroup) { self.group = group }

    /// Resolves and checks `host` once, and answers the client that connects to what was checked.
    func client(host: String, allowPrivate: Bool) -> Target {
        let bare = AddressCheck.bareHost(host)
        let address: String
        switch AddressCheck.check(host: bare, allowPrivate: allowPrivate) {
        case .refused(let why): return .refused(why)
        case .address(let checked): address = checked
        }
        let key = "\(bare) \(address)"
        if let kept = clients[key] {
            clients[key] = (kept.client, MonotonicClock.now)
            return .client(kept.client)
        }
        var configuration = HTTPClient.Configuration(
            redirectConfiguration: .disallow,
            timeout: HTTPClient.Configuration.Timeout(connect: .seconds(5), read: .seconds(10)))
        if !AddressPolicy.isAddressLiteral(bare) { configuration.dnsOverride = [bare: address] }
        let client = HTTPClient(eventLoopGroupProvider: .shared(group), configuration: configuration)
        clients[key] = (client, MonotonicClock.now)
        return .client(client)
    }

    /// Closes the clients unused for a minute (a host that now resolves elsewhere, a webhook gone).
    func sweep() {
        let now = MonotonicClock.now
        for (key, kept) in clients where now - kept.lastUsed > Self.idleNanoseconds {
            try? kept.client.syncShutdown()
            clients[key] = nil
        }
    }

    func shutdown() {
        for kept in clients.values { try? kept.client.syncShutdown() }
        clients = [:]
    }
}
