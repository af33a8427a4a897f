@testable import RegistryHTTP
import RegistryJSON
import RegistryRuntime
import RegistrySchemas
import XCTest

/// The web UI's one escaping function and the pages that use it: hostile text stays text.
final class UIEscapingTests: XCTestCase {
    func testEscapeTurnsMarkupAndQuotesIntoReferences() {
        XCTAssertEqual(HTML.escape("<script>alert(1)</script>"), "&lt;script&gt;alert(1)&lt;/script&gt;")
        XCTAssertEqual(HTML.escape(#"" onmouseover="alert(1)"#), "&quot; onmouseover=&quot;alert(1)")
        XCTAssertEqual(HTML.escape("' autofocus onfocus='x"), "&#39; autofocus onfocus=&#39;x")
        XCTAssertEqual(HTML.escape("a & b"), "a &amp; b")
        XCTAssertEqual(HTML.escape("&lt;"), "&amp;lt;", "escaping twice shows the text once escaped")
        XCTAssertEqual(HTML.escape("javascript:alert(1)"), "javascript:alert(1)", "no markup: a URL-looking text is plain text")
        XCTAssertEqual(HTML.escape("Ünïcødé ✓ 𝄞"), "Ünïcødé ✓ 𝄞")
    }

    func testLinksPercentEncodeEveryValue() {
        let key = ModelKey(namespace: "javascript:alert(1)", model: #"" onmouseover="x"#)
        XCTAssertEqual(UIPaths.model(key), "/ui/model?namespace=javascript%3Aalert%281%29&model=%22%20onmouseover%3D%22x")
        var h = HTMLWriter()
        h.link(UIPaths.model(key), key.model)
        XCTAssertEqual(h.output, #"<a href="/ui/model?namespace=javascript%3Aalert%281%29&amp;model=%22%20onmouseover%3D%22x">&quot; onmouseover=&quot;x</a>"#)
    }

    func testModelPageShowsHostileTextAsText() {
        var settings = Settings()
        settings.appName = "<b>Registry</b>"
        let key = ModelKey(namespace: "<ns>", model: "<script>alert('m')</script>")
        let versions = [VersionSummary(version: "1.0.0", registeredAt: Timestamp(microseconds: 0), registeredBy: "\"><img src=x>",
                                       deprecated: true, deprecatedAt: nil, deprecationMessage: "</td><script>x()</script>")]
        let html = ModelPage(layout: UILayout(settings: settings))
            .render(ModelDetail(key: key, versions: versions, compatibility: CompatibilitySetting(level: .backward, source: "model")))
        for bad in ["<script>", "<img", "<b>", "\"><img"] { XCTAssertFalse(html.contains(bad), bad) }
        XCTAssertTrue(html.contains("&lt;script&gt;alert(&#39;m&#39;)&lt;/script&gt;"))
        XCTAssertTrue(html.contains("&lt;/td&gt;&lt;script&gt;x()&lt;/script&gt;"))
        XCTAssertTrue(html.contains("<title>&lt;ns&gt;::&lt;script&gt;alert(&#39;m&#39;)&lt;/script&gt; · &lt;b&gt;Registry&lt;/b&gt;</title>"),
                      "the title too")
    }

    func testSchemaTreeAndJSONShowDescriptionsAsText() throws {
        let schema = try JSONParser.parse(#"{"type":"object","required":["a"],"properties":{"a":{"type":"string","description":"<svg onload=alert(1)>"},"</summary>":{"type":"integer"}}}"#)
        var h = HTMLWriter()
        SchemaTree.jsonSchema(schema, into: &h)
        XCTAssertFalse(h.output.contains("<svg"))
        XCTAssertTrue(h.output.contains(#"<span class="desc">&lt;svg onload=alert(1)&gt;</span>"#))
        XCTAssertTrue(h.output.contains(#"<span class="prop">&lt;/summary&gt;</span>"#))
        XCTAssertTrue(h.output.contains(#"<span class="prop">a</span><span class="req" title="required">*</span>"#))
        XCTAssertEqual(JSONPretty.lines(try JSONParser.parse(#"{"a":[1,{"b":null}],"c":{}}"#)),
                       ["{", "  \"a\": [", "    1,", "    {", "      \"b\": null", "    }", "  ],", "  \"c\": {}", "}"])
    }

    func testLineDiffPairsRemovalsWithAdditions() {
        let rows = LineDiff.rows(["a", "b", "c"], ["a", "B", "c", "d"])
        XCTAssertEqual(rows.map(\.kind), [.same, .changed, .same, .added])
        XCTAssertEqual(rows[1], LineDiff.Row(kind: .changed, left: "b", right: "B"))
    }
}
