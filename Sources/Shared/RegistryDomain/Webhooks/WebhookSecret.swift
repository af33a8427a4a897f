import Crypto
import Foundation

/// A webhook's signing secret: `whsec_` + base64 of 32 random bytes (the Standard Webhooks
/// convention). The server generates it; it is shown once, at creation or rotation.
public enum WebhookSecret {
    public static let prefix = "whsec_"

    public static func generate() -> String {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<32).map { _ in UInt8.random(in: 0...255, using: &generator) }
        return prefix + Data(bytes).base64EncodedString()
    }

    /// The HMAC key: the base64 part decoded (nil when the text is not a secret).
    public static func keyBytes(_ secret: String) -> [UInt8]? {
        guard secret.hasPrefix(prefix), let data = Data(base64Encoded: String(secret.dropFirst(prefix.count))) else { return nil }
        return Array(data)
    }
}

/// Seals secrets for the `webhooks` table. With `PYRMUTE_REGISTRY_WEBHOOK_SECRET_KEY` set, a secret
/// is stored encrypted (AES-256-GCM under SHA-256 of that setting: `aesgcm:` + base64 of nonce,
/// ciphertext and tag); without it, as `plain:` + the secret (docs/events.md says so). Secrets are
/// never logged, and never answered after creation or rotation.
public struct WebhookSecretBox: Sendable {
    /// SHA-256 of the passphrase (SymmetricKey is not Sendable: made on use).
    private let keyBytes: [UInt8]?

    public init(passphrase: String?) {
        keyBytes = passphrase.flatMap { $0.isEmpty ? nil : Array(SHA256.hash(data: Array($0.utf8))) }
    }

    private var key: SymmetricKey? { keyBytes.map { SymmetricKey(data: $0) } }

    public func seal(_ secret: String) throws -> String {
        guard let key else { return "plain:" + secret }
        let box = try AES.GCM.seal(Array(secret.utf8), using: key)
        guard let combined = box.combined else { throw WebhookSecretError.sealFailed }
        return "aesgcm:" + combined.base64EncodedString()
    }

    public func open(_ stored: String) throws -> String {
        if stored.hasPrefix("plain:") { return String(stored.dropFirst(6)) }
        guard stored.hasPrefix("aesgcm:") else { throw WebhookSecretError.unreadable }
        guard let key else { throw WebhookSecretError.keyMissing }
        guard let data = Data(base64Encoded: String(stored.dropFirst(7))) else { throw WebhookSecretError.unreadable }
        let plain = try AES.GCM.open(try AES.GCM.SealedBox(combined: data), using: key)
        guard let text = String(data: plain, encoding: .utf8) else { throw WebhookSecretError.unreadable }
        return text
    }
}

public enum WebhookSecretError: Error, CustomStringConvertible {
    case sealFailed, unreadable, keyMissing

    public var description: String {
        switch self {
        case .sealFailed: return "could not seal a webhook secret"
        case .unreadable: return "a stored webhook secret could not be read"
        case .keyMissing: return "a webhook secret is encrypted but PYRMUTE_REGISTRY_WEBHOOK_SECRET_KEY is not set"
        }
    }
}
