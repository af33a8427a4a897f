import ArgumentParser
import Foundation
import RegistryDomain
import RegistryJSON
import RegistryStorage

/// Key management straight on the database (works whether or not ENABLE_AUTH is on).
private func keyService() throws -> APIKeyService {
    let settings = try loadSettings()
    do {
        let url = try DatabaseStartup.parse(settings.databaseURL)
        _ = try DatabaseStartup.migrate(url)
        return APIKeyService(pool: ConnectionPool(url: url, capacity: 1))
    } catch {
        printError("\(error)")
        throw ExitCode.failure
    }
}

/// `2026-11-26 12:25:06.604321`, as the reference prints timestamps.
private func cliTime(_ t: Timestamp) -> String { t.storageText }

private func readLine(prompt: String) -> String? {
    print(prompt, terminator: "")
    fflush(nil)   // every output stream, stdout among them (Swift 6 rejects the global `stdout`)
    return Swift.readLine()
}

struct CreateAdminKeyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "create-admin-key", abstract: "Create an API key directly in the database.")

    @Option(name: .shortAndLong, help: "Key name (prompted when absent).") var name: String?
    @Option(name: .shortAndLong, help: "read, write, delete or admin.") var permission = "admin"
    @Option(name: .shortAndLong, help: "Description.") var description: String?
    @Option(name: .shortAndLong, help: "Days until the key expires (1-3650).") var expiresInDays: Int?

    func run() throws {
        guard let level = Permission(rawValue: permission.lowercased()) else {
            printError("Invalid permission: \(permission). Must be one of: read, write, delete, admin")
            throw ExitCode.failure
        }
        if let days = expiresInDays, !(1...3650).contains(days) {
            printError("Invalid --expires-in-days \(days): expected 1-3650")
            throw ExitCode.failure
        }
        guard let keyName = name ?? readLine(prompt: "API key name: "), !keyName.isEmpty else {
            printError("An API key name is required")
            throw ExitCode.failure
        }
        let service = try keyService()
        let today = String(Timestamp.now().storageText.prefix(10))
        let created: APIKeyService.Created
        do {
            created = try service.create(name: keyName, permission: level, description: description ?? "Created via CLI on \(today)",
                                         expiresInDays: expiresInDays, createdBy: "cli")
        } catch RegistryError.conflict(let message) {
            printError(message)
            throw ExitCode.failure
        } catch {
            printError("Failed to create API key: \(error)")
            throw ExitCode.failure
        }
        let r = created.record
        print("""
            ✓ API Key created successfully!

            Key Details:
            \(String(repeating: "=", count: 60))
            Name:        \(r.name)
            Permission:  \(r.permission.rawValue)
            Created:     \(cliTime(r.createdAt))
            Expires:     \(r.expiresAt.map(cliTime) ?? "Never")

            API Key (save this - it won't be shown again):
            \(created.key)

            Usage:
              curl -H "X-API-Key: \(created.key)" http://localhost:8000/schemas
              or
              curl -H "Authorization: Bearer \(created.key)" http://localhost:8000/schemas

            ⚠️  IMPORTANT: Save this key securely. It cannot be recovered!
            """)
    }
}

struct ListKeysCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list-keys", abstract: "List API keys.")

    @Flag(name: .long, help: "Include revoked keys.") var includeRevoked = false

    func run() throws {
        let keys = try keyService().list(includeRevoked: includeRevoked, permission: nil)
        guard !keys.isEmpty else { print("No API keys found."); return }
        print("Found \(keys.count) API key(s):")
        print(String(repeating: "=", count: 80))
        let now = Timestamp.now()
        for key in keys {
            let status = key.isExpired(at: now) ? "EXPIRED" : key.revoked ? "REVOKED" : "ACTIVE"
            print("")
            print("\(key.name) [\(status)]")
            print("  ID:         \(key.id)")
            print("  Permission: \(key.permission.rawValue)")
            print("  Created:    \(cliTime(key.createdAt)) by \(key.createdBy)")
            print("  Last used:  " + (key.lastUsedAt.map { "\(cliTime($0)) (\(key.useCount) times)" } ?? "Never"))
            if let expires = key.expiresAt { print("  Expires:    \(cliTime(expires))") }
            if let description = key.description { print("  Description: \(description)") }
            if key.revoked { print("  Revoked:    \(key.revokedAt.map(cliTime) ?? "?") by \(key.revokedBy ?? "?")") }
        }
    }
}

struct RevokeKeyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "revoke-key", abstract: "Revoke an API key by name.")

    @Argument(help: "Name of the key.") var name: String
    @Option(name: .shortAndLong, help: "Reason, appended to the description.") var reason: String?

    func run() throws {
        let service = try keyService()
        guard let key = try service.find(name: name) else {
            printError("API key '\(name)' not found")
            throw ExitCode.failure
        }
        guard !key.revoked else {
            printError("API key '\(name)' is already revoked")
            throw ExitCode.failure
        }
        let answer = readLine(prompt: "Are you sure you want to revoke '\(name)'? [y/N]: ")?.trimmingCharacters(in: .whitespaces).lowercased()
        guard answer == "y" || answer == "yes" else {
            print("Revocation cancelled.")
            throw ExitCode.failure
        }
        _ = try service.revoke(id: key.id, by: "cli", reason: reason)
        print("✓ API key '\(name)' has been revoked")
    }
}
