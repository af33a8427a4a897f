import RegistrySchemas

/// One scope's models: latest version, version count, deprecated badge, level in force.
struct NamespacePage {
    let layout: UILayout

    func render(namespace: String?, models: [ModelSummary]) -> String {
        let label = UILayout.scopeLabel(namespace)
        return layout.page(namespace == nil ? "Global models" : "Namespace " + label,
                           crumbs: [("Home", UIPaths.home), (label, nil)], capacity: 1024 + models.count * 400) { h in
            h.raw("<h1>")
            if let namespace {
                h.raw("Namespace <span class=\"name\">")
                h.text(namespace)
                h.raw("</span>")
            } else {
                h.raw("Global models")
            }
            h.raw("</h1>")
            if models.isEmpty {
                h.raw("<p class=\"muted\">No models in this scope.</p>")
                return
            }
            if models.count >= SchemaBrowser.modelsPerPage {
                h.raw("<p class=\"muted\">The first \(SchemaBrowser.modelsPerPage) models by name.</p>")
            }
            h.raw("<table class=\"list\"><thead><tr><th scope=\"col\">Model</th><th scope=\"col\">Latest</th>")
            h.raw("<th scope=\"col\">Versions</th><th scope=\"col\">Compatibility</th></tr></thead><tbody>")
            for model in models {
                h.raw("<tr><td>")
                h.link(UIPaths.model(model.key), model.key.model)
                if model.isDeprecated {
                    h.raw(" <span class=\"badge deprecated\">deprecated</span>")
                } else if model.deprecatedCount > 0 {
                    h.raw(" <span class=\"badge\">")
                    h.text("\(model.deprecatedCount) deprecated")
                    h.raw("</span>")
                }
                h.raw("</td><td>")
                if let latest = model.latestVersion { h.link(UIPaths.version(model.key, latest), latest) }
                h.raw("</td><td class=\"num\">")
                h.text(String(model.versionCount))
                h.raw("</td><td>")
                UILayout.levelSource(model.compatibility, into: &h)
                h.raw("</td></tr>")
            }
            h.raw("</tbody></table>")
        }
    }
}
