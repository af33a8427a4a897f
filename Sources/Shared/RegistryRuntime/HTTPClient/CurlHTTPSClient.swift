import CShim
import Foundation

/// GET over https:// through the system's libcurl, loaded only when such a URL is asked for
/// (`check-health --url https://…`): the server itself never needs TLS, so it links none.
/// Certificates are verified against the system's store, or `SSL_CERT_FILE` when set.
enum CurlHTTPSClient {
    static func get(_ url: String, timeout: Double) throws -> HTTPClientResponse {
        var status = 0
        var body: UnsafeMutablePointer<CChar>?
        var length = 0
        var error = [CChar](repeating: 0, count: 512)
        let caFile = ProcessInfo.processInfo.environment["SSL_CERT_FILE"]
        let rc = pyrmute_curl_get(url, max(1, Int(timeout.rounded(.up))), caFile, &status, &body, &length, &error, error.count)
        guard rc == 0 else {
            throw HTTPClientError(message: String(decoding: error.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))
        }
        defer { free(body) }
        let bytes = body.map { pointer in
            pointer.withMemoryRebound(to: UInt8.self, capacity: length) { Array(UnsafeBufferPointer(start: $0, count: length)) }
        } ?? []
        return HTTPClientResponse(status: status, headers: [], body: bytes)
    }
}
