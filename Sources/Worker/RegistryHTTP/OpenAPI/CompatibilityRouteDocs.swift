import RegistryRuntime

/// Documentation of the compatibility endpoints (issue 14).
extension RouteDoc {
    typealias ScopeForm = CompatibilityHandlers.ScopeForm

    static func getCompatibility(_ form: ScopeForm) -> RouteDoc {
        RouteDoc(operationID: "get_compatibility" + suffix(form), summary: "The compatibility level in force" + scope(form),
                 description: "Falls back model → namespace → server; `source` says which scope sets it.",
                 tag: .compatibility, pathParameters: path(form), query: query(form),
                 success: .json(200, "The level and its scope", config), usesDatabase: true)
    }

    static func putCompatibility(_ form: ScopeForm) -> RouteDoc {
        RouteDoc(operationID: "set_compatibility" + suffix(form), summary: "Set the compatibility level" + scope(form),
                 description: "Stored in the database (every worker and server sees it) and audited.",
                 tag: .compatibility, pathParameters: path(form), query: query(form),
                 body: .component(Components.compatibilityConfigUpdate),
                 success: .json(200, "The level now set at this scope", config),
                 errors: [.detail(422, "Unknown level")], usesDatabase: true)
    }

    static func deleteCompatibility(_ form: ScopeForm) -> RouteDoc {
        RouteDoc(operationID: "delete_compatibility" + suffix(form), summary: "Remove the level set" + scope(form),
                 description: "The next scope's level applies again. Audited.",
                 tag: .compatibility, pathParameters: path(form), query: query(form),
                 success: ResponseDoc(status: 204, description: "Removed (no body)"),
                 errors: [.detail(404, "No level is set at this scope")], usesDatabase: true)
    }

    static func checkCompatibility(_ form: ModelPathForm) -> RouteDoc {
        RouteDoc(operationID: "check_compatibility" + (form == .namespaced ? "_namespaced" : ""),
                 summary: "Dry run: would this schema be accepted?" + (form == .namespaced ? " (namespaced)" : ""),
                 description: "The registration body, checked against the versions the level names; nothing is stored. "
                     + "A model without versions is compatible with anything.",
                 tag: .compatibility, pathParameters: modelPath(form),
                 query: [Parameter("level", .enumeration(CompatibilityLevel.allCases.map(\.rawValue)),
                                   description: "Check at this level instead of the one in force")]
                     + namespaceQuery(form),
                 body: .component(Components.schemaCreate),
                 success: .json(200, "The verdict and every change", .component(Components.compatibilityCheck)),
                 errors: [.detail(400, "The version is not plain `major.minor.patch`"),
                          .detail(422, "Invalid JSON Schema or Avro schema")],
                 usesDatabase: true)
    }

    // MARK: -

    private static let config = JSONSchema.component(Components.compatibilityConfig)

    private static func path(_ form: ScopeForm) -> [Parameter] {
        switch form {
        case .server: return []
        case .namespace: return [Parameter("namespace", segment)]
        case .model(let path): return modelPath(path)
        }
    }

    private static func query(_ form: ScopeForm) -> [Parameter] {
        if case .model(let path) = form { return namespaceQuery(path) }
        return []
    }

    private static func suffix(_ form: ScopeForm) -> String {
        switch form {
        case .server: return ""
        case .namespace: return "_namespace"
        case .model(.namespaced): return "_model_namespaced"
        case .model(.global): return "_model"
        }
    }

    private static func scope(_ form: ScopeForm) -> String {
        switch form {
        case .server: return " (server)"
        case .namespace: return " (namespace)"
        case .model(.namespaced): return " (model, namespaced)"
        case .model(.global): return " (model)"
        }
    }
}
