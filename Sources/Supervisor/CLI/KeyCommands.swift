import ArgumentParser

/// The API-key commands take their options already; they work once API keys land (issue 4).
private func notYetAvailable(_ command: String) throws -> Never {
    printError("'\(command)' arrives with API keys, which this version does not have yet.")
    throw ExitCode.failure
}

struct CreateAdminKeyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "create-admin-key", abstract: "Create an API key directly in the database.")

    @Option(name: .shortAndLong, help: "Key name (prompted when absent).") var name: String?
    @Option(name: .shortAndLong, help: "read, write, delete or admin.") var permission = "admin"
    @Option(name: .shortAndLong, help: "Description.") var description: String?
    @Option(name: .shortAndLong, help: "Days until the key expires.") var expiresInDays: Int?

    func run() throws { try notYetAvailable("create-admin-key") }
}

struct ListKeysCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list-keys", abstract: "List API keys.")

    @Flag(name: .long, help: "Include revoked keys.") var includeRevoked = false

    func run() throws { try notYetAvailable("list-keys") }
}

struct RevokeKeyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "revoke-key", abstract: "Revoke an API key by name.")

    @Argument(help: "Name of the key.") var name: String
    @Option(name: .shortAndLong, help: "Reason, appended to the description.") var reason: String?

    func run() throws { try notYetAvailable("revoke-key") }
}
