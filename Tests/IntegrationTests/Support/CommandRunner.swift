import Foundation

/// Runs a program to completion and returns its exit status and combined output.
struct CommandResult {
    let status: Int32
    let output: String
}

enum CommandRunner {
    static func run(_ executable: String, _ arguments: [String], environment: [String: String] = [:],
                    directory: URL? = nil, input: String? = nil, timeout: Double = 60) throws -> CommandResult {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.environment = TestEnvironment.base.merging(environment) { _, new in new }
        if let directory { process.currentDirectoryURL = directory }
        let outputFile = Paths.temporaryDirectory("out").appendingPathComponent("output")
        FileManager.default.createFile(atPath: outputFile.path, contents: nil)
        let handle = try FileHandle(forWritingTo: outputFile)
        process.standardOutput = handle
        process.standardError = handle
        let stdin = Pipe()
        process.standardInput = stdin
        try process.run()
        if let input { stdin.fileHandleForWriting.write(Data(input.utf8)) }
        try? stdin.fileHandleForWriting.close()
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning, Date() < deadline { usleep(10_000) }
        if process.isRunning { process.terminate(); process.waitUntilExit() }
        try handle.close()
        let output = (try? String(contentsOf: outputFile, encoding: .utf8)) ?? ""
        return CommandResult(status: process.terminationStatus, output: output)
    }

    /// `pyrmute-registry ARGS`.
    static func cli(_ arguments: [String], environment: [String: String] = [:], directory: URL? = nil,
                    input: String? = nil) throws -> CommandResult {
        try run(Paths.cli, arguments, environment: environment, directory: directory, input: input)
    }
}

enum TestEnvironment {
    /// The test process's environment without any PYRMUTE_REGISTRY_* setting, so that tests
    /// see defaults unless they set something.
    static let base: [String: String] = ProcessInfo.processInfo.environment.filter {
        !$0.key.uppercased().hasPrefix("PYRMUTE_REGISTRY_")
    }
}
