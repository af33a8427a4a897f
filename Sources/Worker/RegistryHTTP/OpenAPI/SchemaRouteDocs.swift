
/// Documentation of the schema endpoints (contract §6), in both forms: namespaced
/// (`/schemas/{namespace}/{model_name}/…`) and global (`/schemas/{model_name}/…?namespace=`).
/// Parameters and their limits are those `SchemaHandlers` and `QueryParameters` check.
extension RouteDoc {
    typealias Form = SchemaHandlers.Form

    static func registerSchema(_ form: Form) -> RouteDoc {
        RouteDoc(operationID: id("register_schema", form), summary: "Register a schema version" + scope(form),
                 description: "Creates the version, or replaces it with `allow_overwrite=true` (same id, deprecation kept).",
                 tag: .schemas, pathParameters: modelPath(form),
                 query: [Parameter("allow_overwrite", .boolean, description: "Replace an existing version", default: false)]
                     + namespaceQuery(form),
                 body: .component(Components.schemaCreate),
                 success: .json(201, "Registered (or replaced)", schemaResponse, links: registeredLinks(form)),
                 errors: [.detail(400, "The version is not plain `major.minor.patch`"),
                          .detail(409, "The version exists and `allow_overwrite` is false"),
                          .json(409, "Not compatible at the level in force (`messages` as the dry run lists them)",
                                .component(Components.incompatibleSchema)),
                          .detail(422, "Invalid JSON Schema or Avro schema")],
                 usesDatabase: true)
    }

    static func getSchemaVersion(_ form: Form) -> RouteDoc {
        RouteDoc(operationID: id("get_schema_version", form), summary: "Get one version" + scope(form), tag: .schemas,
                 pathParameters: modelPath(form) + [version], query: namespaceQuery(form),
                 success: .json(200, "The version", schemaResponse),
                 errors: [.detail(404, "No such version")], usesDatabase: true)
    }

    static func getLatestSchema(_ form: Form) -> RouteDoc {
        RouteDoc(operationID: id("get_latest_schema", form), summary: "Get the latest version" + scope(form),
                 description: "The highest (major, minor, patch), deprecated versions included.", tag: .schemas,
                 pathParameters: modelPath(form), query: namespaceQuery(form),
                 success: .json(200, "The latest version", schemaResponse),
                 errors: [.detail(404, "The model has no versions")], usesDatabase: true)
    }

    static func listVersions(_ form: Form) -> RouteDoc {
        RouteDoc(operationID: id("list_versions", form), summary: "List a model's versions" + scope(form), tag: .schemas,
                 pathParameters: modelPath(form), query: namespaceQuery(form),
                 success: .json(200, "Every version, ascending", .component(Components.versionList)),
                 errors: [.detail(404, "The model has no versions")], usesDatabase: true)
    }

    static func compareVersions(_ form: Form) -> RouteDoc {
        RouteDoc(operationID: id("compare_versions", form), summary: "Compare two versions" + scope(form),
                 description: "Differences of the top-level `properties` and `required` of the JSON Schemas, and of the "
                     + "Avro fields when both versions carry an Avro record.",
                 tag: .schemas, pathParameters: modelPath(form),
                 query: [Parameter("from_version", .text(), required: true), Parameter("to_version", .text(), required: true)]
                     + namespaceQuery(form),
                 success: .json(200, "The changes", .component(Components.schemaComparison)),
                 errors: [.detail(404, "One of the versions does not exist")], usesDatabase: true)
    }

    static func deleteSchemaVersion(_ form: Form) -> RouteDoc {
        RouteDoc(operationID: id("delete_schema_version", form), summary: "Delete a version" + scope(form), tag: .schemas,
                 pathParameters: modelPath(form) + [version],
                 query: [Parameter("force", .boolean, description: "Must be true", default: false)] + namespaceQuery(form),
                 success: .json(200, "Deleted", .component(Components.deletedSchema)),
                 errors: [.detail(404, "No such version"), .detail(400, "`force=true` is missing")], usesDatabase: true)
    }

    static func deprecateSchemaVersion(_ form: Form) -> RouteDoc {
        RouteDoc(operationID: id("deprecate_schema_version", form), summary: "Deprecate a version" + scope(form), tag: .schemas,
                 pathParameters: modelPath(form) + [version],
                 query: [Parameter("message", .text(maxLength: 500), description: "Why; absent clears an earlier message")]
                     + namespaceQuery(form),
                 success: .json(200, "The deprecated version", schemaResponse),
                 errors: [.detail(404, "No such version")], usesDatabase: true)
    }

    static func undeprecateSchemaVersion(_ form: Form) -> RouteDoc {
        RouteDoc(operationID: id("undeprecate_schema_version", form), summary: "Undo a deprecation" + scope(form), tag: .schemas,
                 pathParameters: modelPath(form) + [version], query: namespaceQuery(form),
                 success: .json(200, "The version, no longer deprecated", schemaResponse),
                 errors: [.detail(404, "No such version")], usesDatabase: true)
    }

    static let listModelNamespaces = RouteDoc(
        operationID: "list_model_namespaces", summary: "Namespaces holding a model", tag: .schemas,
        pathParameters: [modelName],
        success: .json(200, "Namespace → versions", .component(Components.modelNamespaces)),
        errors: [.detail(404, "The model is in no namespace")], usesDatabase: true)

    static let listSchemas = RouteDoc(
        operationID: "list_schemas", summary: "List and search schemas",
        description: "One item per model (global models first, then by namespace and name), paged by model.",
        tag: .schemas,
        query: [
            Parameter("namespace", .text(), description: "Absent: every namespace; empty or `null`: global models only"),
            Parameter("model_name", .text(), description: "Exact model name; empty: no filter"),
            Parameter("include_deprecated", .boolean, default: false),
            Parameter("limit", .integer(minimum: 1, maximum: 1000), description: "Models per page", default: 100),
            Parameter("offset", .integer(minimum: 0), default: 0),
        ],
        success: .json(200, "A page of models", .component(Components.schemaList)), usesDatabase: true)

    // MARK: -

    private static let schemaResponse = JSONSchema.component(Components.schemaResponse)
    /// Path segments are stored in 255-character columns.
    static let segment = JSONSchema.text(minLength: 1, maxLength: 255)
    private static let modelName = Parameter("model_name", segment)
    /// Matched as given (no pattern: any text names no version rather than being refused), but no NUL.
    private static let version = Parameter("version", .text(minLength: 1), required: true)

    static func modelPath(_ form: Form) -> [Parameter] {
        form == .namespaced ? [Parameter("namespace", segment, description: "Any text, `null` included"), modelName] : [modelName]
    }

    static func namespaceQuery(_ form: Form) -> [Parameter] {
        form == .namespaced ? [] : [
            Parameter("namespace", .text(maxLength: 255), description: "Absent: the global model; empty: the empty-string namespace"),
        ]
    }

    /// The registered version, reached through the operations of the same form.
    private static func registeredLinks(_ form: Form) -> [ResponseDoc.Link] {
        var model = [("model_name", "$request.path.model_name")]
        if form == .namespaced { model.insert(("namespace", "$request.path.namespace"), at: 0) }
        let version = model + [("version", "$response.body#/version")]
        let both = model + [("from_version", "$response.body#/version"), ("to_version", "$response.body#/version")]
        return [
            .init(name: "GetVersion", operationID: id("get_schema_version", form), parameters: version),
            .init(name: "GetLatest", operationID: id("get_latest_schema", form), parameters: model),
            .init(name: "ListVersions", operationID: id("list_versions", form), parameters: model),
            .init(name: "Compare", operationID: id("compare_versions", form), parameters: both),
            .init(name: "Deprecate", operationID: id("deprecate_schema_version", form), parameters: version),
            .init(name: "Undeprecate", operationID: id("undeprecate_schema_version", form), parameters: version),
            .init(name: "Delete", operationID: id("delete_schema_version", form), parameters: version),
        ]
    }

    private static func id(_ name: String, _ form: Form) -> String { form == .namespaced ? name + "_namespaced" : name }

    private static func scope(_ form: Form) -> String { form == .namespaced ? " (namespaced)" : "" }
}
