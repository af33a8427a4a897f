/// The web UI's HTML. Every piece of text that is not a constant of this folder — model names,
/// namespaces, versions, descriptions, deprecation messages, schema contents, error details,
/// built URLs — reaches the page through `HTML.escape`, the one escaping function, by way of
/// `HTMLWriter.text` and `HTMLWriter.attribute`. Constant markup goes through `raw`.
enum HTML {
    /// `&`, `<`, `>`, `"` and `'` as character references: safe as element text and inside a
    /// double- or single-quoted attribute value. A `javascript:` text stays text: the UI never
    /// puts user text into an `href` (links are built from `UIPaths` with percent-encoded values).
    static func escape(_ text: String) -> String {
        var needs = false
        for byte in text.utf8 where byte == 0x26 || byte == 0x3C || byte == 0x3E || byte == 0x22 || byte == 0x27 {
            needs = true
            break
        }
        guard needs else { return text }
        var out = ""
        out.reserveCapacity(text.utf8.count + 16)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }
}

/// Plain string building: `raw` for the UI's own markup, `text` for anything else.
struct HTMLWriter {
    private(set) var output = ""

    init(capacity: Int = 4096) { output.reserveCapacity(capacity) }

    mutating func raw(_ markup: String) { output += markup }

    mutating func text(_ value: String) { output += HTML.escape(value) }

    /// ` name="value"` with the value escaped.
    mutating func attribute(_ name: String, _ value: String) {
        output += " "
        output += name
        output += "=\""
        output += HTML.escape(value)
        output += "\""
    }

    /// `<a href="…">text</a>`; `href` is a `UIPaths` link.
    mutating func link(_ href: String, _ label: String, className: String? = nil) {
        raw("<a")
        attribute("href", href)
        if let className { attribute("class", className) }
        raw(">")
        text(label)
        raw("</a>")
    }

    /// `<tag class="…">text</tag>`.
    mutating func element(_ tag: String, _ value: String, className: String? = nil) {
        raw("<" + tag)
        if let className { attribute("class", className) }
        raw(">")
        text(value)
        raw("</" + tag + ">")
    }
}
