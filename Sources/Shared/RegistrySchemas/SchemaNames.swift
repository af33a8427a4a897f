import RegistryJSON

/// Deterministic ordering and de-duplication of names: UTF-8 byte order (= code point order, what
/// Python's `sorted()` gives for `str`), byte equality.
internal enum SchemaNames {
    static func precedes(_ a: String, _ b: String) -> Bool {
        PyJSON.less(a, b)
    }

    static func sorted(_ names: [String]) -> [String] {
        names.sorted(by: precedes)
    }

    /// Unique names (first occurrence wins), byte equality.
    static func unique(_ names: [String]) -> [String] {
        var seen = Set<[UInt8]>()
        var out: [String] = []
        for n in names where seen.insert(Array(n.utf8)).inserted { out.append(n) }
        return out
    }

    static func jsonArray(_ names: [String]) -> JSONValue {
        .array(names.map { .string($0) })
    }
}
