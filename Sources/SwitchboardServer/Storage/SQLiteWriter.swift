import Foundation
import Logging
import NIOCore
import NIOPosix
import SQLKit
import SQLiteKit
import Synchronization
// SQLiteNIO's own copy of SQLite (symbols prefixed `sqlite_nio_`). One copy in the process: the
// writer and SQLiteNIO's readers share SQLite's file locks, which two copies would not.
import VaporCSQLite

/// The database's one writing connection, driven directly instead of through SQLiteNIO.
///
/// Why: SQLiteNIO sends every statement to NIO's thread pool and back (three thread wake-ups) and
/// parses it again each time (it keeps no prepared statements). A message is five statements, so
/// that was most of its CPU (`docs/performance.md`). Here a statement runs at once on the thread
/// that asks — the group commit's writer task, one statement at a time — from a prepared
/// statement kept for its SQL text. Only `commit()`, which waits for the disk (the WAL's fsync,
/// and a checkpoint now and then), goes to NIO's thread pool (once per batch), so neither the
/// server's event loop (where the group commit writes) nor a Swift concurrency thread blocks on
/// the disk. `begin()` runs here too, without waiting: only while another process writes the file
/// (`switchboard users add` beside a running server) is it busy, and then it waits on the pool,
/// up to the busy timeout. (Sending every `BEGIN` to the pool cost 10 % of a message's CPU.)
final class SQLiteWriter: SQLDatabase, Sendable {
    private struct Connection: ~Copyable {
        var handle: OpaquePointer?
        /// Set by SQLite's authorizer while a statement that changes the schema is prepared.
        let schemaChange = UnsafeMutablePointer<Bool>.allocate(capacity: 1)
        /// Prepared statements by SQL text. Queries with a list of binds (`IN (?, ?, …)`) make a
        /// text per length: past `limit` the cache starts over rather than grow without end.
        var statements: [String: Kept] = [:]
        static let limit = 128

        /// Every kept statement gone (the cache starts over).
        mutating func forgetStatements() {
            Self.release(statements, handle: nil)
            statements = [:]
        }

        mutating func close() {
            Self.release(statements, handle: handle)
            statements = [:]
            handle = nil
        }

        deinit {
            Self.release(statements, handle: handle)
            schemaChange.deallocate()
        }

        /// Statements finalized first: SQLite keeps a handle open while any of its statements live.
        private static func release(_ statements: [String: Kept], handle: OpaquePointer?) {
            for kept in statements.values { sqlite_nio_sqlite3_finalize(kept.statement) }
            if let handle { sqlite_nio_sqlite3_close_v2(handle) }
        }
    }

    /// The handle and its statements, one user at a time (the group commit already runs one
    /// statement at a time; the lock makes that a rule, not a hope).
    private let connection: Mutex<Connection>
    let logger: Logger
    let eventLoop: any EventLoop
    private let threadPool: NIOThreadPool
    private let encoder = SQLiteDataEncoder()
    private let decoder = SQLiteDataDecoder()

    var dialect: any SQLDialect { SQLiteDialect() }
    /// Never logged: the binds are message text, password hashes and token digests.
    var queryLogLevel: Logger.Level? { nil }

    /// Milliseconds a statement waits for a lock held elsewhere (readers hold the database for a
    /// moment now and then: a checkpoint needs them gone).
    private static let busyTimeout: Int32 = 10_000

    /// Opens `path` for writing (creating it): WAL, full sync, foreign keys on.
    init(
        path: String, logger: Logger, threadPool: NIOThreadPool = .singleton,
        eventLoop: any EventLoop = MultiThreadedEventLoopGroup.singleton.any()
    ) throws {
        var handle: OpaquePointer?
        let flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX
        let opened = sqlite_nio_sqlite3_open_v2(path, &handle, flags, nil)
        guard opened == SQLITE_OK, let handle else {
            let message = handle.flatMap { sqlite_nio_sqlite3_errmsg($0) }.map { String(cString: $0) } ?? "cannot open"
            if let handle { sqlite_nio_sqlite3_close_v2(handle) }
            throw SQLiteWriterError(code: opened, message: "\(path): \(message)")
        }
        sqlite_nio_sqlite3_busy_timeout(handle, Self.busyTimeout)
        let fresh = Connection(handle: handle)
        fresh.schemaChange.initialize(to: false)
        sqlite_nio_sqlite3_set_authorizer(handle, Self.watchSchema, UnsafeMutableRawPointer(fresh.schemaChange))
        connection = Mutex(fresh)
        self.logger = logger
        self.eventLoop = eventLoop
        self.threadPool = threadPool
        // WAL: readers never block the writer; FULL: a committed message survives a power cut.
        for pragma in ["PRAGMA journal_mode = WAL", "PRAGMA synchronous = FULL", "PRAGMA foreign_keys = ON"] {
            try run(pragma, binds: []) { _ in }
        }
    }

    func close() {
        connection.withLock { $0.close() }
    }

    // MARK: SQLDatabase

    func execute(sql query: any SQLExpression, _ onRow: @escaping @Sendable (any SQLRow) -> Void) -> EventLoopFuture<Void> {
        let promise = eventLoop.makePromise(of: Void.self)
        promise.completeWithTask { try await self.execute(sql: query, onRow) }
        return promise.futureResult
    }

    func execute(sql query: any SQLExpression, _ onRow: @escaping @Sendable (any SQLRow) -> Void) async throws {
        // A `WriterStatement`'s text is ready: only other expressions go through SQLKit's serialiser.
        let (sql, rawBinds) = (query as? WriterStatement).map { ($0.sql, $0.values) } ?? serialize(query)
        let binds = try rawBinds.map(bindable)
        try run(sql, binds: binds, onRow)
    }

    // MARK: Transactions (the group commit's)

    /// `BEGIN IMMEDIATE` here, without waiting: only while another process writes the file is it
    /// busy, and then it waits where waiting blocks nobody (NIO's thread pool).
    func begin() async throws {
        do {
            try run("BEGIN IMMEDIATE", binds: [], waiting: false) { _ in }
        } catch let error as SQLiteWriterError where error.code == SQLITE_BUSY {
            try await threadPool.runIfActive { try self.run("BEGIN IMMEDIATE", binds: []) { _ in } }
        }
    }

    /// The disk wait, off the event loop and the Swift concurrency threads.
    func commit() async throws {
        try await threadPool.runIfActive { try self.run("COMMIT", binds: []) { _ in } }
    }

    /// Some errors have already ended the transaction in SQLite: nothing to roll back then.
    func rollback() {
        try? run("ROLLBACK", binds: []) { _ in }
    }

    func withSession<R>(_ closure: @escaping @Sendable (any SQLDatabase) async throws -> R) async throws -> R {
        try await closure(self)
    }

    /// A value as SQLite binds it. The types the store binds on every message (timestamps are
    /// `Int64` milliseconds) are converted here, as `SQLiteDataEncoder` converts them, without its
    /// cast to a protocol existential (1.3 % of the server's CPU in a profile at 1 000 msg/s);
    /// anything else goes to it.
    private func bindable(_ value: any Encodable & Sendable) throws -> SQLiteData {
        switch value {
        case let value as String: .text(value)
        case let value as Int: .integer(value)
        case let value as Int64: .integer(Int(value))
        case let value as Bool: .integer(value ? 1 : 0)
        case let value as Double: .float(value)
        default: try encoder.encode(value)
        }
    }

    // MARK: Running a statement

    /// `waiting`: false fails at once with `SQLITE_BUSY` where a lock is held elsewhere, instead of
    /// waiting up to the busy timeout.
    private func run(_ sql: String, binds: [SQLiteData], waiting: Bool = true, _ onRow: (any SQLRow) -> Void) throws {
        try connection.withLock { connection in
            guard let handle = connection.handle else { throw SQLiteWriterError(code: SQLITE_MISUSE, message: "the writer is closed") }
            let kept = try Self.prepared(sql, in: &connection, handle: handle)
            let statement = kept.statement
            if !waiting { sqlite_nio_sqlite3_busy_timeout(handle, 0) }
            defer {
                if !waiting { sqlite_nio_sqlite3_busy_timeout(handle, Self.busyTimeout) }
                sqlite_nio_sqlite3_reset(statement)
                sqlite_nio_sqlite3_clear_bindings(statement)
                // A table's columns may change: every statement is prepared again (and its
                // columns named again) after one that changes the schema.
                if kept.changesSchema { connection.forgetStatements() }
            }
            for (index, bind) in binds.enumerated() {
                try Self.check(Self.bind(bind, at: Int32(index + 1), in: statement), handle)
            }
            while true {
                let step = sqlite_nio_sqlite3_step(statement)
                if step == SQLITE_DONE { return }
                guard step == SQLITE_ROW else { throw SQLiteWriterError(code: step, handle: handle) }
                let columns = kept.columns
                onRow(WriterRow(columns: columns, values: try Self.values(statement, count: columns.names.count), decoder: decoder))
            }
        }
    }

    private static func prepared(_ sql: String, in connection: inout Connection, handle: OpaquePointer) throws -> Kept {
        if let kept = connection.statements[sql] { return kept }
        var statement: OpaquePointer?
        connection.schemaChange.pointee = false
        let result = sqlite_nio_sqlite3_prepare_v3(handle, sql, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &statement, nil)
        guard result == SQLITE_OK, let statement else { throw SQLiteWriterError(code: result, handle: handle) }
        if connection.statements.count >= Connection.limit { connection.forgetStatements() }
        let kept = Kept(statement: statement, columns: Columns(statement), changesSchema: connection.schemaChange.pointee)
        connection.statements[sql] = kept
        return kept
    }

    /// SQLite's authorizer, asked about every action while a statement is prepared: notes the
    /// ones that change the schema (SQLite's own account of the statement, not its text), and
    /// allows everything.
    private static let watchSchema:
        @convention(c) (
            UnsafeMutableRawPointer?, Int32, UnsafePointer<CChar>?, UnsafePointer<CChar>?,
            UnsafePointer<CChar>?, UnsafePointer<CChar>?
        ) -> Int32 = { flag, action, _, _, _, _ in
            switch action {
            case SQLITE_CREATE_INDEX, SQLITE_CREATE_TABLE, SQLITE_CREATE_TRIGGER, SQLITE_CREATE_VIEW, SQLITE_CREATE_VTABLE,
                SQLITE_DROP_INDEX, SQLITE_DROP_TABLE, SQLITE_DROP_TRIGGER, SQLITE_DROP_VIEW, SQLITE_DROP_VTABLE, SQLITE_ALTER_TABLE:
                flag?.assumingMemoryBound(to: Bool.self).pointee = true
            default: break
            }
            return SQLITE_OK
        }

    private static func bind(_ value: SQLiteData, at index: Int32, in statement: OpaquePointer) -> Int32 {
        switch value {
        case .integer(let value): sqlite_nio_sqlite3_bind_int64(statement, index, Int64(value))
        case .float(let value): sqlite_nio_sqlite3_bind_double(statement, index, value)
        case .text(let value):
            sqlite_nio_sqlite3_bind_text64(statement, index, value, UInt64(value.utf8.count), transient, UInt8(SQLITE_UTF8))
        case .blob(let value):
            value.withUnsafeReadableBytes {
                sqlite_nio_sqlite3_bind_blob64(statement, index, $0.baseAddress, UInt64($0.count), transient)
            }
        case .null: sqlite_nio_sqlite3_bind_null(statement, index)
        }
    }

    private static func values(_ statement: OpaquePointer, count: Int) throws -> [SQLiteData] {
        try (0..<Int32(count)).map { column in
            switch sqlite_nio_sqlite3_column_type(statement, column) {
            case SQLITE_INTEGER: return .integer(Int(sqlite_nio_sqlite3_column_int64(statement, column)))
            case SQLITE_FLOAT: return .float(sqlite_nio_sqlite3_column_double(statement, column))
            case SQLITE_TEXT:
                let bytes = Int(sqlite_nio_sqlite3_column_bytes(statement, column))
                guard let text = sqlite_nio_sqlite3_column_text(statement, column) else { return .text("") }
                return .text(String(decoding: UnsafeBufferPointer(start: text, count: bytes), as: UTF8.self))
            case SQLITE_BLOB:
                let bytes = Int(sqlite_nio_sqlite3_column_bytes(statement, column))
                var buffer = ByteBufferAllocator().buffer(capacity: bytes)
                if let blob = sqlite_nio_sqlite3_column_blob(statement, column) {
                    buffer.writeBytes(UnsafeRawBufferPointer(start: blob, count: bytes))
                }
                return .blob(buffer)
            case SQLITE_NULL: return .null
            default: throw SQLiteWriterError(code: SQLITE_MISMATCH, message: "column \(column) has an unknown type")
            }
        }
    }

    private static func check(_ result: Int32, _ handle: OpaquePointer) throws {
        guard result == SQLITE_OK else { throw SQLiteWriterError(code: result, handle: handle) }
    }

    /// SQLite copies what is bound before the call returns.
    private static let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)
}

/// A prepared statement and the names of its result's columns, named once when it is prepared.
private struct Kept {
    let statement: OpaquePointer
    let columns: Columns
    /// Its columns, and every other kept statement's, may differ once it has run.
    let changesSchema: Bool
}

/// A statement's column names, shared by every row it returns.
private final class Columns: Sendable {
    let names: [String]
    let index: [String: Int]

    init(_ statement: OpaquePointer) {
        let count = sqlite_nio_sqlite3_column_count(statement)
        names = (0..<count).map { sqlite_nio_sqlite3_column_name(statement, $0).map { String(cString: $0) } ?? "" }
        index = Dictionary(names.enumerated().map { ($1, $0) }, uniquingKeysWith: { first, _ in first })
    }
}

private struct WriterRow: SQLRow {
    let columns: Columns
    let values: [SQLiteData]
    let decoder: SQLiteDataDecoder

    var allColumns: [String] { columns.names }
    func contains(column: String) -> Bool { columns.index[column] != nil }

    func decodeNil(column: String) throws -> Bool {
        columns.index[column].map { values[$0] == .null } ?? true
    }

    func decode<D: Decodable>(column: String, as type: D.Type) throws -> D {
        guard let index = columns.index[column] else {
            throw DecodingError.valueNotFound(D.self, .init(codingPath: [], debugDescription: "no column '\(column)'"))
        }
        // The store reads integers and text on every message: straight out, as the decoder would
        // give them, without its cast to a protocol existential. Anything else goes to the decoder.
        switch values[index] {
        case .integer(let value) where D.self == Int.self: return value as! D
        case .text(let value) where D.self == String.self: return value as! D
        default: return try decoder.decode(D.self, from: values[index])
        }
    }
}

/// SQLite's result code and its sentence (which names a constraint, never a bound value).
struct SQLiteWriterError: Error, CustomStringConvertible {
    let code: Int32
    /// The extended result code (`SQLITE_CONSTRAINT_UNIQUE` where `code` says `SQLITE_CONSTRAINT`).
    let extendedCode: Int32
    let message: String
    var description: String { "SQLite error \(code): \(message)" }

    init(code: Int32, message: String) {
        self.code = code
        extendedCode = code
        self.message = message
    }

    /// The last failure on `handle`, as SQLite reports it.
    init(code: Int32, handle: OpaquePointer) {
        self.code = code
        extendedCode = sqlite_nio_sqlite3_extended_errcode(handle)
        message = sqlite_nio_sqlite3_errmsg(handle).map { String(cString: $0) } ?? "unknown error"
    }

    /// A unique index (or a primary key) refused the row.
    var isUniqueViolation: Bool { extendedCode == Self.constraintUnique || extendedCode == Self.constraintPrimaryKey }

    // SQLite's `SQLITE_CONSTRAINT_UNIQUE` and `SQLITE_CONSTRAINT_PRIMARYKEY` (macros of an
    // expression, which Swift does not import).
    static let constraintUnique = SQLITE_CONSTRAINT | (8 << 8)
    static let constraintPrimaryKey = SQLITE_CONSTRAINT | (6 << 8)
}
