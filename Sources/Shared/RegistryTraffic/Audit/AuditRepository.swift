import RegistryJSON
import RegistryStorage

/// The SQL of `audit_logs`.
public struct AuditQuery: Sendable {
    public var apiKeyID: Int?
    public var pathPrefix: String?
    public var statusCode: Int?
    public var since: Timestamp?
    public var until: Timestamp?
    public var limit: Int
    public var offset: Int

    public init(apiKeyID: Int?, pathPrefix: String?, statusCode: Int?, since: Timestamp?, until: Timestamp?, limit: Int, offset: Int) {
        self.apiKeyID = apiKeyID
        self.pathPrefix = pathPrefix
        self.statusCode = statusCode
        self.since = since
        self.until = until
        self.limit = limit
        self.offset = offset
    }
}

struct AuditRepository {
    let db: DatabaseConnection

    func insert(_ e: AuditEntry) throws {
        try db.execute("""
            INSERT INTO audit_logs (timestamp, api_key_id, api_key_name, permission_level, action, resource_type, resource_id,
                                    method, path, status_code, client_ip, user_agent, correlation_id, duration_ms)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)
            """, [.text(e.timestamp.storageText), .optional(e.apiKeyID), .optional(e.apiKeyName), .optional(e.permissionLevel),
                  .text(e.action), .text(e.resourceType), .optional(e.resourceID.map { String($0.prefix(255)) }),
                  .text(e.method), .text(String(e.path.prefix(500))), .int(Int64(e.statusCode)),
                  .optional(e.clientIP.map { String($0.prefix(45)) }), .optional(e.userAgent), .optional(e.correlationID),
                  .double(e.durationMilliseconds)])
    }

    private static let filter = """
        ($1 = -1 OR api_key_id = $1) AND ($2 = '' OR substr(path, 1, length($2)) = $2) AND ($3 = -1 OR status_code = $3)
        AND ($4 = '' OR timestamp >= $5) AND ($6 = '' OR timestamp <= $7)
        """

    func search(_ q: AuditQuery) throws -> (rows: [JSONValue], total: Int) {
        let since = q.since?.storageText ?? "", until = q.until?.storageText ?? ""
        let since5: SQLValue = q.since.map { .text($0.storageText) } ?? .text("1970-01-01 00:00:00.000000")
        let until7: SQLValue = q.until.map { .text($0.storageText) } ?? .text("9999-12-31 23:59:59.999999")
        let parameters: [SQLValue] = [.int(Int64(q.apiKeyID ?? -1)), .text(q.pathPrefix ?? ""), .int(Int64(q.statusCode ?? -1)),
                                      .text(since), since5, .text(until), until7]
        let total = try db.scalarInt("SELECT count(*) FROM audit_logs WHERE \(Self.filter)", parameters) ?? 0
        let rows = try db.query("""
            SELECT id, timestamp, api_key_id, api_key_name, permission_level, action, resource_type, resource_id, method, path,
                   status_code, client_ip, user_agent, correlation_id, duration_ms
            FROM audit_logs WHERE \(Self.filter) ORDER BY timestamp DESC, id DESC LIMIT $8 OFFSET $9
            """, parameters + [.int(Int64(q.limit)), .int(Int64(q.offset))])
        return (rows.map(Self.json), total)
    }

    private static func json(_ row: SQLRow) -> JSONValue {
        func text(_ i: Int) -> JSONValue { row.string(i).map(JSONValue.string) ?? .null }
        func int(_ i: Int) -> JSONValue { row.int(i).map(JSONValue.int) ?? .null }
        let timestamp = row.string(1).flatMap(Timestamp.init(storage:)).map { JSONValue.string($0.isoZulu) } ?? .null
        let duration: JSONValue = row.isNull(14) ? .null : .double(Double(row.string(14) ?? "") ?? 0)
        return .object(JSONObject([
            ("id", int(0)), ("timestamp", timestamp), ("api_key_id", int(2)), ("api_key_name", text(3)),
            ("permission_level", text(4)), ("action", text(5)), ("resource_type", text(6)), ("resource_id", text(7)),
            ("method", text(8)), ("path", text(9)), ("status_code", int(10)), ("client_ip", text(11)),
            ("user_agent", text(12)), ("correlation_id", text(13)), ("duration_ms", duration),
        ]))
    }
}
