import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import RegistryDomain
import RegistryJSON

/// Sends one delivery: a POST with the event's JSON and the Standard Webhooks headers
/// (`webhook-id`, `webhook-timestamp`, `webhook-signature`). Connect timeout 5 s, 10 s for the
/// whole exchange, redirects not followed, at most `bodyLimit` bytes of the answer read.
/// Blocking: call it from the deliverer's thread, never from an event loop.
final class WebhookSender: Sendable {
    static let bodyLimit = 4096
    private let client: HTTPClient
    private let allowPrivate: Bool

    init(group: EventLoopGroup, allowPrivate: Bool) {
        let configuration = HTTPClient.Configuration(
            redirectConfiguration: .disallow,
            timeout: HTTPClient.Configuration.Timeout(connect: .seconds(5), read: .seconds(10)))
        client = HTTPClient(eventLoopGroupProvider: .shared(group), configuration: configuration)
        self.allowPrivate = allowPrivate
    }

    func shutdown() { try? client.syncShutdown() }

    func send(_ job: DeliveryQueue.Job) -> DeliveryOutcome {
        let started = DispatchTime.now().uptimeNanoseconds
        func elapsed() -> Int { Int((DispatchTime.now().uptimeNanoseconds - started) / 1_000_000) }
        guard let event = job.event else { return DeliveryOutcome(responseCode: nil, durationMS: 0, error: "event no longer retained") }
        guard let url = URL(string: job.url), let host = url.host else {
            return DeliveryOutcome(responseCode: nil, durationMS: 0, error: "bad URL")
        }
        if let refusal = AddressCheck.refusal(host: host, allowPrivate: allowPrivate) {
            return DeliveryOutcome(responseCode: nil, durationMS: elapsed(), error: refusal)
        }
        let body = event.body()
        let timestamp = Int64(Date().timeIntervalSince1970)
        var headers = HTTPHeaders()
        headers.add(name: "Content-Type", value: "application/json")
        headers.add(name: "User-Agent", value: "pyrmute-registry-webhooks")
        headers.add(name: "webhook-id", value: event.id)
        headers.add(name: "webhook-timestamp", value: String(timestamp))
        headers.add(name: "webhook-signature", value: WebhookSigner.header(secrets: job.secrets, id: event.id,
                                                                           timestamp: timestamp, body: body))
        do {
            let request = try HTTPClient.Request(url: job.url, method: .POST, headers: headers, body: .bytes(body))
            let delegate = LimitedBody(limit: Self.bodyLimit)
            let status = try client.execute(request: request, delegate: delegate, deadline: .now() + .seconds(10))
                .futureResult.wait()
            return DeliveryOutcome(responseCode: status, durationMS: elapsed(),
                                   error: (200..<300).contains(status) ? nil : "HTTP \(status)")
        } catch LimitedBody.TooLarge.tooLarge(let status) {
            // The receiver answered; its body beyond the limit is not read.
            return DeliveryOutcome(responseCode: status, durationMS: elapsed(),
                                   error: (200..<300).contains(status) ? nil : "HTTP \(status)")
        } catch {
            return DeliveryOutcome(responseCode: nil, durationMS: elapsed(), error: "\(error)")
        }
    }
}

/// Keeps the status and reads at most `limit` bytes of the body: past it, the exchange is ended.
final class LimitedBody: HTTPClientResponseDelegate, @unchecked Sendable {
    typealias Response = Int
    private let limit: Int
    private var status = 0
    private var kept = 0

    init(limit: Int) { self.limit = limit }

    func didReceiveHead(task: HTTPClient.Task<Int>, _ head: HTTPResponseHead) -> EventLoopFuture<Void> {
        status = Int(head.status.code)
        return task.eventLoop.makeSucceededVoidFuture()
    }

    enum TooLarge: Error { case tooLarge(status: Int) }

    func didReceiveBodyPart(task: HTTPClient.Task<Int>, _ buffer: ByteBuffer) -> EventLoopFuture<Void> {
        kept += buffer.readableBytes
        guard kept <= limit else { return task.eventLoop.makeFailedFuture(TooLarge.tooLarge(status: status)) }
        return task.eventLoop.makeSucceededVoidFuture()
    }

    func didFinishRequest(task: HTTPClient.Task<Int>) throws -> Int { status }
}
