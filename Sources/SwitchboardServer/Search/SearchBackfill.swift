import Foundation
import Logging
import SQLKit

/// Gives rows stored before the search index (migration 12) their search text, in batches, with a
/// progress line — the index follows in the same transactions (SQLite's triggers, PostgreSQL's
/// generated column). Rows written since carry it from the start, so on a new database, and on
/// every start after the first, this finds nothing and says nothing.
enum SearchBackfill {
    static let batch = 1_000

    static func run(_ driver: any SQLDriver, logger: Logger) async throws {
        try await fill("messages", columns: "id, body", driver: driver, logger: logger) { row in
            SearchText.fold(try row.decode(column: "body", as: String.self))
        }
        try await fill("tickets", columns: "id, subject, description", driver: driver, logger: logger) { row in
            SQLStore.ticketSearchText(
                subject: try row.decode(column: "subject", as: String.self),
                description: try row.decode(column: "description", as: String.self))
        }
    }

    private static func fill(
        _ table: String, columns: String, driver: any SQLDriver, logger: Logger, text: (any SQLRow) throws -> String
    ) async throws {
        let missing = "FROM \(table) WHERE search_text IS NULL"
        let total =
            try await driver.reader.raw("SELECT COUNT(*) AS n \(unsafeRaw: missing)").first(decodingColumn: "n", as: Int.self) ?? 0
        guard total > 0 else { return }
        logger.notice("building the search index", metadata: ["table": "\(table)", "rows": "\(total)"])
        var done = 0, lastSaid = 0
        while true {
            let rows = try await driver.reader.raw(
                "SELECT \(unsafeRaw: columns) \(unsafeRaw: missing) ORDER BY id LIMIT \(bind: batch)"
            ).all()
            guard !rows.isEmpty else { break }
            let updates = try rows.map { (id: try $0.decode(column: "id", as: Int.self), text: try text($0)) }
            try await driver.transaction { db in
                for update in updates {
                    try await db.raw("UPDATE \(unsafeRaw: table) SET search_text = \(bind: update.text) WHERE id = \(bind: update.id)")
                        .run()
                }
            }
            done += rows.count
            if done - lastSaid >= 20_000 || done >= total {
                logger.notice("search index: \(done) of \(total) \(table)")
                lastSaid = done
            }
        }
    }
}
