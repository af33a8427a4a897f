/// Documentation of the discovery endpoints (issue 16).
extension RouteDoc {
    static func canonicalForms(_ form: ModelPathForm) -> RouteDoc {
        RouteDoc(operationID: "get_canonical_forms" + (form == .namespaced ? "_namespaced" : ""),
                 summary: "Canonical forms and fingerprints of a version" + (form == .namespaced ? " (namespaced)" : ""),
                 description: "The JSON Schema in RFC 8785's form and the Avro schema in the specification's Parsing "
                     + "Canonical Form, with their SHA-256 and the Avro CRC-64 (Rabin) fingerprint.",
                 tag: .discovery, pathParameters: modelPath(form) + [Parameter("version", .text(minLength: 1), required: true)],
                 query: namespaceQuery(form),
                 success: .json(200, "The canonical forms", .component(Components.canonicalForms)),
                 errors: [.detail(404, "No such version")], usesDatabase: true)
    }

    static let lookupSchema = RouteDoc(
        operationID: "lookup_schema", summary: "Find the versions whose schema is this one",
        description: "Compares canonical forms through their stored SHA-256: every version, deprecated ones included.",
        tag: .discovery, body: .component(Components.schemaLookup),
        success: .json(200, "The versions with an identical canonical form", .component(Components.schemaLookupMatches)),
        usesDatabase: true)

    static let search = RouteDoc(
        operationID: "search", summary: "Search model names, field names and schema texts",
        description: "Case-insensitive; `*` matches any run of characters; several words must all match the same "
            + "name or text. Each model's latest matching version comes first, then exact before prefix before substring matches.",
        tag: .discovery,
        query: [
            Parameter("q", .text(minLength: 1, maxLength: DiscoveryInput.maximumQueryLength), required: true,
                      description: "Up to \(DiscoveryInput.maximumWords) words"),
            Parameter("kind", .enumeration(["model", "field", "text", "any"]), default: "any"),
            Parameter("namespace", .text(), description: "Absent: every namespace; empty or `null`: global models only"),
            Parameter("include_deprecated", .boolean, default: false),
            Parameter("limit", .integer(minimum: 1, maximum: 100), default: 20),
            Parameter("offset", .integer(minimum: 0), default: 0),
        ],
        success: .json(200, "A page of results", .component(Components.searchResults)), usesDatabase: true)
}
