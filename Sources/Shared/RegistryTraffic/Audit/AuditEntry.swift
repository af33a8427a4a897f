import RegistryJSON

/// One audited request (contract §7.9, plus the request's duration).
public struct AuditEntry: Sendable {
    public var timestamp: Timestamp
    public var apiKeyID: Int?
    public var apiKeyName: String?
    public var permissionLevel: String?
    public var method: String
    public var path: String
    public var statusCode: Int
    public var clientIP: String?
    public var userAgent: String?
    public var correlationID: String?
    public var durationMilliseconds: Double

    public init(timestamp: Timestamp, apiKeyID: Int?, apiKeyName: String?, permissionLevel: String?, method: String,
                path: String, statusCode: Int, clientIP: String?, userAgent: String?, correlationID: String?,
                durationMilliseconds: Double) {
        self.timestamp = timestamp
        self.apiKeyID = apiKeyID
        self.apiKeyName = apiKeyName
        self.permissionLevel = permissionLevel
        self.method = method
        self.path = path
        self.statusCode = statusCode
        self.clientIP = clientIP
        self.userAgent = userAgent
        self.correlationID = correlationID
        self.durationMilliseconds = durationMilliseconds
    }

    /// `api-keys` → `key`; otherwise the first segment without one trailing `s` (not `ss`).
    public var resourceType: String {
        let first = path.split(separator: "/").first.map(String.init) ?? ""
        if first == "api-keys" { return "key" }
        if first.hasSuffix("s"), !first.hasSuffix("ss") { return String(first.dropLast()) }
        return first
    }

    public var action: String { "\(method.lowercased())_\(resourceType)" }

    /// The reference's resource id rules (contract §7.9).
    public var resourceID: String? {
        let parts = path.split(separator: "/").map(String.init)
        if parts.first == "schemas", parts.count >= 3, parts[1] != "versions" {
            let namespace = parts[1] == "null" ? nil : parts[1]
            let model = parts[2] == "versions" ? nil : parts[2]
            let version = parts.firstIndex(of: "versions").flatMap { $0 + 1 < parts.count ? parts[$0 + 1] : nil }
            if let model {
                let base = namespace.map { "\($0)::\(model)" } ?? model
                return version.map { "\(base)@\($0)" } ?? base
            }
        }
        if parts.count >= 2, !["null", "undefined", "versions"].contains(parts[1]) { return parts[1] }
        return nil
    }
}
