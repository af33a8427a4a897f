import RegistryStorage

/// `schema_search_model_hits` (migration 12), what a search reads: one row per word, kind and
/// model (and chunk), holding every version of the model that has the word, so a search reads a
/// row per model where it read a row per version (`ns042 service`: 200 + 200 rows instead of
/// 1,000 + 1,000).
///
/// `versions` is a run of entries, each a space and then numbers separated by commas:
/// ` id,major,minor,patch,deprecated,place,place,…` (`deprecated` 0 or 1, the places ascending).
/// A registration appends its entry to the model's last row for the word; a row holds at most
/// `rowBytes`, then the next `chunk` starts (PostgreSQL keeps the text in its primary key's index,
/// whose entries must stay under about 2,700 bytes). A version whose places for one word would not
/// fit is split into several entries, each in a row of its own, so a row never holds a version twice:
/// removing a version cuts at most one entry per row, which SQL can do (`removal`), in the triggers too.
///
/// `ns_key` stands for the namespace in the key, where NULL may not be: `''` for a global model,
/// `'='` and the namespace otherwise (so the namespace `""` stays apart from NULL).
public enum ModelHits {
    public static let table = "schema_search_model_hits"

    /// Most bytes of entries a row is given (concurrent registrations may each append one more).
    static let rowBytes = 1_000

    public static func namespaceKey(_ namespace: String?) -> String { namespace.map { "=" + $0 } ?? "" }

    /// `namespaceKey` in SQL, of a column or an expression.
    public static func namespaceKeySQL(_ namespace: String) -> String {
        "CASE WHEN \(namespace) IS NULL THEN '' ELSE '=' || \(namespace) END"
    }

    public struct Key: Hashable {
        let wordID: Int64
        let kind: String
        let namespace: String?
        let model: String
    }

    /// A version's places for one word, as entries of at most `rowBytes` each.
    static func entries(schemaID: Int, order: (Int64, Int64, Int64), deprecated: Bool, places: [Int]) -> [String] {
        let head = " \(schemaID),\(order.0),\(order.1),\(order.2),\(deprecated ? 1 : 0)"
        var entries: [String] = []
        var entry = head
        for place in places {
            let number = ",\(place)"
            if entry.utf8.count + number.utf8.count > rowBytes, entry != head {
                entries.append(entry)
                entry = head
            }
            entry += number
        }
        entries.append(entry)
        return entries
    }

    /// The last row stored for a key: its chunk number and the length of its text.
    public struct Tail {
        let chunk: Int64
        let bytes: Int
    }

    /// A row to insert, or to append to when its chunk exists (the tail's).
    struct Row {
        let key: Key
        let chunk: Int64
        var live: Bool
        var text: String
    }

    /// The rows for new `entries` (by key, in version order, with whether each version is not
    /// deprecated), appended to the stored tails where they fit.
    static func pack(_ entries: [Key: [(text: String, live: Bool)]], after tails: [Key: Tail]) -> [Row] {
        var rows: [Row] = []
        for (key, list) in entries {
            // The stored tail is appended to while entries fit (its bytes count, not its text).
            var current = Row(key: key, chunk: tails[key]?.chunk ?? 0, live: false, text: "")
            var bytes = tails[key]?.bytes ?? 0
            var next = current.chunk + (tails[key] == nil ? 0 : 1)
            var started = tails[key] != nil
            // A version split into several entries: each goes into a row of its own.
            var lastVersion: Substring?
            for (text, live) in list {
                let version = text.dropFirst().prefix { $0 != "," }
                let sameVersion = version == lastVersion
                lastVersion = version
                if !started || bytes + text.utf8.count > rowBytes || sameVersion {
                    if !current.text.isEmpty { rows.append(current) }
                    current = Row(key: key, chunk: next, live: false, text: "")
                    next += 1
                    bytes = 0
                    started = true
                }
                current.text += text
                current.live = current.live || live
                bytes += text.utf8.count
            }
            if !current.text.isEmpty { rows.append(current) }
        }
        return rows
    }

    /// The statements that cut version `id`'s entries (an SQL expression: `$1::bigint`, `OLD.id`)
    /// from its model's rows, found through its postings (so run them before the postings go),
    /// and drop the rows left empty.
    public static func removal(_ dialect: SQLDialect, id: String) -> [String] {
        let needle = "' ' || \(id) || ','"
        switch dialect {
        case .sqlite:
            let at = "instr(versions, \(needle))"
            let rest = "substr(versions, \(at) + 1)"
            let cut = "substr(versions, 1, \(at) - 1) || CASE WHEN instr(\(rest), ' ') = 0 THEN '' ELSE substr(\(rest), instr(\(rest), ' ')) END"
            // The version's words and kinds as two lists and its model as two values: SQLite then
            // seeks the whole key (a row value `IN` a subquery seeks by its first column alone,
            // reading every row of each word). A row of a word and kind the version lacks holds
            // no entry of it, so the lists' cross product cuts nothing more.
            let postings = "FROM schema_search_postings WHERE schema_id = \(id)"
            let rows = """
                word_id IN (SELECT word_id \(postings)) AND kind IN (SELECT kind \(postings))
                AND ns_key = (SELECT \(namespaceKeySQL("namespace")) \(postings) LIMIT 1)
                AND model_name = (SELECT model_name \(postings) LIMIT 1)
                """
            return [
                "UPDATE \(table) SET versions = \(cut) WHERE \(rows) AND \(at) > 0;",
                "DELETE FROM \(table) WHERE \(rows) AND versions = '';",
            ]
        case .postgres:
            let postings = """
                SELECT DISTINCT word_id, kind, \(namespaceKeySQL("namespace")) AS ns_key, model_name
                FROM schema_search_postings WHERE schema_id = \(id)
                """
            let rows = "h.word_id = p.word_id AND h.kind = p.kind AND h.ns_key = p.ns_key AND h.model_name = p.model_name"
            return [
                """
                UPDATE \(table) h SET versions = regexp_replace(h.versions, ' ' || \(id) || ',[^ ]*', '')
                FROM (\(postings)) p WHERE \(rows) AND strpos(h.versions, \(needle)) > 0;
                """,
                "DELETE FROM \(table) h USING (\(postings)) p WHERE \(rows) AND h.versions = '';",
            ]
        }
    }
}
