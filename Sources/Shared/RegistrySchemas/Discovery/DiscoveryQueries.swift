import RegistryDiscovery
import RegistryJSON
import RegistryStorage

/// The SQL of lookup by content (search's is `SearchPostingsQueries`). Prepared statements; the
/// text varies only between constant forms (filters present or not).
struct DiscoveryQueries {
    let db: DatabaseConnection

    func lookup(_ lookup: SchemaLookup) throws -> [SchemaLookup.Match] {
        var conditions: [String] = []
        var parameters: [SQLValue] = []
        func bind(_ value: SQLValue) -> String {
            parameters.append(value)
            return "$\(parameters.count)"
        }
        if let json = lookup.jsonSchema {
            conditions.append("f.json_sha256 = " + bind(.text(SchemaFingerprints.jsonForm(json).sha256)))
        }
        if let avro = lookup.avroSchema {
            conditions.append("f.avro_sha256 = " + bind(.text(SchemaFingerprints.avroForm(avro).sha256)))
        }
        conditions += namespaceConditions(lookup.namespace, bind)
        if let model = lookup.model { conditions.append("s.model_name = " + bind(.text(model))) }
        let rows = try db.query("""
            SELECT s.namespace, s.model_name, s.version, s.deprecated
            FROM schema_fingerprints f JOIN schemas s ON s.id = f.schema_id
            WHERE \(conditions.joined(separator: " AND "))
            ORDER BY s.namespace IS NOT NULL, COALESCE(s.namespace, ''), s.model_name,
                     s.version_major, s.version_minor, s.version_patch, s.id
            """, parameters)
        return rows.map { row in
            SchemaLookup.Match(namespace: row.string(0), modelName: row.string(1) ?? "", version: row.string(2) ?? "",
                               deprecated: row.bool(3) ?? false)
        }
    }

    private func namespaceConditions(_ filter: SchemaListQuery.NamespaceFilter, _ bind: (SQLValue) -> String) -> [String] {
        switch filter {
        case .any: return []
        case .globalOnly: return ["s.namespace IS NULL"]
        case .exact(let namespace): return ["s.namespace = " + bind(.text(namespace))]
        }
    }
}
