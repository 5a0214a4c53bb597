import Foundation
import Logging
import SQLKit
import SQLiteNIO
import Testing

@testable import SwitchboardServer

/// The writer connection on a real file: what it stores, what it reads back, how it fails.
@Suite struct SQLiteWriterTests {
    struct Row: Codable, Equatable {
        var id: Int
        var body: String
        var score: Double?
        var flag: Bool
        var bytes: Data?
    }

    @Test func statementsRoundTripEveryKindOfValueAndReadersSeeTheCommit() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("writer-\(UUID())")
        defer { try? FileManager.default.removeItem(at: directory) }
        let driver = try await SQLiteDriver.open(path: directory.appendingPathComponent("db.sqlite").path, logger: Logger(label: "test"))
        try await driver.transaction { db in
            try await db.raw(
                "CREATE TABLE t (id INTEGER PRIMARY KEY, body TEXT NOT NULL UNIQUE, score REAL, flag INTEGER NOT NULL, bytes BLOB)"
            ).run()
        }
        let rows = [
            Row(id: 1, body: "plain", score: 1.5, flag: true, bytes: Data([0, 1, 255])),
            Row(id: 2, body: "ünïcödé 🙂", score: nil, flag: false, bytes: nil),
        ]
        let ids = try await driver.transaction { db in
            var ids: [Int] = []
            for row in rows {
                // The same statement twice: the second run reuses the first's prepared statement.
                let id = try await db.raw(
                    """
                    INSERT INTO t (body, score, flag, bytes) VALUES (\(bind: row.body), \(bind: row.score), \(bind: row.flag), \(bind: row.bytes))
                    RETURNING id
                    """
                ).first(decodingColumn: "id", as: Int.self)
                ids.append(try #require(id))
            }
            return ids
        }
        #expect(ids == [1, 2])
        // Read back through the writer and through a reader (another connection: the commit is visible).
        let written = try await driver.transaction { db in try await db.raw("SELECT * FROM t ORDER BY id").all(decoding: Row.self) }
        let read = try await driver.reader.raw("SELECT * FROM t ORDER BY id").all(decoding: Row.self)
        #expect(written == rows && read == rows)

        // A unique index's refusal says so in words (the store's duplicate check reads them).
        do {
            try await driver.transaction { db in try await db.raw("INSERT INTO t (body, flag) VALUES ('plain', 0)").run() }
            Issue.record("a duplicate was stored")
        } catch {
            #expect(isUniqueViolation(error), "\(error)")
        }
        // More distinct statements than the cache keeps (lists of binds of every length): all still right.
        for count in 1...150 {
            let found = try await driver.transaction { db in
                try await db.raw("SELECT COUNT(*) AS n FROM t WHERE id IN (\(binds: Array(1...count)))").first(
                    decodingColumn: "n", as: Int.self)
            }
            #expect(found == min(count, 2))
        }
        try await driver.close()
    }

    /// What a statement does comes from SQLite, not from its text: a schema change written in
    /// lower case with a comment before it still makes the kept statements' columns be named
    /// again, and a unique violation is known by its extended result code.
    @Test func theWriterKnowsWhatAStatementDidFromSQLiteItself() async throws {
        try await Self.withFreshFile { driver, all in
            try await driver.transaction { db in
                try await db.raw("create table t (id integer primary key, body text not null unique)").run()
                try await db.raw("insert into t (body) values ('one')").run()
            }
            #expect(try #require(try await all()).allColumns == ["id", "body"])
            try await driver.transaction { db in
                try await db.raw("/* later */ alter table t add column extra integer not null default 7").run()
            }
            #expect(try #require(try await all()).allColumns == ["id", "body", "extra"])
            do {
                try await driver.transaction { db in try await db.raw("INSERT INTO t (body) VALUES ('one')").run() }
                Issue.record("the duplicate was stored")
            } catch {
                #expect(isUniqueViolation(error), "\(error)")
            }
            do {
                try await driver.transaction { db in try await db.raw("INSERT INTO t (body) VALUES (NULL)").run() }
                Issue.record("the NULL was stored")
            } catch {
                #expect(!isUniqueViolation(error), "a NOT NULL refusal is no unique violation: \(error)")
            }
        }
    }

    /// A prepared statement keeps its result's column names; a schema change prepares every
    /// statement again, so a `*` that now means one more column reads it.
    @Test func columnsFollowASchemaChange() async throws {
        try await Self.withFreshFile { driver, all in
            try await driver.transaction { db in
                try await db.raw("CREATE TABLE t (id INTEGER PRIMARY KEY, body TEXT NOT NULL)").run()
                try await db.raw("INSERT INTO t (body) VALUES ('one')").run()
            }
            #expect(try #require(try await all()).allColumns == ["id", "body"])
            try await driver.transaction { db in try await db.raw("ALTER TABLE t ADD COLUMN extra INTEGER NOT NULL DEFAULT 7").run() }
            let row = try #require(try await all())
            #expect(row.allColumns == ["id", "body", "extra"])
            #expect(try row.decode(column: "extra", as: Int.self) == 7)
            // Read as another type than it is stored: the decoder's conversions, not the quick path's.
            #expect(try row.decode(column: "extra", as: String.self) == "7")
            #expect(try row.decode(column: "extra", as: Double.self) == 7)
            #expect(throws: (any Error).self) { try row.decode(column: "body", as: Int.self) }
        }
    }

    /// A writer on a new file, and the first row of table `t` read through it.
    static func withFreshFile(_ body: (SQLiteDriver, @Sendable () async throws -> (any SQLRow)?) async throws -> Void) async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("writer-\(UUID())")
        defer { try? FileManager.default.removeItem(at: directory) }
        let driver = try await SQLiteDriver.open(path: directory.appendingPathComponent("db.sqlite").path, logger: Logger(label: "test"))
        do {
            try await body(driver) { try await driver.transaction { db in try await db.raw("SELECT * FROM t").first() } }
        } catch {
            try await driver.close()
            throw error
        }
        try await driver.close()
    }

    /// The server's writer runs on its event loop; while another process holds the write lock
    /// (`switchboard users add` beside the server), the transaction waits off the loop. Here the
    /// lock is let go only by a job on that loop: a writer that waited on the loop would hold the
    /// job back until its busy timeout ran out and fail.
    @Test func aWriteLockHeldElsewhereIsWaitedForOffTheEventLoop() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("writer-\(UUID())")
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("db.sqlite").path
        let loop = ServerLoops.group(loops: 1).next()
        let driver = try await SQLiteDriver.open(path: path, writerLoop: loop, logger: Logger(label: "test"))
        try await driver.transaction { db in try await db.raw("CREATE TABLE t (id INTEGER PRIMARY KEY, body TEXT NOT NULL)").run() }

        let other = try await SQLiteConnection.open(storage: .file(path: path), logger: Logger(label: "test"))
        try await other.sql().raw("BEGIN IMMEDIATE").run()
        try await other.sql().raw("INSERT INTO t (body) VALUES ('elsewhere')").run()
        let write = Task {
            try await driver.transaction { db in try await db.raw("INSERT INTO t (body) VALUES ('ours')").run() }
        }
        try await Task.sleep(for: .milliseconds(300))
        try await loop.submit {}.get()
        try await other.sql().raw("COMMIT").run()
        let written = await write.result
        let bodies = try await driver.reader.raw("SELECT body FROM t ORDER BY id").all(decodingColumn: "body", as: String.self)
        try await other.close()
        try await driver.close()
        try written.get()
        #expect(bodies == ["elsewhere", "ours"])
    }
}
