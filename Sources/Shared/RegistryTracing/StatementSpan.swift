import Instrumentation
import Tracing

/// The span of one SQL statement (OpenTelemetry's database conventions): the statement's text as
/// the code wrote it, with `$1, $2, …` placeholders and never a bound value (values travel only as
/// parameters of prepared statements), the database system and the operation.
public enum StatementSpan {
    /// Runs `body` (one statement) in a child span of the current request's span, if there is one.
    /// `system`: `sqlite` or `postgresql`.
    @inlinable
    public static func run<T>(_ sql: String, system: String, _ body: () throws -> T) rethrows -> T {
        guard Traces.enabled, ServiceContext.current != nil else { return try body() }
        return try traced(sql, system: system, body)
    }

    @usableFromInline
    static func traced<T>(_ sql: String, system: String, _ body: () throws -> T) rethrows -> T {
        let operation = operationName(sql)
        return try Traces.child(operation, kind: .client, { attributes in
            attributes["db.system"] = system              // the name before semantic conventions 1.26
            attributes["db.system.name"] = system
            attributes["db.operation.name"] = operation
            attributes["db.query.text"] = sql
            attributes["db.statement"] = sql              // the name before semantic conventions 1.26
        }, body)
    }

    /// The statement's first keyword, upper-cased (`SELECT`, `INSERT`, `WITH`, …).
    static func operationName(_ sql: String) -> String {
        let trimmed = sql.drop { $0 == " " || $0 == "\n" || $0 == "\t" || $0 == "(" }
        return String(trimmed.prefix { $0.isLetter }).uppercased()
    }
}
