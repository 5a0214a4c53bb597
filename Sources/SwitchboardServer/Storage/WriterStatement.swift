import SQLKit
import SQLiteNIO

/// A statement for SQLite's writer whose SQL is written once, with `?` where each value goes, and
/// whose values are already SQLite's: the statements every message runs on SQLite, which SQLKit's
/// interpolation otherwise builds again fragment by fragment and serialises each time (the
/// message's `INSERT` alone was 2 % of the server's CPU at 1 000 msg/s). `SQLiteWriter` takes the
/// text and the values as they are; the `?` placeholders are SQLite's, so never give one to
/// PostgreSQL.
struct WriterStatement: SQLExpression {
    let sql: String
    let values: [SQLiteData]

    func serialize(to serializer: inout SQLSerializer) {
        serializer.write(sql)
        serializer.binds.append(contentsOf: values as [any Encodable & Sendable])
    }
}

extension SQLiteData {
    /// A value as `SQLiteDataEncoder` would bind it: nil is NULL.
    static func text(_ value: String?) -> SQLiteData { value.map(SQLiteData.text) ?? .null }
    static func integer(_ value: Int?) -> SQLiteData { value.map(SQLiteData.integer) ?? .null }
    static func boolean(_ value: Bool) -> SQLiteData { .integer(value ? 1 : 0) }
}

extension SQLDatabase {
    /// The statement run as it is — `raw` would wrap it in an `SQLQueryString` and the writer would
    /// serialise it again — with SQLKit's ways of reading results.
    func statement(_ statement: WriterStatement) -> some SQLQueryFetcher {
        StatementFetcher(query: statement, database: self)
    }
}

private final class StatementFetcher: SQLQueryFetcher {
    let query: any SQLExpression
    let database: any SQLDatabase

    init(query: any SQLExpression, database: any SQLDatabase) {
        self.query = query
        self.database = database
    }
}
