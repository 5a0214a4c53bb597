import Logging
import PostgresKit
import PostgresNIO
import SQLKit
import Synchronization

/// PostgreSQL statements that run on every message, prepared once on each connection of the pool
/// and executed by name from then on. Unprepared, PostgreSQL parsed and planned them on every
/// call: at 500 msg/s over two nodes, planning alone took more of its CPU than running them
/// (`pg_stat_statements`: the read-back of a room 0.26 ms of plan for 0.09 ms of execution).
///
/// Any query may be given, so callers pass only those of a fixed shape (a handful of texts):
/// each text (with its parameters' types, a NULL being one) is prepared under a name of its own,
/// and past `maxNames` names the rest run unprepared. Values of other types than the ones below
/// run unprepared too. A statement that fails for what it is rather than for the values it was
/// given (a table or column missing, say) gets a new name next time: postgres-nio keeps a failed
/// preparation's error for its name on that connection, for as long as the connection lives.
final class PreparedSQLDatabase: AsyncSQLDatabase {
    let client: PostgresClient
    let logger: Logger
    let fallback: any SQLDatabase
    /// A text with its parameters' types: what one name is prepared for.
    private struct Key: Hashable {
        let sql: String
        let types: [PostgresDataType]
    }
    private struct Names {
        var byText: [Key: String] = [:]
        var made = 0
    }
    private let names = Mutex(Names())
    private let maxNames = 256

    init(client: PostgresClient, fallback: any SQLDatabase, logger: Logger) {
        self.client = client
        self.fallback = fallback
        self.logger = logger
    }

    var eventLoop: any EventLoop { fallback.eventLoop }
    var version: (any SQLDatabaseReportedVersion)? { nil }
    var dialect: any SQLDialect { fallback.dialect }
    var queryLogLevel: Logger.Level? { nil }

    func execute(sql query: any SQLExpression, _ onRow: @escaping @Sendable (any SQLRow) -> Void) async throws {
        let (sql, binds) = serialize(query)
        guard let (bindings, types) = Self.bindings(binds) else { return try await fallback.execute(sql: query, onRow) }
        let key = Key(sql: sql, types: types)
        guard let name = name(for: key) else { return try await fallback.execute(sql: query, onRow) }
        let statement = NamedStatement.Text(name: name, sql: sql, types: types)
        do {
            try await client.withConnection { connection in
                try await NamedStatement.$current.withValue(statement) {
                    for try await row in try await connection.execute(NamedStatement(bindings: bindings), logger: self.logger) {
                        onRow(row.sql())
                    }
                }
            }
        } catch let error as PSQLError where Self.isTheStatements(error) {
            names.withLock { names in
                if names.byText[key] == name { names.byText[key] = nil }
            }
            throw error
        }
    }

    /// The name a text (with its parameter types) is prepared under; nil once `maxNames` were made.
    private func name(for key: Key) -> String? {
        names.withLock { names in
            if let name = names.byText[key] { return name }
            guard names.made < maxNames else { return nil }
            names.made += 1
            let name = "switchboard_\(names.made)"
            names.byText[key] = name
            return name
        }
    }

    /// An error of the statement itself, not of the values or the moment: not a data exception
    /// (22), an integrity violation (23), a transaction lost to another (40) or a cancellation
    /// (57014); and not a connection failing, which takes its prepared statements with it.
    static func isTheStatements(_ error: PSQLError) -> Bool {
        guard let state = error.serverInfo?[.sqlState] else { return false }
        return !["22", "23", "40"].contains(String(state.prefix(2))) && state != "57014"
    }

    /// The values as postgres-nio binds them, with their types; nil for a type not listed.
    static func bindings(_ binds: [any Encodable & Sendable]) -> (PostgresBindings, [PostgresDataType])? {
        var bindings = PostgresBindings(capacity: binds.count)
        var types: [PostgresDataType] = []
        types.reserveCapacity(binds.count)
        func bind<Value: PostgresNonThrowingEncodable>(_ value: Value) {
            bindings.append(value)
            types.append(Value.psqlType)
        }
        for value in binds {
            switch value {
            case let value as any OptionalValue where value.isNone:
                bindings.appendNull()
                types.append(.null)  // left to PostgreSQL to infer from where it is used
            case let value as Int: bind(value)
            case let value as Int64: bind(value)
            case let value as String: bind(value)
            case let value as Bool: bind(value)
            case let value as Double: bind(value)
            default: return nil
            }
        }
        return (bindings, types)
    }
}

/// postgres-nio prepares statements declared as types with a static text; ours are texts known
/// only when they run, so the static parts read the text of the call being made (read by
/// `execute` in the calling task, before it sends anything).
private struct NamedStatement: PostgresPreparedStatement {
    struct Text: Sendable {
        var name = ""
        var sql = ""
        var types: [PostgresDataType] = []
    }

    @TaskLocal static var current = Text()

    static var name: String { current.name }
    static var sql: String { current.sql }
    static var bindingDataTypes: [PostgresDataType] { current.types }

    typealias Row = PostgresRow
    let bindings: PostgresBindings

    func makeBindings() throws -> PostgresBindings { bindings }
    func decodeRow(_ row: PostgresRow) throws -> PostgresRow { row }
}

/// A bound `nil`, whatever the type it would have had.
private protocol OptionalValue {
    var isNone: Bool { get }
}

extension Optional: OptionalValue {
    var isNone: Bool {
        if case .none = self { true } else { false }
    }
}
