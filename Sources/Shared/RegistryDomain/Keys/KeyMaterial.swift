import Crypto
import Foundation

/// API key text: 32 random bytes, URL-safe base64 without padding (43 characters, as the
/// reference). The first `lookupLength` characters double as a public lookup id stored in an
/// indexed column, so a key is found without scanning.
public enum KeyMaterial {
    public static let lookupLength = 12

    public static func generate() -> String {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<32).map { _ in UInt8.random(in: 0...255, using: &generator) }
        return base64URL(bytes)
    }

    public static func lookupID(of key: String) -> String? {
        key.utf8.count > lookupLength ? String(key.prefix(lookupLength)) : nil
    }

    /// SHA-256 of the key, hex: the in-memory cache's index (never stored, never logged).
    public static func fingerprint(_ key: String) -> String {
        let digest = SHA256.hash(data: Array(key.utf8))
        let hex = Array("0123456789abcdef".utf8)
        return String(unsafeUninitializedCapacity: 64) { buffer in
            var i = 0
            for byte in digest {
                buffer[i] = hex[Int(byte >> 4)]
                buffer[i + 1] = hex[Int(byte & 0xF)]
                i += 2
            }
            return 64
        }
    }

    static func base64URL(_ bytes: [UInt8]) -> String {
        Data(bytes).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }
}
