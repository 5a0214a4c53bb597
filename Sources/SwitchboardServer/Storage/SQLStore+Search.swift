import Foundation
import SQLKit
import SwitchboardProtocol

extension SQLStore {
    /// Hits for `query` the viewer may see, best first (then newest): messages, and tickets whose
    /// subject or description match (as `messageId` nil). A customer's search reads only their own
    /// tickets and never a note, whatever the query says. `offset` pages on.
    public func search(_ query: SearchQuery, for viewer: Viewer, limit: Int, offset: Int) async throws -> [SearchRow] {
        let postgres = driver.flavor == .postgres
        var messageConditions = Self.searchConditions(query, viewer: viewer, time: "m.created_at", ticket: "m.ticket_id")
        let ticketConditions = Self.searchConditions(query, viewer: viewer, time: "t.created_at", ticket: "t.id")
        if !viewer.seesNotes { messageConditions.append("NOT m.internal") }
        let columns = { (id: String, ticket: String, seq: String, body: String, note: String, time: String) -> SQLQueryString in
            """
            \(unsafeRaw: id) AS message_id, \(unsafeRaw: ticket) AS ticket_id, \(unsafeRaw: seq) AS seq, \(unsafeRaw: body) AS body,
            \(unsafeRaw: note) AS internal, \(unsafeRaw: time) AS created_at, t.subject AS subject, \(unsafeRaw: userRefColumns("s", "s"))
            """
        }
        let messageColumns = columns("m.id", "m.ticket_id", "m.seq", "m.body", "m.internal", "m.created_at")
        let ticketColumns = columns(
            postgres ? "NULL::BIGINT" : "NULL", "t.id", "0", "t.subject || ' — ' || t.description", postgres ? "FALSE" : "0",
            "t.created_at")
        let statement: SQLQueryString
        if query.terms.isEmpty {
            // Filters alone: the newest messages that pass them.
            statement = """
                SELECT \(messageColumns), 0 AS rank FROM messages m JOIN tickets t ON t.id = m.ticket_id JOIN users s ON s.id = m.sender_id
                WHERE \(messageConditions.joined(separator: " AND "))
                ORDER BY m.created_at DESC, m.id DESC LIMIT \(bind: limit) OFFSET \(bind: offset)
                """
        } else if postgres {
            let match: SQLQueryString = "to_tsquery('english', \(bind: query.tsquery))"
            let messages: SQLQueryString
            if viewer.role.isStaff && !query.hasFilter {
                // As on SQLite: unfiltered staff searches rank the newest matches only (ts_rank_cd
                // over every message with a common word costs a second); and only the page's best
                // are joined to their tickets and senders (the other conditions are all true here).
                messages = """
                    SELECT \(messageColumns), w.rank FROM (
                      SELECT r.id, -ts_rank_cd(r.search_vector, \(match)) AS rank
                      FROM (SELECT id FROM messages WHERE search_vector @@ \(match) ORDER BY id DESC LIMIT \(bind: Self.rankWindow)) n
                      JOIN messages r ON r.id = n.id
                      ORDER BY rank, r.created_at DESC, r.ticket_id DESC, r.seq DESC LIMIT \(bind: limit + offset)
                    ) w JOIN messages m ON m.id = w.id JOIN tickets t ON t.id = m.ticket_id JOIN users s ON s.id = m.sender_id
                    WHERE \(messageConditions.joined(separator: " AND "))
                    """
            } else {
                messages = """
                    SELECT \(messageColumns), -ts_rank_cd(m.search_vector, \(match)) AS rank
                    FROM messages m JOIN tickets t ON t.id = m.ticket_id JOIN users s ON s.id = m.sender_id
                    WHERE m.search_vector @@ \(match) AND \(messageConditions.joined(separator: " AND "))
                    """
            }
            statement = """
                SELECT * FROM (
                  \(messages)
                  UNION ALL
                  SELECT \(ticketColumns), -ts_rank_cd(t.search_vector, \(match)) AS rank
                  FROM tickets t JOIN users s ON s.id = t.customer_id
                  WHERE t.search_vector @@ \(match) AND \(ticketConditions.joined(separator: " AND "))
                ) hits ORDER BY rank, created_at DESC, ticket_id DESC, seq DESC LIMIT \(bind: limit) OFFSET \(bind: offset)
                """
        } else {
            let match = query.fts5
            // bm25, handed the phrases' counts (SQLiteRank): counting them is a walk of each list.
            let counts = try await messageCounts(query.fts5Phrases)
            let scored: SQLQueryString = """
                SELECT rowid AS id, switchboard_rank(message_search, \(binds: counts)) AS score FROM message_search
                WHERE message_search MATCH \(bind: match)
                """
            // A word in every other message matches hundreds of thousands: bm25 over all of them
            // costs a second. Unfiltered staff searches rank the newest `rankWindow` matches, scored
            // in the one walk of the index from its newest rowid, which stops there; and, as on
            // PostgreSQL, only the page's best are joined (the other conditions are all true here).
            let hits: SQLQueryString =
                viewer.role.isStaff && !query.hasFilter
                ? """
                SELECT n.id, n.score FROM (\(scored) ORDER BY rowid DESC LIMIT \(bind: Self.rankWindow)) n JOIN messages r ON r.id = n.id
                ORDER BY n.score, r.created_at DESC, r.ticket_id DESC, r.seq DESC LIMIT \(bind: limit + offset)
                """ : scored
            statement = """
                SELECT * FROM (
                  SELECT \(messageColumns), w.score AS rank
                  FROM (\(hits)) w
                  JOIN messages m ON m.id = w.id
                  JOIN tickets t ON t.id = m.ticket_id JOIN users s ON s.id = m.sender_id
                  WHERE \(messageConditions.joined(separator: " AND "))
                  UNION ALL
                  SELECT \(ticketColumns), bm25(ticket_search) AS rank
                  FROM ticket_search JOIN tickets t ON t.id = ticket_search.rowid JOIN users s ON s.id = t.customer_id
                  WHERE ticket_search MATCH \(bind: match) AND \(ticketConditions.joined(separator: " AND "))
                ) ORDER BY rank, created_at DESC, ticket_id DESC, seq DESC LIMIT \(bind: limit) OFFSET \(bind: offset)
                """
        }
        return try await reader.raw(statement).all().map { row in
            guard let sender = try row.userRef("s") else { throw StorageError.missingRow("sender") }
            return SearchRow(
                messageId: try row.optionalInt("message_id"), ticketId: try row.int("ticket_id"), seq: try row.int("seq"),
                body: try row.string("body"), internal: try row.bool("internal"), timestamp: try row.date("created_at"),
                subject: try row.string("subject"), sender: sender)
        }
    }

    /// How many of the newest matches a very common word's hits are ranked among.
    static let rankWindow = 2_000

    /// How many messages hold each phrase: kept ones while still good, the rest counted (and kept
    /// if common).
    func messageCounts(_ phrases: [String]) async throws -> [Int] {
        let newest = try await reader.raw("SELECT COALESCE(MAX(id), 0) AS n FROM messages").first(decodingColumn: "n", as: Int.self) ?? 0
        var counts: [Int] = []
        for phrase in phrases {
            if let kept = termCounts.count(of: phrase, newestMessage: newest) {
                counts.append(kept)
                continue
            }
            let counted =
                try await reader.raw("SELECT COUNT(*) AS n FROM message_search WHERE message_search MATCH \(bind: phrase)")
                .first(decodingColumn: "n", as: Int.self) ?? 0
            termCounts.remember(phrase, messages: counted, newestMessage: newest)
            counts.append(counted)
        }
        return counts
    }

    /// The conditions every hit meets: whose tickets (a customer: only theirs), and the filters
    /// (`from:` on the sender, joined as `s`: a message's writer, a ticket's customer).
    private static func searchConditions(_ query: SearchQuery, viewer: Viewer, time: String, ticket: String) -> [SQLQueryString] {
        var conditions: [SQLQueryString] = ["1 = 1"]
        if !viewer.role.isStaff { conditions.append("t.customer_id = \(bind: viewer.userId)") }
        if let id = query.ticketId { conditions.append("\(unsafeRaw: ticket) = \(bind: id)") }
        if !query.statuses.isEmpty { conditions.append("t.status IN (\(binds: query.statuses.map(\.rawValue)))") }
        if let before = query.before { conditions.append("\(unsafeRaw: time) < \(bind: millis(before))") }
        if let after = query.after { conditions.append("\(unsafeRaw: time) >= \(bind: millis(after))") }
        if let from = query.from {
            let pattern = likePattern(from.lowercased()).dropFirst().description  // a name's start: "cas%"
            conditions.append(
                "(LOWER(s.display_name) LIKE \(bind: pattern) ESCAPE '\\' OR LOWER(s.username) LIKE \(bind: pattern) ESCAPE '\\')")
        }
        return conditions
    }
}

/// A search hit as stored: the service cuts its snippet.
public struct SearchRow: Sendable, Equatable {
    public var messageId: Int?
    public var ticketId: Int
    public var seq: Int
    public var body: String
    public var `internal`: Bool
    public var timestamp: Date
    public var subject: String
    public var sender: UserRef
}
