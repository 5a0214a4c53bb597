import Foundation
import Logging
import SQLKit
import SwitchboardProtocol

/// The `Store` on any SQL database SQLKit reaches. Queries are written once, in SQL both SQLite
/// and PostgreSQL accept; only the driver and the schema differ.
public final class SQLStore: Store {
    let driver: any SQLDriver
    var reader: any SQLDatabase { driver.reader }
    public let rules: ServiceRulesBox
    /// How many messages hold a common search phrase (SQLite's ranking is handed them).
    let termCounts = TermCounts()

    /// Opens the store and brings its schema up to date.
    public static func open(_ driver: any SQLDriver, logger: Logger, rules: ServiceRulesBox = ServiceRulesBox()) async throws -> SQLStore {
        try await Schema.migrate(driver, logger: logger)
        return SQLStore(driver: driver, rules: rules)
    }

    init(driver: any SQLDriver, rules: ServiceRulesBox = ServiceRulesBox()) {
        self.driver = driver
        self.rules = rules
    }

    public func close() async throws { try await driver.close() }

    public func sharedSecret(_ name: String, make: @Sendable () -> String) async throws -> String {
        let candidate = make(), now = millis(Date())
        return try await driver.transaction { db in
            // The first process to get here keeps its candidate; everyone reads what was kept.
            try await db.raw(
                """
                INSERT INTO server_secrets (name, value, created_at) VALUES (\(bind: name), \(bind: candidate), \(bind: now))
                ON CONFLICT (name) DO NOTHING
                """
            ).run()
            guard
                let kept = try await db.raw("SELECT value FROM server_secrets WHERE name = \(bind: name)")
                    .first(decodingColumn: "value", as: String.self)
            else { throw StorageError.missingRow("secret \(name)") }
            return kept
        }
    }

    public func ping() async throws {
        _ = try await reader.raw("SELECT 1 AS ok").first()
    }
}

// MARK: - Reading rows

/// Timestamps are stored as milliseconds since 1970.
func millis(_ date: Date) -> Int64 { Timestamp.millis(date) }

extension SQLRow {
    func int(_ column: String) throws -> Int { try decode(column: column, as: Int.self) }
    func optionalInt(_ column: String) throws -> Int? { try decodeNil(column: column) ? nil : try int(column) }
    func string(_ column: String) throws -> String { try decode(column: column, as: String.self) }
    func optionalString(_ column: String) throws -> String? { try decodeNil(column: column) ? nil : try string(column) }
    /// BOOLEAN on PostgreSQL, 0/1 on SQLite (and in `CASE … THEN 1 ELSE 0` everywhere).
    func bool(_ column: String) throws -> Bool {
        if let value = try? decode(column: column, as: Bool.self) { return value }
        return try int(column) != 0
    }
    func date(_ column: String) throws -> Date { Timestamp.date(millis: try decode(column: column, as: Int64.self)) }
    func optionalDate(_ column: String) throws -> Date? { try decodeNil(column: column) ? nil : try date(column) }

    func wire<E: WireEnum>(_ column: String, as _: E.Type = E.self) throws -> E {
        let raw = try string(column)
        guard let value = E(rawValue: raw) else { throw StorageError.corrupt("\(column) holds '\(raw)'") }
        return value
    }

    /// A `UserRef` from columns `<prefix>_id`, `<prefix>_name`, `<prefix>_role`, `<prefix>_online`;
    /// nil when the id is NULL (an outer join found no one).
    func userRef(_ prefix: String) throws -> UserRef? {
        guard let id = try optionalInt("\(prefix)_id") else { return nil }
        return UserRef(
            id: id, displayName: try string("\(prefix)_name"), role: try wire("\(prefix)_role"),
            isOnline: try bool("\(prefix)_online"), isBot: try bool("\(prefix)_bot"))
    }
}

/// Columns of a `UserRef` for the users table aliased `alias`, named with `prefix`.
func userRefColumns(_ alias: String, _ prefix: String) -> String {
    "\(alias).id AS \(prefix)_id, \(alias).display_name AS \(prefix)_name, \(alias).role AS \(prefix)_role, \(alias).is_online AS \(prefix)_online, \(alias).is_bot AS \(prefix)_bot"
}

enum StorageError: Error, CustomStringConvertible {
    case corrupt(String)
    case missingRow(String)

    var description: String {
        switch self {
        case .corrupt(let what): "stored data is not understood: \(what)"
        case .missingRow(let what): "expected row is missing: \(what)"
        }
    }
}

/// A unique index refused a row: SQLite says so by its extended result code, PostgreSQL by
/// SQLSTATE 23505.
func isUniqueViolation(_ error: any Error) -> Bool {
    if let error = error as? SQLiteWriterError { return error.isUniqueViolation }
    return PostgresDriver.sqlState(error) == "23505"
}

/// `%`, `_` and `\` stand for themselves in a search: escaped for `LIKE … ESCAPE '\'`.
func likePattern(_ text: String) -> String {
    var escaped = ""
    for character in text.lowercased() {
        if character == "%" || character == "_" || character == "\\" { escaped.append("\\") }
        escaped.append(character)
    }
    return "%\(escaped)%"
}
