#if canImport(Glibc)
// Before Foundation, which re-exports it: `stdout` is a C global that Swift 6 cannot prove safe.
@preconcurrency import Glibc
#endif
import Foundation
import Logging
import RegistryJSON

/// Log lines on stdout: `console` (human) or `json` (one object per line, forced in production).
public enum LogSetup {
    /// `output` receives every formatted line (the worker batches the lines of one event-loop tick).
    /// `metadataProvider`: metadata of the current context added to every line (with tracing on,
    /// `trace_id` and `span_id` of the request a thread-pool thread works for).
    public static func bootstrap(_ settings: Settings, process: String, output: any LogLineOutput = StandardOutput(),
                                 metadataProvider: Logger.MetadataProvider? = nil) {
        let json = settings.logFormat == .json || settings.isProduction
        let level = logLevel(settings.logLevel)
        let pid = Int(getpid())
        LoggingSystem.bootstrap({ label, provider in
            var handler = LineLogHandler(label: label, process: process, pid: pid, json: json, output: output)
            handler.logLevel = level
            handler.metadataProvider = provider
            return handler
        }, metadataProvider: metadataProvider)
    }

    public static func logLevel(_ level: Settings.LogLevel) -> Logger.Level {
        switch level {
        case .DEBUG: return .debug
        case .INFO: return .info
        case .WARNING: return .warning
        case .ERROR: return .error
        case .CRITICAL: return .critical
        }
    }
}

public struct LineLogHandler: LogHandler {
    public var metadata: Logger.Metadata = [:]
    public var logLevel: Logger.Level = .info
    public var metadataProvider: Logger.MetadataProvider?
    let label: String
    let process: String
    let pid: Int
    let json: Bool
    let output: any LogLineOutput

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        let level = event.level, message = event.message
        var all = metadata
        if let provided = metadataProvider?.get(), !provided.isEmpty { all.merge(provided) { current, _ in current } }
        if let explicit = event.metadata { all.merge(explicit) { _, new in new } }
        if let error = event.error { all["error"] = "\(error)" }
        let time = Timestamp.now().isoZulu
        var text: String
        if json {
            var object = JSONObject()
            object["timestamp"] = .string(time)
            object["level"] = .string(level.rawValue)
            object["event"] = .string(message.description)
            object["process"] = .string(process)
            object["pid"] = .int(pid)
            for key in all.keys.sorted() { object[key] = .string(all[key]!.description) }
            text = JSONValue.object(object).serialized()
        } else {
            text = "\(time) \(level.rawValue.uppercased()) [\(process) \(pid)] \(message)"
            for key in all.keys.sorted() { text += " \(key)=\(all[key]!)" }
        }
        text += "\n"
        output.write(text, urgent: level >= .warning)
    }
}

/// Where formatted log lines go.
public protocol LogLineOutput: Sendable {
    /// `line` ends with a newline. `urgent` lines (warnings and worse) must not wait.
    func write(_ line: String, urgent: Bool)
}

/// stdout, line-buffered (`pyrmute_line_buffer_stdout`): each line reaches the pipe or journald at once.
public struct StandardOutput: LogLineOutput {
    public init() {}

    public func write(_ line: String, urgent: Bool) { fputs(line, stdout) }
}
