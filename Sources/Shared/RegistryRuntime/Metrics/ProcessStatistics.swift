import Foundation

/// What Prometheus client libraries export as `process_*`, read from `/proc/<pid>` (Linux): the
/// supervisor reads it for itself and for each worker when it renders `/metrics`.
public struct ProcessStatistics: Sendable, Equatable {
    public var cpuSeconds: Double
    public var residentBytes: Double
    public var virtualBytes: Double
    public var openFileDescriptors: Double
    public var maximumFileDescriptors: Double
    /// Unix seconds.
    public var startTime: Double

    /// Nil when the process is gone or `/proc` is unreadable.
    public static func read(pid: Int32) -> ProcessStatistics? {
        let directory = "/proc/\(pid)"
        guard let stat = try? String(contentsOfFile: directory + "/stat", encoding: .utf8),
              let fields = fieldsAfterCommand(stat), fields.count > 21 else { return nil }
        let ticks = Double(sysconf(Int32(_SC_CLK_TCK)))
        let page = Double(sysconf(Int32(_SC_PAGESIZE)))
        // Fields counted from 1 in proc(5); `fields[0]` is field 3 (state).
        func field(_ number: Int) -> Double { Double(fields[number - 3]) ?? 0 }
        let descriptors = (try? FileManager.default.contentsOfDirectory(atPath: directory + "/fd").count) ?? 0
        return ProcessStatistics(
            cpuSeconds: (field(14) + field(15)) / ticks,
            residentBytes: field(24) * page,
            virtualBytes: field(23),
            openFileDescriptors: Double(descriptors),
            maximumFileDescriptors: openFilesLimit(directory) ?? 0,
            startTime: bootTime() + field(22) / ticks)
    }

    /// The fields after `(command)`, which may itself hold spaces and parentheses.
    private static func fieldsAfterCommand(_ stat: String) -> [Substring]? {
        guard let close = stat.lastIndex(of: ")") else { return nil }
        return stat[stat.index(after: close)...].split(separator: " ", omittingEmptySubsequences: true)
    }

    /// The soft limit of `Max open files` in `/proc/<pid>/limits`.
    private static func openFilesLimit(_ directory: String) -> Double? {
        guard let limits = try? String(contentsOfFile: directory + "/limits", encoding: .utf8) else { return nil }
        for line in limits.split(separator: "\n") where line.hasPrefix("Max open files") {
            let words = line.dropFirst("Max open files".count).split(separator: " ")
            return words.first.flatMap { Double($0) }
        }
        return nil
    }

    /// `btime` of `/proc/stat`: when the machine booted (unix seconds).
    private static func bootTime() -> Double {
        guard let stat = try? String(contentsOfFile: "/proc/stat", encoding: .utf8) else { return 0 }
        for line in stat.split(separator: "\n") where line.hasPrefix("btime ") {
            return Double(line.dropFirst(6).trimmingCharacters(in: .whitespaces)) ?? 0
        }
        return 0
    }
}
