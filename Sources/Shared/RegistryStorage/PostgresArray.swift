/// PostgreSQL's text form of a one-dimensional array, to bind as one parameter (`$1::text[]`):
/// a list of any length under one statement text.
public enum PostgresArray {
    /// `{"a","b\"c"}`; with `quoted` false the elements are written as they are (numbers).
    public static func literal(_ elements: [String], quoted: Bool = true) -> String {
        var text = "{"
        for (index, element) in elements.enumerated() {
            if index > 0 { text += "," }
            guard quoted else {
                text += element
                continue
            }
            text += "\""
            for character in element {
                if character == "\"" || character == "\\" { text += "\\" }
                text.append(character)
            }
            text += "\""
        }
        return text + "}"
    }
}
