import SQLKit

/// A database reached through SQLKit: the part of storage that differs between SQLite and PostgreSQL.
public protocol SQLDriver: Sendable {
    /// Which schema (migrations) this database takes.
    var flavor: SQLFlavor { get }
    /// Runs single-statement reads; may run alongside a transaction and never sees its uncommitted rows.
    var reader: any SQLDatabase { get }
    /// Runs single statements of a fixed shape that every message runs (its append, a room's
    /// read-back): prepared once per connection on PostgreSQL, `reader` on SQLite.
    var repeated: any SQLDatabase { get }
    /// Runs `body` in one transaction: committed when it returns, rolled back when it throws.
    func transaction<R: Sendable>(_ body: @escaping @Sendable (any SQLDatabase) async throws -> R) async throws -> R
    func close() async throws
}

extension SQLDriver {
    public var repeated: any SQLDatabase { reader }
}

public enum SQLFlavor: String, Sendable {
    case sqlite
    case postgres
}
