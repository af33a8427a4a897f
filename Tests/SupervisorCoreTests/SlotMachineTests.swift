import RegistryJSON
import RegistryRuntime
import SupervisorCore
import XCTest

/// A slot driven by events at chosen times; no process is started.
private struct Slot {
    var machine = SlotMachine(index: 2)
    var now = 1000.0
    let timeouts = Timeouts(worker: 5, graceful: 30)

    var state: SlotState { machine.state }

    @discardableResult
    mutating func send(_ event: SlotEvent, after seconds: Double = 0) -> [SlotAction] {
        now += seconds
        return machine.handle(event, now: now)
    }

    @discardableResult
    mutating func tick(after seconds: Double) -> [SlotAction] { send(.tick(timeouts), after: seconds) }

    /// A worker spawned and serving.
    mutating func running(pid: Int32) -> Worker {
        send(.start)
        send(.spawned(pid: pid))
        send(.heard(pid: pid, .ready), after: 0.5)
        guard case .running(let worker) = state else { fatalError("not running: \(state)") }
        return worker
    }
}

private extension Array where Element == SlotAction {
    var logs: [String] {
        compactMap { if case .log(let line) = $0 { return line.message } else { return nil } }
    }
    /// Everything but the log lines.
    var effects: [SlotAction] {
        filter { if case .log = $0 { return false } else { return true } }
    }
}

final class SlotMachineTests: XCTestCase {
    func testStartSpawnReady() {
        var slot = Slot()
        XCTAssertEqual(slot.send(.start), [.spawn(held: false)])
        let spawned = slot.send(.spawned(pid: 10))
        XCTAssertEqual(spawned, [.log(LogLine(.info, "worker spawned", ["slot": "2", "pid": "10"]))])
        XCTAssertEqual(slot.state.name, "starting")
        XCTAssertFalse(slot.state.isServing)
        XCTAssertEqual(slot.send(.heard(pid: 10, .ready), after: 1).logs, ["worker ready"])
        XCTAssertEqual(slot.state.name, "running")
        XCTAssertTrue(slot.state.isServing)
        XCTAssertEqual(slot.state.shownWorker?.pid, 10)
    }

    func testQuickDeathsBackOffAndDoubling() {
        var slot = Slot()
        _ = slot.running(pid: 10)
        let died = slot.send(.exited(pid: 10, .signaled(9)))
        XCTAssertEqual(died.logs, ["worker died", "worker restarting after backoff"])
        XCTAssertEqual(died.effects, [.countRestart(.crashed)])
        XCTAssertEqual(slot.state, .backoff(until: slot.now + 0.1))
        XCTAssertEqual(slot.state.name, "backoff")
        XCTAssertEqual(slot.machine.restarts, 1)
        XCTAssertEqual(slot.tick(after: 0.05), [])
        XCTAssertEqual(slot.tick(after: 0.06), [.spawn(held: false)])
        slot.send(.spawned(pid: 11))
        slot.send(.exited(pid: 11, .exited(1)), after: 0.2)
        XCTAssertEqual(slot.state, .backoff(until: slot.now + 0.2))
        XCTAssertEqual((1...9).map { RestartPolicy.backoff(afterFailures: $0) }, [0.1, 0.2, 0.4, 0.8, 1.6, 3.2, 6.4, 10, 10])
    }

    func testHealthyWorkerRestartsAtOnce() {
        var slot = Slot()
        _ = slot.running(pid: 10)
        let died = slot.send(.exited(pid: 10, .signaled(9)), after: 60)
        XCTAssertEqual(died.effects, [.countRestart(.crashed), .spawn(held: false)])
        XCTAssertEqual(slot.machine.consecutiveFailures, 0)
        XCTAssertEqual(slot.send(.spawnFailed(error: "EAGAIN")).logs, ["cannot spawn worker", "worker restarting after backoff"])
        XCTAssertEqual(slot.state.name, "backoff")
    }

    func testWorkerThatCannotBootStopsTheServer() {
        var slot = Slot()
        slot.send(.start)
        slot.send(.spawned(pid: 10))
        let died = slot.send(.exited(pid: 10, .exited(WorkerHandshake.bootFailure)))
        XCTAssertEqual(died.logs, ["worker failed to boot; stopping"])
        XCTAssertEqual(died.effects, [.stopServer(exitCode: 1)])
        XCTAssertEqual(slot.state, .stopped)
    }

    func testHandover() {
        var slot = Slot()
        let old = slot.running(pid: 10)
        XCTAssertEqual(slot.send(.replace), [.spawn(held: true)])
        let spawned = slot.send(.spawned(pid: 20))
        XCTAssertEqual(spawned.effects, [.countRestart(.replaced)])
        XCTAssertEqual(spawned.logs, ["successor spawned"])
        XCTAssertEqual(slot.machine.restarts, 1)
        XCTAssertTrue(slot.state.isStartingWorker)
        XCTAssertEqual(slot.state.name, "running")
        XCTAssertTrue(slot.state.isServing)

        // booted: the predecessor stops accepting
        XCTAssertEqual(slot.send(.heard(pid: 20, .booted), after: 1), [.drain(pid: 10)])
        let drainedAt = slot.now
        XCTAssertEqual(slot.state.name, "draining")
        XCTAssertTrue(slot.state.isServing, "connections wait in the queue for the successor")
        // its listener is closed: the successor accepts
        XCTAssertEqual(slot.send(.heard(pid: 10, .listenerClosed), after: 0.1), [.release(pid: 20)])
        XCTAssertEqual(slot.send(.heard(pid: 10, .listenerClosed)), [], "released once")
        // ready: the successor takes the slot
        let ready = slot.send(.heard(pid: 20, .ready), after: 0.1)
        XCTAssertEqual(ready.effects, [.detach(old, drainingSince: drainedAt)])
        XCTAssertEqual(ready.logs, ["worker ready", "worker replaced; predecessor draining"])
        guard case .running(let new) = slot.state else { return XCTFail("\(slot.state)") }
        XCTAssertEqual(new.pid, 20)
        XCTAssertFalse(slot.state.owns(10))
        XCTAssertEqual(slot.machine.consecutiveFailures, 0)
    }

    func testSuccessorIsReleasedWhenThePredecessorStaysSilent() {
        var slot = Slot()
        _ = slot.running(pid: 10)
        slot.send(.replace)
        slot.send(.spawned(pid: 20))
        slot.send(.heard(pid: 20, .booted))
        XCTAssertEqual(slot.tick(after: 1.9), [])
        let late = slot.tick(after: 0.2)
        XCTAssertEqual(late.logs, ["predecessor did not report its listener closed; releasing the successor"])
        XCTAssertEqual(late.effects, [.release(pid: 20)])
        XCTAssertEqual(slot.tick(after: 1), [])
    }

    func testSuccessorDyingBeforeServingIsRetriedAfterABackoff() {
        var slot = Slot()
        let old = slot.running(pid: 10)
        slot.send(.replace)
        slot.send(.spawned(pid: 20))
        let died = slot.send(.exited(pid: 20, .signaled(11)))
        XCTAssertEqual(died.logs, ["successor died before serving"])
        XCTAssertEqual(died.effects, [.requeue])
        XCTAssertEqual(slot.state, .running(old))
        XCTAssertEqual(slot.machine.replaceAfter, slot.now + 0.1)
        XCTAssertEqual(slot.send(.spawnFailed(error: "EAGAIN"), after: 1).effects, [.requeue])
        XCTAssertEqual(slot.machine.replaceAfter, slot.now + 0.2)
    }

    func testSuccessorThatCannotBootGivesUpTheReload() {
        var slot = Slot()
        let old = slot.running(pid: 10)
        slot.send(.replace)
        slot.send(.spawned(pid: 20))
        let died = slot.send(.exited(pid: 20, .exited(WorkerHandshake.bootFailure)))
        XCTAssertEqual(died.effects, [.abandonReplacements])
        XCTAssertEqual(slot.state, .running(old))
    }

    func testPredecessorDyingHandsTheSlotToItsSuccessor() {
        var slot = Slot()
        _ = slot.running(pid: 10)
        slot.send(.replace)
        slot.send(.spawned(pid: 20))
        let died = slot.send(.exited(pid: 10, .signaled(9)))
        XCTAssertEqual(died.logs, ["worker died while its successor starts"])
        XCTAssertEqual(slot.state.name, "starting")
        XCTAssertFalse(slot.state.isServing)
        XCTAssertNil(slot.state.shownWorker)
        XCTAssertEqual(slot.send(.heard(pid: 20, .booted)), [.release(pid: 20)], "no predecessor to wait for")
        let ready = slot.send(.heard(pid: 20, .ready))
        XCTAssertEqual(ready.logs, ["worker ready"])
        XCTAssertEqual(slot.state.shownWorker?.pid, 20)
    }

    func testBothDyingStartsAfresh() {
        var slot = Slot()
        _ = slot.running(pid: 10)
        slot.send(.replace)
        slot.send(.spawned(pid: 20))
        slot.send(.exited(pid: 10, .signaled(9)))
        let died = slot.send(.exited(pid: 20, .signaled(9)))
        XCTAssertEqual(died.logs, ["successor died before serving", "worker restarting after backoff"])
        XCTAssertEqual(slot.state.name, "backoff")
    }

    func testRecycle() {
        var slot = Slot()
        _ = slot.running(pid: 10)
        let recycle = slot.send(.heard(pid: 10, .recycle))
        XCTAssertEqual(recycle.effects, [.countRecycle, .spawn(held: true)])
        XCTAssertEqual(recycle.logs, ["worker served its request budget; recycling"])
        slot.send(.spawned(pid: 20))
        XCTAssertEqual(slot.send(.heard(pid: 10, .recycle)), [], "one successor at a time")
    }

    func testShutdownDrainsEverythingAndRestartsNothing() {
        var slot = Slot()
        _ = slot.running(pid: 10)
        slot.send(.replace)
        slot.send(.spawned(pid: 20))
        XCTAssertEqual(slot.send(.shutdown), [.drain(pid: 10), .drain(pid: 20)])
        XCTAssertEqual(slot.send(.heard(pid: 20, .ready)), [], "a draining successor is not promoted")
        XCTAssertEqual(slot.send(.heard(pid: 10, .recycle)), [])
        XCTAssertEqual(slot.send(.exited(pid: 20, .exited(0))).logs, ["successor died before serving"])
        XCTAssertEqual(slot.send(.exited(pid: 10, .exited(0))), [.log(LogLine(.info, "worker exited", ["slot": "2", "pid": "10", "status": "exit 0"]))])
        XCTAssertEqual(slot.state, .stopped)
        XCTAssertEqual(slot.send(.start), [])
    }

    func testShutdownDuringBackoffStops() {
        var slot = Slot()
        _ = slot.running(pid: 10)
        slot.send(.exited(pid: 10, .signaled(9)))
        XCTAssertEqual(slot.send(.shutdown), [])
        XCTAssertEqual(slot.state, .stopped)
    }

    func testRetirement() {
        var slot = Slot()
        _ = slot.running(pid: 10)
        XCTAssertEqual(slot.send(.retire), [.drain(pid: 10)])
        XCTAssertEqual(slot.state.name, "draining")
        let exited = slot.send(.exited(pid: 10, .exited(0)))
        XCTAssertEqual(exited.logs, ["worker retired"])
        XCTAssertEqual(exited.effects, [.remove])

        var idle = Slot()
        _ = idle.running(pid: 10)
        idle.send(.exited(pid: 10, .signaled(9)))
        XCTAssertEqual(idle.send(.retire), [.remove], "a slot in backoff goes at once")
    }

    func testRetiringDuringAHandoverWaitsForBothProcesses() {
        var slot = Slot()
        _ = slot.running(pid: 10)
        slot.send(.replace)
        slot.send(.spawned(pid: 20))
        XCTAssertEqual(slot.send(.retire), [.drain(pid: 10), .drain(pid: 20)])
        XCTAssertEqual(slot.send(.exited(pid: 10, .exited(0))), [])
        let last = slot.send(.exited(pid: 20, .exited(0)))
        XCTAssertEqual(last.logs, ["successor died before serving"])
        XCTAssertEqual(last.effects, [.remove])
    }

    func testTimeoutsKillOnce() {
        var starting = Slot()
        starting.send(.start)
        starting.send(.spawned(pid: 10))
        XCTAssertEqual(starting.tick(after: 29), [])
        let late = starting.tick(after: 2)
        XCTAssertEqual(late.effects, [.kill(pid: 10)])
        XCTAssertEqual(late, [.log(LogLine(.error, "killing worker", ["slot": "2", "pid": "10", "reason": "did not start in 30 s"])), .kill(pid: 10)])
        XCTAssertEqual(starting.tick(after: 1), [], "killed once")

        var silent = Slot()
        _ = silent.running(pid: 10)
        silent.send(.heard(pid: 10, .beat(MetricsSnapshot())), after: 3)
        XCTAssertEqual(silent.tick(after: 4.9), [])
        guard case .log(let line) = silent.tick(after: 1.1).first else { return XCTFail() }
        XCTAssertEqual(line.metadata["reason"], "no heartbeat for 6 s (WORKER_TIMEOUT)")
        XCTAssertEqual(silent.send(.exited(pid: 10, .signaled(9))).effects.first, .countRestart(.timeout),
                       "a worker the supervisor killed is counted as a timeout, not a crash")

        var patient = Slot()
        _ = patient.running(pid: 10)
        XCTAssertEqual(patient.send(.tick(Timeouts(worker: 0, graceful: 30)), after: 3600), [], "WORKER_TIMEOUT=0: never")

        var draining = Slot()
        _ = draining.running(pid: 10)
        draining.send(.retire)
        XCTAssertEqual(draining.tick(after: 29), [])
        XCTAssertEqual(draining.tick(after: 2).effects, [.kill(pid: 10)])
    }

    func testReplacedWorkers() {
        var replaced = ReplacedWorkers()
        replaced.add(Worker(pid: 10, slot: 1, spawnedAt: 0), drainingSince: 100)
        XCTAssertEqual(replaced.enforce(Timeouts(worker: 5, graceful: 30), now: 129), [])
        XCTAssertEqual(replaced.enforce(Timeouts(worker: 5, graceful: 30), now: 131).last, .kill(pid: 10))
        XCTAssertEqual(replaced.enforce(Timeouts(worker: 5, graceful: 30), now: 132), [])
        XCTAssertNil(replaced.exited(pid: 11, .exited(0)))
        XCTAssertEqual(replaced.exited(pid: 10, .signaled(9)),
                       [.log(LogLine(.info, "replaced worker exited", ["slot": "1", "pid": "10", "status": "signal 9"]))])
        XCTAssertTrue(replaced.isEmpty)
    }

    func testExitStatus() {
        XCTAssertEqual(ExitStatus(waitStatus: 3 << 8), .exited(3))
        XCTAssertTrue(ExitStatus(waitStatus: 3 << 8).isBootFailure)
        XCTAssertEqual(ExitStatus(waitStatus: 9), .signaled(9))
        XCTAssertEqual(ExitStatus(waitStatus: 9).description, "signal 9")
        XCTAssertEqual(ExitStatus(waitStatus: 0).description, "exit 0")
    }
}

final class WorkerHandshakeTests: XCTestCase {
    func testBothSidesReadTheSameHandshake() {
        let sent = WorkerHandshake(slot: 3, supervisorPID: 42, startedAt: Timestamp(microseconds: 1_700_000_000_123_456), held: true,
                                   sharesRegion: true)
        var environment = ["PYRMUTE_REGISTRY_HOLD": "1", "OTHER": "x"]
        sent.apply(to: &environment)
        XCTAssertEqual(WorkerHandshake(environment: environment), sent)
        XCTAssertEqual(environment["PYRMUTE_REGISTRY_READY_FD"], "4")
        XCTAssertEqual(environment["PYRMUTE_REGISTRY_SHARED_FD"], "5")
        XCTAssertEqual(environment["PYRMUTE_REGISTRY_WORKER_SLOT"], "3")
        XCTAssertEqual(environment["PYRMUTE_REGISTRY_SUPERVISOR_PID"], "42")
        XCTAssertEqual(environment["PYRMUTE_REGISTRY_STARTED_AT"], "1700000000123456")
        XCTAssertEqual(WorkerHandshake.listeningSocket, 3)

        var notHeld = sent
        notHeld.held = false
        notHeld.apply(to: &environment)
        XCTAssertNil(environment["PYRMUTE_REGISTRY_HOLD"])

        let standalone = WorkerHandshake(environment: [:])
        XCTAssertNil(standalone.controlPipe)
        XCTAssertFalse(standalone.held)
    }
}
