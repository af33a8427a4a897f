import Foundation
import RegistryDomain
import XCTest

/// Webhook signatures (the Standard Webhooks vector), secrets, event positions and the SSRF
/// address policy of issue 17.
final class WebhookSigningTests: XCTestCase {
    func testSignatureMatchesTheStandardWebhooksVector() {
        // The specification's own example (its reference library signs it the same way).
        let signature = WebhookSigner.signature(secret: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", id: "msg_p5jXN8AQM9LWM0D4loKWxJek",
                                                timestamp: 1614265330, body: Array(#"{"test": 2432232314}"#.utf8))
        XCTAssertEqual(signature, "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=")
        let both = WebhookSigner.header(secrets: ["whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", WebhookSecret.generate()],
                                        id: "msg_p5jXN8AQM9LWM0D4loKWxJek", timestamp: 1614265330,
                                        body: Array(#"{"test": 2432232314}"#.utf8))
        XCTAssertEqual(both.split(separator: " ").count, 2)
        XCTAssertTrue(both.hasPrefix("v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE= v1,"))
    }

    func testSecretsAreRandomAndSealable() throws {
        let a = WebhookSecret.generate(), b = WebhookSecret.generate()
        XCTAssertNotEqual(a, b)
        XCTAssertEqual(WebhookSecret.keyBytes(a)?.count, 32)
        let sealed = try WebhookSecretBox(passphrase: "k").seal(a)
        XCTAssertTrue(sealed.hasPrefix("aesgcm:"))
        XCTAssertFalse(sealed.contains(String(a.dropFirst(6))))
        XCTAssertEqual(try WebhookSecretBox(passphrase: "k").open(sealed), a)
        XCTAssertThrowsError(try WebhookSecretBox(passphrase: "other").open(sealed))
        XCTAssertThrowsError(try WebhookSecretBox(passphrase: nil).open(sealed))
        XCTAssertEqual(try WebhookSecretBox(passphrase: nil).open(try WebhookSecretBox(passphrase: nil).seal(a)), a)
    }

    func testEventIDsEncodeTheirPositionAndSortLikeIt() {
        let positions = [EventPosition(xid: 0, seq: 1), EventPosition(xid: 0, seq: 16), EventPosition(xid: 5, seq: 2),
                         EventPosition(xid: 1 << 40, seq: 0)]
        for p in positions { XCTAssertEqual(EventPosition(id: p.id), p) }
        XCTAssertEqual(positions.map(\.id), positions.map(\.id).sorted())
        XCTAssertEqual(positions, positions.sorted())
        for bad in ["", "evt_", "evt_xyz", "nope_00000000000000000000000000000001", "evt_000000000000000000000000000000001",
                    "evt_ffffffffffffffff0000000000000001"] {
            XCTAssertNil(EventPosition(id: bad), bad)
        }
    }

    func testAddressPolicy() {
        for refused in ["127.0.0.1", "127.1.2.3", "10.0.0.1", "172.16.0.1", "172.31.255.255", "192.168.1.1", "169.254.169.254",
                        "0.0.0.0", "100.64.0.1", "224.0.0.1", "::1", "::", "fe80::1", "fc00::1", "fd12::1", "::ffff:127.0.0.1",
                        "::ffff:10.0.0.1", "ff02::1", "[::1]"] {
            XCTAssertNotNil(AddressPolicy.refusal(refused), refused)
        }
        for allowed in ["8.8.8.8", "172.32.0.1", "192.169.0.1", "2001:db8::1", "example.com"] {
            XCTAssertNil(AddressPolicy.refusal(allowed), allowed)
        }
    }

    func testEventTypePatterns() {
        XCTAssertEqual(EventType.matching("*")?.count, 11)
        XCTAssertEqual(EventType.matching("key.*")?.map(\.rawValue), ["key.created", "key.revoked", "key.rotated", "key.deleted",
                                                                     "key.scope_changed"])
        XCTAssertEqual(EventType.matching("schema.registered"), [.schemaRegistered])
        XCTAssertNil(EventType.matching("nope.*"))
        XCTAssertNil(EventType.matching("schema"))
    }
}
