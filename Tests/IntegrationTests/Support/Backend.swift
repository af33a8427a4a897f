import Foundation

/// The two databases every backend-facing test runs against.
enum Backend: String, CaseIterable {
    case sqlite, postgres

    /// A fresh, empty database for one test.
    func freshDatabaseURL() throws -> String {
        switch self {
        case .sqlite:
            return "sqlite:///" + Paths.temporaryDirectory("sqlite").appendingPathComponent("registry.db").path
        case .postgres:
            return try PostgresCluster.shared().createDatabase()
        }
    }

    /// What `/health` reports as the database type.
    var scheme: String { self == .sqlite ? "sqlite" : "postgresql" }
}
