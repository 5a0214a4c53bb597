import Foundation
import Logging
import NIOPosix
import SQLKit
import SQLiteKit
import SQLiteNIO

/// SQLite in WAL mode: one writer connection whose transactions take turns, and a few reader
/// connections that WAL lets read the last committed state while a write is under way.
public final class SQLiteDriver: SQLDriver {
    public let flavor = SQLFlavor.sqlite
    public let reader: any SQLDatabase
    private let connections: [SQLiteConnection]
    private let commits: GroupCommit

    /// Opens (creating if need be) the database file at `path`.
    public static func open(path: String, readerCount: Int = 4, logger: Logger) async throws -> SQLiteDriver {
        let directory = URL(fileURLWithPath: path).deletingLastPathComponent().path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let writer = try await SQLiteConnection.open(storage: .file(path: path), logger: logger)
        do {
            let database = writer.sql(queryLogLevel: nil)
            // WAL: readers never block the writer; FULL: a committed message survives a power cut.
            try await database.raw("PRAGMA journal_mode = WAL").run()
            try await database.raw("PRAGMA synchronous = FULL").run()
            try await database.raw("PRAGMA foreign_keys = ON").run()
            var readers: [SQLiteConnection] = []
            do {
                for _ in 0..<readerCount {
                    let reader = try await SQLiteConnection.open(storage: .file(path: path), logger: logger)
                    readers.append(reader)
                    try await reader.sql(queryLogLevel: nil).raw("PRAGMA foreign_keys = ON").run()
                    try await reader.sql(queryLogLevel: nil).raw("PRAGMA query_only = ON").run()
                }
            } catch {
                for reader in readers { try? await reader.close() }
                throw error
            }
            return SQLiteDriver(writer: writer, readers: readers)
        } catch {
            try? await writer.close()
            throw error
        }
    }

    /// Query logging stays off at every log level: SQLiteKit would log the bound values, and those
    /// are message text, password hashes and token digests.
    private init(writer: SQLiteConnection, readers: [SQLiteConnection]) {
        self.commits = GroupCommit(writer: writer.sql(queryLogLevel: nil))
        self.reader = ReaderPool(readers.map { $0.sql(queryLogLevel: nil) })
        self.connections = [writer] + readers
    }

    public func transaction<R: Sendable>(_ body: @escaping @Sendable (any SQLDatabase) async throws -> R) async throws -> R {
        try await commits.transaction(body)
    }

    public func close() async throws {
        for connection in connections where !connection.isClosed { try await connection.close() }
    }

    /// A server torn down before its shutdown ran (a cancelled start, a failed test) must not leak
    /// the file: the close runs on the thread pool and keeps the connection alive until done.
    deinit {
        for connection in connections where !connection.isClosed { _ = connection.close() }
    }
}
