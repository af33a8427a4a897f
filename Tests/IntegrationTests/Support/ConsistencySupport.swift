import Foundation
import RegistryDomain
import RegistryJSON
import RegistryRuntime
import RegistryStorage
import XCTest

/// Helpers of the consistency and HTTP caching tests (issue 15).
extension ServerProcess {
    /// A request on a fresh connection carrying `X-Correlation-ID: <tag>`, so that the log tells
    /// which worker answered it (`answeringWorkers`).
    func tagged(_ method: String, _ path: String, tag: String, headers: [(String, String)] = [],
                json: String? = nil) throws -> HTTPClientResponse {
        var all = headers + [("X-Correlation-ID", tag)]
        if json != nil { all.append(("Content-Type", "application/json")) }
        return try SimpleHTTPClient.request(method, baseURL + path, headers: all, body: json.map { Array($0.utf8) }, timeout: 30)
    }

    /// Correlation id → pid of the worker that answered it, from the `request_completed` lines
    /// every worker logs under `[worker <pid>]`.
    func answeringWorkers() -> [String: pid_t] {
        var map: [String: pid_t] = [:]
        for line in log.split(separator: "\n") where line.contains("request_completed") {
            guard let worker = line.range(of: "[worker "), let id = line.range(of: " correlation_id=") else { continue }
            if let pid = pid_t(line[worker.upperBound...].prefix { $0.isNumber }) {
                map[String(line[id.upperBound...].prefix { $0 != " " })] = pid
            }
        }
        return map
    }
}

/// SplitMix64: a run is reproducible from the seed the test prints.
struct SeededGenerator: RandomNumberGenerator {
    private var state: UInt64
    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// `PYRMUTE_TEST_SEED` when set, else a fresh one.
    static func seed() -> UInt64 {
        if let text = ProcessInfo.processInfo.environment["PYRMUTE_TEST_SEED"], let seed = UInt64(text) { return seed }
        return UInt64.random(in: 1...UInt64(UInt32.max))
    }
}

/// API keys written straight into the database with a cost-4 bcrypt hash: the server verifies a
/// hash at the cost the hash names, so these keys authenticate in a millisecond instead of a
/// quarter second, and a test can go through a hundred of them. Test fixtures only: everything
/// the test then does with them (use, revoke, delete, rotate) goes through the API.
enum SeededKeys {
    private typealias Gensalt = @convention(c) (UnsafePointer<CChar>?, UInt, UnsafePointer<CChar>?, Int32,
                                                UnsafeMutablePointer<CChar>?, Int32) -> UnsafeMutablePointer<CChar>?
    private typealias Crypt = @convention(c) (UnsafePointer<CChar>?, UnsafePointer<CChar>?) -> UnsafeMutablePointer<CChar>?

    /// libxcrypt's functions, from the process (RegistryDomain links it) or loaded by name.
    private static let functions: (Gensalt, Crypt)? = {
        for library in [nil, "libcrypt.so.1", "libcrypt.so.2", "libcrypt.so"] as [String?] {
            guard let handle = dlopen(library, RTLD_NOW), let gensalt = dlsym(handle, "crypt_gensalt_rn"),
                  let crypt = dlsym(handle, "crypt") else { continue }
            return (unsafeBitCast(gensalt, to: Gensalt.self), unsafeBitCast(crypt, to: Crypt.self))
        }
        return nil
    }()

    static func cheapHash(_ secret: String) throws -> String {
        guard let (gensalt, crypt) = functions else { throw TestTimeout(what: "libxcrypt (crypt_gensalt_rn, crypt) not found") }
        var setting = [CChar](repeating: 0, count: 64)
        guard gensalt("$2b$", 4, nil, 0, &setting, Int32(setting.count)) != nil, let hashed = crypt(secret, setting) else {
            throw TestTimeout(what: "bcrypt at cost 4 failed")
        }
        let text = String(cString: hashed)
        guard text.hasPrefix("$2b$04$"), BCrypt.verify(secret, hash: text) else { throw TestTimeout(what: "bad cost-4 hash: \(text)") }
        return text
    }

    /// `count` active keys named `<prefix>-<n>` with `permission`: (id, key, name).
    static func insert(_ count: Int, prefix: String, permission: String, databaseURL: String) throws -> [(id: Int, key: String, name: String)] {
        let keys = try (0..<count).map { n -> (key: String, name: String, hash: String) in
            let key = KeyMaterial.generate()
            return (key, "\(prefix)-\(n)", try cheapHash(key))
        }
        return try AuthSupport.withDatabase(databaseURL) { db in
            try db.transaction {
                try keys.map { entry in
                    let rows = try db.query("""
                        INSERT INTO api_keys (name, key_hash, lookup_id, permission, created_at, created_by, use_count, expires_at,
                                              revoked, description, rotated_from_id)
                        VALUES ($1, $2, $3, $4, $5, $6, 0, NULL, $7, NULL, NULL) RETURNING id
                        """, [.text(entry.name), .text(entry.hash), .text(KeyMaterial.lookupID(of: entry.key)!), .text(permission),
                              .text(Timestamp.now().storageText), .text("consistency-tests"), .bool(false)])
                    guard let id = rows.first?.int(0) else { throw TestTimeout(what: "key insert returned no id") }
                    return (id, entry.key, entry.name)
                }
            }
        }
    }
}

/// An answer checked against what the last acknowledged write says, kept for the failure message.
struct StaleAnswer: CustomStringConvertible {
    let context: String
    let request: String
    let tag: String
    let expected: String
    let got: String
    var worker: pid_t?

    var description: String {
        "\(context): \(request) [correlation id \(tag), worker \(worker.map(String.init) ?? "?")]\n    expected: \(expected)\n    got:      \(got)"
    }
}
