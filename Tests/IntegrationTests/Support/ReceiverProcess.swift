import Foundation

/// Starts one of the tests' Python receivers (`Tests/IntegrationTests/python/SCRIPT PORT DIR`),
/// its output in DIR/receiver.log, and waits until it logs `ready`.
enum ReceiverProcess {
    static func launch(_ script: String, port: Int, directory: URL, what: String) throws -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: WebhookReceiver.python)
        process.arguments = [Paths.repositoryRoot.appendingPathComponent("Tests/IntegrationTests/python/\(script)").path,
                             String(port), directory.path]
        let log = directory.appendingPathComponent("receiver.log")
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        let handle = try FileHandle(forWritingTo: log)
        process.standardOutput = handle
        process.standardError = handle
        try process.run()
        let deadline = Date().addingTimeInterval(15)
        while Date() < deadline {
            if (try? String(contentsOf: log, encoding: .utf8))?.contains("ready") == true { return process }
            usleep(20_000)
        }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        throw TestTimeout(what: what)
    }
}
