import Foundation
import SQLKit
import SwitchboardProtocol

extension SQLStore {
    /// A message `m` with its sender `s`; `is_read` when someone other than the sender has read it.
    static let messageSelect: SQLQueryString = """
        SELECT m.id, m.ticket_id, m.seq, m.client_message_id, m.sender_type, m.body, m.message_type, m.internal,
               m.created_at, m.redactions, m.merged_from_ticket_id, \(unsafeRaw: userRefColumns("s", "s")),
               CASE WHEN EXISTS (SELECT 1 FROM ticket_reads r WHERE r.ticket_id = m.ticket_id
                                 AND r.user_id <> m.sender_id AND r.read_seq >= m.seq) THEN 1 ELSE 0 END AS is_read,
               a.id AS a_id, a.file_name AS a_file_name, a.content_type AS a_content_type, a.size AS a_size, a.sha256 AS a_sha256
        FROM messages m JOIN users s ON s.id = m.sender_id LEFT JOIN attachments a ON a.id = m.attachment_id
        """

    static func message(_ row: any SQLRow) throws -> Message {
        guard let sender = try row.userRef("s") else { throw StorageError.missingRow("sender") }
        return Message(
            id: try row.int("id"), ticketId: try row.int("ticket_id"), seq: try row.int("seq"),
            clientMessageId: try row.optionalString("client_message_id"), sender: sender,
            senderType: try row.wire("sender_type"), message: try row.string("body"),
            messageType: try row.wire("message_type"), internal: try row.bool("internal"),
            isRead: try row.bool("is_read"), timestamp: try row.date("created_at"),
            attachment: try row.optionalInt("a_id").map { id in
                Attachment(
                    id: id, ticketId: try row.int("ticket_id"), fileName: try row.string("a_file_name"),
                    contentType: try row.string("a_content_type"), size: try row.int("a_size"), sha256: try row.string("a_sha256"))
            },
            redactions: Self.redactions(try row.optionalString("redactions")),
            mergedFromTicketId: try row.optionalInt("merged_from_ticket_id"))
    }

    /// The `redactions` column: JSON, NULL when nothing was masked.
    static func redactionsColumn(_ redactions: [Redaction]) -> String? {
        guard !redactions.isEmpty, let data = try? JSONEncoder().encode(redactions) else { return nil }
        return String(decoding: data, as: UTF8.self)
    }

    static func redactions(_ column: String?) -> [Redaction] {
        guard let column else { return [] }
        return (try? JSONDecoder().decode([Redaction].self, from: Data(column.utf8))) ?? []
    }

    /// The newest message the viewer may see in each of the tickets.
    func lastMessages(ticketIds: [Int], for viewer: Viewer) async throws -> [Int: Message] {
        guard !ticketIds.isEmpty else { return [:] }
        let rows = try await reader.raw(
            """
            \(Self.messageSelect)
            WHERE m.id IN (SELECT MAX(m.id) FROM messages m
                           WHERE m.ticket_id IN (\(binds: ticketIds)) AND \(Self.visibleMessages(viewer))
                           GROUP BY m.ticket_id)
            """
        ).all()
        var last: [Int: Message] = [:]
        for row in rows {
            let message = try Self.message(row)
            last[message.ticketId] = message
        }
        return last
    }

    /// The hot path of the product. On SQLite, a handful of statements in one transaction, each a
    /// round trip to the writer (group-committed), so nothing is read back that can be known here.
    /// On PostgreSQL, two statements and no transaction: see `appendInOneStatement`.
    public func appendMessage(
        _ new: NewMessage, now: Date, rule: @escaping @Sendable (TicketRow) throws -> TicketStatus?
    ) async throws -> AppendResult {
        if driver.flavor == .postgres { return try await appendInOneStatement(new, now: now, rule: rule) }
        return try await driver.transaction { db in
            let (before, existing, sessionActive) = try await Self.appendTarget(new, in: db)
            if let existing { return try await Self.resent(existing, new, before: before, in: db) }
            let plan = try AppendPlan(new, before: before, sessionActive: sessionActive, now: now, rule: rule)
            guard
                let seq = try await db.raw("UPDATE tickets SET \(plan.ticketSets) WHERE id = \(bind: new.ticketId) RETURNING last_seq")
                    .first(decodingColumn: "last_seq", as: Int.self)
            else { throw StorageError.missingRow("ticket #\(new.ticketId)") }
            guard let id = try await db.statement(Self.insertMessage(new, seq: seq, now: now)).first(decodingColumn: "id", as: Int.self)
            else { throw StorageError.missingRow("new message") }
            // Whoever writes has read everything before their own message.
            try await db.statement(Self.readMark(ticketId: new.ticketId, userId: new.senderId, upToSeq: seq)).run()
            if let session = plan.sessionChange { try await db.raw(session).run() }
            return plan.result(id: id, seq: seq)
        }
    }

    /// On PostgreSQL a transaction costs two more round trips (BEGIN, COMMIT) and every statement
    /// one of its own, which at 1 000 msg/s was most of both processes' CPU. So: the ticket is read,
    /// the rule decides, and every write — the seq taken from the ticket row, the message, the
    /// sender's read mark, the chat session — is one statement (a CTE) that applies only while the
    /// ticket's status is still the one read; if it changed meanwhile, nothing was written and the
    /// rule decides again. The statement is atomic, and the ticket row's lock in it orders
    /// concurrent senders on any node, so seq stays gap-free.
    private func appendInOneStatement(
        _ new: NewMessage, now: Date, rule: @escaping @Sendable (TicketRow) throws -> TicketStatus?
    ) async throws -> AppendResult {
        let db = driver.repeated
        var tries = 0
        while true {
            tries += 1
            let (before, existing, sessionActive) = try await Self.appendTarget(new, in: db)
            if let existing { return try await Self.resent(existing, new, before: before, in: db) }
            let plan = try AppendPlan(new, before: before, sessionActive: sessionActive, now: now, rule: rule)
            // Each part after `t` runs only when `t` changed the row (parts of a CTE all run).
            var statement: SQLQueryString = """
                WITH t AS (UPDATE tickets SET \(plan.ticketSets)
                           WHERE id = \(bind: new.ticketId) AND status = \(bind: before.status.rawValue) RETURNING last_seq),
                m AS (INSERT INTO messages \(Self.messageColumns)
                      SELECT \(Self.messageValues(new, seq: "t.last_seq", now: now)) FROM t RETURNING id, seq),
                r AS (\(Self.readMarkUpsert(from: "SELECT \(bind: new.ticketId), \(bind: new.senderId), m.seq, m.seq FROM m")))
                """
            if let session = plan.sessionChange { statement += ", s AS (\(session) AND EXISTS (SELECT 1 FROM t))" }
            statement += " SELECT id, seq FROM m"
            do {
                if let row = try await db.raw(statement).first() {
                    return plan.result(id: try row.int("id"), seq: try row.int("seq"))
                }
            } catch  where PostgresDriver.sqlState(error) == "23505" && tries < 3 {
                // The same clientMessageId stored meanwhile (a resend through another node): read again finds it.
                continue
            }
            guard tries < 20 else { throw ContractError(.conflict, "ticket #\(new.ticketId) kept changing; send again") }
        }
    }

    /// The ticket, whether this sender already stored this clientMessageId, and whether the
    /// ticket's chat session is ACTIVE, in one read.
    private static func appendTarget(
        _ new: NewMessage, in db: any SQLDatabase
    ) async throws
        -> (TicketRow, existing: Int?, sessionActive: Bool)
    {
        guard
            let row = try await db.raw(
                """
                SELECT \(unsafeRaw: Self.ticketRowColumns),
                  (SELECT m.id FROM messages m WHERE m.sender_id = \(bind: new.senderId)
                     AND m.client_message_id = \(bind: new.clientMessageId)) AS existing_id,
                  (SELECT cs.status FROM chat_sessions cs WHERE cs.ticket_id = tickets.id) AS session_status
                FROM tickets WHERE id = \(bind: new.ticketId)
                """
            ).first()
        else { throw ContractError(.notFound, "no ticket #\(new.ticketId)") }
        return (try Self.ticketRow(row), try row.optionalInt("existing_id"), try row.optionalString("session_status") == "ACTIVE")
    }

    /// A resend of a message already stored: answered with the original, nothing stored.
    private static func resent(_ existing: Int, _ new: NewMessage, before: TicketRow, in db: any SQLDatabase) async throws -> AppendResult {
        guard let stored = try await db.raw("\(Self.messageSelect) WHERE m.id = \(bind: existing)").first() else {
            throw StorageError.missingRow("message \(existing)")
        }
        let original = try Self.message(stored)
        // A message that moved with a merge is still the one sent (an outbox resending after the merge).
        guard original.ticketId == new.ticketId || original.mergedFromTicketId == new.ticketId else {
            throw ContractError(
                .conflict, "clientMessageId '\(new.clientMessageId ?? "")' was already used on ticket #\(original.ticketId)")
        }
        return AppendResult(message: original, duplicate: true, ticket: before, previousStatus: before.status)
    }

    static let messageColumnList =
        "(ticket_id, seq, client_message_id, sender_id, sender_type, body, message_type, internal, created_at, attachment_id, redactions, search_text)"
    static let messageColumns: SQLQueryString = "\(unsafeRaw: messageColumnList)"

    /// A new message's values after `ticket_id` and `seq`, in `messageColumnList`'s order: the one
    /// list both ways of storing a message bind.
    private static func messageFields(_ new: NewMessage, now: Date) -> [any Encodable & Sendable] {
        [
            new.clientMessageId, new.senderId, new.senderType.rawValue, new.body, new.messageType.rawValue, new.internal,
            millis(now), new.attachment?.id, redactionsColumn(new.redactions), SearchText.fold(new.body),
        ]
    }

    /// SQLite's `INSERT` of a new message with its `seq`, written once.
    private static let insertMessageSQL =
        "INSERT INTO messages \(messageColumnList) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id"

    static func insertMessage(_ new: NewMessage, seq: Int, now: Date) -> WriterStatement {
        WriterStatement(sql: insertMessageSQL, values: [new.ticketId, seq] + messageFields(new, now: now))
    }

    /// The new message's values for PostgreSQL's `INSERT … SELECT`, with `seq` given as SQL (a
    /// column of the CTE).
    static func messageValues(_ new: NewMessage, seq: SQLQueryString, now: Date) -> SQLQueryString {
        "\(bind: new.ticketId), \(seq), \(binds: messageFields(new, now: now))"
    }

    public func messages(ticketId: Int, window: MessageWindow, for viewer: Viewer) async throws -> MessagePage {
        var conditions: [SQLQueryString] = ["m.ticket_id = \(bind: ticketId)", Self.visibleMessages(viewer)]
        if let after = window.afterSeq { conditions.append("m.seq > \(bind: after)") }
        if let before = window.beforeSeq { conditions.append("m.seq < \(bind: before)") }
        // Reading forward from afterSeq gives the oldest first; otherwise the newest page, paging back.
        let forward = window.afterSeq != nil
        let rows = try await driver.repeated.raw(
            """
            \(Self.messageSelect) WHERE \(conditions.joined(separator: " AND "))
            ORDER BY m.seq \(unsafeRaw: forward ? "ASC" : "DESC") LIMIT \(bind: window.limit + 1)
            """
        ).all()
        var items = try rows.prefix(window.limit).map(Self.message)
        if !forward { items.reverse() }
        return MessagePage(items: items, hasMore: rows.count > window.limit)
    }

    public func markRead(ticketId: Int, userId: Int, upToSeq: Int) async throws {
        try await driver.transaction { db in
            try await Self.advanceRead(ticketId: ticketId, userId: userId, upToSeq: upToSeq, in: db)
        }
    }

    public func staffUnreadCounts(ticketId: Int, userIds: [Int]) async throws -> [Int: Int] {
        guard !userIds.isEmpty else { return [:] }
        var counts: [Int: Int] = [:]
        for row in try await reader.raw(
            """
            SELECT u.id AS user_id,
              (SELECT COUNT(*) FROM messages m WHERE m.ticket_id = \(bind: ticketId) AND m.sender_id <> u.id
                 AND m.seq > COALESCE((SELECT r.read_seq FROM ticket_reads r
                                       WHERE r.ticket_id = \(bind: ticketId) AND r.user_id = u.id), 0)) AS unread
            FROM users u WHERE u.id IN (\(binds: userIds))
            """
        ).all() {
            counts[try row.int("user_id")] = try row.int("unread")
        }
        return counts
    }

    public func markDelivered(ticketId: Int, userId: Int, upToSeq: Int) async throws {
        try await driver.transaction { db in
            try await db.raw(
                """
                INSERT INTO ticket_reads (ticket_id, user_id, read_seq, delivered_seq)
                VALUES (\(bind: ticketId), \(bind: userId), 0, \(bind: upToSeq))
                ON CONFLICT (ticket_id, user_id) DO UPDATE SET
                  delivered_seq = CASE WHEN excluded.delivered_seq > ticket_reads.delivered_seq
                                       THEN excluded.delivered_seq ELSE ticket_reads.delivered_seq END
                """
            ).run()
        }
    }

    /// Read marks only move forward (and what is read was delivered).
    static func advanceRead(ticketId: Int, userId: Int, upToSeq: Int, in db: any SQLDatabase) async throws {
        try await db.raw(readMarkUpsert(from: "VALUES (\(bind: ticketId), \(bind: userId), \(bind: upToSeq), \(bind: upToSeq))")).run()
    }

    /// The read-mark upsert for rows `(ticket_id, user_id, read_seq, delivered_seq)` from `source`
    /// (`VALUES …`, or a `SELECT` in PostgreSQL's one-statement append): marks only move forward.
    static func readMarkUpsert(from source: SQLQueryString) -> SQLQueryString {
        "\(unsafeRaw: readMarkInsert) \(source) \(unsafeRaw: readMarkConflict)"
    }

    private static let readMarkInsert = "INSERT INTO ticket_reads (ticket_id, user_id, read_seq, delivered_seq)"
    private static let readMarkConflict = """
        ON CONFLICT (ticket_id, user_id) DO UPDATE SET
          read_seq = CASE WHEN excluded.read_seq > ticket_reads.read_seq
                          THEN excluded.read_seq ELSE ticket_reads.read_seq END,
          delivered_seq = CASE WHEN excluded.delivered_seq > ticket_reads.delivered_seq
                               THEN excluded.delivered_seq ELSE ticket_reads.delivered_seq END
        """

    /// `advanceRead` as SQLite's writer runs it on every message, written once.
    private static let readMarkSQL = "\(readMarkInsert) VALUES (?, ?, ?, ?) \(readMarkConflict)"

    static func readMark(ticketId: Int, userId: Int, upToSeq: Int) -> WriterStatement {
        WriterStatement(sql: readMarkSQL, values: [ticketId, userId, upToSeq, upToSeq])
    }
}
