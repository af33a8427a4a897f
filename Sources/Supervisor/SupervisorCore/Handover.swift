
/// Replacing a running worker without refusing a connection (reload, changed binary, recycling).
/// Two processes never accept on one socket at once:
///
///  1. the successor is spawned held: it boots beside its predecessor and says `booted`;
///  2. the predecessor is told to drain (SIGTERM): it stops accepting and says `closed`;
///  3. the successor is released (SIGUSR1) and accepts; connections that arrived meanwhile waited
///     in the socket's queue. Without `closed` within `Timeouts.handover` it is released anyway;
///  4. the successor says `ready` and takes the slot; the predecessor finishes its requests
///     outside it (`ReplacedWorkers`).
///
/// A successor that dies before it serves leaves the slot to its predecessor and the replacement
/// is tried again after a backoff; one that cannot boot gives up the reload.
public struct Handover: Equatable, Sendable {
    public enum Predecessor: Equatable, Sendable {
        case running(Worker)
        /// Told to stop accepting; still finishing its requests.
        case draining(Worker, since: Double)
        case exited

        var worker: Worker? {
            switch self {
            case .running(let worker), .draining(let worker, _): return worker
            case .exited: return nil
            }
        }
    }

    public enum Stage: Equatable, Sendable {
        /// Spawned held; setting up.
        case booting
        /// Set up and waiting to be released.
        case booted(at: Double)
        /// Accepting; not yet ready.
        case released
        /// Told to exit before it served (shutdown, retirement).
        case draining(since: Double)
    }

    public var predecessor: Predecessor
    public var successor: Worker
    public var stage: Stage = .booting

    public init(predecessor: Predecessor, successor: Worker, stage: Stage = .booting) {
        self.predecessor = predecessor
        self.successor = successor
        self.stage = stage
    }

    var successorBooted: Bool {
        switch stage {
        case .booted, .released: return true
        case .booting, .draining: return false
        }
    }

    /// What the slot is once the successor is gone.
    var predecessorAlone: SlotState {
        switch predecessor {
        case .running(let worker): return .running(worker)
        case .draining(let worker, let since): return .draining(worker, since: since)
        case .exited: return .stopped
        }
    }
}

extension SlotMachine {
    /// `handle` while the slot hands over: returns the slot's next state.
    mutating func handle(_ event: SlotEvent, during handover: inout Handover, now: Double,
                         actions: inout [SlotAction]) -> SlotState {
        let successor = handover.successor.pid
        switch event {
        case .start, .replace, .spawned, .spawnFailed, .acceptQueue:
            break
        case .retire where steered:
            break   // the handover goes on; the successor, once it serves, drains when the socket is empty
        case .heard(let pid, let message):
            if pid == successor { handover.successor.lastHeard = now }
            if case .running(var worker) = handover.predecessor, worker.pid == pid {
                worker.lastHeard = now
                handover.predecessor = .running(worker)
            }
            switch message {
            case .booted where pid == successor:
                guard case .booting = handover.stage else { break }
                handover.stage = .booted(at: now)
                if case .running(let old) = handover.predecessor {
                    handover.predecessor = .draining(old, since: now)
                    actions.append(.drain(pid: old.pid))
                } else {
                    release(&handover, actions: &actions)
                }
            case .listenerClosed where pid == handover.predecessor.worker?.pid:
                if case .booted = handover.stage { release(&handover, actions: &actions) }
            case .ready where pid == successor:
                if case .draining = handover.stage { break }
                return promote(handover, now: now, actions: &actions)
            default:
                break
            }
        case .exited(let pid, let status) where pid == successor:
            return successorExited(handover, status, now: now, actions: &actions)
        case .exited(let pid, let status) where pid == handover.predecessor.worker?.pid:
            predecessorExited(&handover, status, actions: &actions)
        case .exited:
            break
        case .tick(let timeouts):
            enforce(timeouts, on: &handover, now: now, actions: &actions)
        case .shutdown, .retire:
            if case .running(let old) = handover.predecessor {
                handover.predecessor = .draining(old, since: now)
                actions.append(.drain(pid: old.pid))
            }
            if case .draining = handover.stage {} else {
                handover.stage = .draining(since: now)
                actions.append(.drain(pid: successor))
            }
        }
        return .handingOver(handover)
    }

    private func release(_ handover: inout Handover, actions: inout [SlotAction]) {
        handover.stage = .released
        actions.append(.release(pid: handover.successor.pid))
    }

    /// The successor serves: it takes the slot, the predecessor drains outside it.
    private mutating func promote(_ handover: Handover, now: Double, actions: inout [SlotAction]) -> SlotState {
        let new = handover.successor
        actions.append(log(.info, "worker ready", ["pid": "\(new.pid)"]))
        resetFailures()
        let replaced: (Worker, since: Double)?
        switch handover.predecessor {
        case .running(let old):
            actions.append(.drain(pid: old.pid))
            replaced = (old, now)
        case .draining(let old, let since):
            replaced = (old, since)
        case .exited:
            replaced = nil
        }
        if let (old, since) = replaced {
            actions += [.detach(old, drainingSince: since),
                        log(.info, "worker replaced; predecessor draining", ["old_pid": "\(old.pid)", "pid": "\(new.pid)"])]
        }
        return .running(new)
    }

    private mutating func successorExited(_ handover: Handover, _ status: ExitStatus, now: Double,
                                          actions: inout [SlotAction]) -> SlotState {
        if status.isBootFailure {
            actions += [log(.critical, "new worker cannot boot (check the settings); the running workers keep serving"),
                        .abandonReplacements]
            return handover.predecessorAlone
        }
        actions.append(log(.warning, "successor died before serving", ["status": "\(status)"]))
        state = handover.predecessorAlone
        if !shuttingDown, !retiring {
            if state.hasProcess {
                retryReplacement(now: now, actions: &actions)
            } else {
                // Both died: start afresh rather than leave the slot empty.
                scheduleRestart(lived: 0, now: now, actions: &actions)
            }
        }
        if retiring, !steered, !state.hasProcess {
            removed = true
            actions.append(.remove)
        }
        return state
    }

    private func predecessorExited(_ handover: inout Handover, _ status: ExitStatus, actions: inout [SlotAction]) {
        guard let old = handover.predecessor.worker else { return }
        let metadata = ["pid": "\(old.pid)", "status": "\(status)"]
        if shuttingDown {
            actions.append(log(.info, "worker exited", metadata))
        } else if !retiring || steered {   // unsteered, a retiring slot goes once its successor has exited too
            if case .draining = handover.predecessor {
                actions.append(log(.info, "replaced worker exited", metadata))
            } else {
                actions.append(log(.warning, "worker died while its successor starts", metadata))
            }
            if case .booted = handover.stage { release(&handover, actions: &actions) }
        }
        handover.predecessor = .exited
    }

    private func enforce(_ timeouts: Timeouts, on handover: inout Handover, now: Double, actions: inout [SlotAction]) {
        switch handover.predecessor {
        case .running(var old):
            if let silence = heartbeatOverdue(old, timeouts, now: now) {
                kill(&old, reason: "no heartbeat for \(Int(silence)) s (WORKER_TIMEOUT)", actions: &actions)
            }
            handover.predecessor = .running(old)
        case .draining(var old, let since):
            if now - since > timeouts.graceful {
                kill(&old, reason: "still draining after GRACEFUL_TIMEOUT", actions: &actions)
            }
            handover.predecessor = .draining(old, since: since)
        case .exited:
            break
        }
        if case .draining(let since) = handover.stage {
            if now - since > timeouts.graceful {
                kill(&handover.successor, reason: "still draining after GRACEFUL_TIMEOUT", actions: &actions)
            }
        } else if now - handover.successor.spawnedAt > Timeouts.start {
            kill(&handover.successor, reason: "did not start in \(Int(Timeouts.start)) s", actions: &actions)
        }
        if case .booted(let at) = handover.stage, now - at > Timeouts.handover {
            actions.append(log(.warning, "predecessor did not report its listener closed; releasing the successor"))
            release(&handover, actions: &actions)
        }
    }
}
