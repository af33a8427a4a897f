import NIOCore
import RegistryTraffic
import RegistryJSON
import RegistryRuntime
import RegistryStorage

/// `GET /audit-logs` (addition, ADMIN): filters `api_key_id`, `path_prefix`, `status_code`,
/// `since`, `until` (ISO 8601), pagination `limit` (1–1000, default 100) and `offset`; newest first.
struct AuditHandlers {
    let app: Application

    func list(_ request: Request, _ context: RequestContext) throws -> EventLoopFuture<Response> {
        var query = QueryParameters(request)
        let keyID = query.string("api_key_id").map { _ in query.int("api_key_id", default: -1) }
        let status = query.string("status_code").map { _ in query.int("status_code", default: -1) }
        let since = timestamp(&query, "since"), until = timestamp(&query, "until")
        let limit = query.int("limit", default: 100, minimum: 1, maximum: 1000)
        let offset = query.int("offset", default: 0, minimum: 0)
        let pathPrefix = query.text("path_prefix")
        let search = AuditQuery(apiKeyID: keyID, pathPrefix: pathPrefix, statusCode: status, since: since,
                                until: until, limit: limit, offset: offset)
        try query.collector.check()
        if !app.settings.enableAuth { throw APIKeyHandlers.disabled }
        // PostgreSQL's `api_key_id` and `status_code` are 32-bit: a larger filter matches no row
        // (comparing would fail with "integer out of range").
        if app.settings.usesPostgres32BitIDs, [keyID, status].contains(where: { $0.map { Int32(exactly: $0) == nil } ?? false }) {
            return request.eventLoop.makeSucceededFuture(
                .json(["logs": [], "total": 0, "limit": .int(limit), "offset": .int(offset)]))
        }
        let log = AuditLog(pool: app.pool)
        let recorder = app.audit
        return app.answer(request) {
            try? recorder?.flush()   // include this worker's latest rows
            let result = try log.search(search)
            return ["logs": .array(result.rows), "total": .int(result.total), "limit": .int(limit), "offset": .int(offset)]
        }
    }

    private func timestamp(_ query: inout QueryParameters, _ name: String) -> Timestamp? {
        guard let text = query.string(name) else { return nil }
        guard let value = Timestamp(iso: text) else {
            query.collector.add("datetime_from_date_parsing", ["query", .string(name)],
                                "Input should be a valid datetime, invalid isoformat string: '\(text)'", input: .string(text))
            return nil
        }
        return value
    }
}

extension Settings {
    /// The database is PostgreSQL, whose `id`-like integer columns (`api_keys.id`,
    /// `audit_logs.api_key_id`, `audit_logs.status_code`) are 32-bit.
    var usesPostgres32BitIDs: Bool { DatabaseURL.scheme(of: databaseURL).hasPrefix("postgres") }
}
