import SQLKit

/// A statement for SQLite's writer whose SQL is written once, with `?` where each value goes: the
/// statements every message runs on SQLite, which SQLKit's interpolation otherwise builds again
/// fragment by fragment and serialises each time (the message's `INSERT` alone was 2 % of the
/// server's CPU at 1 000 msg/s). `SQLiteWriter` takes the text as it is and binds the values as it
/// binds any; the `?` placeholders are SQLite's, so never give one to PostgreSQL.
struct WriterStatement: SQLExpression {
    let sql: String
    let values: [any Encodable & Sendable]

    func serialize(to serializer: inout SQLSerializer) {
        serializer.write(sql)
        serializer.binds.append(contentsOf: values)
    }
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
