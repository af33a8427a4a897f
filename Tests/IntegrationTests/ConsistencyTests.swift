import Foundation
import RegistryJSON
import RegistryRuntime
import XCTest

/// Issue 15, "Consistency": once a write is answered, every worker of the server answers the new
/// state on its very next request (schemas, compatibility config, keys); another server on the
/// same database answers it within a second (at once without a response cache); and a worker
/// killed with SIGKILL while reads and writes run leaves no stale and no torn answer behind.
///
/// Every read goes on a fresh connection carrying its own correlation id, so the kernel spreads
/// them over the workers and the log tells which worker answered each one: the tests check that
/// both workers answered, and that many reads landed on the worker that did not take the write.
/// A run prints its seed (`PYRMUTE_TEST_SEED=<n>` repeats it) and a `CONSISTENCY-REPORT` line.
final class ConsistencyTests: XCTestCase {
    func testReadYourWritesOnEveryWorker_sqlite() throws { try readYourWrites(.sqlite) }
    func testReadYourWritesOnEveryWorker_postgres() throws { try readYourWrites(.postgres) }
    func testKeyChangesRefusedAtOnceByEveryWorker_sqlite() throws { try keyChanges(.sqlite) }
    func testKeyChangesRefusedAtOnceByEveryWorker_postgres() throws { try keyChanges(.postgres) }
    func testWriteOnOneServerSeenByAnotherWithinOneSecond_sqlite() throws { try acrossServers(.sqlite, cacheOnB: true) }
    func testWriteOnOneServerSeenByAnotherWithinOneSecond_postgres() throws { try acrossServers(.postgres, cacheOnB: true) }
    func testServerWithoutResponseCacheSeesAnotherServersWritesAtOnce_sqlite() throws { try acrossServers(.sqlite, cacheOnB: false) }
    func testServerWithoutResponseCacheSeesAnotherServersWritesAtOnce_postgres() throws { try acrossServers(.postgres, cacheOnB: false) }
    func testWorkerKilledUnderReadsAndWrites_noStaleOrTornAnswer_sqlite() throws { try chaos(.sqlite) }
    func testWorkerKilledUnderReadsAndWrites_noStaleOrTornAnswer_postgres() throws { try chaos(.postgres) }

    // MARK: - 1. read-your-writes inside one server: schemas and compatibility config

    private func readYourWrites(_ backend: Backend) throws {
        let iterations = Int(ProcessInfo.processInfo.environment["PYRMUTE_RYW_ITERATIONS"] ?? "") ?? 1000
        let seed = SeededGenerator.seed()
        print("readYourWrites(\(backend)): PYRMUTE_TEST_SEED=\(seed)")
        var random = SeededGenerator(seed: seed)
        let server = try ServerProcess(databaseURL: backend.freshDatabaseURL(), workers: 2)
        var registry = ExpectedRegistry(namespace: "ryw", models: ["m0", "m1", "m2"])
        let configPath = "/config/namespaces/rywcfg"
        var configLevel: String?   // nil: none set at the namespace (the server's NONE applies)
        var stale: [StaleAnswer] = []
        var staleCount = 0
        var writeTags: [String] = []
        var readTags: [(tag: String, write: String)] = []
        var counts: [String: Int] = [:]
        let started = Date()

        func read(_ path: String, tag: String, write: String, context: String, expected: String,
                  summary: (HTTPClientResponse) -> String) throws {
            let response = try server.tagged("GET", path, tag: tag)
            readTags.append((tag, write))
            let got = summary(response)
            if got != expected {
                staleCount += 1
                if stale.count < 25 { stale.append(StaleAnswer(context: context, request: "GET \(path)", tag: tag, expected: expected, got: got)) }
            }
        }

        for iteration in 0..<iterations {
            let model = registry.models[Int(random.next() % UInt64(registry.models.count))]
            let writeTag = "ryw-\(iteration)-w"
            var roll = Int(random.next() % 100)
            let existing = registry.minors(model)
            if existing.isEmpty, roll >= 22, roll < 82 { roll = 0 }              // nothing to change: register
            if existing.count >= 8, roll < 22 { roll = 70 }                      // enough versions: delete one
            let deprecatedOnes = existing.filter { registry.versions[model]![$0]!.deprecated }
            if roll >= 55, roll < 65, deprecatedOnes.isEmpty { roll = 50 }      // nothing to undeprecate: deprecate

            if roll >= 82 {
                // Compatibility config at a namespace scope (no schemas live there: registrations stay unaffected).
                let op: String
                if let _ = configLevel, random.next() % 2 == 0 {
                    op = "config DELETE"
                    let response = try server.tagged("DELETE", configPath, tag: writeTag)
                    guard response.status == 204 else { return XCTFail("iteration \(iteration): DELETE \(configPath): \(response.status) \(response.text)") }
                    configLevel = nil
                } else {
                    let level = CompatibilityLevel.allCases.filter { $0.rawValue != configLevel }.randomElement(using: &random)!.rawValue
                    op = "config PUT \(level)"
                    let response = try server.tagged("PUT", configPath, tag: writeTag, json: Compat.body(level))
                    guard response.status == 200 else { return XCTFail("iteration \(iteration): PUT \(configPath): \(response.status) \(response.text)") }
                    configLevel = level
                }
                counts[op.hasPrefix("config PUT") ? "config PUT" : op, default: 0] += 1
                writeTags.append(writeTag)
                let expected = "200 " + (configLevel.map { Compat.level($0, "namespace") } ?? Compat.level("NONE", "server"))
                for k in 0..<3 {
                    try read(configPath, tag: "ryw-\(iteration)-\(k)", write: writeTag, context: "iteration \(iteration) after \(op)",
                             expected: expected) { "\($0.status) \($0.text)" }
                }
                continue
            }

            // A read of the version about to change, so that the caches hold the state the write replaces.
            let minor: Int
            let op: String
            if roll < 22 {
                let deleted = registry.deletedMinors(model)
                if !deleted.isEmpty, random.next() % 2 == 0 {
                    minor = deleted.randomElement(using: &random)!
                    op = "re-register"
                } else {
                    minor = registry.nextMinor[model]!
                    op = "register"
                }
            } else {
                minor = existing.randomElement(using: &random)!
                op = roll < 40 ? "overwrite" : roll < 55 ? "deprecate" : roll < 65 ? "undeprecate" : "delete"
            }
            let versionPath = registry.path(model, minor)
            try read(versionPath, tag: "ryw-\(iteration)-p", write: "", context: "iteration \(iteration) before \(op)",
                     expected: registry.versionSummary(model, minor)) { ExpectedRegistry.summarizeVersion($0) }

            let title = "t\(iteration)"
            let response: HTTPClientResponse
            switch op {
            case "register", "re-register":
                response = try server.tagged("POST", "/schemas/ryw/\(model)/versions", tag: writeTag,
                                             json: ExpectedRegistry.body(version: "1.\(minor).0", title: title))
                guard response.status == 201 else { return XCTFail("iteration \(iteration): \(op) \(versionPath): \(response.status) \(response.text)") }
                registry.register(model, minor, title: title)
            case "overwrite":
                response = try server.tagged("POST", "/schemas/ryw/\(model)/versions?allow_overwrite=true", tag: writeTag,
                                             json: ExpectedRegistry.body(version: "1.\(minor).0", title: title))
                guard response.status == 201 else { return XCTFail("iteration \(iteration): overwrite \(versionPath): \(response.status) \(response.text)") }
                registry.versions[model]![minor]!.title = title
            case "deprecate":
                response = try server.tagged("POST", versionPath + "/deprecate?message=d\(iteration)", tag: writeTag)
                guard response.status == 200 else { return XCTFail("iteration \(iteration): deprecate \(versionPath): \(response.status) \(response.text)") }
                registry.versions[model]![minor]!.deprecated = true
                registry.versions[model]![minor]!.message = "d\(iteration)"
            case "undeprecate":
                response = try server.tagged("POST", versionPath + "/undeprecate", tag: writeTag)
                guard response.status == 200 else { return XCTFail("iteration \(iteration): undeprecate \(versionPath): \(response.status) \(response.text)") }
                registry.versions[model]![minor]!.deprecated = false
                registry.versions[model]![minor]!.message = nil
            default:
                response = try server.tagged("DELETE", versionPath + "?force=true", tag: writeTag)
                guard response.status == 200 else { return XCTFail("iteration \(iteration): delete \(versionPath): \(response.status) \(response.text)") }
                registry.versions[model]![minor] = nil
            }
            counts[op, default: 0] += 1
            writeTags.append(writeTag)

            // Three reads on fresh connections: the version written, and two of latest, versions, listing.
            let context = "iteration \(iteration) after \(op) of \(model) 1.\(minor).0"
            try read(versionPath, tag: "ryw-\(iteration)-0", write: writeTag, context: context,
                     expected: registry.versionSummary(model, minor)) { ExpectedRegistry.summarizeVersion($0) }
            let others = [0, 1, 2].map { ($0 + iteration) % 3 }.prefix(2)
            for (k, which) in others.enumerated() {
                let tag = "ryw-\(iteration)-\(k + 1)"
                switch which {
                case 0:
                    try read("/schemas/ryw/\(model)/versions/latest", tag: tag, write: writeTag, context: context,
                             expected: registry.latestSummary(model)) { ExpectedRegistry.summarizeVersion($0) }
                case 1:
                    try read("/schemas/ryw/\(model)/versions", tag: tag, write: writeTag, context: context,
                             expected: registry.versionsSummary(model)) { ExpectedRegistry.summarizeVersions($0) }
                default:
                    try read("/schemas?namespace=ryw&include_deprecated=true", tag: tag, write: writeTag, context: context,
                             expected: registry.listingSummary()) { ExpectedRegistry.summarizeListing($0) }
                }
            }
        }
        let elapsed = Date().timeIntervalSince(started)

        // Who answered what: both workers, and reads answered by the worker that did not take the write.
        usleep(200_000)
        let workers = server.answeringWorkers()
        let pids = Set(try server.workerPIDs())
        let checked = readTags.filter { !$0.write.isEmpty }
        let servedBy = Dictionary(grouping: checked.compactMap { workers[$0.tag] }, by: { $0 }).mapValues(\.count)
        let crossWorker = checked.filter { read in
            guard let reader = workers[read.tag], let writer = workers[read.write] else { return false }
            return reader != writer
        }.count
        for index in stale.indices { stale[index].worker = workers[stale[index].tag] }
        print("CONSISTENCY-REPORT read-your-writes backend=\(backend) seed=\(seed) iterations=\(iterations) writes=\(writeTags.count) " +
              "reads=\(checked.count) cross_worker_reads=\(crossWorker) stale=\(staleCount) seconds=\(String(format: "%.1f", elapsed)) " +
              "by_worker=\(servedBy) ops=\(counts.sorted { $0.key < $1.key })")

        XCTAssertEqual(staleCount, 0, "answers that do not show the last acknowledged write (seed \(seed)):\n" +
                       stale.map(\.description).joined(separator: "\n"))
        XCTAssertEqual(pids.count, 2)
        XCTAssertTrue(Set(servedBy.keys) == pids, "both workers must answer reads: \(servedBy), workers \(pids)")
        XCTAssertGreaterThan(crossWorker, checked.count / 4, "too few reads landed on the other worker to mean anything")
        XCTAssertEqual(try server.stop(), 0)
    }

    // MARK: - 1b. read-your-writes for keys: revoke, delete, rotate

    private func keyChanges(_ backend: Backend) throws {
        let iterations = Int(ProcessInfo.processInfo.environment["PYRMUTE_KEY_ITERATIONS"] ?? "") ?? 100
        let seed = SeededGenerator.seed()
        print("keyChanges(\(backend)): PYRMUTE_TEST_SEED=\(seed)")
        var random = SeededGenerator(seed: seed)
        let (server, admin) = try AuthSupport.server(backend, workers: 2)
        let keys = try SeededKeys.insert(iterations + 1, prefix: "ryw", permission: "read", databaseURL: server.databaseURL)
        let bystander = keys[iterations]
        let log = LogCursor(server)
        var failures: [StaleAnswer] = []
        var failureCount = 0
        var actions: [String: Int] = [:]
        var warmed = 0
        var requestNumber = 0
        var refusalTags: [(tag: String, act: String)] = []
        let started = Date()

        func use(_ key: String, tag: String) throws -> HTTPClientResponse {
            requestNumber += 1
            return try server.tagged("GET", "/schemas?limit=1", tag: tag, headers: [("X-API-Key", key)])
        }
        func expect(_ response: HTTPClientResponse, _ status: Int, tag: String, context: String) {
            let ok = status == 401
                ? response.status == 401 && response.text == #"{"detail":"\#(AuthSupport.invalid)"}"#
                : response.status == status
            guard !ok else { return }
            failureCount += 1
            if failures.count < 25 {
                failures.append(StaleAnswer(context: context, request: "GET /schemas?limit=1", tag: tag,
                                            expected: status == 401 ? #"401 {"detail":"Invalid API key"}"# : "\(status)",
                                            got: "\(response.status) \(response.text)"))
            }
        }
        /// Uses `key` on fresh connections until both workers have authenticated it (so both hold it in cache).
        func warm(_ key: String, _ name: String) throws -> Bool {
            var seen: Set<pid_t> = []
            for attempt in 0..<24 {
                let tag = "\(name)-warm-\(attempt)"
                let response = try use(key, tag: tag)
                guard response.status == 200 else {
                    XCTFail("\(name) before any change: \(response.status) \(response.text)")
                    return false
                }
                if attempt >= 1 {
                    usleep(2_000)
                    seen.formUnion(log.workers(forPrefix: "\(name)-warm-"))
                    if seen.count >= 2 { return true }
                }
            }
            return false
        }

        XCTAssertTrue(try warm(bystander.key, bystander.name), "the bystander key never reached both workers")
        var current = keys[0]
        var index = 0
        for iteration in 0..<iterations {
            if try warm(current.key, current.name) { warmed += 1 }
            // Rotation makes a real (cost 12) key, a quarter second of bcrypt per worker: one change in ten.
            let roll = random.next() % 10
            let action = roll == 0 ? "rotate" : roll % 2 == 1 ? "revoke" : "delete"
            let actTag = "\(current.name)-\(action)"
            var replacement: (key: String, name: String)?
            switch action {
            case "revoke":
                let response = try server.tagged("POST", "/api-keys/\(current.id)/revoke", tag: actTag,
                                                 headers: [("X-API-Key", admin)], json: #"{"revoked_by":"ryw"}"#)
                guard response.status == 200 else { return XCTFail("revoke \(current.name): \(response.status) \(response.text)") }
            case "delete":
                let response = try server.tagged("DELETE", "/api-keys/\(current.id)", tag: actTag, headers: [("X-API-Key", admin)])
                guard response.status == 204 else { return XCTFail("delete \(current.name): \(response.status) \(response.text)") }
            default:
                let response = try server.tagged("POST", "/api-keys/\(current.id)/rotate", tag: actTag,
                                                 headers: [("X-API-Key", admin)], json: #"{"grace_period_hours":0}"#)
                guard response.status == 200, let body = try? response.json(), let newKey = body["new_key"]?["api_key"]?.stringValue,
                      let newName = body["new_key"]?["name"]?.stringValue else {
                    return XCTFail("rotate \(current.name): \(response.status) \(response.text)")
                }
                replacement = (newKey, newName)
            }
            actions[action, default: 0] += 1
            let context = "iteration \(iteration): \(current.name) after \(action) (answered by the worker of \(actTag))"
            for k in 0..<3 {
                let tag = "\(current.name)-after-\(k)"
                refusalTags.append((tag, actTag))
                expect(try use(current.key, tag: tag), 401, tag: tag, context: context)
            }
            if let replacement {
                for k in 0..<2 {
                    let tag = "\(current.name)-new-\(k)"
                    expect(try use(replacement.key, tag: tag), 200, tag: tag, context: "iteration \(iteration): the key rotated from \(current.name)")
                }
            }
            let tag = "bystander-\(iteration)"
            expect(try use(bystander.key, tag: tag), 200, tag: tag, context: "iteration \(iteration): an untouched key after \(action)")
            index += 1
            current = keys[min(index, iterations - 1)]
        }
        let elapsed = Date().timeIntervalSince(started)
        usleep(200_000)
        let workers = server.answeringWorkers()
        let actorOf = Dictionary(refusalTags.map { ($0.tag, $0.act) }, uniquingKeysWith: { first, _ in first })
        for i in failures.indices {
            failures[i].worker = workers[failures[i].tag]
            if let act = actorOf[failures[i].tag] {
                let actor = workers[act].map(String.init) ?? "?"
                failures[i] = StaleAnswer(context: failures[i].context + " — the change was answered by worker \(actor)",
                                          request: failures[i].request, tag: failures[i].tag, expected: failures[i].expected,
                                          got: failures[i].got, worker: failures[i].worker)
            }
        }
        let refusals = refusalTags.filter { workers[$0.tag] != nil }
        let crossWorker = refusals.filter { pair in
            guard let reader = workers[pair.tag], let actor = workers[pair.act] else { return false }
            return reader != actor
        }.count
        print("CONSISTENCY-REPORT keys backend=\(backend) seed=\(seed) iterations=\(iterations) actions=\(actions.sorted { $0.key < $1.key }) " +
              "warmed_on_both=\(warmed) refusal_reads=\(refusals.count) cross_worker_refusals=\(crossWorker) failures=\(failureCount) " +
              "requests=\(requestNumber) seconds=\(String(format: "%.1f", elapsed))")

        XCTAssertEqual(failureCount, 0, "answers after a key change (seed \(seed)):\n" + failures.map(\.description).joined(separator: "\n"))
        XCTAssertGreaterThan(warmed, iterations * 3 / 4, "keys must be cached by both workers before they change")
        XCTAssertGreaterThan(crossWorker, refusals.count / 4, "too few refusals came from the worker that did not make the change")
        XCTAssertEqual(try server.stop(), 0)
    }

    // MARK: - 3. across servers on one database

    private func acrossServers(_ backend: Backend, cacheOnB: Bool) throws {
        let url = try backend.freshDatabaseURL()
        let a = try ServerProcess(databaseURL: url, workers: 2)
        let b = try ServerProcess(databaseURL: url, workers: 2,
                                  environment: cacheOnB ? [:] : ["PYRMUTE_REGISTRY_RESPONSE_CACHE_MB": "0"])
        let base = "/schemas/xs/orders/versions"
        XCTAssertEqual(try a.register(base, version: "1.0.0", schema: ["title": "a"]).status, 201)
        XCTAssertEqual(try a.register(base, version: "1.1.0", schema: ["title": "b"]).status, 201)

        struct Step {
            let name: String
            let write: (ServerProcess) throws -> HTTPClientResponse
            let status: Int
            let path: String
            let isNew: (HTTPClientResponse) -> Bool
        }
        func field(_ response: HTTPClientResponse, _ path: [String]) -> JSONValue? {
            guard response.status == 200, var value = try? response.json() else { return nil }
            for key in path { guard let next = value[key] else { return nil }; value = next }
            return value
        }
        let steps: [Step] = [
            Step(name: "register 1.2.0 (latest)", write: { try $0.register(base, version: "1.2.0", schema: ["title": "c"]) }, status: 201,
                 path: base + "/latest", isNew: { field($0, ["version"]) == "1.2.0" }),
            Step(name: "register 1.3.0 (versions list)", write: { try $0.register(base, version: "1.3.0", schema: ["title": "d"]) }, status: 201,
                 path: base, isNew: { field($0, ["versions"])?.arrayValue?.contains("1.3.0") == true }),
            Step(name: "deprecate 1.0.0", write: { try $0.request("POST", base + "/1.0.0/deprecate?message=old") }, status: 200,
                 path: base + "/1.0.0", isNew: { field($0, ["deprecated"]) == true }),
            Step(name: "overwrite 1.1.0", write: { try $0.register(base + "?allow_overwrite=true", version: "1.1.0", schema: ["title": "b2"]) },
                 status: 201, path: base + "/1.1.0", isNew: { field($0, ["json_schema", "title"]) == "b2" }),
            Step(name: "undeprecate 1.0.0", write: { try $0.request("POST", base + "/1.0.0/undeprecate") }, status: 200,
                 path: base + "/1.0.0", isNew: { field($0, ["deprecated"]) == false }),
            Step(name: "register another model (listing page)", write: { try $0.register("/schemas/xs/invoices/versions", version: "1.0.0") },
                 status: 201, path: "/schemas?namespace=xs", isNew: { field($0, ["total_count"]) == 2 }),
            Step(name: "delete 1.3.0", write: { try $0.request("DELETE", base + "/1.3.0?force=true") }, status: 200,
                 path: base + "/1.3.0", isNew: { $0.status == 404 }),
            Step(name: "delete 1.2.0 (latest)", write: { try $0.request("DELETE", base + "/1.2.0?force=true") }, status: 200,
                 path: base + "/latest", isNew: { field($0, ["version"]) == "1.1.0" }),
        ]
        let limit = 1.0, tolerance = 0.05
        var lines: [String] = []
        for step in steps {
            // B answers the old state from every worker (and, with its cache on, keeps it).
            for _ in 0..<6 {
                let before = try b.request(step.path)
                XCTAssertFalse(step.isNew(before), "\(step.name): B shows the new state before the write: \(before.text)")
            }
            let written = try step.write(a)
            XCTAssertEqual(written.status, step.status, "\(step.name) on A: \(written.text)")
            let acknowledged = Date()
            var lastStale: Double?, firstNew: Double?, polls = 0, lateStale: [String] = [], lastSent = 0.0
            // Poll for 1.5 s, and on until a read sent after the limit has been answered (a busy
            // machine can stall a request): only such reads can tell that the limit holds.
            repeat {
                let sentAt = Date().timeIntervalSince(acknowledged)
                let response = try b.request(step.path)
                polls += 1
                lastSent = sentAt
                if step.isNew(response) {
                    if firstNew == nil { firstNew = sentAt }
                } else {
                    lastStale = sentAt
                    if !cacheOnB || sentAt > limit + tolerance {
                        lateStale.append(String(format: "%.3f s: %d %@", sentAt, response.status, response.text))
                    }
                }
                usleep(50_000)
            } while Date().timeIntervalSince(acknowledged) < (cacheOnB ? 1.5 : 0.5)
                || (cacheOnB && lastSent <= limit + tolerance && Date().timeIntervalSince(acknowledged) < 10)
            lines.append("\(step.name): first new \(firstNew.map { String(format: "%.3f", $0) } ?? "never"), " +
                         "last stale \(lastStale.map { String(format: "%.3f", $0) } ?? "none"), polls \(polls)")
            XCTAssertNotNil(firstNew, "\(step.name) on A never seen on B (GET \(step.path))")
            if cacheOnB {
                XCTAssertEqual(lateStale, [], "\(step.name) on A: B still answered GET \(step.path) with the old state more than \(limit) s later")
            } else {
                XCTAssertEqual(lateStale, [], "\(step.name) on A: B, without a response cache, answered GET \(step.path) with the old state")
            }
            // And afterwards every worker of B answers the new state.
            for _ in 0..<6 {
                let after = try b.request(step.path)
                XCTAssertTrue(step.isNew(after), "\(step.name): B after the poll: \(after.status) \(after.text)")
            }
        }
        print("CONSISTENCY-REPORT across-servers backend=\(backend) cache_on_b=\(cacheOnB)\n  " + lines.joined(separator: "\n  "))
        XCTAssertEqual(try b.stop(), 0)
        XCTAssertEqual(try a.stop(), 0)
    }

    // MARK: - 4. kill -9 a worker while reads and writes run

    private func chaos(_ backend: Backend) throws {
        let seconds = Double(ProcessInfo.processInfo.environment["PYRMUTE_CONSISTENCY_CHAOS_SECONDS"] ?? "") ?? 9
        let server = try ServerProcess(databaseURL: backend.freshDatabaseURL(), workers: 2)
        let base = "/schemas/chaos/orders/versions"
        XCTAssertEqual(try server.register(base, version: "0.0.1", schema: ["title": "t0"]).status, 201)
        XCTAssertEqual(try server.register(base, version: "0.0.2", schema: ["title": "fixed"]).status, 201)
        XCTAssertEqual(try server.request("POST", base + "/0.0.2/deprecate?message=d0").status, 200)
        XCTAssertEqual(try server.register(base, version: "1.0.0", schema: ["title": "r0"]).status, 201)

        let ledger = ChaosLedger()
        let readers = (0..<3).map { ChaosReader(server: server, base: base, ledger: ledger, seed: UInt64($0 + 1)) }
        readers.forEach { $0.start() }
        usleep(300_000)

        // One writer, in order: a new latest version, an overwrite, a deprecation message, a deletion
        // of the previous latest. A write cut off by the kill is retried until it is answered.
        // The killer: SIGKILL to a running worker at random moments, writes and reads in flight.
        let kills = LockedList()
        let killerDone = DispatchSemaphore(value: 0)
        let killCount = 4
        let killer = Thread {
            var random = SystemRandomNumberGenerator()
            for _ in 0..<killCount {
                usleep(useconds_t(seconds / Double(killCount + 1) * Double.random(in: 0.7...1.3, using: &random) * 1_000_000))
                let running = (try? server.liveness()["slots"]?.arrayValue ?? []) ?? []
                let pids = running.filter { $0["state"]?.stringValue == "running" }.compactMap { $0["pid"]?.intValue }
                if let victim = pids.randomElement(using: &random), kill(pid_t(victim), SIGKILL) == 0 {
                    kills.append("\(victim) at \(ledger.clock)")
                }
            }
            killerDone.signal()
        }
        var writeErrors = 0, retried: [String] = []
        let start = Date()
        var step = 0
        killer.start()
        while Date().timeIntervalSince(start) < seconds {
            let state = ledger.snapshot
            let kind = step % 4
            step += 1
            var attempts = 0
            while true {
                attempts += 1
                let response: HTTPClientResponse
                do {
                    switch kind {
                    case 0:
                        response = try server.register(base, version: "1.\(state.registered + 1).0", schema: ["title": .string("r\(state.registered + 1)")])
                    case 1:
                        response = try server.register(base + "?allow_overwrite=true", version: "0.0.1",
                                                       schema: ["title": .string("t\(state.overwritten + 1)")])
                    case 2:
                        response = try server.request("POST", base + "/0.0.2/deprecate?message=d\(state.deprecated + 1)")
                    default:
                        response = try server.request("DELETE", base + "/1.\(state.registered - 1).0?force=true")
                    }
                } catch {
                    writeErrors += 1
                    guard attempts < 100 else { return XCTFail("write \(step) never answered: \(error)") }
                    usleep(50_000)
                    continue
                }
                // A retry of a write the killed worker had committed: 409 (registered) or 404 (deleted).
                let done = kind == 0 ? [201, 409] : kind == 3 ? [200, 404] : kind == 1 ? [201] : [200]
                guard done.contains(response.status) else {
                    return XCTFail("write \(step) (kind \(kind)): \(response.status) \(response.text)")
                }
                if attempts > 1, [409, 404].contains(response.status) {
                    // The killed worker had committed it: give the readers time to see whether
                    // every worker now answers it (nothing else moves the model's counter meanwhile).
                    usleep(300_000)
                }
                if attempts > 1 {
                    retried.append("\(ledger.clock): step \(step) (\(["register", "overwrite", "deprecate", "delete"][kind])) → " +
                                   "\(response.status) after \(attempts) attempts")
                }
                break
            }
            switch kind {
            case 0: ledger.acknowledge { $0.registered += 1 }
            case 1: ledger.acknowledge { $0.overwritten += 1 }
            case 2: ledger.acknowledge { $0.deprecated += 1 }
            default: ledger.acknowledge { _ = $0.deleted.insert(state.registered - 1) }
            }
        }
        killerDone.wait()
        usleep(300_000)
        readers.forEach { $0.stop() }
        let killed = kills.items
        try server.waitUntil("both workers running again", timeout: 30) { (try? server.liveness())?["workers_running"]?.intValue == 2 }

        // At rest, every answer is the final state, on every worker.
        let final = ledger.snapshot
        let atRest = ChaosReader(server: server, base: base, ledger: ledger, seed: 99)
        for _ in 0..<40 { atRest.readOnce() }
        XCTAssertEqual(atRest.connectionErrors, 0, "connection errors with both workers running")
        let all = readers + [atRest]
        let stale = all.flatMap(\.stale), torn = all.flatMap(\.torn), wrong = all.flatMap(\.wrong)
        let reads = all.map(\.reads).reduce(0, +), notModified = all.map(\.notModified).reduce(0, +)
        let cut = all.map(\.connectionErrors).reduce(0, +)
        print("CONSISTENCY-REPORT chaos backend=\(backend) seconds=\(Int(seconds)) kills=\(killed.count) writes=\(step) " +
              "registered=\(final.registered) write_connection_errors=\(writeErrors) retried=\(retried) reads=\(reads) " +
              "not_modified=\(notModified) read_connection_errors=\(cut) stale=\(stale.count) torn=\(torn.count) wrong=\(wrong.count)")

        XCTAssertTrue(server.isRunning, "the supervisor died")
        XCTAssertGreaterThanOrEqual(killed.count, 2)
        XCTAssertGreaterThan(final.registered, 5, "too few writes to mean anything")
        XCTAssertGreaterThan(reads, 100, "too few reads to mean anything")
        XCTAssertEqual(stale.count, 0, "stale answers:\n" + stale.prefix(20).joined(separator: "\n") +
                       "\nworkers killed: \(killed)\nwrites cut by a kill and retried: \(retried)")
        XCTAssertEqual(torn.count, 0, "torn answers:\n" + torn.prefix(20).joined(separator: "\n"))
        XCTAssertEqual(wrong.count, 0, "answers other than 200/304 or a cut connection:\n" + wrong.prefix(20).joined(separator: "\n"))
        XCTAssertEqual(try server.stop(), 0)
    }
}

// MARK: - the expected state of the read-your-writes run

/// The models of one namespace as the acknowledged writes left them, and the summaries of the
/// answers that show it (a read is right when its summary equals the expected one).
struct ExpectedRegistry {
    struct Version {
        var title: String
        var deprecated = false
        var message: String?
    }

    let namespace: String
    let models: [String]
    var versions: [String: [Int: Version]]
    var nextMinor: [String: Int]
    var everRegistered: [String: Set<Int>]

    init(namespace: String, models: [String]) {
        self.namespace = namespace
        self.models = models
        versions = Dictionary(uniqueKeysWithValues: models.map { ($0, [:]) })
        nextMinor = Dictionary(uniqueKeysWithValues: models.map { ($0, 0) })
        everRegistered = Dictionary(uniqueKeysWithValues: models.map { ($0, []) })
    }

    func path(_ model: String, _ minor: Int) -> String { "/schemas/\(namespace)/\(model)/versions/1.\(minor).0" }
    func minors(_ model: String) -> [Int] { versions[model]!.keys.sorted() }
    func deletedMinors(_ model: String) -> [Int] { everRegistered[model]!.subtracting(versions[model]!.keys).sorted() }

    mutating func register(_ model: String, _ minor: Int, title: String) {
        versions[model]![minor] = Version(title: title)
        everRegistered[model]!.insert(minor)
        nextMinor[model] = max(nextMinor[model]!, minor + 1)
    }

    static func body(version: String, title: String) -> String {
        #"{"version":"\#(version)","json_schema":{"type":"object","title":"\#(title)"},"registered_by":"ryw"}"#
    }

    // Expected summaries.

    func versionSummary(_ model: String, _ minor: Int) -> String {
        guard let version = versions[model]![minor] else { return "404" }
        return Self.summary(namespace: namespace, model: model, version: "1.\(minor).0", title: version.title,
                            deprecated: version.deprecated, deprecatedAtSet: version.deprecated, message: version.message)
    }

    func latestSummary(_ model: String) -> String {
        guard let minor = minors(model).last else { return "404" }
        return versionSummary(model, minor)
    }

    func versionsSummary(_ model: String) -> String {
        let list = minors(model)
        return list.isEmpty ? "404" : "200 " + list.map { "1.\($0).0" }.joined(separator: ",")
    }

    func listingSummary() -> String {
        let present = models.filter { !versions[$0]!.isEmpty }.sorted()
        return "200 total_count=\(present.count) " + present.map { model in
            let list = minors(model)
            let deprecated = list.filter { versions[model]![$0]!.deprecated }
            return "\(model):[\(list.map { "1.\($0).0" }.joined(separator: ","))] latest=1.\(list.last!).0 " +
                "deprecated=[\(deprecated.map { "1.\($0).0" }.joined(separator: ","))]"
        }.joined(separator: "; ")
    }

    // Summaries of answers.

    static func summary(namespace: String?, model: String?, version: String?, title: String?, deprecated: Bool?,
                        deprecatedAtSet: Bool, message: String?) -> String {
        "200 \(namespace ?? "nil")::\(model ?? "nil")@\(version ?? "nil") title=\(title ?? "nil") deprecated=\(deprecated.map(String.init) ?? "nil") " +
            "deprecated_at=\(deprecatedAtSet ? "set" : "null") message=\(message ?? "null")"
    }

    static func summarizeVersion(_ response: HTTPClientResponse) -> String {
        guard response.status == 200 else { return response.status == 404 ? "404" : "\(response.status) \(response.text)" }
        guard let body = try? response.json() else { return "200 unparsable: \(response.text)" }
        return summary(namespace: body["namespace"]?.stringValue, model: body["model_name"]?.stringValue,
                       version: body["version"]?.stringValue, title: body["json_schema"]?["title"]?.stringValue,
                       deprecated: body["deprecated"]?.boolValue, deprecatedAtSet: body["deprecated_at"]?.stringValue != nil,
                       message: body["deprecation_message"]?.stringValue)
    }

    static func summarizeVersions(_ response: HTTPClientResponse) -> String {
        guard response.status == 200 else { return response.status == 404 ? "404" : "\(response.status) \(response.text)" }
        guard let list = try? response.json()["versions"]?.arrayValue else { return "200 unparsable: \(response.text)" }
        return "200 " + list.map { $0.stringValue ?? "?" }.joined(separator: ",")
    }

    static func summarizeListing(_ response: HTTPClientResponse) -> String {
        guard response.status == 200, let body = try? response.json(), let items = body["schemas"]?.arrayValue else {
            return "\(response.status) \(response.text)"
        }
        func minor(_ version: String) -> Int { Int(version.split(separator: ".").dropFirst().first ?? "") ?? -1 }
        let models = items.sorted { ($0["model_name"]?.stringValue ?? "") < ($1["model_name"]?.stringValue ?? "") }
        return "200 total_count=\(body["total_count"]?.intValue.map(String.init) ?? "nil") " + models.map { item in
            let list = item["versions"]?.arrayValue?.compactMap(\.stringValue) ?? []
            let deprecated = (item["deprecated_versions"]?.arrayValue?.compactMap(\.stringValue) ?? []).sorted { minor($0) < minor($1) }
            return "\(item["model_name"]?.stringValue ?? "nil"):[\(list.joined(separator: ","))] " +
                "latest=\(item["latest_version"]?.stringValue ?? "nil") deprecated=[\(deprecated.joined(separator: ","))]"
        }.joined(separator: "; ")
    }
}

// MARK: - chaos: the writer's ledger and the readers

/// What the writer has had answered so far.
final class ChaosLedger {
    struct State {
        /// Latest is 1.<registered>.0; 0.0.1's title is t<overwritten>; 0.0.2's message d<deprecated>.
        var registered = 0
        var overwritten = 0
        var deprecated = 0
        /// Minors of 1.x.0 deleted.
        var deleted: Set<Int> = []
    }

    private let lock = NSLock()
    private var state = State()
    let started = Date()

    /// Seconds since the ledger was made, for lining up stale answers with the writes around them.
    var clock: String { String(format: "t=%.3f s", Date().timeIntervalSince(started)) }

    var snapshot: State { lock.withLock { state } }

    func acknowledge(_ change: (inout State) -> Void) { lock.withLock { change(&state) } }
}

/// Strings appended from several threads.
final class LockedList {
    private let lock = NSLock()
    private var entries: [String] = []
    func append(_ entry: String) { lock.withLock { entries.append(entry) } }
    var items: [String] { lock.withLock { entries } }
}

/// Reads the chaos model's routes in a loop, each on a fresh connection, half of them with the
/// ETag it last saw; every answer is checked against the ledger as it was before the request.
final class ChaosReader {
    let server: ServerProcess
    let base: String
    let ledger: ChaosLedger
    private var random: SeededGenerator
    private let lock = NSLock()
    private var running = false
    private var thread: Thread?
    private let done = DispatchSemaphore(value: 0)
    /// Per path: the last ETag seen and what its body said.
    private var seen: [String: (etag: String, body: HTTPClientResponse)] = [:]

    private(set) var reads = 0
    private(set) var notModified = 0
    private(set) var connectionErrors = 0
    private(set) var stale: [String] = []
    private(set) var torn: [String] = []
    private(set) var wrong: [String] = []

    init(server: ServerProcess, base: String, ledger: ChaosLedger, seed: UInt64) {
        self.server = server
        self.base = base
        self.ledger = ledger
        random = SeededGenerator(seed: seed)
    }

    func start() {
        running = true
        let thread = Thread { [self] in
            while lock.withLock({ running }) { readOnce() }
            done.signal()
        }
        self.thread = thread
        thread.start()
    }

    func stop() {
        lock.withLock { running = false }
        done.wait()
    }

    func readOnce() {
        let paths = [base + "/latest", base + "/0.0.1", base + "/0.0.2", base, "/schemas?namespace=chaos&include_deprecated=true"]
        let path = paths[Int(random.next() % UInt64(paths.count))]
        let conditional = random.next() % 2 == 0 ? seen[path] : nil
        let before = ledger.snapshot
        let response: HTTPClientResponse
        do {
            response = try SimpleHTTPClient.request("GET", server.baseURL + path,
                                                    headers: conditional.map { [("If-None-Match", $0.etag)] } ?? [], timeout: 30)
        } catch {
            connectionErrors += 1   // the worker was killed under the request
            return
        }
        reads += 1
        var answer = response
        switch response.status {
        case 200:
            if let length = response.header("Content-Length").flatMap(Int.init), length != response.body.count {
                connectionErrors += 1   // cut off by the kill: a short read, not an answer
                return
            }
            if let etag = response.header("ETag") { seen[path] = (etag, response) }
        case 304:
            notModified += 1
            guard let conditional else { return wrong.append("GET \(path) without If-None-Match: 304") }
            guard response.header("ETag") == conditional.etag else {
                return wrong.append("GET \(path) If-None-Match \(conditional.etag): 304 with ETag \(response.header("ETag") ?? "none")")
            }
            answer = conditional.body   // 304 says: what you hold is current
        default:
            return wrong.append("GET \(path): \(response.status) \(response.text)")
        }
        guard let body = try? answer.json() else { return torn.append("GET \(path): unparsable 200 body: \(answer.text)") }
        let how = response.status == 304 ? "304 for \(conditional!.etag) standing for" : "200"
        func minor(_ version: String?) -> Int? {
            guard let parts = version?.split(separator: "."), parts.count == 3, parts[0] == "1" else { return nil }
            return Int(parts[1])
        }
        func number(_ text: String?, prefix: Character) -> Int? {
            guard let text, text.first == prefix else { return nil }
            return Int(text.dropFirst())
        }
        let fields = ["id", "namespace", "model_name", "version", "json_schema", "avro_schema", "registered_at", "registered_by",
                      "meta", "deprecated", "deprecated_at", "deprecation_message"]
        switch path {
        case base + "/latest", base + "/0.0.1", base + "/0.0.2":
            guard body.objectValue?.keys == fields, body["model_name"] == "orders", body["namespace"] == "chaos" else {
                return torn.append("GET \(path): \(how) \(answer.text)")
            }
            if path.hasSuffix("/latest") {
                guard let seenMinor = minor(body["version"]?.stringValue), body["json_schema"]?["title"]?.stringValue == "r\(seenMinor)" else {
                    return torn.append("GET \(path): \(how) \(answer.text)")
                }
                if seenMinor < before.registered {
                    stale.append("\(ledger.clock) GET \(path): \(how) latest 1.\(seenMinor).0, but 1.\(before.registered).0 was acknowledged before the request")
                }
            } else if path.hasSuffix("0.0.1") {
                guard let n = number(body["json_schema"]?["title"]?.stringValue, prefix: "t") else { return torn.append("GET \(path): \(how) \(answer.text)") }
                if n < before.overwritten { stale.append("\(ledger.clock) GET \(path): \(how) title t\(n), but t\(before.overwritten) was acknowledged before the request") }
            } else {
                guard body["deprecated"] == true, let n = number(body["deprecation_message"]?.stringValue, prefix: "d") else {
                    return torn.append("GET \(path): \(how) \(answer.text)")
                }
                if n < before.deprecated { stale.append("\(ledger.clock) GET \(path): \(how) message d\(n), but d\(before.deprecated) was acknowledged before the request") }
            }
        case base:
            guard body.objectValue?.keys == ["versions"], let list = body["versions"]?.arrayValue?.compactMap(\.stringValue),
                  list.starts(with: ["0.0.1", "0.0.2"]) else { return torn.append("GET \(path): \(how) \(answer.text)") }
            let minors = list.compactMap(minor)
            let gone = Set(minors).intersection(before.deleted)
            if (minors.max() ?? -1) < before.registered || !gone.isEmpty {
                stale.append("\(ledger.clock) GET \(path): \(how) \(list), but 1.\(before.registered).0 was registered and \(gone.sorted()) deleted before the request")
            }
        default:
            guard body.objectValue?.keys == ["schemas", "total", "limit", "offset", "total_count"], body["total_count"] == 1,
                  let item = body["schemas"]?.arrayValue?.first, item["model_name"] == "orders",
                  let list = item["versions"]?.arrayValue?.compactMap(\.stringValue) else {
                return torn.append("GET \(path): \(how) \(answer.text)")
            }
            let minors = list.compactMap(minor)
            let gone = Set(minors).intersection(before.deleted)
            let latest = minor(item["latest_version"]?.stringValue) ?? -1
            if latest < before.registered || !gone.isEmpty {
                stale.append("\(ledger.clock) GET \(path): \(how) latest \(item["latest_version"] ?? .null), versions \(list), but 1.\(before.registered).0 was " +
                             "registered and \(gone.sorted()) deleted before the request")
            }
        }
    }
}

/// Reads a server's log from where it last stopped: which workers answered the requests whose
/// correlation ids start with a prefix.
final class LogCursor {
    private let server: ServerProcess
    private var offset: UInt64 = 0
    private var pending = ""
    private var workersByID: [String: pid_t] = [:]

    init(_ server: ServerProcess) { self.server = server }

    func workers(forPrefix prefix: String) -> Set<pid_t> {
        if let handle = try? FileHandle(forReadingFrom: server.logFile) {
            defer { try? handle.close() }
            try? handle.seek(toOffset: offset)
            let data = handle.readDataToEndOfFile()
            offset += UInt64(data.count)
            pending += String(decoding: data, as: UTF8.self)
            var lines = pending.split(separator: "\n", omittingEmptySubsequences: false)
            pending = String(lines.removeLast())
            for line in lines where line.contains("request_completed") {
                guard let worker = line.range(of: "[worker "), let id = line.range(of: " correlation_id=") else { continue }
                if let pid = pid_t(line[worker.upperBound...].prefix { $0.isNumber }) {
                    workersByID[String(line[id.upperBound...].prefix { $0 != " " })] = pid
                }
            }
        }
        return Set(workersByID.filter { $0.key.hasPrefix(prefix) }.values)
    }
}
