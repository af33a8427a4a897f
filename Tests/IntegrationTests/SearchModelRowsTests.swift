import Foundation
import RegistryJSON
import RegistryStorage
import XCTest

/// Search over models with many versions and over many models, through the real server, on both
/// databases: a model's versions packed into several rows per word (migration 12), cut out again
/// by deletion and deprecation (this server's and, by trigger, another writer's), and the second
/// word of a query read within the seed word's models (one namespace, many namespaces).
final class SearchModelRowsTests: XCTestCase {
    func testManyVersionsAndManyModels_sqlite() throws { try manyVersionsAndManyModels(.sqlite) }
    func testManyVersionsAndManyModels_postgres() throws { try manyVersionsAndManyModels(.postgres) }

    private func register(_ server: ServerProcess, _ path: String, _ version: String, description: String,
                          file: StaticString = #filePath, line: UInt = #line) throws {
        let response = try server.post("\(path)/versions", json: """
            {"version":"\(version)","registered_by":"t","json_schema":{"type":"object","description":"\(description)"}}
            """)
        XCTAssertEqual(response.status, 201, response.text, file: file, line: line)
    }

    /// `ns::model@version` of each result, and the total.
    private func search(_ server: ServerProcess, _ query: String, file: StaticString = #filePath,
                        line: UInt = #line) throws -> (total: Int, versions: [String]) {
        let response = try server.request("/search?kind=text&limit=100&" + query)
        XCTAssertEqual(response.status, 200, response.text, file: file, line: line)
        let body = try response.json()
        let versions = (body["results"]?.arrayValue ?? []).map { r in
            (r["namespace"]?.stringValue.map { $0 + "::" } ?? "") + "\(r["model_name"]?.stringValue ?? "")@\(r["version"]?.stringValue ?? "")"
        }
        return (body["total"]?.intValue ?? -1, versions)
    }

    private func manyVersionsAndManyModels(_ backend: Backend) throws {
        let url = try backend.freshDatabaseURL()
        // No response cache: a change behind the server's back shows at once.
        let server = try ServerProcess(databaseURL: url, workers: 1, environment: ["PYRMUTE_REGISTRY_RESPONSE_CACHE_MB": "0"])
        let db = try Database.connect(DatabaseURL(parsing: url))
        defer { db.close() }
        // 80 versions of one model: more than a row holds.
        for minor in 0..<80 {
            try register(server, "/schemas/billing/Invoice", "1.\(minor).0", description: "Ledger number \(minor)")
        }
        // 70 models in one namespace, and 70 spread over 18 namespaces (and global).
        for n in 0..<70 {
            try register(server, "/schemas/wide/Model\(n)", "1.0.0", description: "Wide ledger")
            let path = n % 18 == 17 ? "/schemas/Spread\(n)" : "/schemas/spread\(n % 18)/Model\(n)"
            try register(server, path, "1.0.0", description: "Spread ledger")
        }
        let ledger = try XCTUnwrap(db.scalarInt("SELECT id FROM schema_search_words WHERE word = 'ledger'"))
        XCTAssertGreaterThan(try XCTUnwrap(db.scalarInt("""
            SELECT count(*) FROM schema_search_model_hits WHERE word_id = $1 AND model_name = 'Invoice'
            """, [.int(Int64(ledger))])), 1, "the model's versions take several rows")

        // The rare word first, the other read within its models: one model, one namespace, 18 namespaces.
        var found = try search(server, "q=ledger+number")
        XCTAssertEqual(found.total, 80)
        XCTAssertEqual(found.versions.first, "billing::Invoice@1.79.0", "the latest version first")
        XCTAssertEqual(Set(found.versions).count, 80)
        found = try search(server, "q=wide+ledger")
        XCTAssertEqual(found.total, 70)
        XCTAssertEqual(Set(found.versions), Set((0..<70).map { "wide::Model\($0)@1.0.0" }))
        found = try search(server, "q=ledger+spread")
        XCTAssertEqual(found.total, 70)
        XCTAssertEqual(found.versions.prefix(3), ["Spread17@1.0.0", "Spread35@1.0.0", "Spread53@1.0.0"], "global models first")
        XCTAssertEqual(try search(server, "q=ledger").total, 220)
        XCTAssertEqual(try search(server, "q=ledger&namespace=billing").total, 80)

        // This server's deletion and deprecation, within the model's first row.
        XCTAssertEqual(try server.request("DELETE", "/schemas/billing/Invoice/versions/1.5.0?force=true").status, 200)
        XCTAssertEqual(try server.request("POST", "/schemas/billing/Invoice/versions/1.79.0/deprecate").status, 200)
        found = try search(server, "q=ledger+number")
        XCTAssertEqual(found.total, 78)
        XCTAssertFalse(found.versions.contains("billing::Invoice@1.5.0"))
        XCTAssertEqual(found.versions.first, "billing::Invoice@1.78.0", "the deprecated latest is left out")
        found = try search(server, "q=ledger+number&include_deprecated=true")
        XCTAssertEqual(found.total, 79)
        XCTAssertEqual(found.versions.first, "billing::Invoice@1.79.0")

        // Another writer's deletion and deprecation: the triggers cut the versions out.
        try db.execute("DELETE FROM schemas WHERE namespace = 'billing' AND version = '1.7.0'", [])
        try db.execute("UPDATE schemas SET deprecated = $1 WHERE namespace = 'wide' AND model_name = 'Model3'", [.bool(true)])
        XCTAssertEqual(try search(server, "q=ledger+number&include_deprecated=true").total, 78)
        XCTAssertFalse(try search(server, "q=ledger+number&include_deprecated=true").versions.contains("billing::Invoice@1.7.0"))
        XCTAssertEqual(try search(server, "q=wide+ledger").total, 69, "the changed version is out until indexed again")
        XCTAssertEqual(try search(server, "q=ledger").total, 216)
        // Every row still holds each version once.
        for row in try db.query("SELECT versions FROM schema_search_model_hits") {
            let ids = (row.string(0) ?? "").split(separator: " ").map { $0.prefix { $0 != "," } }
            XCTAssertEqual(ids.count, Set(ids).count, row.string(0) ?? "")
            XCTAssertFalse(ids.isEmpty)
        }
        XCTAssertEqual(try server.stop(), 0)

        // The next start indexes the changed version again, deprecated now.
        let again = try ServerProcess(databaseURL: url, workers: 1, environment: ["PYRMUTE_REGISTRY_RESPONSE_CACHE_MB": "0"])
        XCTAssertEqual(try search(again, "q=wide+ledger").total, 69)
        XCTAssertEqual(try search(again, "q=wide+ledger&include_deprecated=true").total, 70)
        XCTAssertEqual(try again.stop(), 0)
    }
}
