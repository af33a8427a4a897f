import Foundation
import Logging
import NIOCore
import NIOEmbedded
import NIOPosix
@testable import RegistryHTTP
import RegistryDomain
import RegistryRuntime
import RegistryStorage
import XCTest

/// The worker's HTTP stack in this process, on a fresh SQLite file: each request goes through a
/// new `NIOAsyncTestingChannel` configured exactly as the worker configures a connection, as raw
/// HTTP/1.1 bytes in and out.
final class InProcessServer: Sendable {
    let app: Application
    let pool: ConnectionPool
    private let threadPool: NIOThreadPool
    private let http: HTTPChannel
    private let directory: URL

    init(_ environment: [String: String] = [:]) throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("httptests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        var values = ["PYRMUTE_REGISTRY_DATABASE_URL": "sqlite:///\(directory.path)/registry.db",
                      "PYRMUTE_REGISTRY_ENVIRONMENT": "development"]
        for (name, value) in environment { values["PYRMUTE_REGISTRY_" + name] = value }
        let settings = try SettingsLoader(environment: values, dotEnvPath: nil).load()
        pool = ConnectionPool(url: try DatabaseURL(parsing: settings.databaseURL), capacity: 2)
        _ = try pool.withConnection { try Migrator(connection: $0).migrate() }
        threadPool = NIOThreadPool(numberOfThreads: 2)
        threadPool.start()
        app = Application(settings: settings, pool: pool, threadPool: threadPool, startedAt: .now(),
                          logger: Logger(label: "httptests", factory: { _ in SwiftLogNoOpLogHandler() }))
        http = HTTPChannel(app: app)
    }

    deinit {
        try? threadPool.syncShutdownGracefully()
        pool.close()
        try? FileManager.default.removeItem(at: directory)
    }

    /// A key stored directly (as the CLI would), for requests with authentication on.
    func makeKey(_ name: String, _ permission: Permission) throws -> (id: Int, key: String) {
        let created = try APIKeyService(pool: pool).create(name: name, permission: permission, description: nil,
                                                           expiresInDays: nil, createdBy: "tests")
        return (created.record.id, created.key)
    }

    func send(_ method: String, _ target: String, headers: [(String, String)] = [], body: String? = nil) async throws -> WireResponse {
        var text = "\(method) \(target) HTTP/1.1\r\nHost: registry.test\r\n"
        for (name, value) in headers { text += "\(name): \(value)\r\n" }
        if let body { text += "Content-Type: application/json\r\nContent-Length: \(body.utf8.count)\r\n" }
        text += "\r\n" + (body ?? "")
        return try await exchange(text)
    }

    /// Writes `raw` to a new connection and reads one whole response.
    func exchange(_ raw: String) async throws -> WireResponse {
        let channel = NIOAsyncTestingChannel()
        let tracker = ConnectionTracker()
        let http = self.http
        try await channel.eventLoop.submit { try http.configure(channel.pipeline.syncOperations, tracker: tracker) }.get()
        try await channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 8000)).get()
        try await channel.writeInbound(ByteBuffer(string: raw))
        var received: [UInt8] = []
        while true {
            let part = try await channel.waitForOutboundWrite(as: IOData.self)
            if case .byteBuffer(let buffer) = part { received += buffer.readableBytesView }
            if let response = WireResponse(parsing: received) { 
                _ = try? await channel.finish()
                return response
            }
        }
    }
}

/// A response as a client reads it off the wire.
struct WireResponse: Sendable {
    let status: Int
    let headers: [(name: String, value: String)]
    let body: String

    /// nil until `bytes` hold the whole response (its head and `Content-Length` bytes of body).
    init?(parsing bytes: [UInt8]) {
        let text = String(decoding: bytes, as: UTF8.self)
        guard let end = text.range(of: "\r\n\r\n") else { return nil }
        let lines = text[..<end.lowerBound].components(separatedBy: "\r\n")
        let parts = lines[0].split(separator: " ")
        guard parts.count >= 2, let status = Int(parts[1]) else { return nil }
        let headers = lines.dropFirst().map { line -> (name: String, value: String) in
            let colon = line.firstIndex(of: ":")!
            return (String(line[..<colon]), line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces))
        }
        let body = String(text[end.upperBound...])
        let length = headers.first { $0.name.lowercased() == "content-length" }.flatMap { Int($0.value) } ?? 0
        guard body.utf8.count >= length else { return nil }
        self.status = status
        self.headers = headers
        self.body = body
    }

    func header(_ name: String) -> String? { headers.first { $0.name.lowercased() == name.lowercased() }?.value }

    var headerNames: [String] { headers.map(\.name) }
}
