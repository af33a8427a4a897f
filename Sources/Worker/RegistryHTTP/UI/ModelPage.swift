import RegistryRuntime
import RegistrySchemas

/// A model's versions in semantic order (newest first) with registration and deprecation, its
/// level in force and where it comes from, and a form to compare two versions.
struct ModelPage {
    let layout: UILayout

    func render(_ model: ModelDetail) -> String {
        let key = model.key
        return layout.page(key.identifier, crumbs: Array(UILayout.modelCrumbs(key).dropLast()) + [(label: key.model, href: nil)],
                           capacity: 2048 + model.versions.count * 600) { h in
            h.raw("<h1>Model <span class=\"name\">")
            h.text(key.model)
            h.raw("</span></h1><p>Compatibility: ")
            UILayout.levelSource(model.compatibility, into: &h)
            h.raw(" · ")
            h.link(UIPaths.check(key), "Check a schema")
            h.raw("</p>")
            Self.compareForm(key, versions: model.versions.map(\.version), into: &h)
            h.raw("<table class=\"list versions\"><thead><tr><th scope=\"col\">Version</th><th scope=\"col\">Registered</th>")
            h.raw("<th scope=\"col\">By</th><th scope=\"col\">State</th></tr></thead><tbody>")
            // One link prefix for every row (the model's part of the query is the same).
            let prefix = UIPaths.version(key, "")
            for version in model.versions.reversed() {
                h.raw("<tr><td>")
                h.link(prefix + UIPaths.encode(version.version), version.version)
                let registered = version.registeredAt.isoZulu
                h.raw("</td><td><time")
                h.attribute("datetime", registered)
                h.raw(">")
                h.text(registered)
                h.raw("</time></td><td>")
                h.text(version.registeredBy)
                h.raw("</td><td>")
                if version.deprecated {
                    h.raw("<span class=\"badge deprecated\">deprecated</span>")
                    if let message = version.deprecationMessage, !message.isEmpty {
                        h.raw(" <span class=\"message\">")
                        h.text(message)
                        h.raw("</span>")
                    }
                } else {
                    h.raw("<span class=\"muted\">active</span>")
                }
                h.raw("</td></tr>")
            }
            h.raw("</tbody></table>")
        }
    }

    /// Two selects and a level, answered by the diff page (a GET form: works without script).
    static func compareForm(_ key: ModelKey, versions: [String], from: String? = nil, to: String? = nil,
                            level: String? = nil, into h: inout HTMLWriter) {
        guard versions.count > 1 || from != nil else { return }
        h.raw("<form class=\"compare\" method=\"get\"")
        h.attribute("action", UIPaths.diffPath)
        h.raw(">")
        if let namespace = key.namespace {
            h.raw("<input type=\"hidden\" name=\"namespace\"")
            h.attribute("value", namespace)
            h.raw(">")
        }
        h.raw("<input type=\"hidden\" name=\"model\"")
        h.attribute("value", key.model)
        h.raw(">")
        let defaultFrom = from ?? (versions.count > 1 ? versions[versions.count - 2] : versions.first)
        let defaultTo = to ?? versions.last
        for (name, label, selected) in [("from", "Compare", defaultFrom), ("to", "with", defaultTo)] {
            h.raw("<label")
            h.attribute("for", "compare-" + name)
            h.raw(">")
            h.text(label)
            h.raw("</label> <select")
            h.attribute("id", "compare-" + name)
            h.attribute("name", name)
            h.raw(">")
            for version in versions.reversed() {
                h.raw("<option")
                h.attribute("value", version)
                if version == selected { h.raw(" selected") }
                h.raw(">")
                h.text(version)
                h.raw("</option>")
            }
            h.raw("</select> ")
        }
        levelSelect(level, into: &h)
        h.raw(" <button type=\"submit\">Compare</button></form>")
    }

    /// `level`: empty means the level in force.
    static func levelSelect(_ level: String?, into h: inout HTMLWriter) {
        h.raw("<label for=\"level\">at level</label> <select id=\"level\" name=\"level\"><option value=\"\">in force</option>")
        for candidate in CompatibilityLevel.allCases {
            h.raw("<option")
            h.attribute("value", candidate.rawValue)
            if candidate.rawValue == level { h.raw(" selected") }
            h.raw(">")
            h.text(candidate.rawValue)
            h.raw("</option>")
        }
        h.raw("</select>")
    }
}
