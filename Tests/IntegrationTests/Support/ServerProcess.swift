import Foundation
import RegistryJSON
import RegistryRuntime
import XCTest

/// `pyrmute-registry serve` running for real on loopback ports of its own.
final class ServerProcess {
    let port: Int
    let supervisorPort: Int
    let databaseURL: String
    let directory: URL
    let logFile: URL
    private let process: Process

    var baseURL: String { "http://127.0.0.1:\(port)" }

    /// `dotEnv` is written to `.env` in the server's directory before it starts; with
    /// `workersFlag` false, the worker count comes from the settings, not `--workers`.
    /// `launcher` runs the server through another program that execs it (say `setpriv … --`,
    /// to serve as an unprivileged user); the supervisor keeps the launcher's pid.
    init(databaseURL: String, workers: Int = 2, environment: [String: String] = [:], arguments: [String] = [],
         waitForWorkers: Bool = true, dotEnv: String? = nil, workersFlag: Bool = true, launcher: [String] = []) throws {
        self.databaseURL = databaseURL
        port = FreePort.next()
        supervisorPort = FreePort.next()
        directory = Paths.temporaryDirectory("server")
        logFile = directory.appendingPathComponent("server.log")
        FileManager.default.createFile(atPath: logFile.path, contents: nil)
        if let dotEnv { try dotEnv.write(to: directory.appendingPathComponent(".env"), atomically: true, encoding: .utf8) }
        let handle = try FileHandle(forWritingTo: logFile)
        process = Process()
        let serve = ["serve", "--host", "127.0.0.1", "--port", String(port)]
            + (workersFlag ? ["--workers", String(workers)] : []) + arguments
        process.executableURL = URL(fileURLWithPath: launcher.first ?? Paths.cli)
        process.arguments = launcher.isEmpty ? serve : Array(launcher.dropFirst()) + [Paths.cli] + serve
        process.environment = TestEnvironment.base.merging([
            "PYRMUTE_REGISTRY_DATABASE_URL": databaseURL,
            "PYRMUTE_REGISTRY_SUPERVISOR_PORT": String(supervisorPort),
            "PYRMUTE_REGISTRY_SUPERVISOR_HOST": "127.0.0.1",
            "PYRMUTE_REGISTRY_GRACEFUL_TIMEOUT": "10",
        ].merging(environment) { _, new in new }) { _, new in new }
        process.currentDirectoryURL = directory
        process.standardOutput = handle
        process.standardError = handle
        try process.run()
        if waitForWorkers {
            try waitUntil("all \(workers) workers running", timeout: 20) {
                (try? self.liveness())?["workers_running"]?.intValue == workers
            }
        }
    }

    deinit {
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)   // workers follow through PR_SET_PDEATHSIG
            process.waitUntilExit()
        }
    }

    var supervisorPID: pid_t { process.processIdentifier }
    var isRunning: Bool { process.isRunning }
    var log: String { (try? String(contentsOf: logFile, encoding: .utf8)) ?? "" }

    func request(_ method: String, _ path: String, headers: [(String, String)] = [],
                 body: [UInt8]? = nil) throws -> HTTPClientResponse {
        try SimpleHTTPClient.request(method, baseURL + path, headers: headers, body: body, timeout: 10)
    }

    func request(_ path: String, headers: [(String, String)] = []) throws -> HTTPClientResponse {
        try request("GET", path, headers: headers)
    }

    /// The supervisor's liveness document.
    func liveness() throws -> JSONValue {
        try SimpleHTTPClient.request("GET", "http://127.0.0.1:\(supervisorPort)/", timeout: 2).json()
    }

    func livenessStatus() throws -> Int {
        try SimpleHTTPClient.request("GET", "http://127.0.0.1:\(supervisorPort)/", timeout: 2).status
    }

    /// Worker pids by slot, from the liveness document.
    func workerPIDs() throws -> [pid_t] {
        try liveness()["slots"]?.arrayValue?.compactMap { $0["pid"]?.intValue.map { pid_t($0) } } ?? []
    }

    /// Sends `signal` to the supervisor and waits for it to exit; returns its exit status.
    @discardableResult
    func stop(signal: Int32 = SIGTERM, timeout: Double = 30) throws -> Int32 {
        kill(process.processIdentifier, signal)
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning, Date() < deadline { usleep(10_000) }
        guard !process.isRunning else { throw TestTimeout(what: "supervisor exit after signal \(signal)") }
        return process.terminationStatus
    }

    func waitUntil(_ what: String, timeout: Double, poll: Double = 0.02, _ condition: () throws -> Bool) throws {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if (try? condition()) == true { return }
            if !process.isRunning { throw TestTimeout(what: "\(what): the server exited early. Log:\n\(log)") }
            usleep(useconds_t(poll * 1_000_000))
        }
        throw TestTimeout(what: "\(what) within \(timeout) s. Log:\n\(log)")
    }
}

struct TestTimeout: Error, CustomStringConvertible {
    let what: String
    var description: String { "timed out waiting for \(what)" }
}
