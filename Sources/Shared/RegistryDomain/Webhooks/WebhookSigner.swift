import Crypto
import Foundation

/// Standard Webhooks signatures: `v1,` + base64 of HMAC-SHA256 over `{id}.{timestamp}.{body}`
/// with the secret's decoded bytes; several (a rotation's grace period) separated by spaces.
public enum WebhookSigner {
    public static func signature(secret: String, id: String, timestamp: Int64, body: [UInt8]) -> String? {
        guard let key = WebhookSecret.keyBytes(secret) else { return nil }
        var message = Array("\(id).\(timestamp).".utf8)
        message.append(contentsOf: body)
        let mac = HMAC<SHA256>.authenticationCode(for: message, using: SymmetricKey(data: key))
        return "v1," + Data(mac).base64EncodedString()
    }

    /// The `webhook-signature` header for all the secrets in force.
    public static func header(secrets: [String], id: String, timestamp: Int64, body: [UInt8]) -> String {
        secrets.compactMap { signature(secret: $0, id: id, timestamp: timestamp, body: body) }.joined(separator: " ")
    }
}
