import RegistryDiscovery
import RegistryJSON
import XCTest

/// RFC 8785's own examples (§3.2.2, §3.2.3, Appendix B).
final class JSONCanonicalizationTests: XCTestCase {
    func testAppendixBNumbers() {
        let cases: [(UInt64, String)] = [
            (0x0000_0000_0000_0000, "0"), (0x8000_0000_0000_0000, "0"),
            (0x0000_0000_0000_0001, "5e-324"), (0x8000_0000_0000_0001, "-5e-324"),
            (0x7fef_ffff_ffff_ffff, "1.7976931348623157e+308"), (0xffef_ffff_ffff_ffff, "-1.7976931348623157e+308"),
            (0x4340_0000_0000_0000, "9007199254740992"), (0xc340_0000_0000_0000, "-9007199254740992"),
            (0x4430_0000_0000_0000, "295147905179352830000"),
            (0x44b5_2d02_c7e1_4af5, "9.999999999999997e+22"), (0x44b5_2d02_c7e1_4af6, "1e+23"),
            (0x44b5_2d02_c7e1_4af7, "1.0000000000000001e+23"),
            (0x444b_1ae4_d6e2_ef4e, "999999999999999700000"), (0x444b_1ae4_d6e2_ef4f, "999999999999999900000"),
            (0x444b_1ae4_d6e2_ef50, "1e+21"),
            (0x3eb0_c6f7_a0b5_ed8c, "9.999999999999997e-7"), (0x3eb0_c6f7_a0b5_ed8d, "0.000001"),
            (0x41b3_de43_5555_5553, "333333333.3333332"), (0x41b3_de43_5555_5554, "333333333.33333325"),
            (0x41b3_de43_5555_5555, "333333333.3333333"), (0x41b3_de43_5555_5556, "333333333.3333334"),
            (0x41b3_de43_5555_5557, "333333333.33333343"),
            (0xbecb_f647_612f_3696, "-0.0000033333333333333333"), (0x4314_3ff3_c1cb_0959, "1424953923781206.2"),
        ]
        for (bits, expected) in cases {
            XCTAssertEqual(ECMAScriptNumber.format(Double(bitPattern: bits)), expected, String(bits, radix: 16))
        }
        XCTAssertNil(ECMAScriptNumber.format(.nan))
        XCTAssertNil(ECMAScriptNumber.format(.infinity))
    }

    func testNumberSpellingsThatMeanTheSameDouble() {
        for (literal, expected) in [("1.0", "1"), ("1", "1"), ("1e21", "1e+21"), ("1E+21", "1e+21"), ("-0", "0"),
                                    ("-0.0", "0"), ("100", "100"), ("1e2", "100"), ("0.1", "0.1"), ("1e-7", "1e-7"),
                                    ("123e-9", "1.23e-7"), ("12345678901234567890", "12345678901234567000")] {
            XCTAssertEqual(ECMAScriptNumber.format(literal: literal), expected, literal)
        }
    }

    func testSection322Example() throws {
        let input = #"""
            {
              "numbers": [333333333.33333329, 1E30, 4.50, 2e-3, 0.000000000000000000000000001],
              "string": "\u20ac$\u000F\u000aA'\u0042\u0022\u005c\\\"\/",
              "literals": [null, true, false]
            }
            """#
        XCTAssertEqual(JSONCanonicalization.canonical(try JSONParser.parse(input)),
                       #"{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],"string":"€$\u000f\nA'B\"\\\\\"/"}"#)
    }

    /// Keys sort by UTF-16 code units: U+1F600 (a surrogate pair, D83D…) before U+FB33.
    func testSection323SortOrder() throws {
        let input = #"{"\u20ac": "Euro Sign", "\r": "Carriage Return", "\ufb33": "Hebrew Letter Dalet With Dagesh", "1": "One", "\ud83d\ude00": "Emoji: Grinning Face", "\u0080": "Control", "\u00f6": "Latin Small Letter O With Diaeresis"}"#
        let values = try JSONParser.parse(JSONCanonicalization.canonical(try JSONParser.parse(input))).objectValue?.values
        XCTAssertEqual(values?.compactMap(\.stringValue), [
            "Carriage Return", "One", "Control", "Latin Small Letter O With Diaeresis", "Euro Sign",
            "Emoji: Grinning Face", "Hebrew Letter Dalet With Dagesh",
        ])
    }

    func testKeyOrderWhitespaceAndNumberSpellingDoNotMatter() throws {
        let a = try JSONParser.parse(#"{"type": "object", "properties": {"n": {"type": "number", "maximum": 1.0}}}"#)
        let b = try JSONParser.parse(#"{"properties":{"n":{"maximum":1,"type":"number"}},"type":"object"}"#)
        XCTAssertEqual(JSONCanonicalization.canonical(a), JSONCanonicalization.canonical(b))
        XCTAssertEqual(JSONCanonicalization.canonical(a), #"{"properties":{"n":{"maximum":1,"type":"number"}},"type":"object"}"#)
    }

    func testNonFiniteLiteralIsKeptAsWritten() throws {
        XCTAssertEqual(JSONCanonicalization.canonical(.array([.number("1e400"), .number("2.50")])), "[1e400,2.5]")
    }

    func testSHA256OfTheCanonicalText() {
        // SHA-256("{}") is a well-known value.
        XCTAssertEqual(SchemaFingerprints.jsonForm(.object(JSONObject())).sha256,
                       "44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a")
    }
}
