import Foundation

/// Where the repository and the built executables are.
enum Paths {
    static let repositoryRoot: URL = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<4 { url.deleteLastPathComponent() }   // Support, IntegrationTests, Tests, root
        return url
    }()

    /// The folder holding `pyrmute-registry` and `pyrmute-registry-worker`: the test bundle's own.
    static let binaries: URL = {
        if let dir = ProcessInfo.processInfo.environment["PYRMUTE_TEST_BIN_DIR"] {
            return URL(fileURLWithPath: dir)
        }
        let exe = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        var url = URL(fileURLWithPath: exe).deletingLastPathComponent()
        while !FileManager.default.fileExists(atPath: url.appendingPathComponent("pyrmute-registry").path),
              url.path != "/" {
            url.deleteLastPathComponent()
        }
        return url
    }()

    static var cli: String { binaries.appendingPathComponent("pyrmute-registry").path }
    static var pgCluster: String { repositoryRoot.appendingPathComponent("scripts/pg-cluster.sh").path }

    static func temporaryDirectory(_ prefix: String) -> URL {
        let url = URL(fileURLWithPath: NSTemporaryDirectory())
            .appendingPathComponent("pyrmute-\(prefix)-\(UUID().uuidString.prefix(8))")
        try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }
}
