import Foundation

/// Reads a `.env` file: `NAME=value` lines, `#` comments, optional `export `, single or double quotes.
public enum DotEnv {
    public static func load(path: String) throws -> [String: String] {
        guard FileManager.default.fileExists(atPath: path) else { return [:] }
        let text = try String(contentsOfFile: path, encoding: .utf8)
        return parse(text)
    }

    public static func parse(_ text: String) -> [String: String] {
        var values: [String: String] = [:]
        for rawLine in text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline) {
            var line = rawLine.trimmingCharacters(in: .whitespaces)
            if line.isEmpty || line.hasPrefix("#") { continue }
            if line.hasPrefix("export ") { line = String(line.dropFirst(7)).trimmingCharacters(in: .whitespaces) }
            guard let eq = line.firstIndex(of: "=") else { continue }
            let name = line[..<eq].trimmingCharacters(in: .whitespaces)
            let value = unquote(line[line.index(after: eq)...].trimmingCharacters(in: .whitespaces))
            if !name.isEmpty { values[name] = value }
        }
        return values
    }

    private static func unquote(_ value: String) -> String {
        if let quote = value.first, quote == "\"" || quote == "'" {
            let body = value.dropFirst()
            if let end = body.firstIndex(of: quote) {
                let inner = String(body[..<end])
                return quote == "\"" ? inner.replacingOccurrences(of: "\\n", with: "\n")
                    .replacingOccurrences(of: "\\\"", with: "\"") : inner
            }
            return value
        }
        // An unquoted value ends at an inline comment (" #").
        if let hash = value.range(of: " #") { return value[..<hash.lowerBound].trimmingCharacters(in: .whitespaces) }
        return value
    }
}
