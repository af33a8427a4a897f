import RegistryJSON
import RegistrySchemas

/// One version: state, the JSON Schema (and Avro schema) as a folding tree and as pretty JSON
/// with a copy button, and the fingerprints of their canonical forms.
struct VersionPage {
    let layout: UILayout

    struct Fingerprint {
        let label: String
        let value: String
    }

    func render(_ record: SchemaRecord, versions: [String], fingerprints: [Fingerprint]) -> String {
        let key = ModelKey(namespace: record.namespace, model: record.modelName)
        return layout.page(key.identifier(version: record.version),
                           crumbs: UILayout.modelCrumbs(key) + [(record.version, nil)], capacity: 16384) { h in
            h.raw("<h1><span class=\"name\">")
            h.text(key.model)
            h.raw("</span> ")
            h.text(record.version)
            h.raw("</h1><dl class=\"facts\"><dt>Registered</dt><dd>")
            h.text(record.registeredAt.isoZulu + " by " + record.registeredBy)
            h.raw("</dd><dt>State</dt><dd>")
            if record.deprecated {
                h.raw("<span class=\"badge deprecated\">deprecated</span>")
                if let message = record.deprecationMessage, !message.isEmpty {
                    h.raw(" <span class=\"message\">")
                    h.text(message)
                    h.raw("</span>")
                }
            } else {
                h.raw("active")
            }
            h.raw("</dd>")
            for fingerprint in fingerprints {
                h.raw("<dt>")
                h.text(fingerprint.label)
                h.raw("</dt><dd><code class=\"fp\">")
                h.text(fingerprint.value)
                h.raw("</code></dd>")
            }
            h.raw("</dl>")
            let others = versions.filter { $0 != record.version }
            if let previous = others.last(where: { SchemaVersionOrder.less($0, record.version) }) {
                h.raw("<p>")
                h.link(UIPaths.diff(key, from: previous, to: record.version), "Compare with " + previous)
                h.raw("</p>")
            }
            section("JSON Schema", id: "json", schema: record.jsonSchema, tree: SchemaTree.jsonSchema, into: &h)
            if let avro = record.avroSchema {
                section("Avro schema", id: "avro", schema: avro, tree: SchemaTree.avro, into: &h)
            }
        }
    }

    private func section(_ title: String, id: String, schema: JSONValue,
                         tree: (JSONValue, inout HTMLWriter) -> Void, into h: inout HTMLWriter) {
        h.raw("<section")
        h.attribute("aria-labelledby", id + "-title")
        h.raw("><h2")
        h.attribute("id", id + "-title")
        h.raw(">")
        h.text(title)
        h.raw("</h2><div class=\"tools\" hidden><button type=\"button\" class=\"fold-all\">Collapse all</button> ")
        h.raw("<button type=\"button\" class=\"unfold-all\">Expand all</button></div>")
        tree(schema, &h)
        h.raw("<details class=\"raw\"><summary>JSON</summary><div class=\"tools\" hidden><button type=\"button\" class=\"copy\"")
        h.attribute("data-copy", id + "-json")
        h.raw(">Copy</button> <span class=\"copied\" role=\"status\"></span></div><pre")
        h.attribute("id", id + "-json")
        h.raw(" tabindex=\"0\"><code>")
        h.text(JSONPretty.text(schema))
        h.raw("</code></pre></details></section>")
    }
}

/// Semantic order of two version strings (`major.minor.patch`), for "the previous version".
enum SchemaVersionOrder {
    static func less(_ a: String, _ b: String) -> Bool {
        let x = a.split(separator: ".").map { Int($0) ?? 0 }, y = b.split(separator: ".").map { Int($0) ?? 0 }
        return x.lexicographicallyPrecedes(y)
    }
}
