import Foundation
import RegistryJSON
import XCTest

/// `GET /search` ranked and paged (issue 16, search speed), through the real server on both
/// databases: the rules DiscoveryTests do not reach: a model's latest matching version first even
/// when an older one matches better, the best hit of a word at a place, a word's hits counted once in
/// `matched`, the namespace before the model name, and `total` on a page past the last result.
final class SearchRankingTests: XCTestCase {
    func testLatestFirstAndTies_sqlite() throws { try latestFirstAndTies(.sqlite) }
    func testLatestFirstAndTies_postgres() throws { try latestFirstAndTies(.postgres) }
    func testPaging_sqlite() throws { try paging(.sqlite) }
    func testPaging_postgres() throws { try paging(.postgres) }
    func testFullPageOfEightWords_sqlite() throws { try fullPageOfEightWords(.sqlite) }
    func testFullPageOfEightWords_postgres() throws { try fullPageOfEightWords(.postgres) }
    func testRarestWordsVersionsFarApart_sqlite() throws { try rarestWordsVersionsFarApart(.sqlite) }
    func testRarestWordsVersionsFarApart_postgres() throws { try rarestWordsVersionsFarApart(.postgres) }

    private func register(_ server: ServerProcess, _ path: String, _ version: String, json: String,
                          file: StaticString = #filePath, line: UInt = #line) throws {
        let response = try server.post("\(path)/versions", json: #"{"version":"\#(version)","registered_by":"t","json_schema":\#(json)}"#)
        XCTAssertEqual(response.status, 201, response.text, file: file, line: line)
    }

    /// Results as `ns::model@version kind matched path score`, and the total.
    private func search(_ server: ServerProcess, _ query: String,
                        file: StaticString = #filePath, line: UInt = #line) throws -> (Int?, [String]) {
        let response = try server.request("/search?" + query)
        XCTAssertEqual(response.status, 200, response.text, file: file, line: line)
        let body = try response.json()
        let results = (body["results"]?.arrayValue ?? []).map { r in
            let namespace = r["namespace"]?.stringValue.map { $0 + "::" } ?? ""
            return "\(namespace)\(r["model_name"]?.stringValue ?? "")@\(r["version"]?.stringValue ?? "") \(r["kind"]?.stringValue ?? "") "
                + "\(r["matched"]?.stringValue ?? "") \(r["path"]?.stringValue ?? "-") \(r["score"]?.intValue ?? 0)"
        }
        return (body["total"]?.intValue, results)
    }

    private func latestFirstAndTies(_ backend: Backend) throws {
        let server = try ServerProcess(databaseURL: backend.freshDatabaseURL(), workers: 2)
        // b::Ledger: 1.0.0 has the field exactly, 1.10.0 (newer than 1.9.0, not by text) only a longer one.
        try register(server, "/schemas/b/Ledger", "1.0.0", json: #"{"properties": {"amount": {}}}"#)
        try register(server, "/schemas/b/Ledger", "1.9.0", json: #"{"properties": {"note": {}}}"#)
        try register(server, "/schemas/b/Ledger", "1.10.0", json: #"{"properties": {"amount_due": {}}}"#)
        // Namespaces in code-point order ("B" before "a"), global first.
        try register(server, "/schemas/a/Ledger", "1.0.0", json: #"{"properties": {"amount": {}}}"#)
        try register(server, "/schemas/B/Ledger", "1.0.0", json: #"{"properties": {"amount": {}}}"#)
        try register(server, "/schemas/Ledger", "2.0.0", json: #"{"properties": {"total_amount": {}}}"#)
        let (total, results) = try search(server, "q=amount&kind=field")
        XCTAssertEqual(total, 5)
        XCTAssertEqual(results, [
            "B::Ledger@1.0.0 field amount #/properties/amount 3",
            "a::Ledger@1.0.0 field amount #/properties/amount 3",
            "b::Ledger@1.10.0 field amount_due #/properties/amount_due 2",
            "Ledger@2.0.0 field total_amount #/properties/total_amount 1",
            "b::Ledger@1.0.0 field amount #/properties/amount 3",
        ])

        // Several words hitting one text: each word's best hit (on a tie the word registered first:
        // one registration adds its new words in code-point order), each hit named once.
        try register(server, "/schemas/c/Pay", "1.0.0",
                     json: #"{"description": "Payment payments paying", "properties": {"x": {"description": "pay later"}}}"#)
        XCTAssertEqual(try search(server, "q=payments+ments&kind=text").1, ["c::Pay@1.0.0 text payments #/description 1"])
        XCTAssertEqual(try search(server, "q=payments+pay*&kind=text").1, ["c::Pay@1.0.0 text payments paying #/description 3"])
        XCTAssertEqual(try search(server, "q=pay&kind=text").1, [
            "c::Pay@1.0.0 text pay #/properties/x/description 3", "c::Pay@1.0.0 text paying #/description 2",
        ])
        XCTAssertEqual(try search(server, "q=ment+pay&kind=text").1, ["c::Pay@1.0.0 text Payment paying #/description 1"])
        XCTAssertEqual(try server.stop(), 0)
    }

    private func paging(_ backend: Backend) throws {
        let server = try ServerProcess(databaseURL: backend.freshDatabaseURL(), workers: 1)
        for index in 0..<5 {
            try register(server, "/schemas/shop/Model\(index)", "1.0.0", json: #"{"properties": {"sku": {}}}"#)
        }
        let (total, all) = try search(server, "q=sku")
        XCTAssertEqual(total, 5)
        XCTAssertEqual(all.count, 5)
        XCTAssertEqual(try search(server, "q=sku&limit=2&offset=4").1, [all[4]])
        // Past the last result: no rows, the total still counted.
        let past = try search(server, "q=sku&limit=2&offset=9")
        XCTAssertEqual(past.0, 5)
        XCTAssertEqual(past.1, [])
        XCTAssertEqual(try search(server, "q=sku&namespace=other").0, 0)
        XCTAssertEqual(try server.stop(), 0)
    }

    /// The largest page (100) of the longest query (8 words): each result's words as written are
    /// read back for the page (800 postings), by statements of bounded size.
    private func fullPageOfEightWords(_ backend: Backend) throws {
        let server = try ServerProcess(databaseURL: backend.freshDatabaseURL(), workers: 1)
        let text = "Alpha Bravo Charlie Delta Echo Foxtrot Golf Hotel"
        for index in 0..<105 {
            try register(server, "/schemas/ops/Event\(String(format: "%03d", index))", "1.0.0",
                         json: #"{"description": "\#(text) \#(index)"}"#)
        }
        let (total, page) = try search(server, "q=hotel+golf+foxtrot+echo+delta+charlie+bravo+alpha&kind=text&limit=100")
        XCTAssertEqual(total, 105)
        XCTAssertEqual(page.count, 100)
        XCTAssertEqual(page.first, "ops::Event000@1.0.0 text Hotel Golf Foxtrot Echo Delta Charlie Bravo Alpha #/description 3")
        XCTAssertEqual(page.last, "ops::Event099@1.0.0 text Hotel Golf Foxtrot Echo Delta Charlie Bravo Alpha #/description 3")
        XCTAssertEqual(try search(server, "q=hotel+golf+foxtrot+echo+delta+charlie+bravo+alpha&kind=text&limit=100&offset=100").1.count, 5)
        XCTAssertEqual(try server.stop(), 0)
    }

    /// The other words of a query are read only in the versions its rarest word hit: as a range
    /// when those lie close together, version by version when they are spread (here 20 versions,
    /// 17 registrations apart). Both give every result.
    private func rarestWordsVersionsFarApart(_ backend: Backend) throws {
        let server = try ServerProcess(databaseURL: backend.freshDatabaseURL(), workers: 1)
        for index in 0..<340 {
            var words = ["filler"]
            if index % 2 == 0 { words.append("lunar") }
            if index % 17 == 0 { words.append("orbit") }
            if index < 30 { words.append("tide") }
            try register(server, "/schemas/sky/Probe", "1.0.\(index)", json: #"{"description": "\#(words.joined(separator: " "))"}"#)
        }
        // orbit: 0, 17, …, 323 (20 versions far apart); lunar in the even ones among them.
        let (spread, spreadPage) = try search(server, "q=lunar+orbit&kind=text&limit=100")
        XCTAssertEqual(spread, 10)
        XCTAssertEqual(spreadPage.first, "sky::Probe@1.0.306 text lunar orbit #/description 3")
        XCTAssertEqual(spreadPage.last, "sky::Probe@1.0.0 text lunar orbit #/description 3")
        // tide: versions 0–29, next to each other; lunar in the 15 even ones.
        let (close, closePage) = try search(server, "q=lunar+tide&kind=text&limit=100")
        XCTAssertEqual(close, 15)
        XCTAssertEqual(closePage.first, "sky::Probe@1.0.28 text lunar tide #/description 3")
        XCTAssertEqual(try server.stop(), 0)
    }
}
