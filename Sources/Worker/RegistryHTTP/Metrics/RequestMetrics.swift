import NIOConcurrencyHelpers
import RegistryRuntime

/// This worker's request counts and durations by route and status, updated from every event loop.
public final class RequestMetrics: Sendable {
    private struct State {
        var requests: [MetricsSnapshot.Series: MetricsSnapshot.Histogram] = [:]
        var total = 0
    }

    private let state = NIOLockedValueBox(State())

    func record(method: String, route: String, status: Int, seconds: Double) {
        let series = MetricsSnapshot.Series(method: method, route: route, status: status)
        state.withLockedValue { state in
            state.requests[series, default: MetricsSnapshot.Histogram()].observe(seconds)
            state.total += 1
        }
    }

    /// Requests answered since the worker started.
    public var requestsServed: Int { state.withLockedValue { $0.total } }

    var snapshot: MetricsSnapshot {
        var snapshot = MetricsSnapshot()
        snapshot.requests = state.withLockedValue { $0.requests }
        return snapshot
    }
}
