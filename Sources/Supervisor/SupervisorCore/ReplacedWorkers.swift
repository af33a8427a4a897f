/// Predecessors that handed their slot over and finish their requests outside it: killed after
/// GRACEFUL_TIMEOUT, logged when they exit. They outlive a slot retired meanwhile.
public struct ReplacedWorkers: Equatable, Sendable {
    public private(set) var workers: [Worker] = []
    private var drainingSince: [Int32: Double] = [:]

    public init() {}

    public var isEmpty: Bool { workers.isEmpty }

    public mutating func add(_ worker: Worker, drainingSince since: Double) {
        workers.append(worker)
        drainingSince[worker.pid] = since
    }

    /// nil when `pid` is not one of them.
    public mutating func exited(pid: Int32, _ status: ExitStatus) -> [SlotAction]? {
        guard let index = workers.firstIndex(where: { $0.pid == pid }) else { return nil }
        let worker = workers.remove(at: index)
        drainingSince[pid] = nil
        return [.log(LogLine(.info, "replaced worker exited", ["slot": "\(worker.slot)", "pid": "\(pid)", "status": "\(status)"]))]
    }

    public mutating func enforce(_ timeouts: Timeouts, now: Double) -> [SlotAction] {
        var actions: [SlotAction] = []
        for index in workers.indices where !workers[index].killed {
            let worker = workers[index]
            guard now - (drainingSince[worker.pid] ?? now) > timeouts.graceful else { continue }
            workers[index].killed = true
            actions += [.log(LogLine(.error, "killing worker", ["slot": "\(worker.slot)", "pid": "\(worker.pid)",
                                                               "reason": "still draining after GRACEFUL_TIMEOUT"])),
                        .kill(pid: worker.pid)]
        }
        return actions
    }
}
