/// Documentation of `/`, the health probes and the documentation routes themselves.
extension RouteDoc {
    static let root = RouteDoc(operationID: "root", summary: "Registry information", tag: .root,
                               success: .json(200, "Name, version, environment and useful paths", .component(Components.rootInfo)))

    static let health = RouteDoc(
        operationID: "health_check", summary: "Detailed health",
        description: "Counts the stored schema versions, so it answers 503 when the database does not.",
        tag: .health,
        success: .json(200, "Healthy", .component(Components.healthStatus)),
        errors: [.json(503, "The database did not answer", .component(Components.healthFailure))])

    static let liveness = RouteDoc(operationID: "liveness", summary: "Liveness", description: "Never touches the database.",
                                   tag: .health, success: .json(200, "The worker answers", .component(Components.liveness)))

    static let readiness = RouteDoc(
        operationID: "readiness", summary: "Readiness", tag: .health,
        success: .json(200, "The database answers", .component(Components.readiness)),
        errors: [.json(503, "The database did not answer (`{\"ready\": false}`)", .component(Components.readiness))])

    static let openAPIDocument = RouteDoc(operationID: "openapi_document", summary: "This OpenAPI document", tag: .docs,
                                          success: .json(200, "OpenAPI 3.1", .anyObject))

    static let swaggerUI = RouteDoc(operationID: "swagger_ui", summary: "Swagger UI",
                                    description: "Absent in production.", tag: .docs, success: .html("Swagger UI page"))

    static let swaggerUIOAuth2Redirect = RouteDoc(operationID: "swagger_ui_oauth2_redirect", summary: "Swagger UI OAuth2 redirect",
                                                  description: "Absent in production.", tag: .docs,
                                                  success: .html("Hands an OAuth2 redirect back to Swagger UI"))

    static let redoc = RouteDoc(operationID: "redoc", summary: "ReDoc", description: "Absent in production.", tag: .docs,
                                success: .html("ReDoc page"))
}
