import CShim
import Foundation
import RegistryJSON
import RegistryRuntime

/// Starts `pyrmute-registry-worker` processes with posix_spawn and the `WorkerHandshake`: the
/// slot's socket and the write end of its control pipe as the agreed descriptors, the handshake's
/// variables, a clean signal mask and dispositions.
struct WorkerSpawner {
    let executable: String
    /// Settings the CLI flags override, passed down as `PYRMUTE_REGISTRY_*` variables.
    var overrides: [String: String]
    let startedAt: Timestamp
    /// Shared with every worker as fd 5: a write on one is seen by the others at once, and their
    /// SQLite writers queue on one gate.
    var region: SharedRegion? = SharedRegion.create()

    /// The worker binary beside this executable, unless `PYRMUTE_REGISTRY_WORKER_BINARY` names one.
    static func locateWorker() throws -> String {
        if let path = ProcessInfo.processInfo.environment["PYRMUTE_REGISTRY_WORKER_BINARY"], !path.isEmpty {
            guard access(path, X_OK) == 0 else { throw SocketError(description: "worker binary not executable: \(path)") }
            return path
        }
        let me = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        let path = URL(fileURLWithPath: me).deletingLastPathComponent().appendingPathComponent("pyrmute-registry-worker").path
        guard access(path, X_OK) == 0 else {
            throw SocketError(description: "worker binary not found at \(path) (set PYRMUTE_REGISTRY_WORKER_BINARY)")
        }
        return path
    }

    /// A `held` worker boots, says `booted` and waits for SIGUSR1 before it accepts (handover).
    func spawn(slot: Int, socket: ListeningSocket, held: Bool) throws -> WorkerChild {
        var fds: [Int32] = [0, 0]
        guard pyrmute_pipe_cloexec_nonblock(&fds) == 0 else {
            throw SocketError(description: "pipe: \(String(cString: strerror(errno)))")
        }
        defer { close(fds[1]) }

        var environment = ProcessInfo.processInfo.environment
        environment["NOTIFY_SOCKET"] = nil   // the supervisor speaks to systemd; workers do not
        for (name, value) in overrides { environment[name] = value }
        WorkerHandshake(slot: slot, supervisorPID: getpid(), startedAt: startedAt, held: held,
                        sharesRegion: region?.descriptor != nil).apply(to: &environment)

        let arguments: [String] = [executable, "--slot", String(slot)]
        let argv: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) } + [nil]
        let envp: [UnsafeMutablePointer<CChar>?] = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { (argv + envp).forEach { free($0) } }

        var pid: pid_t = 0
        let rc = pyrmute_spawn(executable, argv, envp, socket.fd, fds[1], region?.descriptor ?? -1, &pid)
        guard rc == 0 else {
            close(fds[0])
            throw SocketError(description: "posix_spawn \(executable): \(String(cString: strerror(rc)))")
        }
        return WorkerChild(pid: pid, slotIndex: slot, control: ControlPipe(fd: fds[0]))
    }
}
