import Foundation
import Logging
import PostgresNIO
import SQLKit
import Testing

@testable import SwitchboardServer

/// `PreparedSQLDatabase`: statements prepared by name on each connection. The store's suite runs
/// through it on PostgreSQL (`SWITCHBOARD_TEST_POSTGRES`); these are the edges it does not reach.
@Suite struct PreparedStatementTests {
    @Test func valuesAreBoundWithTheirTypesAndNullIsLeftToTheServer() throws {
        let binds: [any Encodable & Sendable] = [1, Int64(2), "three", true, 4.5, Int?.none, String?.some("six")]
        let (bindings, types) = try #require(PreparedSQLDatabase.bindings(binds))
        #expect(bindings.count == 7)
        #expect(types == [.int8, .int8, .text, .bool, .float8, .null, .text])
        // A type not listed is not guessed at: the statement runs unprepared.
        #expect(PreparedSQLDatabase.bindings([Date()]) == nil)
    }

    @Test(.enabled(if: TestServer.postgres != nil, "runs in the PostgreSQL pass (SWITCHBOARD_TEST_POSTGRES)"))
    func oneTextServesNullsValuesErrorsAndMoreTextsThanItPrepares() async throws {
        let driver = try await PostgresDriver.open(url: try #require(TestServer.postgres), poolSize: 2, logger: Logger(label: "test"))
        defer { Task { try? await driver.close() } }
        let db = driver.repeated
        // The same text with a NULL, then a value, then NULL again — past the five runs after
        // which PostgreSQL may keep a generic plan — on both connections of the pool.
        for round in 0..<12 {
            let value: String? = round.isMultiple(of: 3) ? nil : "v\(round)"
            let row = try await db.raw("SELECT COALESCE(\(bind: value), 'none') AS v, \(bind: round) * 2 AS twice").first()
            #expect(try row?.decode(column: "v", as: String.self) == (value ?? "none"))
            #expect(try row?.decode(column: "twice", as: Int.self) == round * 2)
        }
        // An error keeps PostgreSQL's SQLSTATE (the store retries on some), and the statement
        // still runs afterwards.
        await #expect {
            _ = try await db.raw("SELECT 10 / \(bind: 0) AS q").first()
        } throws: { PostgresDriver.sqlState($0) == "22012" }
        #expect(try await db.raw("SELECT 10 / \(bind: 5) AS q").first()?.decode(column: "q", as: Int.self) == 2)
        // A statement whose table is missing fails; once the table is there, the same text works
        // (postgres-nio would otherwise answer that name's first error on that connection forever).
        let table = "prepared_probe_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
        for _ in 0..<2 {
            await #expect {
                _ = try await db.raw("SELECT COUNT(*) AS n FROM \(ident: table) WHERE id > \(bind: 0)").first()
            } throws: { PostgresDriver.sqlState($0) == "42P01" }
        }
        try await driver.reader.raw("CREATE TABLE \(ident: table) (id BIGINT)").run()
        for _ in 0..<4 {
            #expect(
                try await db.raw("SELECT COUNT(*) AS n FROM \(ident: table) WHERE id > \(bind: 0)").first()?
                    .decode(column: "n", as: Int.self) == 0)
        }
        try await driver.reader.raw("DROP TABLE \(ident: table)").run()
        // More texts than are prepared: the rest still answer, unprepared.
        for index in 0..<300 {
            let row = try await db.raw("SELECT \(bind: index) + \(unsafeRaw: String(index)) AS v").first()
            #expect(try row?.decode(column: "v", as: Int.self) == 2 * index)
        }
    }
}
