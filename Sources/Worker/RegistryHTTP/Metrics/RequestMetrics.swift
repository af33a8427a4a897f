import Foundation
import Shared

/// This worker's request counts and durations by route and status, updated from every event loop.
final class RequestMetrics: @unchecked Sendable {
    private let lock = NSLock()
    private var requests: [MetricsSnapshot.Series: MetricsSnapshot.Histogram] = [:]
    private var total = 0

    func record(method: String, route: String, status: Int, seconds: Double) {
        let series = MetricsSnapshot.Series(method: method, route: route, status: status)
        lock.lock()
        requests[series, default: MetricsSnapshot.Histogram()].observe(seconds)
        total += 1
        lock.unlock()
    }

    /// Requests answered since the worker started.
    var requestsServed: Int {
        lock.lock()
        defer { lock.unlock() }
        return total
    }

    var snapshot: MetricsSnapshot {
        var snapshot = MetricsSnapshot()
        lock.lock()
        snapshot.requests = requests
        lock.unlock()
        return snapshot
    }
}
