import Foundation
import RegistryJSON
import XCTest

/// `/openapi.json`, `/docs`, `/docs/oauth2-redirect` and `/redoc` (contract §1.3, §5.1, §12).
/// The document is generated from the route table, so these tests never copy the table: they
/// check the document against a real validator, against the router (every documented operation is
/// routed, every contract route is documented) and against real answers.
final class OpenAPITests: XCTestCase {
    /// §1.3, plus the additions (`undeprecate`, `/audit-logs`, `/metrics`) and the documentation routes.
    static let contractRoutes: [(String, String)] = [
        ("GET", "/"), ("GET", "/health"), ("GET", "/health/live"), ("GET", "/health/ready"),
        ("POST", "/schemas/{namespace}/{model_name}/versions"), ("GET", "/schemas/{namespace}/{model_name}/versions/latest"),
        ("GET", "/schemas/{namespace}/{model_name}/versions/{version}"), ("GET", "/schemas/{namespace}/{model_name}/versions"),
        ("GET", "/schemas/{namespace}/{model_name}/compare"), ("DELETE", "/schemas/{namespace}/{model_name}/versions/{version}"),
        ("POST", "/schemas/{namespace}/{model_name}/versions/{version}/deprecate"),
        ("POST", "/schemas/{namespace}/{model_name}/versions/{version}/undeprecate"),
        ("POST", "/schemas/{model_name}/versions"), ("GET", "/schemas/{model_name}/versions/latest"),
        ("GET", "/schemas/{model_name}/versions/{version}"), ("GET", "/schemas/{model_name}/versions"),
        ("GET", "/schemas/{model_name}/compare"), ("DELETE", "/schemas/{model_name}/versions/{version}"),
        ("POST", "/schemas/{model_name}/versions/{version}/deprecate"), ("POST", "/schemas/{model_name}/versions/{version}/undeprecate"),
        ("GET", "/schemas/{model_name}/namespaces"), ("GET", "/schemas"),
        ("POST", "/api-keys"), ("GET", "/api-keys"), ("GET", "/api-keys/stats"), ("GET", "/api-keys/{key_id}"),
        ("POST", "/api-keys/{key_id}/revoke"), ("DELETE", "/api-keys/{key_id}"), ("POST", "/api-keys/{key_id}/rotate"),
        ("GET", "/audit-logs"), ("GET", "/metrics"), ("GET", "/openapi.json"), ("GET", "/docs"), ("GET", "/docs/oauth2-redirect"), ("GET", "/redoc"),
    ]

    func testDocumentIsValidOpenAPI31WithAuthenticationOffAndOn() throws {
        for auth in ["false", "true"] {
            let server = try ServerProcess(databaseURL: Backend.sqlite.freshDatabaseURL(), workers: 1,
                                           environment: ["PYRMUTE_REGISTRY_ENABLE_AUTH": auth])
            let response = try server.request("/openapi.json")
            XCTAssertEqual(response.status, 200)
            XCTAssertEqual(response.header("Content-Type"), "application/json")
            try assertValidOpenAPI(response.body, "ENABLE_AUTH=\(auth)")
            let document = try response.json()
            XCTAssertEqual(document["openapi"], "3.1.0")
            XCTAssertTrue(document["info"]?["description"]?.stringValue?.hasPrefix("Centralized registry") == true)
            let tags = document["tags"]?.arrayValue?.compactMap { $0["name"]?.stringValue } ?? []
            for tag in ["root", "health", "schemas", "api-keys"] { XCTAssertTrue(tags.contains(tag), tag) }
            let operationIDs = OpenAPIConformanceIDs(document)
            XCTAssertEqual(operationIDs.all.count, Set(operationIDs.all).count, "operationIds are unique: \(operationIDs.all)")
            XCTAssertEqual(try server.stop(), 0)
        }
    }

    func testEveryDocumentedOperationIsRoutedAndEveryContractRouteDocumented() throws {
        let server = try ServerProcess(databaseURL: Backend.sqlite.freshDatabaseURL(), workers: 1)
        let contract = try OpenAPIConformance(server)
        let documented = Set(contract.operations.map { "\($0.method.uppercased()) \($0.path)" })
        for (method, path) in Self.contractRoutes {
            XCTAssertTrue(documented.contains("\(method) \(path)"), "\(method) \(path) is missing from the document")
        }
        for (path, method, operation) in contract.operations {
            var values: [String: String] = [:]
            for parameter in operation["parameters"]?.arrayValue ?? [] where parameter["in"] == "path" {
                let name = parameter["name"]?.stringValue ?? ""
                values[name] = parameter["schema"]?["type"] == "integer" ? "1" : "p-\(name)"
            }
            let response = try contract.call(method.uppercased(), path, values, json: method == "post" ? "{}" : nil)
            let routerRefusal = [307, 405].contains(response.status)
                || (response.status == 404 && response.text == #"{"detail":"Not Found"}"#)
            XCTAssertFalse(routerRefusal, "\(method) \(path) is documented but not routed: \(response.status) \(response.text)")
        }
        XCTAssertEqual(try server.stop(), 0)
    }

    func testDocumentationPagesAndInfoFromSettings() throws {
        let server = try ServerProcess(databaseURL: Backend.sqlite.freshDatabaseURL(), workers: 1, environment: [
            "PYRMUTE_REGISTRY_APP_NAME": "Team <Schemas> & Co", "PYRMUTE_REGISTRY_APP_VERSION": "9.8.7",
        ])
        let document = try server.request("/openapi.json").json()
        XCTAssertEqual(document["info"]?["title"], "Team <Schemas> & Co")
        XCTAssertEqual(document["info"]?["version"], "9.8.7")

        let root = try server.request("/").json()
        XCTAssertEqual(root["documentation"], ["swagger": "/docs", "redoc": "/redoc", "openapi": "/openapi.json"])
        for path in ["/docs", "/redoc"] {
            let page = try server.request(path)
            XCTAssertEqual(page.status, 200, path)
            XCTAssertEqual(page.header("Content-Type"), "text/html; charset=utf-8", path)
            XCTAssertTrue(page.text.contains("\"/openapi.json\""), "\(path) loads the document: \(page.text)")
            XCTAssertTrue(page.text.contains("https://cdn.jsdelivr.net/npm/"), path)
            XCTAssertTrue(page.text.contains("<title>Team &lt;Schemas&gt; &amp; Co - "), "\(path): escaped title")
            XCTAssertNotNil(page.header("X-Correlation-ID"), path)
        }
        XCTAssertTrue(try server.request("/docs").text.contains("swagger-ui-dist@5/swagger-ui-bundle.js"))
        XCTAssertTrue(try server.request("/docs").text.contains("\"/docs/oauth2-redirect\""))
        XCTAssertTrue(try server.request("/redoc").text.contains("redoc@2/bundles/redoc.standalone.js"))
        let redirect = try server.request("/docs/oauth2-redirect")
        XCTAssertEqual(redirect.status, 200)
        XCTAssertEqual(redirect.header("Content-Type"), "text/html; charset=utf-8")
        XCTAssertTrue(redirect.text.contains("swaggerUIRedirectOauth2"))
        XCTAssertEqual(try server.request("HEAD", "/docs").status, 200)
        XCTAssertEqual(try server.request("POST", "/openapi.json").status, 405)
        XCTAssertEqual(try server.stop(), 0)
    }

    func testProductionHasNoPagesButTheDocument() throws {
        let url = try Backend.sqlite.freshDatabaseURL()
        let initialised = try CommandRunner.cli(["init-db"], environment: ["PYRMUTE_REGISTRY_DATABASE_URL": url])
        XCTAssertEqual(initialised.status, 0, initialised.output)
        let server = try ServerProcess(databaseURL: url, workers: 1, environment: ["PYRMUTE_REGISTRY_ENVIRONMENT": "production"])
        for path in ["/docs", "/docs/oauth2-redirect", "/redoc"] {
            let response = try server.request(path)
            XCTAssertEqual(response.status, 404, path)
            XCTAssertEqual(response.text, #"{"detail":"Not Found"}"#, path)
        }
        let root = try server.request("/").json()
        XCTAssertEqual(root["documentation"], ["swagger": nil, "redoc": nil, "openapi": "/openapi.json"])
        let response = try server.request("/openapi.json")
        XCTAssertEqual(response.status, 200)
        try assertValidOpenAPI(response.body, "production")
        let paths = try response.json()["paths"]?.objectValue?.keys ?? []
        XCTAssertTrue(paths.contains("/openapi.json"))
        XCTAssertFalse(paths.contains("/docs") || paths.contains("/redoc") || paths.contains("/docs/oauth2-redirect"),
                       "absent pages are not documented: \(paths)")
        XCTAssertEqual(try server.stop(), 0)
    }

    func testDocsArePublicAndProtectedOperationsDocumentTheirKey() throws {
        let (server, _) = try AuthSupport.server(.sqlite)
        for path in ["/openapi.json", "/docs", "/docs/oauth2-redirect", "/redoc"] {
            XCTAssertEqual(try server.request(path).status, 200, "\(path) needs no key")
        }
        let contract = try OpenAPIConformance(server)
        let schemes = contract.document["components"]?["securitySchemes"]
        XCTAssertEqual(schemes?["APIKeyHeader"], ["type": "apiKey", "in": "header", "name": "X-API-Key"])
        XCTAssertEqual(schemes?["HTTPBearer"]?["scheme"], "bearer")
        for (path, method, operation) in contract.operations {
            let isPublic = path == "/" || path.hasPrefix("/health") || path == "/openapi.json" || path.hasPrefix("/docs")
                || path == "/redoc" || path.hasPrefix("/ui/static/")
            // A web UI page (docs/ui.md) needs a key too, but a browser that asks without one gets
            // the key prompt (200, no data); a wrong key is a 401 as everywhere.
            let isUIPage = path == "/ui" || path.hasPrefix("/ui/")
            let responses = operation["responses"]?.objectValue?.keys ?? []
            if isPublic {
                XCTAssertNil(operation["security"], "\(method) \(path) is public")
                XCTAssertFalse(responses.contains("401"), "\(method) \(path)")
            } else {
                XCTAssertEqual(operation["security"], [["APIKeyHeader": []], ["HTTPBearer": []]], "\(method) \(path)")
                XCTAssertTrue(responses.contains("401") && responses.contains("403"), "\(method) \(path): \(responses)")
                XCTAssertNotNil(operation["responses"]?["401"]?["headers"]?["WWW-Authenticate"], "\(method) \(path)")
                // What the document promises holds: no key → 401.
                let target = path.replacingOccurrences(of: "{key_id}", with: "1")
                    .replacingOccurrences(of: "{", with: "x").replacingOccurrences(of: "}", with: "")
                if isUIPage, method == "get" {
                    let prompt = try server.request(target)
                    XCTAssertEqual(prompt.status, 200, "\(method) \(path)")
                    XCTAssertTrue(prompt.text.contains(#"<form id="key-form""#), "\(method) \(path)")
                    XCTAssertEqual(try server.request(target, headers: [("X-API-Key", AuthSupport.garbageKey())]).status, 401,
                                   "\(method) \(path)")
                } else {
                    XCTAssertEqual(try server.request(method.uppercased(), target).status, 401, "\(method) \(path)")
                }
            }
        }
        XCTAssertEqual(try server.stop(), 0)
    }

    /// Every integer and length limit the document gives a query parameter is the one the
    /// handler enforces: just inside is not a 422, just outside is.
    func testDocumentedQueryLimitsAreTheEnforcedOnes() throws {
        let server = try ServerProcess(databaseURL: Backend.sqlite.freshDatabaseURL(), workers: 1)
        let contract = try OpenAPIConformance(server)
        var probed = 0
        for (path, method, operation) in contract.operations where method == "get" || method == "delete" {
            let parameters = operation["parameters"]?.arrayValue ?? []
            let filled = Dictionary(uniqueKeysWithValues: parameters.filter { $0["in"] == "path" }.map {
                ($0["name"]?.stringValue ?? "", $0["schema"]?["type"] == "integer" ? "1" : "x")
            })
            let required = parameters.filter { $0["in"] == "query" && $0["required"] == true }
                .map { "\($0["name"]?.stringValue ?? "")=1.0.0" }
            for parameter in parameters where parameter["in"] == "query" {
                let name = parameter["name"]?.stringValue ?? ""
                for (inside, outside) in Self.boundaryProbes(parameter["schema"] ?? .null) {
                    let others = required.filter { !$0.hasPrefix(name + "=") }
                    let ok = try contract.call(method.uppercased(), path, filled, query: (others + ["\(name)=\(inside)"]).joined(separator: "&"))
                    XCTAssertNotEqual(ok.status, 422, "\(method) \(path)?\(name)=\(inside.prefix(20)): \(ok.text.prefix(300))")
                    let refused = try contract.call(method.uppercased(), path, filled,
                                                    query: (others + ["\(name)=\(outside)"]).joined(separator: "&"))
                    XCTAssertEqual(refused.status, 422, "\(method) \(path)?\(name)=\(outside.prefix(20))")
                    probed += 1
                }
            }
        }
        XCTAssertGreaterThan(probed, 10, "limits found in the document")
        XCTAssertEqual(try server.stop(), 0)
    }

    func testRateLimitedOperationsDocumentTheir429() throws {
        let server = try ServerProcess(databaseURL: Backend.sqlite.freshDatabaseURL(), workers: 1, environment: [
            "PYRMUTE_REGISTRY_RATE_LIMIT_ENABLED": "true", "PYRMUTE_REGISTRY_RATE_LIMIT_PER_MINUTE": "2",
        ])
        let api = try OpenAPIConformance(server)
        try assertValidOpenAPI(api.document.serializedBytes(), "rate limiting on")
        XCTAssertNil(api.operation("GET", "/health")?["responses"]?["429"], "health probes are not limited")
        XCTAssertNotNil(api.operation("GET", "/schemas")?["responses"]?["429"]?["headers"]?["Retry-After"])
        // Fixed one-minute windows: five calls exceed two per window even across a window's end.
        let statuses = try (0..<5).map { _ in try api.call("GET", "/schemas").status }
        XCTAssertTrue(statuses.contains(429), "\(statuses)")
        XCTAssertEqual(try server.stop(), 0)
    }

    func testAnswersMatchTheDocument_sqlite() throws { try answersMatchTheDocument(.sqlite) }
    func testAnswersMatchTheDocument_postgres() throws { try answersMatchTheDocument(.postgres) }

    /// A tour of every operation with authentication on, successes and refusals, each answer
    /// checked against the document (status documented, body valid against its schema).
    private func answersMatchTheDocument(_ backend: Backend) throws {
        let (server, admin) = try AuthSupport.server(backend, environment: ["PYRMUTE_REGISTRY_MAX_BODY_SIZE": "1500"])
        let api = try OpenAPIConformance(server)
        for path in ["/", "/health", "/health/live", "/health/ready", "/openapi.json", "/docs", "/redoc", "/docs/oauth2-redirect"] {
            XCTAssertEqual(try api.call("GET", path).status, 200, path)
        }
        XCTAssertEqual(try api.call("GET", "/schemas").status, 401)
        XCTAssertEqual(try api.call("GET", "/schemas", key: AuthSupport.garbageKey()).status, 401)

        // Keys.
        let readerResponse = try api.call("POST", "/api-keys", key: admin, json: #"{"name":"reader","description":"r","expires_in_days":30}"#)
        XCTAssertEqual(readerResponse.status, 201)
        let reader = try readerResponse.json()["api_key"]?.stringValue ?? ""
        XCTAssertEqual(try api.call("POST", "/api-keys", key: admin, json: #"{"name":"reader"}"#).status, 409)
        XCTAssertEqual(try api.call("POST", "/api-keys", key: admin, json: #"{"name":"ab","permission":"root"}"#).status, 422)
        XCTAssertEqual(try api.call("POST", "/api-keys", key: admin, json: "[1]").status, 422)
        XCTAssertEqual(try api.call("GET", "/api-keys", key: reader).status, 403)
        let writer = try api.call("POST", "/api-keys", key: admin, json: #"{"name":"writer","permission":"write"}"#).json()
        let writerID = writer["id"]?.intValue ?? 0
        XCTAssertEqual(try api.call("GET", "/api-keys", query: "include_revoked=true&permission=write", key: admin).status, 200)
        XCTAssertEqual(try api.call("GET", "/api-keys", query: "permission=owner", key: admin).status, 422)
        XCTAssertEqual(try api.call("GET", "/api-keys/stats", key: admin).status, 200)
        XCTAssertEqual(try api.call("GET", "/api-keys/{key_id}", ["key_id": "\(writerID)"], key: admin).status, 200)
        XCTAssertEqual(try api.call("GET", "/api-keys/{key_id}", ["key_id": "9999"], key: admin).status, 404)
        XCTAssertEqual(try api.call("GET", "/api-keys/{key_id}", ["key_id": "abc"], key: admin).status, 422)
        let rotated = try api.call("POST", "/api-keys/{key_id}/rotate", ["key_id": "\(writerID)"], key: admin, json: "{}")
        XCTAssertEqual(rotated.status, 200)
        let successor = try rotated.json()["new_key"]?["id"]?.intValue ?? 0
        XCTAssertEqual(try api.call("POST", "/api-keys/{key_id}/rotate", ["key_id": "\(successor)"], key: admin,
                                    json: #"{"grace_period_hours":0,"reason":"now"}"#).status, 200)
        XCTAssertEqual(try api.call("POST", "/api-keys/{key_id}/rotate", ["key_id": "\(successor)"], key: admin, json: "{}").status, 400)
        XCTAssertEqual(try api.call("POST", "/api-keys/{key_id}/rotate", ["key_id": "1"], key: admin,
                                    json: #"{"grace_period_hours":200}"#).status, 422)
        XCTAssertEqual(try api.call("POST", "/api-keys/{key_id}/revoke", ["key_id": "\(writerID)"], key: admin,
                                    json: #"{"revoked_by":"tester","reason":"done"}"#).status, 200)
        XCTAssertEqual(try api.call("POST", "/api-keys/{key_id}/revoke", ["key_id": "\(writerID)"], key: admin,
                                    json: #"{"revoked_by":"tester"}"#).status, 400)
        XCTAssertEqual(try api.call("DELETE", "/api-keys/{key_id}", ["key_id": "\(writerID)"], key: admin).status, 204)
        XCTAssertEqual(try api.call("DELETE", "/api-keys/{key_id}", ["key_id": "\(writerID)"], key: admin).status, 404)

        // Schemas, namespaced and global.
        let ns = ["namespace": "team", "model_name": "User"]
        let v1 = #"{"version":"1.0.0","json_schema":{"type":"object","properties":{"id":{"type":"integer"},"fax":{"type":"string"}},"required":["id"]},"avro_schema":{"type":"record","name":"User","fields":[{"name":"id","type":"int"}]},"registered_by":"svc","meta":{"team":"a"}}"#
        let v2 = #"{"version":"2.0.0","json_schema":{"type":"object","properties":{"id":{"type":"string"},"email":{"type":"string"}},"required":["id","email"]},"avro_schema":{"type":"record","name":"User","fields":[{"name":"id","type":"long"},{"name":"email","type":"string"}]},"registered_by":"svc","registered_at":"2024-01-15T10:30:00Z"}"#
        XCTAssertEqual(try api.call("POST", "/schemas/{namespace}/{model_name}/versions", ns, key: reader, json: v1).status, 403)
        XCTAssertEqual(try api.call("POST", "/schemas/{namespace}/{model_name}/versions", ns, key: admin, json: v1).status, 201)
        XCTAssertEqual(try api.call("POST", "/schemas/{namespace}/{model_name}/versions", ns, key: admin, json: v2).status, 201)
        XCTAssertEqual(try api.call("POST", "/schemas/{namespace}/{model_name}/versions", ns, key: admin, json: v1).status, 409)
        XCTAssertEqual(try api.call("POST", "/schemas/{namespace}/{model_name}/versions", ns, query: "allow_overwrite=true",
                                    key: admin, json: v1).status, 201)
        let global = ["model_name": "Order"]
        let order = #"{"version":"1.0.0","json_schema":{},"registered_by":"svc"}"#
        XCTAssertEqual(try api.call("POST", "/schemas/{model_name}/versions", global, key: admin, json: order).status, 201)
        XCTAssertEqual(try api.call("POST", "/schemas/{model_name}/versions", global, query: "namespace=", key: admin, json: order).status, 201)
        XCTAssertEqual(try api.call("POST", "/schemas/{model_name}/versions", global, key: admin,
                                    json: #"{"version":"1.0.0-rc1","json_schema":{},"registered_by":"svc"}"#).status, 400)
        XCTAssertEqual(try api.call("POST", "/schemas/{model_name}/versions", global, key: admin,
                                    json: #"{"version":"3.0.0","json_schema":{"type":"foo"},"registered_by":"svc"}"#).status, 422)
        XCTAssertEqual(try api.call("POST", "/schemas/{model_name}/versions", global, key: admin,
                                    json: #"{"version":"3.0.0","json_schema":{},"avro_schema":{"type":"enum"},"registered_by":"svc"}"#).status, 422)
        XCTAssertEqual(try api.call("POST", "/schemas/{model_name}/versions", global, key: admin,
                                    json: #"{"version":"bad","json_schema":true,"registered_by":""}"#).status, 422)
        XCTAssertEqual(try api.call("POST", "/schemas/{model_name}/versions", global, key: admin, json: "{").status, 422)
        let huge = #"{"version":"3.0.0","json_schema":{},"registered_by":"\#(String(repeating: "x", count: 2_000))"}"#
        XCTAssertEqual(try api.call("POST", "/schemas/{model_name}/versions", global, key: admin, json: huge).status, 413)

        for (template, path, query) in [("/schemas/{namespace}/{model_name}", ns, ""), ("/schemas/{model_name}", ["model_name": "User"], "namespace=team")] {
            let withVersion = path.merging(["version": "1.0.0"]) { a, _ in a }
            XCTAssertEqual(try api.call("GET", template + "/versions/{version}", withVersion, query: query, key: reader).status, 200)
            XCTAssertEqual(try api.call("GET", template + "/versions/{version}", path.merging(["version": "9.9.9"]) { a, _ in a },
                                        query: query, key: reader).status, 404)
            XCTAssertEqual(try api.call("GET", template + "/versions/latest", path, query: query, key: reader).status, 200)
            XCTAssertEqual(try api.call("GET", template + "/versions", path, query: query, key: reader).status, 200)
            let compare = try api.call("GET", template + "/compare", path,
                                       query: [query, "from_version=1.0.0&to_version=2.0.0"].filter { !$0.isEmpty }.joined(separator: "&"),
                                       key: reader)
            XCTAssertEqual(compare.status, 200)
            XCTAssertNotNil(try compare.json()["changes"]?["avro_changes"], "both versions carry Avro records")
            XCTAssertEqual(try api.call("GET", template + "/compare", path, query: query, key: reader).status, 422)
            XCTAssertEqual(try api.call("POST", template + "/versions/{version}/deprecate", withVersion,
                                        query: [query, "message=old"].filter { !$0.isEmpty }.joined(separator: "&"), key: admin).status, 200)
            XCTAssertEqual(try api.call("GET", "/schemas", query: "include_deprecated=true&limit=5", key: reader).status, 200)
            XCTAssertEqual(try api.call("POST", template + "/versions/{version}/undeprecate", withVersion, query: query, key: admin).status, 200)
            XCTAssertEqual(try api.call("DELETE", template + "/versions/{version}", withVersion, query: query, key: admin).status, 400)
            XCTAssertEqual(try api.call("DELETE", template + "/versions/{version}", withVersion, query: query, key: reader).status, 403)
            XCTAssertEqual(try api.call("DELETE", template + "/versions/{version}", withVersion,
                                        query: [query, "force=true"].filter { !$0.isEmpty }.joined(separator: "&"), key: admin).status, 200)
            XCTAssertEqual(try api.call("POST", template + "/versions", path, query: query, key: admin, json: v1).status, 201)
        }
        XCTAssertEqual(try api.call("GET", "/schemas/{model_name}/versions/latest", ["model_name": "Nobody"], key: reader).status, 404)
        XCTAssertEqual(try api.call("GET", "/schemas/{model_name}/versions", ["model_name": String(repeating: "m", count: 256)],
                                    key: reader).status, 422)
        XCTAssertEqual(try api.call("GET", "/schemas/{model_name}/namespaces", ["model_name": "Order"], key: reader).status, 200)
        XCTAssertEqual(try api.call("GET", "/schemas/{model_name}/namespaces", ["model_name": "Nobody"], key: reader).status, 404)
        XCTAssertEqual(try api.call("GET", "/schemas", key: reader).status, 200)
        XCTAssertEqual(try api.call("GET", "/schemas", query: "namespace=null&model_name=Order&offset=0", key: reader).status, 200)
        XCTAssertEqual(try api.call("GET", "/schemas", query: "limit=0&include_deprecated=maybe", key: reader).status, 422)

        // The audit trail, once rows have arrived.
        var logs = try api.call("GET", "/audit-logs", key: admin)
        let deadline = Date().addingTimeInterval(5)
        while (try logs.json()["total"]?.intValue ?? 0) == 0, Date() < deadline {
            usleep(100_000)
            logs = try api.call("GET", "/audit-logs", key: admin)
        }
        XCTAssertGreaterThan(try logs.json()["total"]?.intValue ?? 0, 0)
        XCTAssertEqual(try api.call("GET", "/audit-logs", query: "path_prefix=/schemas&status_code=201&since=2020-01-01T00:00:00Z",
                                    key: admin).status, 200)
        XCTAssertEqual(try api.call("GET", "/audit-logs", query: "since=yesterday", key: admin).status, 422)
        XCTAssertEqual(try api.call("GET", "/audit-logs", key: reader).status, 403)
        XCTAssertEqual(try api.call("GET", "/metrics", key: admin).status, 200)
        XCTAssertEqual(try api.call("GET", "/metrics", key: reader).status, 403)
        XCTAssertEqual(try server.stop(), 0)
    }

    func testKeyEndpointsWithAuthenticationOffMatchTheDocument() throws {
        let server = try ServerProcess(databaseURL: Backend.sqlite.freshDatabaseURL(), workers: 1)
        let api = try OpenAPIConformance(server)
        XCTAssertNil(api.operation("GET", "/schemas")?["responses"]?["401"], "no 401 without authentication")
        XCTAssertEqual(try api.call("POST", "/api-keys", json: #"{"name":"someone"}"#).status, 400)
        XCTAssertEqual(try api.call("POST", "/api-keys", json: #"{"name":"x"}"#).status, 422)
        XCTAssertEqual(try api.call("GET", "/api-keys").status, 400)
        XCTAssertEqual(try api.call("GET", "/api-keys/stats").status, 400)
        XCTAssertEqual(try api.call("DELETE", "/api-keys/{key_id}", ["key_id": "3"]).status, 400)
        XCTAssertEqual(try api.call("GET", "/audit-logs").status, 400)
        XCTAssertEqual(try api.call("GET", "/schemas").status, 200)
        XCTAssertEqual(try server.stop(), 0)
    }

    // MARK: -

    /// (inside, outside) query values for a parameter's documented limits.
    static func boundaryProbes(_ schema: JSONValue) -> [(String, String)] {
        var probes: [(String, String)] = []
        if let minimum = schema["minimum"]?.intValue { probes.append((String(minimum), String(minimum - 1))) }
        if let maximum = schema["maximum"]?.intValue { probes.append((String(maximum), String(maximum + 1))) }
        if let maxLength = schema["maxLength"]?.intValue {
            probes.append((String(repeating: "a", count: maxLength), String(repeating: "a", count: maxLength + 1)))
        }
        if schema["type"] == "boolean" { probes.append(("true", "maybe")) }
        if schema["type"] == "integer" { probes.append(("0", "zero")) }
        return probes.filter { inside, _ in
            // An integer probe of 0 outside the documented range is not "inside".
            guard let value = Int(inside) else { return true }
            return (schema["minimum"]?.intValue).map { value >= $0 } ?? true
        }
    }

    /// `openapi-spec-validator` (installed into .venv-tools by scripts/install-python-tools.sh).
    private func assertValidOpenAPI(_ document: [UInt8], _ context: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let validator = Paths.repositoryRoot.appendingPathComponent(".venv-tools/bin/openapi-spec-validator").path
        guard FileManager.default.isExecutableFile(atPath: validator) else {
            if ProcessInfo.processInfo.environment["PYRMUTE_TEST_REQUIRE_POSTGRES"] == "1" {
                return XCTFail("no openapi-spec-validator: run scripts/install-python-tools.sh", file: file, line: line)
            }
            throw XCTSkip("no openapi-spec-validator: run scripts/install-python-tools.sh")
        }
        let path = Paths.temporaryDirectory("openapi").appendingPathComponent("openapi.json")
        try Data(document).write(to: path)
        let result = try CommandRunner.run(validator, ["--schema", "3.1", path.path], timeout: 120)
        XCTAssertEqual(result.status, 0, "\(context): \(result.output)", file: file, line: line)
        XCTAssertTrue(result.output.contains(": OK"), "\(context): \(result.output)", file: file, line: line)
    }
}

/// Every `operationId` of a document.
private struct OpenAPIConformanceIDs {
    let all: [String]

    init(_ document: JSONValue) {
        all = (document["paths"]?.objectValue?.values ?? []).flatMap { item in
            (item.objectValue?.values ?? []).compactMap { $0["operationId"]?.stringValue }
        }
    }
}
