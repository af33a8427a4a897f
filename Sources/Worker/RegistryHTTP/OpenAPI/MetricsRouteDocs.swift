/// Documentation of `GET /metrics` (an addition to the contract).
extension RouteDoc {
    static let metrics = RouteDoc(
        operationID: "metrics", summary: "Prometheus metrics",
        description: "Every worker's counters, summed by the supervisor (fetched from its listener).",
        tag: .metrics,
        success: ResponseDoc(status: 200, description: "Prometheus text exposition format 0.0.4",
                             content: .text(mediaType: "text/plain")),
        errors: [.detail(503, "The supervisor's listener is off (`SUPERVISOR_PORT=0`) or did not answer")])
}
