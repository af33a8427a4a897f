import RegistryRuntime
import RegistrySchemas

/// The frame of every UI page: header, breadcrumbs, main, the one stylesheet and script.
struct UILayout {
    let appName: String
    /// Authentication is on: the script sends the key kept in `sessionStorage` (`data-auth`).
    let authRequired: Bool

    init(settings: Settings) {
        appName = settings.appName
        authRequired = settings.enableAuth
    }

    typealias Crumb = (label: String, href: String?)

    func page(_ title: String, crumbs: [Crumb] = [], capacity: Int = 8192,
              _ body: (inout HTMLWriter) -> Void) -> String {
        var h = HTMLWriter(capacity: capacity)
        h.raw("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">")
        h.raw("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">")
        h.raw("<title>")
        h.text(title + " · " + appName)
        h.raw("</title><link rel=\"icon\" type=\"image/svg+xml\"")
        h.attribute("href", UIPaths.icon)
        h.raw("><link rel=\"stylesheet\"")
        h.attribute("href", UIPaths.stylesheet)
        h.raw("><script defer")
        h.attribute("src", UIPaths.script)
        h.raw("></script></head><body")
        h.attribute("data-auth", authRequired ? "required" : "off")
        h.raw("><header class=\"top\"><a class=\"brand\" href=\"/ui\">")
        h.text(appName)
        h.raw("</a><nav aria-label=\"Documentation\"><a href=\"/docs\">API docs</a></nav></header>")
        h.raw("<main id=\"main\">")
        if !crumbs.isEmpty {
            h.raw("<nav class=\"crumbs\" aria-label=\"Breadcrumb\"><ol>")
            for crumb in crumbs {
                h.raw("<li>")
                if let href = crumb.href { h.link(href, crumb.label) } else {
                    h.raw("<span aria-current=\"page\">")
                    h.text(crumb.label)
                    h.raw("</span>")
                }
                h.raw("</li>")
            }
            h.raw("</ol></nav>")
        }
        body(&h)
        h.raw("</main></body></html>\n")
        return h.output
    }

    /// What a browser gets for a UI page without a key when authentication is on: no data, a
    /// form for the key; the script fetches the page with it (docs/ui.md, "Authentication").
    func keyPrompt() -> String {
        page("API key") { h in
            h.raw("<h1>API key required</h1>")
            h.raw("<form id=\"key-form\" class=\"key-form\" hidden>")
            h.raw("<p>Authentication is on. The key is kept in this tab only (sessionStorage) and sent as the <code>X-API-Key</code> header.</p>")
            h.raw("<label for=\"api-key\">API key</label> <input id=\"api-key\" name=\"api-key\" type=\"password\" autocomplete=\"off\" required>")
            h.raw(" <button type=\"submit\">Open</button><p id=\"key-error\" class=\"error\" role=\"alert\"></p></form>")
            h.raw("<noscript><p>With authentication on, the UI needs JavaScript to send the key.</p></noscript>")
        }
    }

    func error(status: Int, detail: String) -> String {
        page("Error \(status)", crumbs: [("Home", UIPaths.home), ("Error", nil)]) { h in
            h.raw("<h1>")
            h.text("Error \(status)")
            h.raw("</h1><p class=\"error\" role=\"alert\">")
            h.text(detail)
            h.raw("</p>")
        }
    }

    // MARK: shared pieces

    static func scopeLabel(_ namespace: String?) -> String { namespace ?? "(global)" }

    static func modelCrumbs(_ key: ModelKey) -> [Crumb] {
        [("Home", UIPaths.home), (scopeLabel(key.namespace), UIPaths.namespace(key.namespace)), (key.model, UIPaths.model(key))]
    }

    static func levelSource(_ setting: CompatibilitySetting, into h: inout HTMLWriter) {
        h.raw("<span class=\"level\">")
        h.text(setting.level.rawValue)
        h.raw("</span> <span class=\"muted\">(set at ")
        h.text(setting.source)
        h.raw(")</span>")
    }
}
