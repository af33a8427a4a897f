import ArgumentParser
import Foundation
import RegistryRuntime
import RegistryStorage

struct CheckHealthCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "check-health", abstract: "Ask a running registry for its health.")

    @Option(name: .long, help: "Base URL of the registry.")
    var url = "http://localhost:8000"

    func run() throws {
        var base = url
        while base.hasSuffix("/") { base.removeLast() }
        let target = base + "/health"
        print("Checking health at \(target)...")
        let response: HTTPClientResponse
        do {
            response = try SimpleHTTPClient.request("GET", target, timeout: 5)
        } catch {
            printError("Failed to connect: \(error)")
            throw ExitCode.failure
        }
        guard (200..<300).contains(response.status) else {
            printError("Health check failed with status \(response.status)")
            throw ExitCode.failure
        }
        let body = try? response.json()
        guard body?["status"]?.stringValue == "healthy" else {
            printError("Registry is unhealthy!")
            print("  Error: \(body?["error"]?.stringValue ?? "Unknown error")")
            throw ExitCode.failure
        }
        print("✓ Registry is healthy!")
        print("  Version: \(body?["version"]?.stringValue ?? "unknown")")
        print("  Environment: \(body?["environment"]?.stringValue ?? "unknown")")
        print("  Database: \(body?["database"]?["type"]?.stringValue ?? "unknown")")
        print("  Schemas: \(body?["schemas_count"]?.intValue.map(String.init) ?? "unknown")")
        let uptime = body?["uptime_seconds"]?.doubleValue ?? 0
        print("  Uptime: \(String(format: "%.2f", uptime))s")
    }
}
