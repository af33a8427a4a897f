import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import RegistryDomain
import RegistryJSON
import RegistryTracing
import Tracing

/// Sends deliveries: a POST with the event's JSON and the Standard Webhooks headers
/// (`webhook-id`, `webhook-timestamp`, `webhook-signature`). Connect timeout 5 s, 10 s for the
/// whole exchange, redirects not followed, at most `bodyLimit` bytes of the answer read. The
/// connection goes to the address that `AddressCheck` resolved and checked (`PinnedClients`), with
/// the URL's own host in `Host` and in TLS (SNI, certificate), so a name that resolves elsewhere
/// the second time (DNS rebinding) cannot redirect it.
/// Blocking: call it from the deliverer's thread, never from an event loop.
final class WebhookSender: @unchecked Sendable {   // `clients` is touched by the deliverer's thread only
    static let bodyLimit = 4096
    private let group: EventLoopGroup
    private let allowPrivate: Bool
    private let clients: PinnedClients

    init(group: EventLoopGroup, allowPrivate: Bool) {
        self.group = group
        self.allowPrivate = allowPrivate
        clients = PinnedClients(group: group)
    }

    func shutdown() { clients.shutdown() }

    /// Sends each webhook's batch, the batches at once (a slow receiver holds up no other webhook),
    /// the deliveries of one batch one after the other, in order, stopping after the first that
    /// does not succeed or once `mayStart` says no; waits for every outcome. The outcomes of each
    /// batch: one per delivery attempted, in order.
    func send(_ batches: [[DeliveryQueue.Job]], mayStart: @escaping @Sendable () -> Bool) -> [[DeliveryOutcome]] {
        let inFlight = batches.map { batch in chain(batch, mayStart: mayStart) }
        let outcomes = inFlight.map { future in
            (try? future.wait()) ?? [DeliveryOutcome(responseCode: nil, durationMS: 0, error: "the attempt was lost")]
        }
        clients.sweep()
        return outcomes
    }

    private func chain(_ jobs: [DeliveryQueue.Job], mayStart: @escaping @Sendable () -> Bool) -> EventLoopFuture<[DeliveryOutcome]> {
        let loop = group.next()
        guard let first = jobs.first, mayStart() else { return loop.makeSucceededFuture([]) }
        // One resolution and check per batch (all of a webhook's deliveries go to its one URL).
        let target: PinnedClients.Target
        if let url = URL(string: first.url), let host = url.host {
            target = clients.client(host: host, allowPrivate: allowPrivate)
        } else {
            target = .refused("bad URL")
        }
        return step(jobs, 0, [], target: target, loop: loop, mayStart: mayStart)
    }

    private func step(_ jobs: [DeliveryQueue.Job], _ index: Int, _ done: [DeliveryOutcome], target: PinnedClients.Target,
                      loop: EventLoop, mayStart: @escaping @Sendable () -> Bool) -> EventLoopFuture<[DeliveryOutcome]> {
        guard index < jobs.count, index == 0 || mayStart() else { return loop.makeSucceededFuture(done) }
        return start(jobs[index], target: target, on: loop).flatMap { outcome in
            let all = done + [outcome]
            guard outcome.succeeded else { return loop.makeSucceededFuture(all) }
            return self.step(jobs, index + 1, all, target: target, loop: loop, mayStart: mayStart)
        }
    }

    /// One attempt; with tracing on, in a client span of its own trace (`webhook.deliver`) whose
    /// `traceparent` goes with the request, so that the receiver can continue it.
    private func start(_ job: DeliveryQueue.Job, target: PinnedClients.Target, on loop: EventLoop)
        -> EventLoopFuture<DeliveryOutcome> {
        guard let span = Traces.root("webhook.deliver", kind: .client) else {
            return attempt(job, target: target, on: loop, span: nil)
        }
        span.updateAttributes { attributes in
            attributes["http.request.method"] = "POST"
            if let url = URL(string: job.url) {
                if let host = url.host { attributes["server.address"] = host }
                if let port = url.port { attributes["server.port"] = port }
            }
            attributes["pyrmute.webhook.id"] = job.delivery.webhookID
            attributes["pyrmute.webhook.delivery_id"] = job.delivery.id
            attributes["pyrmute.webhook.event_type"] = job.delivery.eventType
            attributes["pyrmute.webhook.attempt"] = job.delivery.attempts + 1
        }
        return attempt(job, target: target, on: loop, span: span).map { outcome in
            if let code = outcome.responseCode { span.attributes["http.response.status_code"] = code }
            if let error = outcome.error {
                span.attributes["error.type"] = outcome.responseCode.map { String($0) } ?? "delivery"
                span.setStatus(SpanStatus(code: .error, message: error))
            }
            span.end()
            return outcome
        }
    }

    private func attempt(_ job: DeliveryQueue.Job, target: PinnedClients.Target, on loop: EventLoop,
                         span: (any Span)?) -> EventLoopFuture<DeliveryOutcome> {
        let started = DispatchTime.now().uptimeNanoseconds
        let elapsed: @Sendable () -> Int = { Int((DispatchTime.now().uptimeNanoseconds - started) / 1_000_000) }
        func done(_ error: String) -> EventLoopFuture<DeliveryOutcome> {
            loop.makeSucceededFuture(DeliveryOutcome(responseCode: nil, durationMS: elapsed(), error: error))
        }
        guard let event = job.event else { return done("event no longer retained") }
        if let secretError = job.secretError { return done(secretError) }
        let client: HTTPClient
        switch target {
        case .client(let pinned): client = pinned
        case .refused(let refusal): return done(refusal)
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
        if let span { InstrumentationSystem.instrument.inject(span.context, into: &headers, using: HeaderInjector()) }
        let request: HTTPClient.Request
        do {
            request = try HTTPClient.Request(url: job.url, method: .POST, headers: headers, body: .bytes(body))
        } catch {
            return done("\(error)")
        }
        let answered: @Sendable (Int) -> DeliveryOutcome = { status in
            DeliveryOutcome(responseCode: status, durationMS: elapsed(), error: (200..<300).contains(status) ? nil : "HTTP \(status)")
        }
        return client.execute(request: request, delegate: LimitedBody(limit: Self.bodyLimit), eventLoop: .delegate(on: loop),
                              deadline: .now() + .seconds(10))
            .futureResult
            .map { answered($0) }
            .recover { error in
                // The receiver answered; its body beyond the limit is not read.
                if case LimitedBody.TooLarge.tooLarge(let status) = error { return answered(status) }
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

/// Writes propagation headers (`traceparent`) into an outgoing request.
struct HeaderInjector: Injector {
    func inject(_ value: String, forKey key: String, into carrier: inout HTTPHeaders) {
        carrier.replaceOrAdd(name: key, value: value)
    }
}
