import NIOCore
import NIOHTTP1
import RegistryDomain
import RegistryJSON
import RegistryRuntime
import RegistrySchemas

/// The check form's `application/x-www-form-urlencoded` body, read into a dry run's submission.
enum UIForm {
    struct Problem: Error { let detail: String }

    /// Name → last value; an absent or unreadable body has no fields.
    static func fields(_ request: Request) -> [String: String] {
        guard var body = request.body, let text = body.readString(length: body.readableBytes) else { return [:] }
        var fields: [String: String] = [:]
        for pair in text.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            fields[PercentDecoding.formDecode(parts[0])] = parts.count > 1 ? PercentDecoding.formDecode(parts[1]) : ""
        }
        return fields
    }

    static func submission(_ form: CheckPage.Form) -> Result<(SchemaSubmission, CompatibilityLevel?), Problem> {
        let version = form.version.trimmingCharacters(in: .whitespaces)
        guard !version.isEmpty else { return .failure(Problem(detail: "A version is required.")) }
        var level: CompatibilityLevel? = nil
        if !form.level.isEmpty {
            guard let parsed = CompatibilityLevel(rawValue: form.level) else {
                return .failure(Problem(detail: "Unknown level: \(form.level). Expected \(CompatibilityLevel.quotedList)."))
            }
            level = parsed
        }
        let json: JSONValue
        do { json = try JSONParser.parse(form.jsonSchema) } catch {
            return .failure(Problem(detail: "The JSON Schema is not valid JSON: \(error)"))
        }
        guard json.objectValue != nil else { return .failure(Problem(detail: "The JSON Schema must be a JSON object.")) }
        var avro: JSONValue? = nil
        if !form.avroSchema.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
            do { avro = try JSONParser.parse(form.avroSchema) } catch {
                return .failure(Problem(detail: "The Avro schema is not valid JSON: \(error)"))
            }
        }
        let submission = SchemaSubmission(version: version, jsonSchema: json, avroSchema: avro, registeredAt: .now(),
                                          registeredBy: "ui", meta: .object(JSONObject()))
        return .success((submission, level))
    }

    static func detail(_ error: RegistryError) -> String { status(error).1 }

    static func status(_ error: RegistryError) -> (HTTPResponseStatus, String) {
        switch error {
        case .badRequest(let detail): return (.badRequest, detail)
        case .notFound(let detail): return (.notFound, detail)
        case .conflict(let detail): return (.conflict, detail)
        case .unprocessable(let detail): return (.unprocessableEntity, detail)
        }
    }
}

/// Every UI answer's security headers: a strict Content-Security-Policy (only this origin's
/// script and stylesheet, no inline code, no frames), no MIME sniffing, no referrer.
enum UIResponse {
    static let contentSecurityPolicy =
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; "
        + "form-action 'self'; base-uri 'none'; frame-ancestors 'none'"

    static func html(_ text: String, status: HTTPResponseStatus) -> Response {
        Response(status: status, headers: ["Content-Type": "text/html; charset=utf-8", "Cache-Control": "no-store"],
                 body: Array(text.utf8))
    }

    static func secure(_ headers: inout HTTPHeaders) {
        headers.replaceOrAdd(name: "Content-Security-Policy", value: contentSecurityPolicy)
        headers.replaceOrAdd(name: "X-Content-Type-Options", value: "nosniff")
        headers.replaceOrAdd(name: "Referrer-Policy", value: "no-referrer")
        headers.replaceOrAdd(name: "X-Frame-Options", value: "DENY")
    }
}
