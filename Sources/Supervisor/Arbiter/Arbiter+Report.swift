import Foundation
import RegistryJSON
import RegistryRuntime
import SupervisorCore

/// What the supervisor tells the outside: the liveness document, the metrics of the whole server
/// and systemd's readiness and status.
extension Arbiter {
    func publish(force: Bool = false) {
        let running = slots.filter(\.state.isServing).count
        let expected = slots.filter { !$0.machine.retiring }.count
        defer { notifySystemd(running: running, expected: expected) }   // after the document says so
        guard let liveness else { return }
        let slotList: [JSONValue] = slots.map { slot in
            let shown = slot.state.shownWorker.flatMap { children[$0.pid] }
            return [
                "slot": .int(slot.index),
                "pid": shown.map { .int(Int($0.pid)) } ?? .null,
                "state": .string(slot.state.name),
                "started_at": shown.map { .string($0.startedAt.isoZulu) } ?? .null,
                "restarts": .int(slot.machine.restarts),
            ]
        }
        let document: JSONValue = [
            "status": running > 0 ? "ok" : "unavailable",
            "supervisor_pid": .int(Int(getpid())),
            "started_at": .string(startedAt.isoZulu),
            "uptime_seconds": .double((Timestamp.now().secondsSinceEpoch - startedAt.secondsSinceEpoch)),
            "workers_running": .int(running),
            "workers_expected": .int(expected),
            "shutting_down": .bool(shutdownDeadline != nil),
            "slots": .array(slotList),
        ]
        liveness.update(document, healthy: running > 0)

        let now = monotonicNow()
        let elapsed = now - lastMetricsRender
        if force || (metricsDirty && elapsed >= 0.25) || elapsed >= 1 {
            lastMetricsRender = now
            metricsDirty = false
            liveness.updateMetrics(PrometheusText.render(serverMetrics(running: running, expected: expected))
                + PrometheusText.renderLabeledCounter("worker_restarts_by_reason_total",
                                                      help: "Worker processes started again, by why the previous one went.",
                                                      label: "reason", RestartReason.allCases.map { ($0.rawValue, Double(workerRestartsByReason[$0] ?? 0)) })
                + PrometheusText.renderProcesses(processSamples()))
        }
    }

    /// Every worker's counts added up: the exited ones, and the latest beat of each living one.
    func serverMetrics(running: Int, expected: Int) -> MetricsSnapshot {
        var total = retiredMetrics
        for worker in children.values { total.add(worker.metrics) }
        total.counters["worker_restarts_total"] = Double(workerRestarts)
        total.counters["worker_recycles_total"] = Double(workerRecycles)
        total.gauges["workers_running"] = Double(running)
        total.gauges["workers_expected"] = Double(expected)
        return total
    }

    /// The supervisor and each worker a slot shows, for the `process_*` families.
    private func processSamples() -> [PrometheusText.ProcessSample] {
        var samples: [PrometheusText.ProcessSample] = []
        if let mine = ProcessStatistics.read(pid: getpid()) {
            samples.append(.init(role: "supervisor", slot: nil, statistics: mine))
        }
        for slot in slots {
            guard let pid = slot.state.shownWorker?.pid, let statistics = ProcessStatistics.read(pid: pid) else { continue }
            samples.append(.init(role: "worker", slot: slot.index, statistics: statistics))
        }
        return samples
    }

    private func notifySystemd(running: Int, expected: Int) {
        let stopping = shutdownDeadline != nil
        let status = "\(running) of \(expected) workers running" + (stopping ? ", shutting down" : reloading ? ", reloading" : "")
        let settled = running == expected && expected > 0 && !slots.contains { $0.state.isHandingOver } && replacementQueue.isEmpty
        if !announcedReady, !stopping, settled {
            announcedReady = true
            reloading = false
            lastStatus = status
            logger.info("all workers serving", metadata: ["workers": "\(running)"])
            notifier.ready(status: status)
        } else if reloading, !stopping, settled {
            reloading = false
            lastStatus = "\(running) of \(expected) workers running"
            logger.info("reload complete", metadata: ["workers": "\(running)"])
            notifier.ready(status: lastStatus)
        } else if announcedReady, status != lastStatus {
            lastStatus = status
            notifier.status(status)
        }
    }
}
