import RegistryJSON

/// JSON as indented lines (two spaces, keys in stored order), for the version and diff pages.
enum JSONPretty {
    static func lines(_ value: JSONValue) -> [String] {
        var lines: [String] = []
        write(value, prefix: "", indent: "", trailing: "", into: &lines)
        return lines
    }

    static func text(_ value: JSONValue) -> String { lines(value).joined(separator: "\n") }

    private static func write(_ value: JSONValue, prefix: String, indent: String, trailing: String, into lines: inout [String]) {
        switch value {
        case .array(let items) where !items.isEmpty:
            lines.append(indent + prefix + "[")
            for (index, item) in items.enumerated() {
                write(item, prefix: "", indent: indent + "  ", trailing: index == items.count - 1 ? "" : ",", into: &lines)
            }
            lines.append(indent + "]" + trailing)
        case .object(let object) where object.count > 0:
            lines.append(indent + prefix + "{")
            var index = 0
            for (key, item) in object {
                index += 1
                write(item, prefix: JSONValue.string(key).serialized() + ": ", indent: indent + "  ",
                      trailing: index == object.count ? "" : ",", into: &lines)
            }
            lines.append(indent + "}" + trailing)
        default:
            lines.append(indent + prefix + value.serialized() + trailing)
        }
    }
}
