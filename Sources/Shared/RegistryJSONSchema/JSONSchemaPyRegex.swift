// Python `re` (3.11) pattern syntax: a port of the error checks of `re._parser` / `re._compiler`
// (so `format: "regex"` accepts exactly what `re.compile` accepts) that also rewrites the pattern
// for ICU / NSRegularExpression so `pattern` / `patternProperties` match like `re.search`.

import Foundation

struct PyRegexError: Error, CustomStringConvertible {
    let message: String
    var description: String { message }
}

enum PyRegex {
    /// True when Python's `re.compile(pattern)` succeeds.
    static func isValid(_ pattern: String) -> Bool {
        (try? PyRegexParser(pattern).parse()) != nil
    }

    /// An ICU pattern (to compile with `.useUnixLineSeparators`) equivalent to the Python pattern.
    /// Throws for invalid Python patterns and for constructs ICU lacks (conditional groups).
    static func icuPattern(_ pattern: String) throws -> String {
        let p = PyRegexParser(pattern)
        let ast = try p.parse()
        var out = ""
        let globalFlags = p.flags
        var prefix = ""
        if globalFlags & PyRegexParser.fI != 0 { prefix += "i" }
        if globalFlags & PyRegexParser.fM != 0 { prefix += "m" }
        if globalFlags & PyRegexParser.fS != 0 { prefix += "s" }
        if !prefix.isEmpty { out += "(?" + prefix + ")" }
        try PyRegexEmitter.emit(ast, ascii: globalFlags & PyRegexParser.fA != 0, into: &out)
        return out.isEmpty ? "(?:)" : out
    }
}

// MARK: - AST

indirect enum PyReNode {
    case literal(UInt32)
    case any
    case at(Character)            // "^", "$", "A" (\A), "Z" (\Z), "b", "B"
    case category(Character)      // d D s S w W
    case set(negate: Bool, items: [PyReSetItem])
    case branch([[PyReNode]])
    case group(id: Int?, add: Int, del: Int, body: [PyReNode])
    case atomic([PyReNode])
    case repeatNode(min: UInt64, max: UInt64, kind: UInt8, item: [PyReNode])   // kind 0 greedy, 1 lazy, 2 possessive
    case groupRef(Int)
    case groupExists(Int, yes: [PyReNode], no: [PyReNode]?)
    case assertNode(behind: Bool, negative: Bool, body: [PyReNode])
}

enum PyReSetItem {
    case literal(UInt32)
    case range(UInt32, UInt32)
    case category(Character)
}

// MARK: - Parser

final class PyRegexParser {
    static let fI = 2, fL = 4, fM = 8, fS = 16, fU = 32, fX = 64, fA = 256, fT = 1
    static let maxRepeat: UInt64 = 4_294_967_295
    static let maxCode: UInt64 = 4_294_967_295
    static let maxWidth: UInt64 = .max

    private let s: [Unicode.Scalar]
    private var index = 0
    /// The current token: a character, or an escape "\\" + character.
    private var next: Tok?
    var flags = 0
    private var groupDict: [String: Int] = [:]
    private var groupWidths: [(UInt64, UInt64)?] = [nil]
    private var lookbehindGroups: Int?
    private var grouprefpos: [Int: Int] = [:]

    struct Tok: Equatable {
        let escaped: Bool
        let c: Unicode.Scalar
        func isChar(_ x: Unicode.Scalar) -> Bool { !escaped && c == x }
        var length: Int { escaped ? 2 : 1 }
    }

    private let stackLimit = JSStack.limit()

    init(_ pattern: String) {
        s = Array(pattern.unicodeScalars)
    }

    private func fail(_ m: String) -> PyRegexError { PyRegexError(message: m) }

    private func advance() throws {
        if index >= s.count { next = nil; return }
        var c = s[index]
        var escaped = false
        if c == "\\" {
            index += 1
            if index >= s.count { throw fail("bad escape (end of pattern)") }
            c = s[index]
            escaped = true
        }
        index += 1
        next = Tok(escaped: escaped, c: c)
    }

    private func match(_ ch: Unicode.Scalar) throws -> Bool {
        if let n = next, n.isChar(ch) { try advance(); return true }
        return false
    }

    private func get() throws -> Tok? {
        let t = next
        try advance()
        return t
    }

    private var nextIsDigit: Bool {
        guard let n = next, !n.escaped else { return false }
        return n.c >= "0" && n.c <= "9"
    }

    private func nextIn(_ set: (Unicode.Scalar) -> Bool) -> Bool {
        guard let n = next, !n.escaped else { return false }
        return set(n.c)
    }

    private func tell() -> Int { index - (next?.length ?? 0) }

    private func seek(_ i: Int) throws {
        index = i
        try advance()
    }

    /// Tokens until `terminator` (tokens may be escapes: python concatenates them textually).
    private func getUntil(_ terminator: Unicode.Scalar, _ name: String) throws -> String {
        var result = String.UnicodeScalarView()
        while true {
            let c = next
            try advance()
            guard let t = c else {
                if result.isEmpty { throw fail("missing " + name) }
                throw fail("missing \(terminator), unterminated name")
            }
            if t.isChar(terminator) {
                if result.isEmpty { throw fail("missing " + name) }
                break
            }
            if t.escaped { result.append("\\") }
            result.append(t.c)
        }
        return String(result)
    }

    private func getWhile(_ n: Int, _ pred: (Unicode.Scalar) -> Bool) throws -> [Unicode.Scalar] {
        var out: [Unicode.Scalar] = []
        for _ in 0..<n {
            guard let t = next, !t.escaped, pred(t.c) else { break }
            out.append(t.c)
            try advance()
        }
        return out
    }

    private static func isHex(_ c: Unicode.Scalar) -> Bool {
        (c >= "0" && c <= "9") || (c >= "a" && c <= "f") || (c >= "A" && c <= "F")
    }
    private static func isOct(_ c: Unicode.Scalar) -> Bool { c >= "0" && c <= "7" }
    private static func isASCIILetter(_ c: Unicode.Scalar) -> Bool {
        (c >= "a" && c <= "z") || (c >= "A" && c <= "Z")
    }

    /// Python `str.isidentifier()`.
    static func isIdentifier(_ name: String) -> Bool {
        var first = true
        for u in name.unicodeScalars {
            if first {
                if !(u == "_" || u.properties.isXIDStart) { return false }
                first = false
            } else if !u.properties.isXIDContinue {
                return false
            }
        }
        return !first
    }

    private func checkGroupName(_ name: String) throws {
        if !PyRegexParser.isIdentifier(name) { throw fail("bad character in group name") }
    }

    private var groups: Int { groupWidths.count }

    private func checkGroup(_ gid: Int) -> Bool { gid < groups && groupWidths[gid] != nil }

    private func checkLookbehindGroup(_ gid: Int) throws {
        if let lb = lookbehindGroups {
            if !checkGroup(gid) { throw fail("cannot refer to an open group") }
            if gid >= lb { throw fail("cannot refer to group defined in the same lookbehind subpattern") }
        }
    }

    private static func hexValue(_ digits: [Unicode.Scalar]) -> UInt32 {
        var v: UInt32 = 0
        for d in digits {
            let c = d.value
            let x: UInt32 = c <= 57 ? c - 48 : (c <= 70 ? c - 55 : c - 87)
            v = v &* 16 &+ x
        }
        return v
    }

    private enum EscapeResult {
        case literal(UInt32)
        case category(Character)
        case at(Character)
        case groupRef(Int)
    }

    private func namedChar() throws -> UInt32 {
        if !(try match("{")) { throw fail("missing {") }
        let name = try getUntil("}", "character name")
        guard let v = PyUnicodeNames.lookup(name) else { throw fail("undefined character name") }
        return v
    }

    private func classEscape(_ esc: Tok) throws -> EscapeResult {
        let c = esc.c
        switch c {
        case "a": return .literal(7)
        case "b": return .literal(8)
        case "f": return .literal(12)
        case "n": return .literal(10)
        case "r": return .literal(13)
        case "t": return .literal(9)
        case "v": return .literal(11)
        case "\\": return .literal(92)
        case "d", "D", "s", "S", "w", "W": return .category(Character(c))
        case "x":
            let d = try getWhile(2, PyRegexParser.isHex)
            if d.count != 2 { throw fail("incomplete escape \\x") }
            return .literal(PyRegexParser.hexValue(d))
        case "u":
            let d = try getWhile(4, PyRegexParser.isHex)
            if d.count != 4 { throw fail("incomplete escape \\u") }
            return .literal(PyRegexParser.hexValue(d))
        case "U":
            let d = try getWhile(8, PyRegexParser.isHex)
            if d.count != 8 { throw fail("incomplete escape \\U") }
            let v = PyRegexParser.hexValue(d)
            if v > 0x10FFFF { throw fail("bad escape \\U") }
            return .literal(v)
        case "N":
            return .literal(try namedChar())
        case "0"..."7":
            var digits = [c]
            digits += try getWhile(2, PyRegexParser.isOct)
            var v: UInt32 = 0
            for d in digits { v = v * 8 + (d.value - 48) }
            if v > 0o377 { throw fail("octal escape value outside of range 0-0o377") }
            return .literal(v)
        case "8", "9":
            throw fail("bad escape")
        default:
            if c.isASCII && PyRegexParser.isASCIILetter(c) { throw fail("bad escape") }
            return .literal(c.value)
        }
    }

    private func escape(_ esc: Tok) throws -> EscapeResult {
        let c = esc.c
        switch c {
        case "A", "Z", "b", "B": return .at(Character(c))
        case "d", "D", "s", "S", "w", "W": return .category(Character(c))
        case "a": return .literal(7)
        case "f": return .literal(12)
        case "n": return .literal(10)
        case "r": return .literal(13)
        case "t": return .literal(9)
        case "v": return .literal(11)
        case "\\": return .literal(92)
        case "x":
            let d = try getWhile(2, PyRegexParser.isHex)
            if d.count != 2 { throw fail("incomplete escape \\x") }
            return .literal(PyRegexParser.hexValue(d))
        case "u":
            let d = try getWhile(4, PyRegexParser.isHex)
            if d.count != 4 { throw fail("incomplete escape \\u") }
            return .literal(PyRegexParser.hexValue(d))
        case "U":
            let d = try getWhile(8, PyRegexParser.isHex)
            if d.count != 8 { throw fail("incomplete escape \\U") }
            let v = PyRegexParser.hexValue(d)
            if v > 0x10FFFF { throw fail("bad escape \\U") }
            return .literal(v)
        case "N":
            return .literal(try namedChar())
        case "0":
            let d = try getWhile(2, PyRegexParser.isOct)
            var v: UInt32 = 0
            for x in d { v = v * 8 + (x.value - 48) }
            return .literal(v)
        case "1"..."9":
            var digits = [c]
            if nextIsDigit {
                digits.append(try get()!.c)
                if PyRegexParser.isOct(digits[0]) && PyRegexParser.isOct(digits[1]) && nextIn(PyRegexParser.isOct) {
                    digits.append(try get()!.c)
                    var v: UInt32 = 0
                    for x in digits { v = v * 8 + (x.value - 48) }
                    if v > 0o377 { throw fail("octal escape value outside of range 0-0o377") }
                    return .literal(v)
                }
            }
            var group = 0
            for x in digits { group = group * 10 + Int(x.value - 48) }
            if group < groups {
                if !checkGroup(group) { throw fail("cannot refer to an open group") }
                try checkLookbehindGroup(group)
                return .groupRef(group)
            }
            throw fail("invalid group reference \(group)")
        default:
            if c.isASCII && PyRegexParser.isASCIILetter(c) { throw fail("bad escape") }
            return .literal(c.value)
        }
    }

    // MARK: Widths

    private static func add(_ a: UInt64, _ b: UInt64) -> UInt64 {
        let (r, o) = a.addingReportingOverflow(b)
        return o ? maxWidth : r
    }

    private static func mul(_ a: UInt64, _ b: UInt64) -> UInt64 {
        let (r, o) = a.multipliedReportingOverflow(by: b)
        return o ? maxWidth : r
    }

    func width(_ seq: [PyReNode]) -> (UInt64, UInt64) {
        var lo: UInt64 = 0, hi: UInt64 = 0
        for n in seq {
            switch n {
            case .branch(let alts):
                var i = PyRegexParser.maxWidth, j: UInt64 = 0
                for a in alts {
                    let (l, h) = width(a)
                    i = min(i, l)
                    j = max(j, h)
                }
                lo = PyRegexParser.add(lo, i); hi = PyRegexParser.add(hi, j)
            case .atomic(let body), .group(_, _, _, let body):
                let (i, j) = width(body)
                lo = PyRegexParser.add(lo, i); hi = PyRegexParser.add(hi, j)
            case let .repeatNode(mn, mx, _, item):
                let (i, j) = width(item)
                lo = PyRegexParser.add(lo, PyRegexParser.mul(i, mn))
                if mx == PyRegexParser.maxRepeat && j != 0 {
                    hi = PyRegexParser.maxWidth
                } else {
                    hi = PyRegexParser.add(hi, PyRegexParser.mul(j, mx))
                }
            case .literal, .any, .set, .category:
                lo = PyRegexParser.add(lo, 1); hi = PyRegexParser.add(hi, 1)
            case .groupRef(let g):
                let (i, j) = groupWidths[g] ?? (0, 0)
                lo = PyRegexParser.add(lo, i); hi = PyRegexParser.add(hi, j)
            case let .groupExists(_, yes, no):
                var (i, j) = width(yes)
                if let no = no {
                    let (l, h) = width(no)
                    i = min(i, l)
                    j = max(j, h)
                } else {
                    i = 0
                }
                lo = PyRegexParser.add(lo, i); hi = PyRegexParser.add(hi, j)
            case .at, .assertNode:
                break
            }
        }
        return (lo, hi)
    }

    // MARK: Parsing

    func parse() throws -> [PyReNode] {
        try advance()
        let p = try parseSub(verbose: false, nested: 0)
        if next != nil { throw fail("unbalanced parenthesis") }
        // fix_flags (a ValueError in python, which also makes re.compile fail)
        if flags & PyRegexParser.fA != 0 && flags & PyRegexParser.fU != 0 {
            throw fail("ASCII and UNICODE flags are incompatible")
        }
        for (g, _) in grouprefpos where g >= groups { throw fail("invalid group reference \(g)") }
        try checkCompile(p)
        return p
    }

    /// `re._compiler` errors: look-behind width.
    private func checkCompile(_ seq: [PyReNode]) throws {
        for n in seq {
            switch n {
            case .branch(let alts): for a in alts { try checkCompile(a) }
            case .atomic(let b), .group(_, _, _, let b): try checkCompile(b)
            case .repeatNode(_, _, _, let item): try checkCompile(item)
            case let .groupExists(_, yes, no):
                try checkCompile(yes)
                if let no = no { try checkCompile(no) }
            case let .assertNode(behind, _, body):
                if behind {
                    let (lo, hi) = width(body)
                    if lo > PyRegexParser.maxCode { throw fail("looks too much behind") }
                    if lo != hi { throw fail("look-behind requires fixed-width pattern") }
                }
                try checkCompile(body)
            default: break
            }
        }
    }

    private func parseSub(verbose: Bool, nested: Int) throws -> [PyReNode] {
        // python raises RecursionError (not re.error) from about 450 nested groups; bound the
        // recursion here too (the AST walkers recurse as deep).
        if nested > 1_000 || JSStack.exhausted(stackLimit) { throw fail("too deeply nested") }
        var items: [[PyReNode]] = []
        var verbose = verbose
        while true {
            items.append(try parseSeq(verbose: verbose, nested: nested + 1, first: nested == 0 && items.isEmpty))
            if !(try match("|")) { break }
            if nested == 0 { verbose = flags & PyRegexParser.fX != 0 }
        }
        if items.count == 1 { return items[0] }
        return [.branch(items)]
    }

    private func parseSeq(verbose: Bool, nested: Int, first: Bool) throws -> [PyReNode] {
        var sub: [PyReNode] = []
        var verbose = verbose
        while true {
            guard let this = next else { break }
            if this.isChar("|") || this.isChar(")") { break }
            try advance()
            if verbose {
                if !this.escaped && (this.c == " " || this.c == "\t" || this.c == "\n" || this.c == "\r"
                                     || this.c == "\u{0B}" || this.c == "\u{0C}") {
                    continue
                }
                if this.isChar("#") {
                    while true {
                        let t = try get()
                        if t == nil || t!.isChar("\n") { break }
                    }
                    continue
                }
            }
            if this.escaped {
                switch try escape(this) {
                case .literal(let v): sub.append(.literal(v))
                case .category(let c): sub.append(.category(c))
                case .at(let c): sub.append(.at(c))
                case .groupRef(let g): sub.append(.groupRef(g))
                }
                continue
            }
            let c = this.c
            switch c {
            case "[":
                sub.append(try parseSet())
            case "*", "+", "?", "{":
                let here = tell()
                var mn: UInt64 = 0, mx: UInt64 = 0
                if c == "?" { mn = 0; mx = 1 }
                else if c == "*" { mn = 0; mx = PyRegexParser.maxRepeat }
                else if c == "+" { mn = 1; mx = PyRegexParser.maxRepeat }
                else {
                    if let n = next, n.isChar("}") {
                        sub.append(.literal(c.value))
                        continue
                    }
                    mn = 0; mx = PyRegexParser.maxRepeat
                    var lo = "", hi = ""
                    while nextIsDigit { lo.unicodeScalars.append(try get()!.c) }
                    if try match(",") {
                        while nextIsDigit { hi.unicodeScalars.append(try get()!.c) }
                    } else {
                        hi = lo
                    }
                    if !(try match("}")) {
                        sub.append(.literal(c.value))
                        try seek(here)
                        continue
                    }
                    if !lo.isEmpty {
                        guard let v = PyRegexParser.repeatCount(lo) else { throw fail("the repetition number is too large") }
                        mn = v
                    }
                    if !hi.isEmpty {
                        guard let v = PyRegexParser.repeatCount(hi) else { throw fail("the repetition number is too large") }
                        mx = v
                        if mx < mn { throw fail("min repeat greater than max repeat") }
                    }
                }
                guard let last = sub.last else { throw fail("nothing to repeat") }
                if case .at = last { throw fail("nothing to repeat") }
                if case .repeatNode = last { throw fail("multiple repeat") }
                var item: [PyReNode] = [last]
                if case let .group(id, add, del, body) = last, id == nil, add == 0, del == 0 { item = body }
                var kind: UInt8 = 0
                if try match("?") { kind = 1 } else if try match("+") { kind = 2 }
                sub[sub.count - 1] = .repeatNode(min: mn, max: mx, kind: kind, item: item)
            case ".":
                sub.append(.any)
            case "(":
                if let node = try parseGroup(verbose: &verbose, nested: nested, first: first, subEmpty: sub.isEmpty) {
                    sub.append(node)
                }
            case "^":
                sub.append(.at("^"))
            case "$":
                sub.append(.at("$"))
            default:
                sub.append(.literal(c.value))
            }
        }
        // Unpack plain non-capturing groups.
        var out: [PyReNode] = []
        out.reserveCapacity(sub.count)
        for n in sub {
            if case let .group(id, add, del, body) = n, id == nil, add == 0, del == 0 {
                out.append(contentsOf: body)
            } else {
                out.append(n)
            }
        }
        return out
    }

    private static func repeatCount(_ digits: String) -> UInt64? {
        let trimmed = digits.drop(while: { $0 == "0" })
        if trimmed.count > 10 { return nil }
        guard let v = UInt64(trimmed.isEmpty ? "0" : String(trimmed)), v < maxRepeat else { return nil }
        return v
    }

    private func parseSet() throws -> PyReNode {
        var items: [PyReSetItem] = []
        let negate = try match("^")
        while true {
            guard let this = try get() else { throw fail("unterminated character set") }
            if this.isChar("]") && !items.isEmpty { break }
            var code1: EscapeResult
            if this.escaped {
                code1 = try classEscape(this)
            } else {
                code1 = .literal(this.c.value)
            }
            if try match("-") {
                guard let that = try get() else { throw fail("unterminated character set") }
                if that.isChar("]") {
                    items.append(PyRegexParser.setItem(code1))
                    items.append(.literal(45))
                    break
                }
                let code2: EscapeResult = that.escaped ? try classEscape(that) : .literal(that.c.value)
                guard case .literal(let lo) = code1, case .literal(let hi) = code2 else {
                    throw fail("bad character range")
                }
                if hi < lo { throw fail("bad character range") }
                items.append(.range(lo, hi))
            } else {
                items.append(PyRegexParser.setItem(code1))
            }
        }
        return .set(negate: negate, items: items)
    }

    private static func setItem(_ e: EscapeResult) -> PyReSetItem {
        switch e {
        case .literal(let v): return .literal(v)
        case .category(let c): return .category(c)
        default: return .literal(0)   // unreachable: class escapes are literals or categories
        }
    }

    /// `(` was consumed. Returns nil for constructs that add nothing (comments, global flags).
    private func parseGroup(verbose: inout Bool, nested: Int, first: Bool, subEmpty: Bool) throws -> PyReNode? {
        var capture = true
        var atomic = false
        var name: String?
        var addFlags = 0, delFlags = 0
        if try match("?") {
            guard let ch = try get() else { throw fail("unexpected end of pattern") }
            let char = ch.escaped ? Unicode.Scalar(0)! : ch.c
            if ch.escaped {
                throw fail("unknown extension ?\\\(ch.c)")
            }
            switch char {
            case "P":
                if try match("<") {
                    let n = try getUntil(">", "group name")
                    try checkGroupName(n)
                    name = n
                } else if try match("=") {
                    let n = try getUntil(")", "group name")
                    try checkGroupName(n)
                    guard let gid = groupDict[n] else { throw fail("unknown group name") }
                    if !checkGroup(gid) { throw fail("cannot refer to an open group") }
                    try checkLookbehindGroup(gid)
                    return .groupRef(gid)
                } else {
                    if try get() == nil { throw fail("unexpected end of pattern") }
                    throw fail("unknown extension ?P")
                }
            case ":":
                capture = false
            case "#":
                while true {
                    if next == nil { throw fail("missing ), unterminated comment") }
                    if let t = try get(), t.isChar(")") { break }
                }
                return nil
            case "=", "!", "<":
                var behind = false
                var kindChar = char
                var savedLookbehind: Int?? = .none
                if char == "<" {
                    guard let c2 = try get() else { throw fail("unexpected end of pattern") }
                    if !(c2.isChar("=") || c2.isChar("!")) { throw fail("unknown extension ?<") }
                    kindChar = c2.c
                    behind = true
                    savedLookbehind = .some(lookbehindGroups)
                    if lookbehindGroups == nil { lookbehindGroups = groups }
                }
                let p = try parseSub(verbose: verbose, nested: nested + 1)
                if behind, case .some(let saved) = savedLookbehind, saved == nil { lookbehindGroups = nil }
                if !(try match(")")) { throw fail("missing ), unterminated subpattern") }
                return .assertNode(behind: behind, negative: kindChar == "!", body: p)
            case "(":
                let condname = try getUntil(")", "group name")
                var condgroup: Int
                if PyRegexParser.isIdentifier(condname) {
                    guard let g = groupDict[condname] else { throw fail("unknown group name") }
                    condgroup = g
                } else {
                    guard let g = PyRegexParser.pythonInt(condname), g >= 0 else {
                        throw fail("bad character in group name")
                    }
                    if g == 0 { throw fail("bad group number") }
                    if g >= 1_073_741_823 { throw fail("invalid group reference") }
                    condgroup = g
                    if grouprefpos[condgroup] == nil { grouprefpos[condgroup] = tell() }
                }
                try checkLookbehindGroup(condgroup)
                let yes = try parseSeq(verbose: verbose, nested: nested + 1, first: false)
                var no: [PyReNode]?
                if try match("|") {
                    no = try parseSeq(verbose: verbose, nested: nested + 1, first: false)
                    if let n = next, n.isChar("|") { throw fail("conditional backref with more than two branches") }
                }
                if !(try match(")")) { throw fail("missing ), unterminated subpattern") }
                return .groupExists(condgroup, yes: yes, no: no)
            case ">":
                capture = false
                atomic = true
            default:
                if PyRegexParser.flagValue(char) != nil || char == "-" {
                    let r = try parseFlags(char)
                    guard let (a, d) = r else {
                        if !first || !subEmpty { throw fail("global flags not at the start of the expression") }
                        verbose = flags & PyRegexParser.fX != 0
                        return nil
                    }
                    addFlags = a
                    delFlags = d
                    capture = false
                } else {
                    throw fail("unknown extension ?\(char)")
                }
            }
        }
        var gid: Int?
        if capture {
            gid = groups
            groupWidths.append(nil)
            if let n = name {
                if groupDict[n] != nil { throw fail("redefinition of group name") }
                groupDict[n] = gid
            }
        }
        let subVerbose = (verbose || (addFlags & PyRegexParser.fX != 0)) && (delFlags & PyRegexParser.fX == 0)
        let p = try parseSub(verbose: subVerbose, nested: nested + 1)
        if !(try match(")")) { throw fail("missing ), unterminated subpattern") }
        if let g = gid { groupWidths[g] = width(p) }
        if atomic { return .atomic(p) }
        return .group(id: gid, add: addFlags, del: delFlags, body: p)
    }

    static func flagValue(_ c: Unicode.Scalar) -> Int? {
        switch c {
        case "i": return fI
        case "L": return fL
        case "m": return fM
        case "s": return fS
        case "x": return fX
        case "a": return fA
        case "t": return fT
        case "u": return fU
        default: return nil
        }
    }

    /// Python `int(s)` for the conditional-group number (whitespace, sign, underscores).
    static func pythonInt(_ s: String) -> Int? {
        var t = Substring(s)
        while let f = t.unicodeScalars.first, f.properties.isWhitespace { t = t.dropFirst() }
        while let l = t.unicodeScalars.last, l.properties.isWhitespace { t = t.dropLast() }
        var neg = false
        if t.hasPrefix("+") { t = t.dropFirst() } else if t.hasPrefix("-") { neg = true; t = t.dropFirst() }
        if t.isEmpty || t.hasPrefix("_") || t.hasSuffix("_") || t.contains("__") { return nil }
        var v = 0
        for u in t.unicodeScalars {
            if u == "_" { continue }
            guard let d = u.properties.numericType == .decimal ? u.properties.numericValue : nil else { return nil }
            let (m, o1) = v.multipliedReportingOverflow(by: 10)
            let (r, o2) = m.addingReportingOverflow(Int(d))
            if o1 || o2 { return Int.max }
            v = r
        }
        return neg ? -v : v
    }

    /// `_parse_flags`: nil for global flags "(?imsx)", else (add, del) for "(?imsx-imsx:".
    private func parseFlags(_ first: Unicode.Scalar) throws -> (Int, Int)? {
        let typeFlags = PyRegexParser.fA | PyRegexParser.fL | PyRegexParser.fU
        var add = 0, del = 0
        var char: Unicode.Scalar = first
        var tok: Tok?
        if char != "-" {
            while true {
                let flag = PyRegexParser.flagValue(char)!
                if char == "L" { throw fail("bad inline flags: cannot use 'L' flag with a str pattern") }
                add |= flag
                if flag & typeFlags != 0 && (add & typeFlags) != flag {
                    throw fail("bad inline flags: flags 'a', 'u' and 'L' are incompatible")
                }
                tok = try get()
                guard let t = tok else { throw fail("missing -, : or )") }
                if t.isChar(")") || t.isChar("-") || t.isChar(":") { char = t.c; break }
                if t.escaped || PyRegexParser.flagValue(t.c) == nil { throw fail("unknown flag or missing -, : or )") }
                char = t.c
            }
        }
        if char == ")" {
            flags |= add
            return nil
        }
        if add & PyRegexParser.fT != 0 { throw fail("bad inline flags: cannot turn on global flag") }
        if char == "-" {
            tok = try get()
            guard let t = tok else { throw fail("missing flag") }
            if t.escaped || PyRegexParser.flagValue(t.c) == nil { throw fail("unknown flag or missing flag") }
            char = t.c
            while true {
                let flag = PyRegexParser.flagValue(char)!
                if flag & typeFlags != 0 { throw fail("bad inline flags: cannot turn off flags 'a', 'u' and 'L'") }
                del |= flag
                tok = try get()
                guard let t2 = tok else { throw fail("missing :") }
                if t2.isChar(":") { char = ":"; break }
                if t2.escaped || PyRegexParser.flagValue(t2.c) == nil { throw fail("unknown flag or missing :") }
                char = t2.c
            }
        }
        if del & PyRegexParser.fT != 0 { throw fail("bad inline flags: cannot turn off global flag") }
        if add & del != 0 { throw fail("bad inline flags: flag turned on and off") }
        return (add, del)
    }
}

// MARK: - ICU emission

enum PyRegexEmitter {
    static func emit(_ seq: [PyReNode], ascii: Bool, into out: inout String) throws {
        for n in seq { try emit(n, ascii: ascii, into: &out) }
    }

    static func lit(_ v: UInt32, into out: inout String) {
        if (v >= 0x30 && v <= 0x39) || (v >= 0x41 && v <= 0x5A) || (v >= 0x61 && v <= 0x7A) {
            out.unicodeScalars.append(Unicode.Scalar(v)!)
        } else {
            out += "\\x{" + String(v, radix: 16) + "}"
        }
    }

    static func category(_ c: Character, ascii: Bool) -> String {
        guard ascii else { return "\\" + String(c) }
        switch c {
        case "d": return "[0-9]"
        case "D": return "[^0-9]"
        case "w": return "[a-zA-Z0-9_]"
        case "W": return "[^a-zA-Z0-9_]"
        case "s": return "[\\t\\n\\x{0b}\\f\\r ]"
        case "S": return "[^\\t\\n\\x{0b}\\f\\r ]"
        default: return "\\" + String(c)
        }
    }

    static func setCategory(_ c: Character, ascii: Bool) -> String {
        guard ascii else { return "\\" + String(c) }
        switch c {
        case "d": return "0-9"
        case "w": return "a-zA-Z0-9_"
        case "s": return "\\t\\n\\x{0b}\\f\\r "
        case "D": return "[^0-9]"
        case "W": return "[^a-zA-Z0-9_]"
        case "S": return "[^\\t\\n\\x{0b}\\f\\r ]"
        default: return "\\" + String(c)
        }
    }

    static func flagString(_ f: Int) -> String {
        var s = ""
        if f & PyRegexParser.fI != 0 { s += "i" }
        if f & PyRegexParser.fM != 0 { s += "m" }
        if f & PyRegexParser.fS != 0 { s += "s" }
        return s
    }

    static func emit(_ n: PyReNode, ascii: Bool, into out: inout String) throws {
        switch n {
        case .literal(let v): lit(v, into: &out)
        case .any: out += "."
        case .at(let c):
            switch c {
            case "^": out += "^"
            case "$": out += "$"
            case "A": out += "\\A"
            case "Z": out += "\\z"
            case "b": out += "\\b"
            // python's \B never matches in an empty string
            default: out += "(?:\\B(?!\\A\\z))"
            }
        case .category(let c): out += category(c, ascii: ascii)
        case let .set(negate, items):
            out += negate ? "[^" : "["
            for it in items {
                switch it {
                case .literal(let v): out += "\\x{" + String(v, radix: 16) + "}"
                case let .range(a, b): out += "\\x{" + String(a, radix: 16) + "}-\\x{" + String(b, radix: 16) + "}"
                case .category(let c): out += setCategory(c, ascii: ascii)
                }
            }
            out += "]"
        case .branch(let alts):
            out += "(?:"
            for (i, a) in alts.enumerated() {
                if i > 0 { out += "|" }
                try emit(a, ascii: ascii, into: &out)
            }
            out += ")"
        case let .group(id, add, del, body):
            let a = ascii || (add & PyRegexParser.fA != 0)
            if id != nil {
                out += "("
            } else {
                let on = flagString(add), off = flagString(del)
                out += "(?" + on + (off.isEmpty ? "" : "-" + off) + ":"
            }
            try emit(body, ascii: a, into: &out)
            out += ")"
        case .atomic(let body):
            out += "(?>"
            try emit(body, ascii: ascii, into: &out)
            out += ")"
        case let .repeatNode(mn, mx, kind, item):
            out += "(?:"
            try emit(item, ascii: ascii, into: &out)
            out += ")"
            if mx == PyRegexParser.maxRepeat {
                out += mn == 0 ? "*" : (mn == 1 ? "+" : "{\(mn),}")
            } else if mn == 0 && mx == 1 {
                out += "?"
            } else {
                out += mn == mx ? "{\(mn)}" : "{\(mn),\(mx)}"
            }
            if kind == 1 { out += "?" } else if kind == 2 { out += "+" }
        case .groupRef(let g):
            out += "\\\(g)(?:)"
        case .groupExists:
            throw PyRegexError(message: "conditional groups are not supported")
        case let .assertNode(behind, negative, body):
            out += "(?" + (behind ? "<" : "") + (negative ? "!" : "=")
            try emit(body, ascii: ascii, into: &out)
            out += ")"
        }
    }
}

// MARK: - \N{...}

enum PyUnicodeNames {
    private static let table: [String: UInt32] = {
        var t: [String: UInt32] = [:]
        t.reserveCapacity(300_000)
        for v in UInt32(0)...0x10FFFF {
            guard let u = Unicode.Scalar(v) else { continue }
            if let n = u.properties.name { t[n] = v }
            if let a = u.properties.nameAlias, t[a] == nil { t[a] = v }
        }
        return t
    }()

    /// `unicodedata.lookup(name)` for single code points (case-insensitive like Python).
    static func lookup(_ name: String) -> UInt32? {
        table[name.uppercased()]
    }
}
