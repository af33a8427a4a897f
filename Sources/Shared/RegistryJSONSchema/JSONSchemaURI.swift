// Python `urllib.parse` behaviour used by the `referencing` library when resolving `$id` / `$ref`:
// `urljoin`, `urldefrag` and `unquote`, ported closely enough for JSON Schema references.

import RegistryJSON

enum PyURL {
    private static let usesRelative: Set<String> = [
        "", "ftp", "http", "gopher", "nntp", "imap", "wais", "file", "https", "shttp", "mms",
        "prospero", "rtsp", "rtsps", "rtspu", "sftp", "svn", "svn+ssh", "ws", "wss",
    ]
    private static let usesNetloc: Set<String> = [
        "", "ftp", "http", "gopher", "nntp", "telnet", "imap", "wais", "file", "mms", "https", "shttp",
        "snews", "prospero", "rtsp", "rtsps", "rtspu", "rsync", "svn", "svn+ssh", "sftp", "nfs",
        "git", "git+ssh", "ws", "wss", "itms-services",
    ]
    private static let usesParams: Set<String> = [
        "", "ftp", "hdl", "prospero", "http", "imap", "https", "shttp", "rtsp", "rtsps", "rtspu",
        "sip", "sips", "mms", "sftp", "tel",
    ]

    struct Parts {
        var scheme = "", netloc = "", path = "", params = "", query = "", fragment = ""
    }

    private static func str(_ a: ArraySlice<Unicode.Scalar>) -> String {
        var v = String.UnicodeScalarView()
        v.append(contentsOf: a)
        return String(v)
    }

    static func splitSlash(_ s: String) -> [String] {
        s.unicodeScalars.split(separator: "/", omittingEmptySubsequences: false).map { String($0) }
    }

    /// `urllib.parse.urlparse(url, scheme=defaultScheme)`.
    static func parse(_ input: String, defaultScheme: String = "") -> Parts {
        var a = Array(input.unicodeScalars)
        // Leading C0 controls / spaces are stripped; tabs and newlines removed everywhere.
        var lead = 0
        while lead < a.count && a[lead].value <= 0x20 { lead += 1 }
        if lead > 0 { a.removeFirst(lead) }
        a.removeAll { $0 == "\t" || $0 == "\r" || $0 == "\n" }
        var p = Parts()
        p.scheme = defaultScheme
        var rest = a[...]
        if let colon = rest.firstIndex(of: ":"), colon > rest.startIndex {
            let cand = rest[rest.startIndex..<colon]
            let first = cand.first!
            if (first >= "a" && first <= "z") || (first >= "A" && first <= "Z") {
                let ok = cand.allSatisfy { c in
                    (c >= "a" && c <= "z") || (c >= "A" && c <= "Z") || (c >= "0" && c <= "9")
                        || c == "+" || c == "-" || c == "."
                }
                if ok {
                    p.scheme = str(cand).lowercased()
                    rest = rest[(colon + 1)...]
                }
            }
        }
        if rest.count >= 2 && rest[rest.startIndex] == "/" && rest[rest.startIndex + 1] == "/" {
            let afterSlashes = rest.startIndex + 2
            let end = rest[afterSlashes...].firstIndex { $0 == "/" || $0 == "?" || $0 == "#" } ?? rest.endIndex
            p.netloc = str(rest[afterSlashes..<end])
            rest = rest[end...]
        }
        if let hash = rest.firstIndex(of: "#") {
            p.fragment = str(rest[(hash + 1)...])
            rest = rest[..<hash]
        }
        if let q = rest.firstIndex(of: "?") {
            p.query = str(rest[(q + 1)...])
            rest = rest[..<q]
        }
        if usesParams.contains(p.scheme) && rest.contains(";") {
            var i: Int?
            if let slash = rest.lastIndex(of: "/") {
                i = rest[slash...].firstIndex(of: ";")
            } else {
                i = rest.firstIndex(of: ";")
            }
            if let i = i {
                p.params = str(rest[(i + 1)...])
                rest = rest[..<i]
            }
        }
        p.path = str(rest)
        return p
    }

    /// `urllib.parse.urlunparse`.
    static func unparse(_ p: Parts) -> String {
        var url = p.path
        if !p.params.isEmpty { url += ";" + p.params }
        if !p.netloc.isEmpty || (!p.scheme.isEmpty && usesNetloc.contains(p.scheme) && !url.hasPrefix("//")) {
            if !url.isEmpty && !url.hasPrefix("/") { url = "/" + url }
            url = "//" + p.netloc + url
        }
        if !p.scheme.isEmpty { url = p.scheme + ":" + url }
        if !p.query.isEmpty { url += "?" + p.query }
        if !p.fragment.isEmpty { url += "#" + p.fragment }
        return url
    }

    /// `urllib.parse.urljoin(base, url)`.
    static func join(_ base: String, _ url: String) -> String {
        if base.isEmpty { return url }
        if url.isEmpty { return base }
        let b = parse(base)
        var r = parse(url, defaultScheme: b.scheme)
        if r.scheme != b.scheme || !usesRelative.contains(r.scheme) { return url }
        if usesNetloc.contains(r.scheme) {
            if !r.netloc.isEmpty { return unparse(r) }
            r.netloc = b.netloc
        }
        if r.path.isEmpty && r.params.isEmpty {
            r.path = b.path
            r.params = b.params
            if r.query.isEmpty { r.query = b.query }
            return unparse(r)
        }
        var baseParts = splitSlash(b.path)
        if baseParts.last != "" { baseParts.removeLast() }
        var segments: [String]
        if r.path.hasPrefix("/") {
            segments = splitSlash(r.path)
        } else {
            segments = baseParts + splitSlash(r.path)
            if segments.count > 2 {
                let middle = segments[1..<(segments.count - 1)].filter { !$0.isEmpty }
                segments = [segments[0]] + middle + [segments[segments.count - 1]]
            }
        }
        var resolved: [String] = []
        for seg in segments {
            if seg == ".." {
                if !resolved.isEmpty { resolved.removeLast() }
            } else if seg == "." {
                continue
            } else {
                resolved.append(seg)
            }
        }
        if let last = segments.last, last == "." || last == ".." { resolved.append("") }
        let joined = resolved.joined(separator: "/")
        r.path = joined.isEmpty ? "/" : joined
        return unparse(r)
    }

    /// `urllib.parse.urldefrag(url)` -> (url without fragment, fragment).
    static func defrag(_ url: String) -> (url: String, fragment: String) {
        guard url.contains("#") else { return (url, "") }
        var p = parse(url)
        let frag = p.fragment
        p.fragment = ""
        return (unparse(p), frag)
    }

    /// `urllib.parse.unquote` (UTF-8, invalid sequences replaced).
    static func unquote(_ s: String) -> String { PercentDecoding.decode(s) }

    /// Registry key: python `referencing` strips trailing "#"s from resource URIs.
    static func resourceKey(_ uri: String) -> String {
        var s = Substring(uri)
        while s.hasSuffix("#") { s = s.dropLast() }
        return String(s)
    }
}
