import Foundation
import Logging
import SQLKit
import Testing

@testable import SwitchboardServer

/// `switchboard_rank` is FTS5's bm25 with the phrases' counts handed in: the same scores, on a real
/// SQLite file, whether the counts are given or counted as bm25 counts them.
@Suite struct SQLiteRankTests {
    @Test func itScoresAsBm25Does() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("rank-\(UUID())")
        defer { try? FileManager.default.removeItem(at: directory) }
        let driver = try await SQLiteDriver.open(path: directory.appendingPathComponent("db.sqlite").path, logger: Logger(label: "test"))
        defer { Task { try? await driver.close() } }
        let words = ["refund", "parcel", "card", "late", "courier", "label", "invoice", "bank"]
        try await driver.transaction { db in
            try await db.raw("CREATE VIRTUAL TABLE docs USING fts5(body, tokenize = 'porter unicode61')").run()
            for row in 0..<400 {
                // Rows of different lengths; "refund" in most, "bank" in few, some words repeated.
                let body = (0..<(3 + row % 11)).map { words[($0 * 7 + row * 3) % (row % 5 == 0 ? words.count : 5)] }
                try await db.raw("INSERT INTO docs (body) VALUES (\(bind: body.joined(separator: " ")))").run()
            }
        }
        let queries = [
            ["\"refund\""], ["\"refund\"", "\"parcel\""], ["\"card\"", "\"late\"", "\"courier\""], ["\"ban\"*"],
            ["\"card parcel\"", "\"refund\""],
        ]
        for phrases in queries {
            let query = phrases.joined(separator: " ")
            var counts: [Int] = []
            for phrase in phrases {
                counts.append(
                    try await driver.reader.raw("SELECT COUNT(*) AS n FROM docs WHERE docs MATCH \(bind: phrase)")
                        .first(decodingColumn: "n", as: Int.self) ?? 0)
            }
            let rows = try await driver.reader.raw(
                """
                SELECT rowid, bm25(docs) AS bm25, switchboard_rank(docs, \(binds: counts)) AS given,
                       switchboard_rank(docs) AS counted
                FROM docs WHERE docs MATCH \(bind: query)
                """
            ).all()
            #expect(!rows.isEmpty, "\(query) matches")
            for row in rows {
                let bm25 = try row.decode(column: "bm25", as: Double.self)
                #expect(abs(try row.decode(column: "given", as: Double.self) - bm25) < 1e-9, "\(query): counts handed in")
                #expect(abs(try row.decode(column: "counted", as: Double.self) - bm25) < 1e-9, "\(query): counted as bm25 does")
            }
        }
    }

    /// Only common phrases are kept, and only while the messages have grown by under a tenth.
    @Test func keptCountsGoStaleAsTheMessagesGrow() {
        let counts = TermCounts()
        counts.remember("\"kalon\"", messages: 40, newestMessage: 100_000)
        #expect(counts.count(of: "\"kalon\"", newestMessage: 100_000) == nil, "a rare phrase is counted each time")
        counts.remember("\"refund\"", messages: 60_000, newestMessage: 100_000)
        #expect(counts.count(of: "\"refund\"", newestMessage: 100_000) == 60_000)
        #expect(counts.count(of: "\"refund\"", newestMessage: 110_000) == 60_000)
        #expect(counts.count(of: "\"refund\"", newestMessage: 110_001) == nil, "counted again past a tenth more messages")
    }
}
