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
/// and past `maxNames` texts the rest run unprepared. Values of other types than the ones below
/// run unprepared too.
final class PreparedSQLDatabase: AsyncSQLDatabase {
    let client: PostgresClient
    let logger: Logger
    let fallback: any SQLDatabase
    private let names = Mutex<[String: String]>([:])
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

    func execute(sql query: any SQLExpression, _ onRow: @escaping @Sendable (any SQLRow) -> ()) async throws {
        let (sql, binds) = serialize(query)
        guard let (bindings, types) = Self.bindings(binds), let name = name(sql, types) else {
            return try await fallback.execute(sql: query, onRow)
        }
        let statement = NamedStatement.Text(name: name, sql: sql, types: types)
        try await client.withConnection { connection in
            try await NamedStatement.$current.withValue(statement) {
                for try await row in try await connection.execute(NamedStatement(bindings: bindings), logger: self.logger) {
                    onRow(row.sql())
                }
            }
        }
    }

    /// The name `sql` with these parameter types is prepared under, nil past `maxNames`.
    private func name(_ sql: String, _ types: [PostgresDataType]) -> String? {
        let key = types.map { String($0.rawValue) }.joined(separator: ",") + ";" + sql
        return names.withLock { names in
            if let name = names[key] { return name }
            guard names.count < maxNames else { return nil }
            let name = "switchboard_\(names.count)"
            names[key] = name
            return name
        }
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
                types.append(.null) // left to PostgreSQL to infer from where it is used
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
