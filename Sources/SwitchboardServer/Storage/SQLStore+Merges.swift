import Foundation
import SQLKit
import SwitchboardProtocol

extension SQLStore {
    // MARK: Ratings

    public func rateTicket(
        id: Int, score: Int, comment: String?, now: Date, rule: @escaping @Sendable (TicketRow) throws -> Void
    ) async throws -> (ticket: TicketRow, rating: TicketRating) {
        try await driver.transaction { db in
            let row = try await Self.requireTicketRow(id: id, in: db)
            try rule(row)
            // The key (ticket, resolution) makes a rating once per resolution, whoever asks at once.
            let stored = try await db.raw(
                """
                INSERT INTO ticket_ratings (ticket_id, resolution, score, comment, at, agent_id, category)
                VALUES (\(bind: id), \(bind: row.resolution), \(bind: score), \(bind: comment), \(bind: millis(now)),
                        \(bind: row.assignedAgentId), \(bind: row.category.rawValue))
                ON CONFLICT (ticket_id, resolution) DO NOTHING RETURNING ticket_id
                """
            ).first()
            guard stored != nil else {
                throw ContractError(.conflict, "ticket #\(id) is rated already; a resolution is rated once")
            }
            return (row, TicketRating(score: score, comment: comment, at: Timestamp.date(millis: millis(now))))
        }
    }

    public func noteRatingAsked(id: Int) async throws {
        try await driver.transaction { db in
            try await db.raw(
                "UPDATE tickets SET rating_asks = rating_asks + 1 WHERE id = \(bind: id) AND status IN ('RESOLVED', 'CLOSED')"
            ).run()
        }
    }

    public func ratings(from: Date, to: Date) async throws -> [RecordedRating] {
        try await reader.raw(
            """
            SELECT score, at, agent_id, category FROM ticket_ratings
            WHERE at >= \(bind: millis(from)) AND at < \(bind: millis(to)) ORDER BY at
            """
        ).all().map { row in
            RecordedRating(
                score: try row.int("score"), at: try row.date("at"), agentId: try row.optionalInt("agent_id"),
                category: try row.wire("category"))
        }
    }

    // MARK: Merges

    /// Joins ticket `sourceId` into `targetId` in one transaction, both rows locked (in id order,
    /// so two merges of the same pair, in either direction, take turns and the second sees the
    /// first's result): a system line in the target, then the source's description (as the
    /// customer's message it was) and messages renumbered after it in time order (gap-free, so
    /// every client's `sinceSeq` still holds), the source closed with `merged_into_id` and a
    /// system line of its own.
    public func mergeTicket(
        _ sourceId: Int, into targetId: Int, now: Date, system: UserRef,
        rule: @escaping @Sendable (_ source: TicketRow, _ target: TicketRow) throws -> MergeLines
    ) async throws -> MergeOutcome {
        try await driver.transaction { db in
            var rows: [Int: TicketRow] = [:]
            for id in [sourceId, targetId].sorted() { rows[id] = try await Self.requireTicketRow(id: id, in: db) }
            let source = rows[sourceId]!, target = rows[targetId]!
            let lines = try rule(source, target)
            let at = millis(now)
            // What the customer wrote when opening the source is its first message in the target
            // (seq 0 is free in the source: it sorts first among what moves, by its time).
            guard let opening = try await db.raw("SELECT description, created_at FROM tickets WHERE id = \(bind: sourceId)").first()
            else { throw StorageError.missingRow("ticket #\(sourceId)") }
            let description = try opening.string("description")
            try await db.raw(
                """
                INSERT INTO messages (ticket_id, seq, sender_id, sender_type, body, message_type, internal, created_at, search_text)
                VALUES (\(bind: sourceId), 0, \(bind: source.customerId), 'CUSTOMER', \(bind: description), 'TEXT',
                        \(bind: false), \(bind: try opening.decode(column: "created_at", as: Int64.self)), \(bind: SearchText.fold(description)))
                """
            ).run()
            let moving =
                try await db.raw(
                    "SELECT COUNT(*) AS n FROM messages WHERE ticket_id = \(bind: sourceId)"
                ).first(decodingColumn: "n", as: Int.self) ?? 0
            // The target's line first, then the source's messages after it.
            let intro = target.lastSeq + 1
            try await Self.insertSystemLine(lines.inTarget, on: targetId, seq: intro, by: system, at: at, in: db)
            try await db.raw(
                """
                UPDATE messages SET ticket_id = \(bind: targetId), seq = \(bind: intro) + r.n,
                  merged_from_ticket_id = COALESCE(messages.merged_from_ticket_id, \(bind: sourceId))
                FROM (SELECT id, ROW_NUMBER() OVER (ORDER BY created_at, seq) AS n FROM messages
                      WHERE ticket_id = \(bind: sourceId)) r
                WHERE messages.id = r.id
                """
            ).run()
            try await db.raw("UPDATE attachments SET ticket_id = \(bind: targetId) WHERE ticket_id = \(bind: sourceId)").run()
            let last = intro + moving
            // Whoever had read all of both has read what came over (it is no news to them).
            try await db.raw(
                """
                UPDATE ticket_reads SET read_seq = \(bind: last), delivered_seq = \(bind: last)
                WHERE ticket_id = \(bind: targetId) AND read_seq >= \(bind: target.lastSeq)
                  AND user_id IN (SELECT user_id FROM ticket_reads
                                  WHERE ticket_id = \(bind: sourceId) AND read_seq >= \(bind: source.lastSeq))
                """
            ).run()
            // The wait that was the source's goes on in the target, from when it began.
            var targetSets: SQLQueryString = "last_seq = \(bind: last), updated_at = \(bind: at), clock_due_at = \(bind: at)"
            if target.status.isActive, let waited = source.waitingSince {
                targetSets += ", waiting_since = \(bind: min(millis(waited), target.waitingSince.map(millis) ?? Int64.max))"
            }
            try await db.raw("UPDATE tickets SET \(targetSets) WHERE id = \(bind: targetId)").run()
            let closing = source.lastSeq + 1
            try await Self.insertSystemLine(lines.inSource, on: sourceId, seq: closing, by: system, at: at, in: db)
            // Everyone who followed the source is told of the merge as it happens: its closing line is no unread news.
            try await db.raw(
                "UPDATE ticket_reads SET read_seq = \(bind: closing), delivered_seq = \(bind: closing) WHERE ticket_id = \(bind: sourceId)"
            ).run()
            let resolution: SQLQueryString = source.status.isActive ? ", \(Self.newResolution)" : ""
            try await db.raw(
                """
                UPDATE tickets SET status = 'CLOSED', merged_into_id = \(bind: targetId), last_seq = \(bind: closing),
                  waiting_since = NULL, snoozed_until = NULL, updated_at = \(bind: at), clock_due_at = \(bind: at),
                  first_resolved_at = COALESCE(first_resolved_at, \(bind: at))\(resolution)
                WHERE id = \(bind: sourceId)
                """
            ).run()
            let sourceAfter = try await Self.requireTicketRow(id: sourceId, in: db)
            let targetAfter = try await Self.requireTicketRow(id: targetId, in: db)
            try await Self.followSession(of: sourceAfter, previous: source, now: now, in: db)
            return MergeOutcome(
                source: (source, sourceAfter), target: (target, targetAfter), introSeq: intro, closingSeq: closing)
        }
    }

    private static func insertSystemLine(
        _ text: String, on ticketId: Int, seq: Int, by system: UserRef, at: Int64, in db: any SQLDatabase
    ) async throws {
        try await db.raw(
            """
            INSERT INTO messages (ticket_id, seq, sender_id, sender_type, body, message_type, internal, created_at, search_text)
            VALUES (\(bind: ticketId), \(bind: seq), \(bind: system.id), 'SYSTEM', \(bind: text), 'TEXT', \(bind: false), \(bind: at),
                    \(bind: SearchText.fold(text)))
            """
        ).run()
    }

    /// Messages `[fromSeq, toSeq]` of a ticket as staff see them (what a merge brought over, to relay).
    public func messages(ticketId: Int, fromSeq: Int, toSeq: Int) async throws -> [Message] {
        try await reader.raw(
            """
            \(Self.messageSelect) WHERE m.ticket_id = \(bind: ticketId) AND m.seq >= \(bind: fromSeq) AND m.seq <= \(bind: toSeq)
            ORDER BY m.seq
            """
        ).all().map(Self.message)
    }
}

/// The two system lines of a merge, decided on both rows as they stand.
public struct MergeLines: Sendable {
    public var inTarget: String
    public var inSource: String
}

/// What a merge changed: both tickets before and after, and where its system lines went.
public struct MergeOutcome: Sendable {
    public var source: (before: TicketRow, after: TicketRow)
    public var target: (before: TicketRow, after: TicketRow)
    /// The target's system line; the source's messages follow it, up to `target.after.lastSeq`.
    public var introSeq: Int
    /// The source's system line.
    public var closingSeq: Int
}

/// A rating as reports count it.
public struct RecordedRating: Sendable, Equatable {
    public var score: Int
    public var at: Date
    public var agentId: Int?
    public var category: Category
}
