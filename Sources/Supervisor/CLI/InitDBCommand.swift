import ArgumentParser
import RegistryStorage

struct InitDBCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "init-db",
        abstract: "Create the tables and apply pending migrations (idempotent).")

    @Option(name: .long, help: "Database URL (default: PYRMUTE_REGISTRY_DATABASE_URL). Unlike the reference, this database is the one initialised.")
    var databaseURL: String?

    func run() throws {
        let raw: String
        if let databaseURL { raw = databaseURL } else { raw = try loadSettings().databaseURL }
        print("Initializing database: \(DatabaseURL.scheme(of: raw))...")
        do {
            let url = try DatabaseStartup.parse(raw)
            if url.isMemory {
                print("⚠️  In-memory database: the tables vanish when this command exits.")
            }
            let applied = try DatabaseStartup.migrate(url)
            if !applied.isEmpty { print("  Applied migrations: \(applied.map(String.init).joined(separator: ", "))") }
            print("✓ Database initialized successfully!")
        } catch {
            printError("Failed to initialize database: \(error)")
            throw ExitCode.failure
        }
    }
}
