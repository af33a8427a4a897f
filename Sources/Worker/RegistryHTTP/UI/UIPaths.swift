import RegistrySchemas

/// The UI's addresses. A model is named by query parameters (`namespace` absent: the global
/// scope), so that every name — slashes, dots, `versions` — fits one route per page.
enum UIPaths {
    static let home = "/ui"
    static let namespacePath = "/ui/namespace"
    static let modelPath = "/ui/model"
    static let versionPath = "/ui/version"
    static let diffPath = "/ui/diff"
    static let checkPath = "/ui/check"
    static let script = "/ui/static/app.js"
    static let stylesheet = "/ui/static/app.css"
    static let icon = "/ui/static/favicon.svg"

    static func namespace(_ namespace: String?) -> String {
        link(namespacePath, namespace.map { [("namespace", $0)] } ?? [])
    }

    static func model(_ key: ModelKey) -> String { link(modelPath, scope(key)) }

    static func version(_ key: ModelKey, _ version: String) -> String {
        link(versionPath, scope(key) + [("version", version)])
    }

    static func diff(_ key: ModelKey, from: String, to: String, level: String? = nil) -> String {
        link(diffPath, scope(key) + [("from", from), ("to", to)] + (level.map { [("level", $0)] } ?? []))
    }

    static func check(_ key: ModelKey) -> String { link(checkPath, scope(key)) }

    static func scope(_ key: ModelKey) -> [(String, String)] {
        (key.namespace.map { [("namespace", $0)] } ?? []) + [("model", key.model)]
    }

    /// `path?name=value&…` with names and values percent-encoded (everything but unreserved).
    static func link(_ path: String, _ items: [(String, String)]) -> String {
        guard !items.isEmpty else { return path }
        return path + "?" + items.map { encode($0.0) + "=" + encode($0.1) }.joined(separator: "&")
    }

    static func encode(_ text: String) -> String {
        var out = ""
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                 UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"):
                out.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                out += "%"
                out += hex[Int(byte >> 4)]
                out += hex[Int(byte & 0xF)]
            }
        }
        return out
    }

    private static let hex = ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9", "A", "B", "C", "D", "E", "F"]
}
