import ArgumentParser
import RegistryRuntime
import RegistryStorage

struct ConfigCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "config", abstract: "Show the current configuration (credentials hidden).")

    func run() throws {
        let s = try loadSettings()
        let lines = [
            "Current Configuration:",
            String(repeating: "=", count: 50),
            "App Name: \(s.appName)",
            "Version: \(s.appVersion)",
            "Environment: \(s.environment.rawValue)",
            "Debug: \(python(s.debug))",
            "",
            "Server:",
            "  Host: \(s.host)",
            "  Port: \(s.port)",
            "  Reload: \(python(s.reload))",
            "  Workers: \(s.workers)",
            "  Supervisor Port: \(s.supervisorPort == 0 ? "off" : String(s.supervisorPort))",
            "",
            "Database:",
            "  URL: \(DatabaseURL.scheme(of: s.databaseURL))://***",
            "  Echo: \(python(s.databaseEcho))",
            "",
            "Authentication:",
            "  Enabled: \(python(s.enableAuth))",
            "",
            "CORS:",
            "  Origins: \(pythonList(s.corsOrigins))",
            "  Allow Credentials: \(python(s.corsAllowCredentials))",
            "",
            "Logging:",
            "  Level: \(s.logLevel.rawValue)",
        ]
        print(lines.joined(separator: "\n"))
    }

    private func python(_ value: Bool) -> String { value ? "True" : "False" }

    /// `['a', 'b']`, as Python prints a list of strings.
    private func pythonList(_ items: [String]) -> String {
        "[" + items.map { "'" + $0.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "'", with: "\\'") + "'" }
            .joined(separator: ", ") + "]"
    }
}
