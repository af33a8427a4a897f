import ArgumentParser
import RegistryRuntime

struct RegistryCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pyrmute-registry",
        abstract: "Pyrmute Schema Registry: store, version and discover JSON Schema and Avro schemas.",
        version: AppInfo.serverVersion,
        subcommands: [
            ServeCommand.self, InitDBCommand.self, CreateAdminKeyCommand.self, ListKeysCommand.self,
            RevokeKeyCommand.self, CheckHealthCommand.self, VersionCommand.self, ConfigCommand.self,
            GenerateEnvCommand.self,
        ]
    )
}

/// Settings from the environment and `.env`; an invalid value ends the command with its name.
func loadSettings() throws -> Settings {
    do { return try SettingsLoader().load() } catch {
        printError("\(error)")
        throw ExitCode.failure
    }
}

func printError(_ message: String) {
    print("✗ \(message)")
}
