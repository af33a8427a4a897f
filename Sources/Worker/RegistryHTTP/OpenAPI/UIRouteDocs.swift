import RegistryRuntime

/// Documentation of the web UI's routes (docs/ui.md). Pages are HTML; a model or version that does
/// not exist is an HTML page with 404. With authentication on, a page asked for without a key is
/// the key prompt (200, no data).
extension RouteDoc {
    private static let uiText = JSONSchema.string(.init(pattern: StoredText.pattern))
    private static let namespace = Parameter("namespace", uiText, description: "The model's namespace; absent: the global scope")
    private static let model = Parameter("model", uiText, required: true, description: "The model's name")
    private static let level = Parameter("level", .enumeration([""] + CompatibilityLevel.allCases.map(\.rawValue)),
                                         description: "Compatibility level to apply; empty or absent: the level in force")
    private static let missing = ResponseDoc(status: 404, description: "No such model or version (an HTML page)",
                                             content: .text(mediaType: "text/html"))
    private static let absent = "Absent in production unless `PYRMUTE_REGISTRY_ENABLE_UI` is true."

    static let uiHome = RouteDoc(operationID: "ui_home", summary: "UI: namespaces and search", description: absent, tag: .ui,
                                 query: [Parameter("q", uiText, description: "Search text (the results of `GET /search`)")],
                                 success: .html("Home page"), usesDatabase: true)
    static let uiNamespace = RouteDoc(operationID: "ui_namespace", summary: "UI: a namespace's models", description: absent,
                                      tag: .ui, query: [namespace], success: .html("Namespace page"), usesDatabase: true)
    static let uiModel = RouteDoc(operationID: "ui_model", summary: "UI: a model's versions", description: absent, tag: .ui,
                                  query: [namespace, model], success: .html("Model page"), errors: [missing], usesDatabase: true)
    static let uiVersion = RouteDoc(operationID: "ui_version", summary: "UI: one version's schemas", description: absent, tag: .ui,
                                    query: [namespace, model, Parameter("version", uiText, required: true)],
                                    success: .html("Version page"), errors: [missing], usesDatabase: true)
    static let uiDiff = RouteDoc(operationID: "ui_diff", summary: "UI: two versions side by side", description: absent, tag: .ui,
                                 query: [namespace, model, Parameter("from", uiText, required: true),
                                         Parameter("to", uiText, required: true), level],
                                 success: .html("Diff page"), errors: [missing], usesDatabase: true)
    static let uiCheckForm = RouteDoc(operationID: "ui_check_form", summary: "UI: the compatibility check form",
                                      description: absent, tag: .ui, query: [namespace, model],
                                      success: .html("Check page, the latest version's schemas filled in"), errors: [missing],
                                      usesDatabase: true)
    static let uiCheck = RouteDoc(
        operationID: "ui_check", summary: "UI: run the compatibility check",
        description: absent + " The body is the form (`application/x-www-form-urlencoded`: `version`, `json_schema`, "
            + "`avro_schema`, `level`); what is wrong with it is shown on the page.",
        tag: .ui, query: [namespace, model], success: .html("Check page with the dry run's answer"), errors: [missing],
        usesDatabase: true)
    static let uiScript = RouteDoc(operationID: "ui_script", summary: "UI: its script", description: absent, tag: .ui,
                                   success: ResponseDoc(status: 200, description: "JavaScript", content: .text(mediaType: "text/javascript")))
    static let uiIcon = RouteDoc(operationID: "ui_icon", summary: "UI: its icon", description: absent, tag: .ui,
                                 success: ResponseDoc(status: 200, description: "SVG", content: .text(mediaType: "image/svg+xml")))
    static let uiStylesheet = RouteDoc(operationID: "ui_stylesheet", summary: "UI: its stylesheet", description: absent, tag: .ui,
                                       success: ResponseDoc(status: 200, description: "CSS", content: .text(mediaType: "text/css")))
}
