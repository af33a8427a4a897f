import ArgumentParser
import CShim
import Foundation
import Logging
import RegistryRuntime

struct ServeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Start the registry: a supervisor and its worker processes.",
        discussion: "Defaults come from PYRMUTE_REGISTRY_* variables and .env. -h means --host, as in the reference; use --help for help.",
        helpNames: [.long])

    @Option(name: [.customShort("h"), .long], help: "Bind address (default 0.0.0.0).") var host: String?
    @Option(name: .shortAndLong, help: "Port (default 8000).") var port: Int?
    @Flag(name: .long, help: "Restart workers when the worker binary changes (forces one worker).") var reload = false
    @Option(name: .shortAndLong, help: "Worker processes (default 1).") var workers: Int?
    @Option(name: .long, help: "DEBUG, INFO, WARNING, ERROR or CRITICAL.") var logLevel: String?
    @Flag(name: .long, inversion: .prefixedNo, help: "Log one line per request.") var accessLog = true
    @Option(name: .long, help: "Port of the supervisor's liveness listener (0 = off; default 8001).") var supervisorPort: Int?

    func run() throws {
        // Before any thread exists, so that every thread inherits the mask and the arbiter alone
        // takes these signals with sigtimedwait.
        let signals = SignalSet()
        signals.block()
        pyrmute_line_buffer_stdout()

        try validateFlags()
        var settings = try loadSettings()
        let overrides = apply(to: &settings)
        let flags = self
        let reloadSettings = { () throws -> Settings in
            var fresh = try SettingsLoader().load()
            _ = flags.apply(to: &fresh)
            return fresh
        }

        LogSetup.bootstrap(settings, process: "supervisor")
        let logger = Logger(label: "pyrmute.supervisor")

        print("Starting \(settings.appName) v\(settings.appVersion)")
        print("Environment: \(settings.environment.rawValue)")
        print("Server: http://\(settings.host):\(settings.port)")
        print("Workers: \(settings.workers)")
        print("Reload: \(settings.reload ? "True" : "False")")
        if !settings.isProduction {
            print("Docs: http://\(settings.host):\(settings.port)/docs")
            print("ReDoc: http://\(settings.host):\(settings.port)/redoc")
        }
        if settings.supervisorPort != 0 {
            print("Supervisor: http://\(settings.effectiveSupervisorHost):\(settings.supervisorPort)/")
        }
        print("")

        let arbiter: Arbiter
        do {
            try DatabaseStartup.prepare(settings, logger: logger)
            let executable = try WorkerSpawner.locateWorker()
            try ListeningSocket.ensurePortIsFree(host: settings.host, port: settings.port)
            let sockets = try (0..<settings.workers).map { _ in try ListeningSocket.open(host: settings.host, port: settings.port) }
            var liveness: LivenessServer?
            if settings.supervisorPort != 0 {
                liveness = try LivenessServer(host: settings.effectiveSupervisorHost, port: settings.supervisorPort)
            }
            arbiter = Arbiter(
                settings: settings, reloadSettings: reloadSettings, sockets: sockets,
                spawner: WorkerSpawner(executable: executable, overrides: overrides, startedAt: .now()),
                signals: signals, liveness: liveness, watchBinary: settings.reload, logger: logger)
            liveness?.start()
        } catch {
            printError("\(error)")
            throw ExitCode.failure
        }
        let status = arbiter.run()
        if status != 0 { throw ExitCode(status) }
    }

    private func validateFlags() throws {
        if let port, !(1...65535).contains(port) { printError("Invalid --port \(port): expected 1-65535"); throw ExitCode.failure }
        if let workers, !(1...512).contains(workers) { printError("Invalid --workers \(workers): expected 1-512"); throw ExitCode.failure }
        if let logLevel, Settings.LogLevel(rawValue: logLevel.uppercased()) == nil {
            printError("Invalid --log-level \(logLevel): expected DEBUG, INFO, WARNING, ERROR or CRITICAL")
            throw ExitCode.failure
        }
        if let supervisorPort, !(0...65535).contains(supervisorPort) {
            printError("Invalid --supervisor-port \(supervisorPort)")
            throw ExitCode.failure
        }
    }

    /// Puts the command line's flags over `settings` (from the environment and `.env`); returns
    /// them as `PYRMUTE_REGISTRY_*` variables for the workers, which read their settings themselves.
    private func apply(to settings: inout Settings) -> [String: String] {
        var overrides: [String: String] = [:]
        func override(_ name: String, _ value: String) { overrides[SettingsLoader.prefix + name] = value }
        if let host { settings.host = host; override("HOST", host) }
        if let port { settings.port = port; override("PORT", String(port)) }
        if let workers { settings.workers = workers }
        if reload { settings.reload = true }
        if settings.reload { settings.workers = 1 }
        override("WORKERS", String(settings.workers))
        if let level = logLevel.flatMap({ Settings.LogLevel(rawValue: $0.uppercased()) }) {
            settings.logLevel = level; override("LOG_LEVEL", level.rawValue)
        }
        if !accessLog { settings.enableRequestLogging = false; override("ENABLE_REQUEST_LOGGING", "false") }
        if let supervisorPort { settings.supervisorPort = supervisorPort }
        return overrides
    }
}
