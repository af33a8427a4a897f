import RegistrySchemas

/// Paste a schema, pick a level, see the dry run (`SchemaService.checkCompatibility`, the same as
/// `POST …/compatibility`) with its messages. A POST form: works without script.
struct CheckPage {
    let layout: UILayout

    struct Form {
        var version: String
        var jsonSchema: String
        var avroSchema: String
        var level: String
    }

    enum Outcome {
        case none
        case report(CompatibilityReport)
        case problem(String)
    }

    func render(_ key: ModelKey, form: Form, outcome: Outcome) -> String {
        layout.page("Check " + key.identifier, crumbs: UILayout.modelCrumbs(key) + [("Check", nil)], capacity: 16384) { h in
            h.raw("<h1>Check a schema against <span class=\"name\">")
            h.text(key.model)
            h.raw("</span></h1>")
            switch outcome {
            case .none: break
            case .problem(let detail):
                h.raw("<p class=\"verdict breaking\" role=\"alert\" id=\"check-result\">")
                h.text(detail)
                h.raw("</p>")
            case .report(let report):
                h.raw("<section aria-labelledby=\"check-result\"><h2 id=\"check-result\" class=\"verdict ")
                h.raw(report.isCompatible ? "ok\">" : "breaking\">")
                h.text((report.isCompatible ? "Compatible" : "Incompatible") + " at " + report.level.rawValue)
                h.raw("</h2><p>")
                h.text(report.checkedAgainst.isEmpty ? "Checked against no version."
                       : "Checked against " + report.checkedAgainst.joined(separator: ", ") + ".")
                h.raw("</p>")
                DiffPage.messages(report.messages, into: &h)
                h.raw("</section>")
            }
            h.raw("<form class=\"check\" method=\"post\"")
            h.attribute("action", UIPaths.check(key))
            h.raw("><p><label for=\"check-version\">Version</label> <input id=\"check-version\" name=\"version\" required")
            h.attribute("value", form.version)
            h.raw("> ")
            ModelPage.levelSelect(form.level, into: &h)
            h.raw("</p><p><label for=\"check-json\">JSON Schema</label></p><textarea id=\"check-json\" name=\"json_schema\" rows=\"16\" spellcheck=\"false\" required>")
            h.text(form.jsonSchema)
            h.raw("</textarea><p><label for=\"check-avro\">Avro schema (optional)</label></p><textarea id=\"check-avro\" name=\"avro_schema\" rows=\"6\" spellcheck=\"false\">")
            h.text(form.avroSchema)
            h.raw("</textarea><p><button type=\"submit\">Check</button></p></form>")
        }
    }
}
