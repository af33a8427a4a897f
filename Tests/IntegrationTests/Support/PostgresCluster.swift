import Foundation
import RegistryStorage
import XCTest

/// A throwaway PostgreSQL server started with scripts/pg-cluster.sh. One shared cluster serves
/// the suite (a fresh database per test); tests that stop the server start one of their own.
final class PostgresCluster {
    let directory: URL
    let port: Int
    let adminURL: String

    private init(directory: URL, port: Int, adminURL: String) {
        self.directory = directory
        self.port = port
        self.adminURL = adminURL
    }

    static func start(directory: URL = Paths.temporaryDirectory("pg"), port: Int = FreePort.next()) throws -> PostgresCluster {
        let result = try CommandRunner.run("/bin/bash", [Paths.pgCluster, "start", directory.path, String(port)], timeout: 120)
        guard result.status == 0, let url = result.output.split(separator: "\n").last(where: { $0.hasPrefix("postgresql://") }) else {
            throw PostgresUnavailable(reason: "pg-cluster.sh start failed (\(result.status)): \(result.output)")
        }
        return PostgresCluster(directory: directory, port: port, adminURL: String(url))
    }

    func stop() throws {
        let result = try CommandRunner.run("/bin/bash", [Paths.pgCluster, "stop", directory.path], timeout: 60)
        guard result.status == 0 else { throw PostgresUnavailable(reason: "pg-cluster.sh stop failed: \(result.output)") }
    }

    /// Stops the server and deletes its files (a cluster holds tens of megabytes; a run starts
    /// several).
    func discard() {
        try? stop()
        try? FileManager.default.removeItem(at: directory)
    }

    func restart() throws {
        let result = try CommandRunner.run("/bin/bash", [Paths.pgCluster, "start", directory.path, String(port)], timeout: 120)
        guard result.status == 0 else { throw PostgresUnavailable(reason: "pg-cluster.sh start failed: \(result.output)") }
    }

    /// A new, empty database; returns its URL.
    func createDatabase() throws -> String {
        let name = "t_" + UUID().uuidString.prefix(12).lowercased().replacingOccurrences(of: "-", with: "")
        let admin = try PostgresConnection(uri: adminURL)
        defer { admin.close() }
        try admin.executeScript("CREATE DATABASE \(name)")   // name is generated above, not input
        return "postgresql://postgres@127.0.0.1:\(port)/\(name)"
    }

    // MARK: - the suite's shared cluster

    private static var sharedResult: Result<PostgresCluster, Error>?

    /// The shared cluster; skips the test when PostgreSQL cannot start, unless the run demands
    /// PostgreSQL (`PYRMUTE_TEST_REQUIRE_POSTGRES=1`, as scripts/test.sh and CI set), then fails.
    static func shared() throws -> PostgresCluster {
        if sharedResult == nil {
            sharedResult = Result { try start() }
            if case .success = sharedResult! {
                atexit { if case .success(let cluster)? = PostgresCluster.sharedResult { cluster.discard() } }
            }
        }
        switch sharedResult! {
        case .success(let cluster): return cluster
        case .failure(let error):
            if ProcessInfo.processInfo.environment["PYRMUTE_TEST_REQUIRE_POSTGRES"] == "1" { throw error }
            throw XCTSkip("PostgreSQL unavailable: \(error)")
        }
    }
}

struct PostgresUnavailable: Error, CustomStringConvertible {
    let reason: String
    var description: String { reason }
}
