import ArgumentParser
import Foundation

struct GenerateEnvCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "generate-env", abstract: "Write a commented .env template with every setting.")

    @Option(name: .shortAndLong, help: "Where to write the template.") var output = ".env.example"
    @Flag(name: .shortAndLong, help: "Overwrite an existing file.") var force = false

    func run() throws {
        if FileManager.default.fileExists(atPath: output), !force {
            print("File \(output) already exists. Use --force to overwrite.")
            throw ExitCode.failure
        }
        do {
            try EnvironmentTemplate.text.write(toFile: output, atomically: true, encoding: .utf8)
        } catch {
            printError("Cannot write \(output): \(error.localizedDescription)")
            throw ExitCode.failure
        }
        print("✓ Generated \(output)")
    }
}
