import RegistryJSON
import XCTest

final class JSONTests: XCTestCase {
    // MARK: helpers

    private func roundTrip(_ text: String, file: StaticString = #filePath, line: UInt = #line) -> String? {
        do {
            return try JSONParser.parse(text).serialized()
        } catch {
            XCTFail("parse failed: \(error)", file: file, line: line)
            return nil
        }
    }

    private func parseError(_ bytes: [UInt8]) -> JSONParseError? {
        do {
            _ = try JSONParser.parse(bytes)
            return nil
        } catch let e as JSONParseError {
            return e
        } catch {
            XCTFail("unexpected error type \(error)")
            return nil
        }
    }

    private func assertError(
        _ text: String, _ message: String, offset: Int, file: StaticString = #filePath, line: UInt = #line
    ) {
        guard let e = parseError(Array(text.utf8)) else {
            XCTFail("expected failure for \(text.debugDescription)", file: file, line: line)
            return
        }
        XCTAssertEqual(e.message, message, "input \(text.debugDescription)", file: file, line: line)
        XCTAssertEqual(e.offset, offset, "input \(text.debugDescription)", file: file, line: line)
        XCTAssertEqual(e.description, message, file: file, line: line)
        // The String entry point reports the same error.
        XCTAssertThrowsError(try JSONParser.parse(text), file: file, line: line) { err in
            XCTAssertEqual((err as? JSONParseError)?.message, message, file: file, line: line)
        }
    }

    // MARK: round trips

    func testRoundTripPreservesKeyOrderAndNumberLiterals() throws {
        let text = #"{"b":1,"a":[1.50,-0,1e400,{"z":null}]}"#
        XCTAssertEqual(roundTrip(text), text)

        let v = try JSONParser.parse(text)
        XCTAssertEqual(v.objectValue?.keys, ["b", "a"])
        XCTAssertEqual(v["a"]?[0], .number("1.50"))
        XCTAssertEqual(v["a"]?[1], .number("-0"))
        XCTAssertEqual(v["a"]?[2], .number("1e400"))
        XCTAssertEqual(v["a"]?[3]?["z"], .null)
    }

    func testRoundTripRemovesWhitespaceOnly() {
        let text = " \n\t{ \"z\" : [ 1 , 2.0E+5 , true , false , null , \"s\" ] ,\r\n \"a\" : { } , \"m\" : [ ] } \n"
        XCTAssertEqual(roundTrip(text), #"{"z":[1,2.0E+5,true,false,null,"s"],"a":{},"m":[]}"#)
        XCTAssertEqual(roundTrip("  7  "), "7")
        XCTAssertEqual(roundTrip("\"\""), "\"\"")
    }

    func testAllEntryPointsAgree() throws {
        let text = #"{"k":["v",1,{"x":-2.5e-3}]}"#
        let bytes = Array(text.utf8)
        let a = try JSONParser.parse(text)
        let b = try JSONParser.parse(bytes)
        let c = try bytes.withUnsafeBytes { try JSONParser.parse($0) }
        XCTAssertEqual(a, b)
        XCTAssertEqual(b, c)
        var out: [UInt8] = [0x41]
        a.write(into: &out)
        XCTAssertEqual(out, [0x41] + bytes)
        XCTAssertEqual(a.serialized(), text)
    }

    // MARK: strings

    func testUnicodeAndEscapes() throws {
        let v = try JSONParser.parse(#""é\u00e9\ud83d\ude00\n""#)
        XCTAssertEqual(v.stringValue, "éé😀\n")
        XCTAssertEqual(v.serialized(), "\"éé😀\\n\"")
    }

    func testAllEscapesDecode() throws {
        let v = try JSONParser.parse(#""\"\\\/\b\f\n\r\t\u0041\u00DF\u4E2D\uD834\uDD1E""#)
        XCTAssertEqual(v.stringValue, "\"\\/\u{08}\u{0C}\n\r\tAß中𝄞")
    }

    func testWriterEscapingMatchesPython() {
        // Expected values from: json.dumps(s, separators=(",", ":"), ensure_ascii=False)
        var s = ""
        for c in 0..<0x20 { s.unicodeScalars.append(Unicode.Scalar(UInt8(c))) }
        XCTAssertEqual(
            JSONValue.string(s).serialized(),
            #""\u0000\u0001\u0002\u0003\u0004\u0005\u0006\u0007\b\t\n\u000b\f\r\u000e\u000f"#
                + #"\u0010\u0011\u0012\u0013\u0014\u0015\u0016\u0017\u0018\u0019\u001a\u001b\u001c\u001d\u001e\u001f""#)
        XCTAssertEqual(JSONValue.string("a\"b\\c/d\u{7F}é€😀\u{2028}").serialized(), "\"a\\\"b\\\\c/d\u{7F}é€😀\u{2028}\"")
        XCTAssertEqual(JSONValue.string("0123456789abcdef\"").serialized(), "\"0123456789abcdef\\\"\"")
        XCTAssertEqual(JSONValue.string("long string without anything to escape").serialized(),
                       "\"long string without anything to escape\"")
        let obj: JSONValue = ["k\n": "v\u{1}"]
        XCTAssertEqual(obj.serialized(), #"{"k\n":"v\u0001"}"#)
    }

    func testLoneSurrogatesBecomeReplacementCharacter() throws {
        XCTAssertEqual(try JSONParser.parse(#""\ud83d""#).stringValue, "\u{FFFD}")
        XCTAssertEqual(try JSONParser.parse(#""\ude00x""#).stringValue, "\u{FFFD}x")
        XCTAssertEqual(try JSONParser.parse(#""\ud83d\u0041""#).stringValue, "\u{FFFD}A")
        // UTF-8-encoded surrogates are accepted like Python's 'surrogatepass' decoding.
        XCTAssertEqual(try JSONParser.parse([0x22, 0xED, 0xA0, 0xBD, 0x22]).stringValue, "\u{FFFD}")
    }

    func testKeysAndStringsCompareByCodePoints() throws {
        // "é" (U+00E9) and "e\u0301" are canonically equivalent in Swift but distinct in Python.
        let v = try JSONParser.parse(#"{"é":1,"e\u0301":2}"#)
        XCTAssertEqual(v.objectValue?.count, 2)
        XCTAssertEqual(v["é"], 1)
        XCTAssertEqual(v["e\u{301}"], 2)
        XCTAssertNotEqual(JSONValue.string("é"), JSONValue.string("e\u{301}"))
    }

    // MARK: objects

    func testDuplicateKeysLastWinsFirstPosition() throws {
        let v = try JSONParser.parse(#"{"a":1,"b":2,"a":3}"#)
        XCTAssertEqual(v.objectValue?.keys, ["a", "b"])
        XCTAssertEqual(v["a"], 3)
        XCTAssertEqual(v.serialized(), #"{"a":3,"b":2}"#)

        // Escaped and raw spellings of the same key are duplicates.
        XCTAssertEqual(try JSONParser.parse(#"{"\u0061":1,"a":2}"#).serialized(), #"{"a":2}"#)

        // Large objects (hash-indexed) behave the same.
        var text = "{"
        for i in 0..<100 { text += "\"k\(i)\":\(i)," }
        text += #""k7":"x","k99":"y","k0":null}"#
        let big = try JSONParser.parse(text)
        let o = try XCTUnwrap(big.objectValue)
        XCTAssertEqual(o.count, 100)
        XCTAssertEqual(o.keys.first, "k0")
        XCTAssertEqual(o.keys.last, "k99")
        XCTAssertEqual(o["k7"], "x")
        XCTAssertEqual(o["k99"], "y")
        XCTAssertEqual(o["k0"], .null)
        XCTAssertEqual(o["k50"], 50)
        XCTAssertNil(o["k100"])

        XCTAssertEqual(JSONObject([("x", 1), ("y", 2), ("x", 3)]).keys, ["x", "y"])
        XCTAssertEqual(JSONObject([("x", 1), ("y", 2), ("x", 3)])["x"], 3)
    }

    func testJSONObjectMutation() {
        var o = JSONObject()
        XCTAssertTrue(o.isEmpty)
        o["b"] = 1
        o["a"] = "x"
        o["c"] = nil  // removing a missing key is a no-op
        XCTAssertEqual(o.keys, ["b", "a"])
        o["b"] = .bool(true)  // existing key keeps its position
        XCTAssertEqual(o.keys, ["b", "a"])
        XCTAssertEqual(o["b"], true)
        o["b"] = nil
        XCTAssertEqual(o.keys, ["a"])
        XCTAssertEqual(o.count, 1)
        o["n"] = .null  // storing JSON null is not removal
        XCTAssertEqual(o.keys, ["a", "n"])
        XCTAssertEqual(JSONValue.object(o).serialized(), #"{"a":"x","n":null}"#)

        var pairs: [String] = []
        for (k, v) in o { pairs.append("\(k)=\(v.serialized())") }
        XCTAssertEqual(pairs, ["a=\"x\"", "n=null"])

        // Grow past the index threshold, then shrink again.
        var big = JSONObject()
        for i in 0..<200 { big["k\(i)"] = .int(i) }
        big["k10"] = nil
        big["k5"] = "five"
        XCTAssertEqual(big.count, 199)
        XCTAssertEqual(big["k11"], 11)
        XCTAssertEqual(big["k5"], "five")
        XCTAssertNil(big["k10"])
        XCTAssertEqual(big.keys[10], "k11")
        for i in 0..<190 { big["k\(i)"] = nil }
        XCTAssertEqual(big.keys, (190..<200).map { "k\($0)" })
        XCTAssertEqual(big["k195"], 195)
    }

    func testObjectEqualityIsOrdered() throws {
        let a = try JSONParser.parse(#"{"a":1,"b":2}"#)
        let b = try JSONParser.parse(#"{"b":2,"a":1}"#)
        XCTAssertNotEqual(a, b)
        XCTAssertEqual(a, ["a": 1, "b": 2])
        XCTAssertNotEqual(try JSONParser.parse("1.0"), try JSONParser.parse("1"))
    }

    // MARK: errors

    func testSyntaxErrorsMatchPython() {
        assertError("", "Expecting value: line 1 column 1 (char 0)", offset: 0)
        assertError("   ", "Expecting value: line 1 column 4 (char 3)", offset: 3)
        assertError("[1, 2, 3 4]", "Expecting ',' delimiter: line 1 column 10 (char 9)", offset: 9)
        assertError("[1] x", "Extra data: line 1 column 5 (char 4)", offset: 4)
        assertError("\"abc", "Unterminated string starting at: line 1 column 1 (char 0)", offset: 0)
        assertError("[\"abc\\", "Unterminated string starting at: line 1 column 2 (char 1)", offset: 1)
        assertError(#"{"a":1,}"#, "Expecting property name enclosed in double quotes: line 1 column 8 (char 7)", offset: 7)
        assertError("{'a':1}", "Expecting property name enclosed in double quotes: line 1 column 2 (char 1)", offset: 1)
        assertError("{,}", "Expecting property name enclosed in double quotes: line 1 column 2 (char 1)", offset: 1)
        assertError(#"{"a" 1}"#, "Expecting ':' delimiter: line 1 column 6 (char 5)", offset: 5)
        assertError(#"{"a":1 "b":2}"#, "Expecting ',' delimiter: line 1 column 8 (char 7)", offset: 7)
        assertError(#"{"a":1"#, "Expecting ',' delimiter: line 1 column 7 (char 6)", offset: 6)
        assertError(#"{"a":}"#, "Expecting value: line 1 column 6 (char 5)", offset: 5)
        assertError("\"a\tb\"", "Invalid control character at: line 1 column 3 (char 2)", offset: 2)
        assertError("\"\\u00e9\u{1}\"", "Invalid control character at: line 1 column 8 (char 7)", offset: 7)
        assertError(#""\x""#, "Invalid \\escape: line 1 column 2 (char 1)", offset: 1)
        assertError("\"é\\q\"", "Invalid \\escape: line 1 column 3 (char 2)", offset: 3)
        assertError(#""\u12g4""#, "Invalid \\uXXXX escape: line 1 column 3 (char 2)", offset: 2)
        assertError(#""\u12""#, "Invalid \\uXXXX escape: line 1 column 3 (char 2)", offset: 2)
        assertError(#""\ud800"#, "Invalid \\uXXXX escape: line 1 column 3 (char 2)", offset: 2)
        assertError("[\n1,\n]", "Expecting value: line 3 column 1 (char 5)", offset: 5)
        assertError("\t\n [1, \n\t2,]", "Expecting value: line 3 column 4 (char 11)", offset: 11)
        // Positions are in code points (like Python), offsets in bytes.
        assertError("[\"é\", x]", "Expecting value: line 1 column 7 (char 6)", offset: 7)
        assertError("{\"é\":1,\n \"ü\" 2}", "Expecting ':' delimiter: line 2 column 6 (char 13)", offset: 15)
    }

    func testStrictGrammar() {
        // Trailing commas, comments, NaN / Infinity, leading zeros, bad numbers, bad literals.
        assertError("[1,]", "Expecting value: line 1 column 4 (char 3)", offset: 3)
        assertError("[,1]", "Expecting value: line 1 column 2 (char 1)", offset: 1)
        assertError("[1] // c", "Extra data: line 1 column 5 (char 4)", offset: 4)
        assertError("/* c */ 1", "Expecting value: line 1 column 1 (char 0)", offset: 0)
        assertError("NaN", "Expecting value: line 1 column 1 (char 0)", offset: 0)
        assertError("[Infinity]", "Expecting value: line 1 column 2 (char 1)", offset: 1)
        assertError("-Infinity", "Expecting value: line 1 column 1 (char 0)", offset: 0)
        assertError("01", "Extra data: line 1 column 2 (char 1)", offset: 1)
        assertError("[01]", "Expecting ',' delimiter: line 1 column 3 (char 2)", offset: 2)
        assertError("-", "Expecting value: line 1 column 1 (char 0)", offset: 0)
        assertError("1.", "Extra data: line 1 column 2 (char 1)", offset: 1)
        assertError(".5", "Expecting value: line 1 column 1 (char 0)", offset: 0)
        assertError("1e", "Extra data: line 1 column 2 (char 1)", offset: 1)
        assertError("+1", "Expecting value: line 1 column 1 (char 0)", offset: 0)
        assertError("tru", "Expecting value: line 1 column 1 (char 0)", offset: 0)
        assertError("True", "Expecting value: line 1 column 1 (char 0)", offset: 0)
        assertError("nul", "Expecting value: line 1 column 1 (char 0)", offset: 0)

        for ok in ["0", "-0", "-0.0", "1.5e+10", "1E-2", "123456789012345678901234567890", "0e0", "-1.0e-0"] {
            XCTAssertEqual(roundTrip(ok), ok)
        }
    }

    func testInvalidUTF8() {
        let cases: [([UInt8], String)] = [
            ([0x22, 0xFF, 0x22], "'utf-8' codec can't decode byte 0xff in position 1: invalid start byte"),
            (Array("[1, \"".utf8) + [0xC3, 0x22, 0x5D], "'utf-8' codec can't decode byte 0xc3 in position 5: invalid continuation byte"),
            ([0x22, 0xE2, 0x82, 0x22], "'utf-8' codec can't decode bytes in position 1-2: invalid continuation byte"),
            ([0x22, 0xE2, 0x82], "'utf-8' codec can't decode bytes in position 1-2: unexpected end of data"),
            // Like Python (which decodes before parsing), invalid UTF-8 wins over an earlier syntax error.
            (Array("[1 2] ".utf8) + [0xC0, 0xAF], "'utf-8' codec can't decode byte 0xc0 in position 6: invalid start byte"),
        ]
        for (bytes, message) in cases {
            let e = parseError(bytes)
            XCTAssertEqual(e?.message, message)
            XCTAssertEqual(e?.kind, .invalidUTF8)
        }
    }

    func testByteOrderMark() throws {
        // Bytes: a UTF-8 BOM is skipped (Python decodes bytes with utf-8-sig).
        XCTAssertEqual(try JSONParser.parse([0xEF, 0xBB, 0xBF] + Array("[1]".utf8)), [1])
        let e = parseError([0xEF, 0xBB, 0xBF] + Array("[1".utf8))
        XCTAssertEqual(e?.message, "Expecting ',' delimiter: line 1 column 3 (char 2)")
        XCTAssertEqual(e?.offset, 5)
        // String: like json.loads(str), a BOM is an error.
        XCTAssertThrowsError(try JSONParser.parse("\u{FEFF}[1]")) { err in
            XCTAssertEqual(
                (err as? JSONParseError)?.message,
                "Unexpected UTF-8 BOM (decode using utf-8-sig): line 1 column 1 (char 0)")
        }
    }

    func testErrorDetails() {
        let e = parseError(Array("{\n  \"a\": x}".utf8))
        XCTAssertEqual(e?.reason, "Expecting value")
        XCTAssertEqual(e?.position, 9)
        XCTAssertEqual(e?.line, 2)
        XCTAssertEqual(e?.column, 8)
        XCTAssertEqual(e?.kind, .syntax)
    }

    // MARK: depth

    func testDepthLimit() throws {
        XCTAssertEqual(JSONParser.maximumDepth, 512)
        let depth = JSONParser.maximumDepth
        let ok = String(repeating: "[", count: depth) + String(repeating: "]", count: depth)
        XCTAssertEqual(roundTrip(ok), ok)
        let okObj = String(repeating: "{\"a\":", count: depth) + "1" + String(repeating: "}", count: depth)
        XCTAssertEqual(roundTrip(okObj), okObj)

        let tooDeep = String(repeating: "[", count: depth + 1) + String(repeating: "]", count: depth + 1)
        let e = parseError(Array(tooDeep.utf8))
        XCTAssertEqual(e?.kind, .depthExceeded)
        XCTAssertEqual(e?.message, "Maximum nesting depth exceeded: line 1 column 513 (char 512)")
        XCTAssertEqual(e?.offset, 512)

        // Very deep input is rejected without overflowing the stack.
        let huge = [UInt8](repeating: UInt8(ascii: "["), count: 1_000_000)
        XCTAssertEqual(parseError(huge)?.kind, .depthExceeded)
        let hugeObj = Array(String(repeating: "{\"a\":", count: 200_000).utf8)
        XCTAssertEqual(parseError(hugeObj)?.kind, .depthExceeded)
    }

    // MARK: literals and conveniences

    func testLiteralConveniences() {
        let v: JSONValue = [
            "b": 1,
            "a": [true, false, nil, "x", 1.5, -2],
            "o": [:],
            "e": [],
        ]
        XCTAssertEqual(v.serialized(), #"{"b":1,"a":[true,false,null,"x",1.5,-2],"o":{},"e":[]}"#)
        XCTAssertEqual(v.objectValue?.keys, ["b", "a", "o", "e"])
        let dup: JSONValue = ["x": 1, "y": 2, "x": 3]
        XCTAssertEqual(dup.serialized(), #"{"x":3,"y":2}"#)
        let obj: JSONObject = ["k": "v"]
        XCTAssertEqual(obj.serialized(), #"{"k":"v"}"#)
        let n: JSONValue = nil
        XCTAssertTrue(n.isNull)
        XCTAssertEqual(JSONValue.int(-42).serialized(), "-42")
        XCTAssertEqual(JSONValue.int(Int.max).serialized(), "9223372036854775807")
        XCTAssertEqual((0.25 as JSONValue).serialized(), "0.25")
    }

    func testDoubleFormattingMatchesPythonRepr() {
        let cases: [(Double, String)] = [
            (1.0, "1.0"), (0.1, "0.1"), (1e-7, "1e-07"), (123456789012345680000.0, "1.2345678901234568e+20"),
            (3.5, "3.5"), (-0.0, "-0.0"), (0.0, "0.0"), (100.0, "100.0"), (1e16, "1e+16"),
            (1234567890123456.0, "1234567890123456.0"), (0.0001, "0.0001"), (0.00001, "1e-05"),
            (1e22, "1e+22"), (Double.leastNonzeroMagnitude, "5e-324"), (1.7976931348623157e308, "1.7976931348623157e+308"),
            (-1.5, "-1.5"), (2.0 / 3.0, "0.6666666666666666"), (123.456, "123.456"),
        ]
        for (d, expected) in cases {
            XCTAssertEqual(JSONValue.double(d), .number(expected), "\(d)")
        }
        XCTAssertEqual(JSONValue.double(.infinity), .null)
        XCTAssertEqual(JSONValue.double(-.infinity), .null)
        XCTAssertEqual(JSONValue.double(.nan), .null)
    }

    func testAccessors() throws {
        let v = try JSONParser.parse(
            #"{"s":"x","i":12,"neg":-0,"f":1.0,"e":1e2,"big":99999999999999999999,"inf":1e400,"b":true,"n":null,"a":[1],"o":{}}"#)
        XCTAssertEqual(v["s"]?.stringValue, "x")
        XCTAssertEqual(v["i"]?.intValue, 12)
        XCTAssertEqual(v["neg"]?.intValue, 0)
        XCTAssertNil(v["f"]?.intValue)
        XCTAssertNil(v["e"]?.intValue)
        XCTAssertNil(v["big"]?.intValue)
        XCTAssertEqual(v["f"]?.doubleValue, 1.0)
        XCTAssertEqual(v["e"]?.doubleValue, 100.0)
        XCTAssertEqual(v["inf"]?.doubleValue, .infinity)
        XCTAssertEqual(v["i"]?.numberLiteral, "12")
        XCTAssertEqual(v["b"]?.boolValue, true)
        XCTAssertEqual(v["n"]?.isNull, true)
        XCTAssertEqual(v["a"]?.arrayValue, [1])
        XCTAssertEqual(v["o"]?.objectValue, JSONObject())
        XCTAssertNil(v["missing"])
        XCTAssertNil(v["s"]?["x"])
        XCTAssertNil(v["a"]?[1])
        XCTAssertNil(v["s"]?.intValue)
        XCTAssertNil(v["i"]?.stringValue)
        XCTAssertFalse(v.isNull)
    }
}
