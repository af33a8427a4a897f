import RegistryJSON

/// What a worker tells its supervisor over its control pipe (fd 4), one line per message:
///
///     booted                a successor, set up and waiting for SIGUSR1 to start accepting
///     ready                 serving; sent once
///     closed                draining: no longer accepting connections
///     beat {"requests":…}   alive, with its metrics; about once a second while every event loop turns
///     recycle               served MAX_REQUESTS: start my successor, then stop me
///
/// A worker that stops beating for WORKER_TIMEOUT seconds is killed and replaced.
public enum WorkerMessage: Equatable, Sendable {
    case booted
    case ready
    case listenerClosed
    case beat(MetricsSnapshot)
    case recycle

    public var line: [UInt8] {
        switch self {
        case .booted: return Array("booted\n".utf8)
        case .ready: return Array("ready\n".utf8)
        case .listenerClosed: return Array("closed\n".utf8)
        case .recycle: return Array("recycle\n".utf8)
        case .beat(let metrics):
            var bytes = Array("beat ".utf8)
            metrics.json.write(into: &bytes)   // JSON text never holds a raw newline
            bytes.append(UInt8(ascii: "\n"))
            return bytes
        }
    }

    /// Parses one line (without its newline); nil for anything unknown.
    public init?(line: ArraySlice<UInt8>) {
        if line.elementsEqual("booted".utf8) { self = .booted; return }
        if line.elementsEqual("ready".utf8) { self = .ready; return }
        if line.elementsEqual("closed".utf8) { self = .listenerClosed; return }
        if line.elementsEqual("recycle".utf8) { self = .recycle; return }
        guard line.starts(with: "beat ".utf8),
              let json = try? JSONParser.parse(bytes: line.dropFirst(5)),
              let metrics = MetricsSnapshot(json: json) else { return nil }
        self = .beat(metrics)
    }
}
