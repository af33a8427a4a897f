import RegistrySchemas

/// Home: every scope with its model count, and the search box (results as you type from
/// `GET /search` in the script; without script, the form asks this page with `q`).
struct HomePage {
    let layout: UILayout

    func render(scopes: [ScopeSummary], query: String?, results: [SearchResult]) -> String {
        layout.page("Schemas", crumbs: []) { h in
            h.raw("<h1>Schemas</h1>")
            h.raw("<form class=\"search\" role=\"search\" method=\"get\" action=\"/ui\">")
            h.raw("<label for=\"search\">Search models, fields and descriptions</label> ")
            h.raw("<input id=\"search\" name=\"q\" type=\"search\" maxlength=\"200\"")
            h.attribute("value", query ?? "")
            h.raw("> <button type=\"submit\">Search</button></form>")
            h.raw("<div id=\"search-results\" aria-live=\"polite\">")
            if let query {
                Self.results(results, query: query, into: &h)
            }
            h.raw("</div>")
            h.raw("<h2>Namespaces</h2>")
            if scopes.isEmpty {
                h.raw("<p class=\"muted\">No schemas registered yet.</p>")
                return
            }
            h.raw("<table class=\"list\"><thead><tr><th scope=\"col\">Namespace</th><th scope=\"col\">Models</th></tr></thead><tbody>")
            for scope in scopes {
                h.raw("<tr><td>")
                h.link(UIPaths.namespace(scope.namespace), UILayout.scopeLabel(scope.namespace),
                       className: scope.namespace == nil ? "global" : nil)
                h.raw("</td><td class=\"num\">")
                h.text(String(scope.models))
                h.raw("</td></tr>")
            }
            h.raw("</tbody></table>")
        }
    }

    /// The same list the script builds from `GET /search`.
    static func results(_ results: [SearchResult], query: String, into h: inout HTMLWriter) {
        if results.isEmpty {
            h.raw("<p class=\"muted\">No match for ")
            h.text(query)
            h.raw(".</p>")
            return
        }
        h.raw("<ul class=\"results\">")
        for result in results {
            let key = ModelKey(namespace: result.namespace, model: result.modelName)
            h.raw("<li>")
            h.link(UIPaths.version(key, result.version), key.identifier(version: result.version))
            h.raw(" <span class=\"badge\">")
            h.text(result.source)
            h.raw("</span> <span class=\"muted\">")
            h.text(result.matched)
            h.raw("</span></li>")
        }
        h.raw("</ul>")
    }
}
