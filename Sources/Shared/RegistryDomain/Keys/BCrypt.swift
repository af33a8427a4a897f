import CCrypt
import Foundation
import RegistryTracing

/// bcrypt through libxcrypt: `$2b$`, cost 12 for new hashes; verification re-hashes with the
/// stored hash as setting and compares in constant time. About a quarter second of CPU per call:
/// never on an event loop.
public enum BCrypt {
    public static let cost: UInt = 12

    public static func hash(_ secret: String) -> String? {
        var setting = [CChar](repeating: 0, count: Int(CRYPT_GENSALT_OUTPUT_SIZE))
        guard crypt_gensalt_rn("$2b$", cost, nil, 0, &setting, Int32(setting.count)) != nil else { return nil }
        return run(secret, setting: String(cString: setting))
    }

    /// False for anything that is not a bcrypt hash of `secret` (bcrypt reads at most 72 bytes:
    /// a longer secret never matches, as in the reference).
    public static func verify(_ secret: String, hash: String) -> Bool {
        guard secret.utf8.count <= 72, hash.hasPrefix("$2"), let computed = run(secret, setting: hash) else { return false }
        return constantTimeEquals(Array(computed.utf8), Array(hash.utf8))
    }

    /// In a `bcrypt` span when a traced request runs it (the cost only, never the secret or hash).
    private static func run(_ secret: String, setting: String) -> String? {
        Traces.child("bcrypt", { attributes in
            if let cost = bcryptCost(setting) { attributes["pyrmute.bcrypt.cost"] = cost }
        }) {
            hashOnce(secret, setting: setting)
        }
    }

    /// The cost of a `$2b$12$…` setting (nil if it is not one).
    private static func bcryptCost(_ setting: String) -> Int? {
        let parts = setting.split(separator: "$", maxSplits: 3)
        return parts.count >= 2 ? Int(parts[1]) : nil
    }

    private static func hashOnce(_ secret: String, setting: String) -> String? {
        let data = UnsafeMutablePointer<crypt_data>.allocate(capacity: 1)
        defer {
            memset(data, 0, MemoryLayout<crypt_data>.size)   // no key material left behind
            data.deallocate()
        }
        memset(data, 0, MemoryLayout<crypt_data>.size)
        guard let result = crypt_rn(secret, setting, data, Int32(MemoryLayout<crypt_data>.size)) else { return nil }
        let text = String(cString: result)
        return text.hasPrefix("*") ? nil : text
    }

    public static func constantTimeEquals(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        guard a.count == b.count else { return false }
        var difference: UInt8 = 0
        for i in 0..<a.count { difference |= a[i] ^ b[i] }
        return difference == 0
    }
}
