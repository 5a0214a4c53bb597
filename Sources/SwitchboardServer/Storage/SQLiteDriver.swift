import Foundation
import Logging
import NIOPosix
import SQLKit
import SQLiteKit
import SQLiteNIO

/// SQLite in WAL mode: one writer connection whose transactions take turns (`SQLiteWriter`), and a
/// few reader connections (SQLiteNIO's) that WAL lets read the last committed state while a write
/// is under way.
public final class SQLiteDriver: SQLDriver {
    public let flavor = SQLFlavor.sqlite
    public let reader: any SQLDatabase
    private let writer: SQLiteWriter
    private let connections: [SQLiteConnection]
    private let commits: GroupCommit

    /// Opens (creating if need be) the database file at `path`. `writerLoop`: the event loop the
    /// group commit writes on (the server's, so a message's frames and its statements share a
    /// thread); none, Swift's global executor.
    public static func open(
        path: String, readerCount: Int = 4, writerLoop: (any EventLoop)? = nil,
        logger: Logger
    ) async throws -> SQLiteDriver {
        let directory = URL(fileURLWithPath: path).deletingLastPathComponent().path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        SQLiteRank.install()
        // Opened on the thread pool: it creates the file and switches it to WAL (disk work).
        let loop = writerLoop ?? MultiThreadedEventLoopGroup.singleton.any()
        let writer = try await NIOThreadPool.singleton.runIfActive { try SQLiteWriter(path: path, logger: logger, eventLoop: loop) }
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
            writer.close()
            throw error
        }
        return SQLiteDriver(writer: writer, readers: readers, writerExecutor: writerLoop.map { LoopExecutor.on($0) })
    }

    /// Query logging stays off at every log level: SQLiteKit would log the bound values, and those
    /// are message text, password hashes and token digests.
    private init(writer: SQLiteWriter, readers: [SQLiteConnection], writerExecutor: (any TaskExecutor)?) {
        self.writer = writer
        self.commits = GroupCommit(writer: writer, executor: writerExecutor)
        self.reader = ReaderPool(readers.map { $0.sql(queryLogLevel: nil) })
        self.connections = readers
    }

    public func transaction<R: Sendable>(_ body: @escaping @Sendable (any SQLDatabase) async throws -> R) async throws -> R {
        try await commits.transaction(body)
    }

    public func close() async throws {
        for connection in connections where !connection.isClosed { try await connection.close() }
        writer.close()
    }

    /// A server torn down before its shutdown ran (a cancelled start, a failed test) must not leak
    /// the file: the close runs on the thread pool and keeps the connection alive until done.
    deinit {
        for connection in connections where !connection.isClosed { _ = connection.close() }
    }
}
