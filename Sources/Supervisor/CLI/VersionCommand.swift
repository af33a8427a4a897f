import ArgumentParser

struct VersionCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "version", abstract: "Show the registry's name, version and environment.")

    func run() throws {
        let settings = try loadSettings()
        print("\(settings.appName) v\(settings.appVersion)")
        print("Environment: \(settings.environment.rawValue)")
    }
}
