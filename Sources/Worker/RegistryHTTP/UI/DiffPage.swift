import RegistryJSON
import RegistryRuntime
import RegistrySchemas

/// Two versions side by side: the compatibility verdict at the chosen level (breaking changes
/// called out with the checker's messages), the listing's property changes, the JSON Schemas line
/// by line with added / removed / changed lines marked.
struct DiffPage {
    let layout: UILayout

    func render(_ diff: VersionDiff, versions: [String], level: String?) -> String {
        let key = ModelKey(namespace: diff.old.namespace, model: diff.old.modelName)
        let title = diff.old.version + " → " + diff.new.version
        return layout.page(key.identifier + " " + title, crumbs: UILayout.modelCrumbs(key) + [(title, nil)], capacity: 32768) { h in
            h.raw("<h1>Compare <span class=\"name\">")
            h.text(key.model)
            h.raw("</span> ")
            h.text(title)
            h.raw("</h1>")
            ModelPage.compareForm(key, versions: versions, from: diff.old.version, to: diff.new.version, level: level, into: &h)
            verdict(diff, into: &h)
            changes(diff.changes, into: &h)
            h.raw("<h2>JSON Schema</h2>")
            sideBySide(JSONPretty.lines(diff.old.jsonSchema), JSONPretty.lines(diff.new.jsonSchema),
                       old: diff.old.version, new: diff.new.version, into: &h)
            if diff.old.avroSchema != nil || diff.new.avroSchema != nil {
                h.raw("<h2>Avro schema</h2>")
                sideBySide(diff.old.avroSchema.map(JSONPretty.lines) ?? [], diff.new.avroSchema.map(JSONPretty.lines) ?? [],
                           old: diff.old.version, new: diff.new.version, into: &h)
            }
        }
    }

    private func verdict(_ diff: VersionDiff, into h: inout HTMLWriter) {
        let report = diff.report
        h.raw("<section aria-labelledby=\"verdict-title\"><h2 id=\"verdict-title\">Compatibility at ")
        h.text(report.level.rawValue)
        h.raw("</h2><p>In force for this model: ")
        UILayout.levelSource(diff.inForce, into: &h)
        h.raw("</p>")
        if report.level == .none {
            h.raw("<p class=\"verdict\">NONE checks nothing; the changes below break nothing at this level.</p>")
        } else if report.isCompatible {
            h.raw("<p class=\"verdict ok\">Compatible: ")
            h.text(diff.new.version + " can follow " + diff.old.version + " at " + report.level.rawValue + ".")
            h.raw("</p>")
        } else {
            h.raw("<p class=\"verdict breaking\" role=\"alert\">Breaking: ")
            h.text(diff.new.version + " would be refused after " + diff.old.version + " at " + report.level.rawValue + ".")
            h.raw("</p>")
        }
        Self.messages(report.messages, into: &h)
        h.raw("</section>")
    }

    static func messages(_ messages: [CompatibilityMessage], into h: inout HTMLWriter) {
        guard !messages.isEmpty else {
            h.raw("<p class=\"muted\">No schema changes found.</p>")
            return
        }
        h.raw("<table class=\"list messages\"><thead><tr><th scope=\"col\">Change</th><th scope=\"col\">Where</th>")
        h.raw("<th scope=\"col\">Schema</th><th scope=\"col\">Direction</th><th scope=\"col\">Description</th></tr></thead><tbody>")
        for message in messages {
            h.raw(message.breaking ? "<tr class=\"breaking\"><td><span class=\"badge deprecated\">breaking</span> " : "<tr><td>")
            h.text(message.change.code)
            h.raw("</td><td><code>")
            h.text(message.change.path)
            h.raw("</code></td><td>")
            h.text(message.schema.rawValue)
            h.raw("</td><td>")
            h.text(message.direction)
            h.raw("</td><td>")
            h.text(message.change.description)
            h.raw("</td></tr>")
        }
        h.raw("</tbody></table>")
    }

    private func changes(_ changes: JSONObject, into h: inout HTMLWriter) {
        h.raw("<section aria-labelledby=\"changes-title\"><h2 id=\"changes-title\">Property changes</h2><ul class=\"changes\">")
        for (field, label, className) in [("properties_added", "Added", "add"), ("properties_removed", "Removed", "del"),
                                          ("required_added", "Now required", "chg"), ("required_removed", "No longer required", "chg")] {
            let names = changes[field]?.arrayValue?.compactMap(\.stringValue) ?? []
            guard !names.isEmpty else { continue }
            h.raw("<li")
            h.attribute("class", className)
            h.raw(">")
            h.text(label + ": " + names.joined(separator: ", "))
            h.raw("</li>")
        }
        for modified in changes["properties_modified"]?.arrayValue ?? [] {
            h.raw("<li class=\"chg\">")
            h.text("Changed: " + (modified.objectValue?["property"]?.stringValue ?? ""))
            h.raw("</li>")
        }
        h.raw("<li>")
        h.text("Summary: " + (changes["compatibility"]?.stringValue ?? ""))
        h.raw("</li></ul></section>")
    }

    private func sideBySide(_ old: [String], _ new: [String], old oldVersion: String, new newVersion: String,
                            into h: inout HTMLWriter) {
        h.raw("<div class=\"diff-wrap\" tabindex=\"0\"><table class=\"diff\"><thead><tr><th scope=\"col\">")
        h.text(oldVersion)
        h.raw("</th><th scope=\"col\">")
        h.text(newVersion)
        h.raw("</th></tr></thead><tbody>")
        for row in LineDiff.rows(old, new) {
            switch row.kind {
            case .same: h.raw("<tr>")
            case .added: h.raw("<tr class=\"add\">")
            case .removed: h.raw("<tr class=\"del\">")
            case .changed: h.raw("<tr class=\"chg\">")
            }
            h.raw("<td>")
            if let left = row.left { h.text(left) }
            h.raw("</td><td>")
            if let right = row.right { h.text(right) }
            h.raw("</td></tr>")
        }
        h.raw("</tbody></table></div>")
    }
}
