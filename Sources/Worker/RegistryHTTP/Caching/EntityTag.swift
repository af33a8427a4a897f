import NIOHTTP1
import RegistryJSON

/// Weak entity tags of response bodies and `If-None-Match` (RFC 9110 §8.8.3, §13.1.2). Weak
/// because the connection may gzip the body: the representations differ byte for byte, the
/// content does not.
enum EntityTag {
    /// `W/"<16 hex digits>"`: FNV-1a (64 bits) of the body, so it changes whenever the body does.
    static func of(_ body: [UInt8]) -> String {
        let hex = String(FNV1a.hash(body), radix: 16)
        return "W/\"" + String(repeating: "0", count: 16 - hex.count) + hex + "\""
    }

    /// True when the request's `If-None-Match` names `tag` (weak comparison) or is `*`.
    static func matches(_ headers: HTTPHeaders, _ tag: String) -> Bool {
        let wanted = opaque(tag)
        for value in headers[canonicalForm: "If-None-Match"] {
            let candidate = value.drop { $0 == " " || $0 == "\t" }.reversed().drop { $0 == " " || $0 == "\t" }.reversed()
            let text = String(candidate)
            if text == "*" || opaque(text) == wanted { return true }
        }
        return false
    }

    private static func opaque(_ tag: String) -> Substring {
        tag.hasPrefix("W/") ? tag.dropFirst(2) : Substring(tag)
    }
}
