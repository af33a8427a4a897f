import NIOCore
import NIOHTTP1
import RegistryDomain
import RegistryJSON
import RegistryRuntime
import RegistrySchemas

/// The web UI's pages (issue 18, docs/ui.md): each reads its parameters, asks the services on the
/// thread pool, and answers the page that `UI/` renders. A model or version that does not exist
/// is the UI's own error page with the service's status and detail.
struct UIHandlers {
    let app: Application
    private let schemas: SchemaService
    private let browser: SchemaBrowser
    private let discovery: DiscoveryService
    private let layout: UILayout

    init(app: Application) {
        self.app = app
        schemas = SchemaService(pool: app.pool, defaultCompatibility: app.settings.defaultCompatibility, board: app.board)
        browser = SchemaBrowser(pool: app.pool, defaultCompatibility: app.settings.defaultCompatibility)
        discovery = app.discoveryService
        layout = UILayout(settings: app.settings)
    }

    func home(_ request: Request, _ context: RequestContext) throws -> EventLoopFuture<Response> {
        var query = QueryParameters(request)
        // What the search route accepts at most (8 words); nothing searchable: no search.
        let words = (query.text("q") ?? "").prefix(500).split(whereSeparator: { $0.isWhitespace }).prefix(8)
        let q = words.isEmpty ? nil : words.joined(separator: " ")
        try query.collector.check()
        // A key scoped to namespaces (issue 19) sees its own scopes and search results only.
        let keyScope = context.apiKey?.scope
        return page(request) { [browser, discovery, layout] in
            let results: [SearchResult] = try q.map { text in
                var search = SearchQuery(q: text, kind: .any, namespace: .any, includeDeprecated: true, limit: 20, offset: 0)
                search.keyScope = keyScope
                return try discovery.search(search).results
            } ?? []
            let scopes = try browser.scopes().filter { keyScope?.permits($0.namespace) ?? true }
            return (.ok, HomePage(layout: layout).render(scopes: scopes, query: q, results: results))
        }
    }

    func namespace(_ request: Request, _ context: RequestContext) throws -> EventLoopFuture<Response> {
        var query = QueryParameters(request)
        let namespace = query.text("namespace")
        try query.collector.check()
        return page(request) { [browser, layout] in
            (.ok, NamespacePage(layout: layout).render(namespace: namespace, models: try browser.models(in: namespace)))
        }
    }

    func model(_ request: Request, _ context: RequestContext) throws -> EventLoopFuture<Response> {
        var query = QueryParameters(request)
        let key = Self.modelKey(&query)
        try query.collector.check()
        return page(request) { [browser, layout] in (.ok, ModelPage(layout: layout).render(try browser.model(key))) }
    }

    func version(_ request: Request, _ context: RequestContext) throws -> EventLoopFuture<Response> {
        var query = QueryParameters(request)
        let key = Self.modelKey(&query)
        let version = Self.required(&query, "version")
        try query.collector.check()
        return page(request) { [schemas, discovery, layout] in
            let record = try schemas.get(key, version: version)
            let forms = try discovery.canonical(key, version: version)
            var fingerprints = [VersionPage.Fingerprint(label: "JSON Schema SHA-256", value: forms.jsonSchema.sha256)]
            if let avro = forms.avroSchema {
                fingerprints.append(.init(label: "Avro SHA-256", value: avro.sha256))
                fingerprints.append(.init(label: "Avro CRC-64 (Rabin)", value: avro.rabin))
            }
            return (.ok, VersionPage(layout: layout).render(record, versions: try schemas.versions(key), fingerprints: fingerprints))
        }
    }

    func diff(_ request: Request, _ context: RequestContext) throws -> EventLoopFuture<Response> {
        var query = QueryParameters(request)
        let key = Self.modelKey(&query)
        let from = Self.required(&query, "from"), to = Self.required(&query, "to")
        let (level, levelText) = Self.level(&query)
        try query.collector.check()
        return page(request) { [browser, schemas, layout] in
            let diff = try browser.diff(key, from: from, to: to, level: level)
            return (.ok, DiffPage(layout: layout).render(diff, versions: try schemas.versions(key), level: levelText))
        }
    }

    func checkForm(_ request: Request, _ context: RequestContext) throws -> EventLoopFuture<Response> {
        var query = QueryParameters(request)
        let key = Self.modelKey(&query)
        try query.collector.check()
        return page(request) { [schemas, layout] in
            let latest = try schemas.latest(key)
            let form = CheckPage.Form(version: Self.nextMinor(latest.version), jsonSchema: JSONPretty.text(latest.jsonSchema),
                                      avroSchema: latest.avroSchema.map(JSONPretty.text) ?? "", level: "")
            return (.ok, CheckPage(layout: layout).render(key, form: form, outcome: .none))
        }
    }

    /// The form's dry run. What is wrong with the pasted text is shown on the page (200) beside
    /// the form, as the dry run's own refusals are.
    func check(_ request: Request, _ context: RequestContext) throws -> EventLoopFuture<Response> {
        var query = QueryParameters(request)
        let key = Self.modelKey(&query)
        try query.collector.check()
        let fields = UIForm.fields(request)
        let form = CheckPage.Form(version: fields["version"] ?? "", jsonSchema: fields["json_schema"] ?? "",
                                  avroSchema: fields["avro_schema"] ?? "", level: fields["level"] ?? "")
        return page(request) { [schemas, layout] in
            _ = try schemas.versions(key)   // 404 for a model that does not exist
            let outcome: CheckPage.Outcome
            switch UIForm.submission(form) {
            case .failure(let problem): outcome = .problem(problem.detail)
            case .success(let (submission, level)):
                do {
                    outcome = .report(try schemas.checkCompatibility(key, submission, level: level))
                } catch let error as RegistryError {
                    outcome = .problem(UIForm.detail(error))
                }
            }
            return (.ok, CheckPage(layout: layout).render(key, form: form, outcome: outcome))
        }
    }

    func script(_ request: Request, _ context: RequestContext) -> EventLoopFuture<Response> {
        request.eventLoop.makeSucceededFuture(Self.scriptResponse)
    }

    func stylesheet(_ request: Request, _ context: RequestContext) -> EventLoopFuture<Response> {
        request.eventLoop.makeSucceededFuture(Self.stylesheetResponse)
    }

    func icon(_ request: Request, _ context: RequestContext) -> EventLoopFuture<Response> {
        request.eventLoop.makeSucceededFuture(Self.iconResponse)
    }

    private static let iconResponse = asset(UIAssets.icon, type: "image/svg+xml")
    private static let scriptResponse = asset(UIAssets.script, type: "text/javascript; charset=utf-8")
    private static let stylesheetResponse = asset(UIAssets.stylesheet, type: "text/css; charset=utf-8")

    private static func asset(_ text: String, type: String) -> Response {
        Response(status: .ok, headers: ["Content-Type": type, "Cache-Control": "no-cache"], body: Array(text.utf8))
    }

    // MARK: -

    /// Runs `work` on the thread pool; a `RegistryError` becomes the UI's error page.
    private func page(_ request: Request,
                      _ work: @escaping @Sendable () throws -> (HTTPResponseStatus, String)) -> EventLoopFuture<Response> {
        let layout = self.layout
        return app.blocking(request) {
            do {
                let (status, html) = try work()
                return UIResponse.html(html, status: status)
            } catch let error as RegistryError {
                let (status, detail) = UIForm.status(error)
                return UIResponse.html(layout.error(status: Int(status.code), detail: detail), status: status)
            }
        }
    }

    /// `?namespace=` (absent: the global scope) and `?model=` (required).
    static func modelKey(_ query: inout QueryParameters) -> ModelKey {
        let namespace = query.text("namespace")
        let model = required(&query, "model")
        return ModelKey(namespace: namespace, model: model)
    }

    /// A required text; a NUL in it is refused (422) like everywhere else (`StoredText`).
    static func required(_ query: inout QueryParameters, _ name: String) -> String {
        let value = query.required(name)
        _ = StoredText.refuse(value, at: ["query", .string(name)], &query.collector)
        return value
    }

    /// `?level=`: absent or empty is the level in force.
    static func level(_ query: inout QueryParameters) -> (CompatibilityLevel?, String?) {
        guard let text = query.string("level"), !text.isEmpty else { return (nil, nil) }
        return (CompatibilityLevelInput.query(&query), text)
    }

    /// `1.2.3` → `1.3.0`: what the check form offers to try.
    static func nextMinor(_ version: String) -> String {
        let parts = version.split(separator: ".").map { Int($0) ?? 0 }
        guard parts.count == 3 else { return version }
        return "\(parts[0]).\(parts[1] + 1).0"
    }
}
