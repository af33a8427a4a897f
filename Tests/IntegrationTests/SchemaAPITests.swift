import Foundation
import RegistryJSON
import XCTest

/// The schema endpoints through the real server, on both databases (contract §6, §3.2).
final class SchemaAPITests: XCTestCase {
    func testRegisterGetLatestVersions_sqlite() throws { try registerGetLatestVersions(.sqlite) }
    func testRegisterGetLatestVersions_postgres() throws { try registerGetLatestVersions(.postgres) }
    func testErrorsAndDetailStrings_sqlite() throws { try errorsAndDetails(.sqlite) }
    func testErrorsAndDetailStrings_postgres() throws { try errorsAndDetails(.postgres) }
    func testValidationErrorsAre422_sqlite() throws { try validationErrors(.sqlite) }
    func testValidationErrorsAre422_postgres() throws { try validationErrors(.postgres) }
    func testOverwriteDeprecateDelete_sqlite() throws { try overwriteDeprecateDelete(.sqlite) }
    func testOverwriteDeprecateDelete_postgres() throws { try overwriteDeprecateDelete(.postgres) }
    func testListingPagesByModel_sqlite() throws { try listing(.sqlite) }
    func testListingPagesByModel_postgres() throws { try listing(.postgres) }
    func testCompare_sqlite() throws { try compare(.sqlite) }
    func testCompare_postgres() throws { try compare(.postgres) }
    func testJSONRoundTripFidelity_sqlite() throws { try fidelity(.sqlite) }
    func testJSONRoundTripFidelity_postgres() throws { try fidelity(.postgres) }
    func testConcurrentIdenticalRegistrations_sqlite() throws { try concurrentRegistrations(.sqlite) }
    func testConcurrentIdenticalRegistrations_postgres() throws { try concurrentRegistrations(.postgres) }

    private func registerGetLatestVersions(_ backend: Backend) throws {
        let server = try ServerProcess(databaseURL: backend.freshDatabaseURL(), workers: 2)
        let created = try server.register("/schemas/billing/Invoice/versions", version: "1.0.0",
                                          schema: ["type": "object", "properties": ["id": ["type": "integer"]]],
                                          by: "svc-a", extra: [("registered_at", "2024-01-15T10:30:00Z"), ("meta", ["team": "pay"])])
        XCTAssertEqual(created.status, 201, created.text)
        XCTAssertEqual(created.header("Content-Type"), "application/json")
        let body = try created.json()
        XCTAssertEqual(body.objectValue?.keys, ["id", "namespace", "model_name", "version", "json_schema", "avro_schema",
                                                "registered_at", "registered_by", "meta", "deprecated", "deprecated_at",
                                                "deprecation_message"])
        XCTAssertEqual(created.text.replacingOccurrences(of: #""id":\d+"#, with: #""id":0"#, options: .regularExpression),
                       #"{"id":0,"namespace":"billing","model_name":"Invoice","version":"1.0.0","# +
                       #""json_schema":{"type":"object","properties":{"id":{"type":"integer"}}},"avro_schema":null,"# +
                       #""registered_at":"2024-01-15T10:30:00Z","registered_by":"svc-a","meta":{"team":"pay"},"# +
                       #""deprecated":false,"deprecated_at":null,"deprecation_message":null}"#)

        for version in ["1.2.0", "2.0.0", "1.10.0"] {
            XCTAssertEqual(try server.register("/schemas/billing/Invoice/versions", version: version, by: "svc-b").status, 201)
        }
        // The same model name globally and in another namespace is independent.
        XCTAssertEqual(try server.register("/schemas/Invoice/versions", version: "9.0.0").status, 201)
        XCTAssertEqual(try server.register("/schemas/Invoice/versions?namespace=other", version: "3.0.0").status, 201)

        XCTAssertEqual(try server.request("/schemas/billing/Invoice/versions").text, #"{"versions":["1.0.0","1.2.0","1.10.0","2.0.0"]}"#)
        XCTAssertEqual(try server.request("/schemas/billing/Invoice/versions/latest").json()["version"], "2.0.0")
        XCTAssertEqual(try server.request("/schemas/Invoice/versions/latest").json()["version"], "9.0.0")
        XCTAssertEqual(try server.request("/schemas/Invoice/versions/latest?namespace=other").json()["version"], "3.0.0")
        XCTAssertEqual(try server.request("/schemas/other/Invoice/versions/3.0.0").json()["namespace"], "other")
        let global = try server.request("/schemas/Invoice/versions/9.0.0").json()
        XCTAssertEqual(global["namespace"], .null)
        XCTAssertEqual(try server.request("/schemas/billing/Invoice/versions/1.0.0").json(), body)
        XCTAssertEqual(try server.request("/schemas/Invoice/namespaces").text,
                       #"{"namespaces":{"billing":["1.0.0","1.2.0","1.10.0","2.0.0"],"null":["9.0.0"],"other":["3.0.0"]}}"#)

        // A non-UTC offset is converted to UTC (the reference dropped it on SQLite).
        let offset = try server.register("/schemas/billing/Invoice/versions", version: "3.0.0",
                                         extra: [("registered_at", "2024-01-15T10:30:00.5+05:00")])
        XCTAssertEqual(try offset.json()["registered_at"], "2024-01-15T05:30:00.500000Z")
        XCTAssertEqual(try server.stop(), 0)
    }

    private func errorsAndDetails(_ backend: Backend) throws {
        let server = try ServerProcess(databaseURL: backend.freshDatabaseURL(), workers: 1)
        XCTAssertEqual(try server.register("/schemas/ns/User/versions", version: "1.0.0").status, 201)
        XCTAssertEqual(try server.register("/schemas/User/versions", version: "1.0.0").status, 201)

        let duplicate = try server.register("/schemas/ns/User/versions", version: "1.0.0")
        XCTAssertEqual(duplicate.status, 409)
        XCTAssertEqual(duplicate.detail, "Schema ns::User@1.0.0 already exists. Use allow_overwrite=true to replace it.")
        XCTAssertEqual(try server.register("/schemas/User/versions", version: "1.0.0").detail,
                       "Schema User@1.0.0 already exists. Use allow_overwrite=true to replace it.")

        let cases: [(String, String, Int, String)] = [
            ("GET", "/schemas/ns/User/versions/9.9.9", 404, "Schema ns::User@9.9.9 not found"),
            ("GET", "/schemas/User/versions/9.9.9", 404, "Schema User@9.9.9 not found"),
            ("GET", "/schemas/ns/Nobody/versions/latest", 404, "Model ns::Nobody not found"),
            ("GET", "/schemas/Nobody/versions/latest", 404, "Model Nobody not found"),
            ("GET", "/schemas/ns/Nobody/versions", 404, "Model ns::Nobody not found"),
            ("GET", "/schemas/Nobody/namespaces", 404, "Model Nobody not found in any namespace"),
            ("GET", "/schemas/ns/User/compare?from_version=0.0.1&to_version=9.9.9", 404, "Schema ns::User@0.0.1 not found"),
            ("GET", "/schemas/ns/User/compare?from_version=1.0.0&to_version=9.9.9", 404, "Schema ns::User@9.9.9 not found"),
            ("DELETE", "/schemas/ns/User/versions/9.9.9", 404, "Schema ns::User@9.9.9 not found"),
            ("DELETE", "/schemas/ns/User/versions/1.0.0", 400, "Deletion requires force=true parameter"),
            ("POST", "/schemas/ns/User/versions/9.9.9/deprecate", 404, "Schema ns::User@9.9.9 not found"),
            // Route shadowing fixed: these read as versions of a global model.
            ("GET", "/schemas/User/versions/compare", 404, "Schema User@compare not found"),
            ("GET", "/schemas/User/versions/versions", 404, "Schema User@versions not found"),
        ]
        for (method, path, status, detail) in cases {
            let response = try server.request(method, path)
            XCTAssertEqual(response.status, status, "\(method) \(path): \(response.text)")
            XCTAssertEqual(response.detail, detail, "\(method) \(path)")
        }

        let badVersion = try server.register("/schemas/ns/User/versions", version: "1.0.0-beta")
        XCTAssertEqual(badVersion.status, 400)
        XCTAssertEqual(badVersion.detail, "Invalid version format '1.0.0-beta': Invalid version string: '1.0.0-beta'\n" +
                       "Version parts must be integers: invalid literal for int() with base 10: '0-beta'. Expected 'major.minor.patch'")

        let avro = try server.register("/schemas/ns/User/versions", version: "2.0.0",
                                       extra: [("avro_schema", ["type": "record", "name": "User", "fields": []])])
        XCTAssertEqual(avro.status, 422)
        XCTAssertEqual(avro.detail, "Invalid Avro schema: Avro schema 'fields' array cannot be empty")
        let jsonSchema = try server.register("/schemas/ns/User/versions", version: "2.0.0",
                                             schema: ["type": "object", "additionalProperties": "not_a_boolean"])
        XCTAssertEqual(jsonSchema.status, 422)
        XCTAssertEqual(jsonSchema.detail, "Invalid JSON Schema: 'not_a_boolean' is not of type 'object', 'boolean'")
        XCTAssertEqual(try server.register("/schemas/ns/User/versions", version: "2.0.0", schema: ["type": "foo"]).detail,
                       "Invalid JSON Schema: 'foo' is not valid under any of the given schemas")
        XCTAssertEqual(try server.stop(), 0)
    }

    private func validationErrors(_ backend: Backend) throws {
        let server = try ServerProcess(databaseURL: backend.freshDatabaseURL(), workers: 1)
        let path = "/schemas/ns/User/versions"

        let bad = try server.post(path, json: #"{"version":"bad","json_schema":{},"registered_by":"x"}"#)
        XCTAssertEqual(bad.status, 422)
        XCTAssertEqual(bad.text, #"{"detail":[{"type":"string_pattern_mismatch","loc":["body","version"],"# +
                       #""msg":"String should match pattern '^\\d+\\.\\d+\\.\\d+(-[a-zA-Z0-9.-]+)?$'","input":"bad","# +
                       #""ctx":{"pattern":"^\\d+\\.\\d+\\.\\d+(-[a-zA-Z0-9.-]+)?$"}}],"# +
                       #""body":{"version":"bad","json_schema":{},"registered_by":"x"}}"#)

        let missing = try server.post(path, json: "{}").json()
        XCTAssertEqual(missing["detail"]?.arrayValue?.map { $0["loc"] }, [["body", "version"], ["body", "json_schema"], ["body", "registered_by"]])
        XCTAssertEqual(missing["detail"]?.arrayValue?.first?["type"], "missing")

        // Malformed, non-object, missing bodies and a bad timestamp: 422, never 500.
        for (text, type) in [("{bad", "json_invalid"), ("[1,2]", "model_attributes_type"), ("\"text\"", "model_attributes_type"),
                             ("", "missing")] {
            let response = try server.post(path, json: text)
            XCTAssertEqual(response.status, 422, text)
            XCTAssertEqual(try response.json()["detail"]?.arrayValue?.first?["type"]?.stringValue, type, text)
            XCTAssertNotNil(response.header("X-Correlation-ID"))
        }
        let date = try server.register(path, version: "1.0.0", extra: [("registered_at", "notadate")])
        XCTAssertEqual(date.status, 422)
        XCTAssertEqual(try date.json()["detail"]?.arrayValue?.first?["loc"], ["body", "registered_at"])
        XCTAssertEqual(try server.register(path, version: "1.0.0", extra: [("meta", nil)]).status, 422)
        XCTAssertEqual(try server.register(path, version: "1.0.0", schema: true).status, 422)
        XCTAssertEqual(try server.register(path, version: "1.0.0", by: String(repeating: "x", count: 256)).status, 422)

        // Over-long path segments and deprecation messages: 422 (the reference gave 500/503).
        let long = String(repeating: "n", count: 256)
        let longPath = try server.register("/schemas/\(long)/User/versions", version: "1.0.0")
        XCTAssertEqual(longPath.status, 422)
        XCTAssertEqual(try longPath.json()["detail"]?.arrayValue?.first?["loc"], ["path", "namespace"])
        XCTAssertEqual(try server.register(path, version: "1.0.0").status, 201)
        let message = String(repeating: "m", count: 501)
        XCTAssertEqual(try server.request("POST", "/schemas/ns/User/versions/1.0.0/deprecate?message=\(message)").status, 422)

        for query in ["limit=0", "limit=1001", "offset=-1", "limit=x", "include_deprecated=maybe"] {
            let response = try server.request("/schemas?\(query)")
            XCTAssertEqual(response.status, 422, query)
            XCTAssertEqual(try response.json()["body"], .null)
        }
        XCTAssertEqual(try server.request("/schemas/ns/User/compare?from_version=1.0.0").status, 422)
        XCTAssertEqual(try server.request("/schemas/ns/User/versions?allow_overwrite=nope").status, 200, "unknown query ignored")
        XCTAssertEqual(try server.register(path + "?allow_overwrite=nope", version: "1.0.0").status, 422)
        XCTAssertEqual(try server.stop(), 0)
    }

    private func overwriteDeprecateDelete(_ backend: Backend) throws {
        let server = try ServerProcess(databaseURL: backend.freshDatabaseURL(), workers: 1)
        let avro: JSONValue = ["type": "record", "name": "User", "doc": "x", "fields": [["name": "id", "type": "long"]]]
        let first = try server.register("/schemas/ns/User/versions", version: "1.0.0", extra: [("avro_schema", avro)]).json()
        XCTAssertEqual(first["avro_schema"], avro)

        let deprecated = try server.request("POST", "/schemas/ns/User/versions/1.0.0/deprecate?message=use%202.0").json()
        XCTAssertEqual(deprecated["deprecated"], true)
        XCTAssertEqual(deprecated["deprecation_message"], "use 2.0")
        XCTAssertTrue(deprecated["deprecated_at"]?.stringValue?.hasSuffix("Z") == true)

        let overwritten = try server.register("/schemas/ns/User/versions?allow_overwrite=true", version: "1.0.0",
                                              schema: ["type": "object"], by: "other")
        XCTAssertEqual(overwritten.status, 201)
        let body = try overwritten.json()
        XCTAssertEqual(body["id"], first["id"])
        XCTAssertEqual(body["avro_schema"], .null)
        XCTAssertEqual(body["registered_by"], "other")
        XCTAssertEqual(body["deprecated"], true, "overwrite keeps the deprecation")

        let cleared = try server.request("POST", "/schemas/ns/User/versions/1.0.0/deprecate").json()
        XCTAssertEqual(cleared["deprecation_message"], .null)
        let undeprecated = try server.request("POST", "/schemas/ns/User/versions/1.0.0/undeprecate").json()
        XCTAssertEqual(undeprecated["deprecated"], false)
        XCTAssertEqual(undeprecated["deprecated_at"], .null)

        XCTAssertEqual(try server.register("/schemas/User/versions?namespace=", version: "1.0.0").status, 201)
        let deleted = try server.request("DELETE", "/schemas/User/versions/1.0.0?namespace=&force=true")
        XCTAssertEqual(deleted.text, #"{"deleted":true,"namespace":"","model_name":"User","version":"1.0.0"}"#)
        XCTAssertEqual(try server.request("DELETE", "/schemas/ns/User/versions/1.0.0?force=true").text,
                       #"{"deleted":true,"namespace":"ns","model_name":"User","version":"1.0.0"}"#)
        XCTAssertEqual(try server.request("/schemas/ns/User/versions/1.0.0").status, 404)
        XCTAssertEqual(try server.request("/health").json()["schemas_count"], 0)
        XCTAssertEqual(try server.stop(), 0)
    }

    private func listing(_ backend: Backend) throws {
        let server = try ServerProcess(databaseURL: backend.freshDatabaseURL(), workers: 1)
        for model in ["E", "C", "A", "D", "B"] {
            XCTAssertEqual(try server.register("/schemas/\(model)/versions", version: "1.0.0").status, 201)
        }
        for version in ["1.0.0", "1.10.0", "1.2.0"] {
            XCTAssertEqual(try server.register("/schemas/ns/M/versions", version: version, by: "v\(version)").status, 201)
        }
        _ = try server.request("POST", "/schemas/ns/M/versions/1.2.0/deprecate")

        let page = try server.request("/schemas?limit=2&offset=0").json()
        XCTAssertEqual(page["total"], 2)
        XCTAssertEqual(page["total_count"], 6, "six models")
        XCTAssertEqual(page["schemas"]?.arrayValue?.map { $0["model_name"] }, ["A", "B"])
        let last = try server.request("/schemas?limit=2&offset=4").json()
        XCTAssertEqual(last["offset"], 4)
        XCTAssertEqual(last["schemas"]?.arrayValue?.map { $0["model_name"] }, ["E", "M"])
        let m = try XCTUnwrap(last["schemas"]?.arrayValue?.last)
        XCTAssertEqual(m["namespace"], "ns")
        XCTAssertEqual(m["versions"], ["1.0.0", "1.10.0"])
        XCTAssertEqual(m["latest_version"], "1.10.0")
        XCTAssertEqual(m["deprecated_versions"], [])

        let withDeprecated = try server.request("/schemas?namespace=ns&include_deprecated=true").json()
        XCTAssertEqual(withDeprecated["total_count"], 1)
        let item = try XCTUnwrap(withDeprecated["schemas"]?.arrayValue?.first)
        XCTAssertEqual(item["versions"], ["1.0.0", "1.2.0", "1.10.0"])
        XCTAssertEqual(item["deprecated_versions"], ["1.2.0"])
        XCTAssertEqual(Set(item["registered_by"]?.arrayValue?.compactMap(\.stringValue) ?? []), ["v1.0.0", "v1.10.0", "v1.2.0"])

        XCTAssertEqual(try server.request("/schemas?namespace=null").json()["total_count"], 5)
        XCTAssertEqual(try server.request("/schemas?namespace=").json()["total_count"], 5)
        XCTAssertEqual(try server.request("/schemas?model_name=C").json()["schemas"]?.arrayValue?.count, 1)
        XCTAssertEqual(try server.request("/schemas?namespace=none").text,
                       #"{"schemas":[],"total":0,"limit":100,"offset":0,"total_count":0}"#)
        XCTAssertEqual(try server.stop(), 0)
    }

    private func compare(_ backend: Backend) throws {
        let server = try ServerProcess(databaseURL: backend.freshDatabaseURL(), workers: 1)
        let v1: JSONValue = ["type": "object", "properties": ["age": ["type": "string"], "fax": ["type": "string"],
                                                              "nick": ["type": "string"], "flag": true],
                             "required": ["nick"]]
        let v2: JSONValue = ["type": "object", "properties": ["age": ["type": "integer"], "email": ["type": "string"],
                                                              "nick": ["type": "string"], "flag": false],
                             "required": ["email"]]
        XCTAssertEqual(try server.register("/schemas/ns/User/versions", version: "1.0.0", schema: v1).status, 201)
        XCTAssertEqual(try server.register("/schemas/ns/User/versions", version: "2.0.0", schema: v2).status, 201)
        let response = try server.request("/schemas/ns/User/compare?from_version=1.0.0&to_version=2.0.0")
        XCTAssertEqual(response.status, 200)
        XCTAssertEqual(response.text,
            #"{"namespace":"ns","model_name":"User","from_version":"1.0.0","to_version":"2.0.0","changes":{"# +
            #""properties_added":["email"],"properties_removed":["fax"],"# +
            #""properties_modified":[{"property":"age","from":{"type":"string"},"to":{"type":"integer"}},{"property":"flag","from":true,"to":false}],"# +
            #""required_added":["email"],"required_removed":["nick"],"breaking_changes":["# +
            #"{"type":"properties_removed","details":["fax"],"description":"Removing properties can break consumers expecting these fields"},"# +
            #"{"type":"type_changed","property":"age","from":"string","to":"integer","description":"Property 'age' type changed from string to integer"},"# +
            #"{"type":"required_fields_added","details":["email"],"description":"Adding required fields can break existing data producers"}],"# +
            #""compatibility":"breaking"}}"#)
        XCTAssertEqual(try server.register("/schemas/User/versions", version: "1.0.0", schema: ["required": []]).status, 201)
        XCTAssertEqual(try server.register("/schemas/User/versions", version: "1.0.1", schema: [:]).status, 201)
        XCTAssertEqual(try server.request("/schemas/User/compare?from_version=1.0.0&to_version=1.0.1").json()["changes"]?["compatibility"], "identical")
        XCTAssertEqual(try server.stop(), 0)
    }

    private func fidelity(_ backend: Backend) throws {
        let server = try ServerProcess(databaseURL: backend.freshDatabaseURL(), workers: 1)
        let schema = #"{"zeta":1,"alpha":{"big":123456789012345678901234567890,"float":1.50,"exp":1e400,"neg":-0.0},"# +
            #""unicode":"héllo wörld 😀 \u0000 \"q\"","list":[3,2,1],"$defs":{}}"#
        let body = #"{"version":"1.0.0","json_schema":\#(schema),"registered_by":"ü","meta":{"b":2,"a":1}}"#
        let created = try server.post("/schemas/ns/Doc/versions", json: body)
        XCTAssertEqual(created.status, 201, created.text)
        let fetched = try server.request("/schemas/ns/Doc/versions/1.0.0").text
        XCTAssertTrue(fetched.contains(#""json_schema":{"zeta":1,"alpha":{"big":123456789012345678901234567890,"float":1.50,"exp":1e400,"neg":-0.0},"unicode":"héllo wörld 😀 \u0000 \"q\"","list":[3,2,1],"$defs":{}}"#), fetched)
        XCTAssertTrue(fetched.contains(#""registered_by":"ü","meta":{"b":2,"a":1}"#), fetched)
        XCTAssertEqual(try server.stop(), 0)
    }

    private func concurrentRegistrations(_ backend: Backend) throws {
        let server = try ServerProcess(databaseURL: backend.freshDatabaseURL(), workers: 2)
        for path in ["/schemas/Race/versions", "/schemas/ns/Race/versions"] {
            let lock = NSLock()
            var statuses: [Int] = []
            DispatchQueue.concurrentPerform(iterations: 20) { _ in
                let status = (try? server.register(path, version: "1.0.0").status) ?? -1
                lock.withLock { statuses.append(status) }
            }
            XCTAssertEqual(statuses.filter { $0 == 201 }.count, 1, "\(path): \(statuses)")
            XCTAssertEqual(statuses.filter { $0 == 409 }.count, 19, "\(path): \(statuses)")
        }
        XCTAssertEqual(try server.request("/health").json()["schemas_count"], 2)
        XCTAssertEqual(try server.stop(), 0)
    }
}
