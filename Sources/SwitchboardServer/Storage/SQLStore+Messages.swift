import Foundation
import SQLKit
import SwitchboardProtocol

extension SQLStore {
    /// A message `m` with its sender `s`; `is_read` when someone other than the sender has read it.
    static let messageSelect: SQLQueryString = """
        SELECT m.id, m.ticket_id, m.seq, m.client_message_id, m.sender_type, m.body, m.message_type, m.internal,
               m.created_at, \(unsafeRaw: userRefColumns("s", "s")),
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
                Attachment(id: id, ticketId: try row.int("ticket_id"), fileName: try row.string("a_file_name"),
                           contentType: try row.string("a_content_type"), size: try row.int("a_size"), sha256: try row.string("a_sha256"))
            })
    }

    /// The newest message the viewer may see in each of the tickets.
    func lastMessages(ticketIds: [Int], for viewer: Viewer) async throws -> [Int: Message] {
        guard !ticketIds.isEmpty else { return [:] }
        let rows = try await reader.raw("""
            \(Self.messageSelect)
            WHERE m.id IN (SELECT MAX(m.id) FROM messages m
                           WHERE m.ticket_id IN (\(binds: ticketIds)) AND \(Self.visibleMessages(viewer))
                           GROUP BY m.ticket_id)
            """).all()
        var last: [Int: Message] = [:]
        for row in rows {
            let message = try Self.message(row)
            last[message.ticketId] = message
        }
        return last
    }

    /// The hot path of the product: a handful of statements, each a round trip to SQLite's
    /// writer, so nothing is read back that can be known here.
    public func appendMessage(
        _ new: NewMessage, now: Date, rule: @escaping @Sendable (TicketRow) throws -> TicketStatus?
    ) async throws -> AppendResult {
        try await driver.transaction { db in
            // The ticket, and whether this sender already stored this clientMessageId, in one read.
            guard let row = try await db.raw("""
                SELECT \(unsafeRaw: Self.ticketRowColumns),
                  (SELECT m.id FROM messages m WHERE m.sender_id = \(bind: new.senderId)
                     AND m.client_message_id = \(bind: new.clientMessageId)) AS existing_id
                FROM tickets WHERE id = \(bind: new.ticketId)
                """).first()
            else { throw ContractError(.notFound, "no ticket #\(new.ticketId)") }
            let before = try Self.ticketRow(row)
            // A resend of a message already stored: answer with the original, store nothing.
            if let existing = try row.optionalInt("existing_id") {
                guard let stored = try await db.raw("\(Self.messageSelect) WHERE m.id = \(bind: existing)").first() else {
                    throw StorageError.missingRow("message \(existing)")
                }
                let original = try Self.message(stored)
                guard original.ticketId == new.ticketId else {
                    throw ContractError(.conflict, "clientMessageId '\(new.clientMessageId ?? "")' was already used on ticket #\(original.ticketId)")
                }
                return AppendResult(message: original, duplicate: true, ticket: before, previousStatus: before.status)
            }
            let nextStatus = try rule(before)
            var after = before
            // The ticket row hands out seq: incrementing it inside the transaction makes seq gap-free
            // and, on PostgreSQL, locks the row so concurrent senders take turns.
            var sets: SQLQueryString = "last_seq = last_seq + 1, updated_at = \(bind: millis(now))"
            if let nextStatus, nextStatus != before.status {
                sets += ", status = \(bind: nextStatus.rawValue)"
                if before.status == .resolved { sets += ", resolved_at = NULL" }
                after.status = nextStatus
            }
            if new.senderType == .agent && !new.internal && before.firstResponseAt == nil {
                sets += ", first_response_at = \(bind: millis(now)), first_response_agent_id = \(bind: new.senderId)"
                after.firstResponseAt = Timestamp.date(millis: millis(now))
            }
            guard let seq = try await db.raw("UPDATE tickets SET \(sets) WHERE id = \(bind: new.ticketId) RETURNING last_seq")
                .first(decodingColumn: "last_seq", as: Int.self)
            else { throw StorageError.missingRow("ticket #\(new.ticketId)") }
            after.lastSeq = seq
            guard let id = try await db.raw("""
                INSERT INTO messages (ticket_id, seq, client_message_id, sender_id, sender_type, body, message_type,
                                      internal, created_at, attachment_id)
                VALUES (\(bind: new.ticketId), \(bind: seq), \(bind: new.clientMessageId), \(bind: new.senderId),
                        \(bind: new.senderType.rawValue), \(bind: new.body), \(bind: new.messageType.rawValue),
                        \(bind: new.internal), \(bind: millis(now)), \(bind: new.attachment?.id))
                RETURNING id
                """).first(decodingColumn: "id", as: Int.self)
            else { throw StorageError.missingRow("new message") }
            // Whoever writes has read everything before their own message.
            try await Self.advanceRead(ticketId: new.ticketId, userId: new.senderId, upToSeq: seq, in: db)
            try await Self.followSession(of: after, previous: before, now: now, in: db, activity: true)
            // Nobody else can have read a message that did not exist a moment ago.
            let message = Message(
                id: id, ticketId: new.ticketId, seq: seq, clientMessageId: new.clientMessageId, sender: new.sender,
                senderType: new.senderType, message: new.body, messageType: new.messageType, internal: new.internal,
                isRead: false, timestamp: Timestamp.date(millis: millis(now)), attachment: new.attachment)
            return AppendResult(message: message, duplicate: false, ticket: after, previousStatus: before.status)
        }
    }

    public func messages(ticketId: Int, window: MessageWindow, for viewer: Viewer) async throws -> MessagePage {
        var conditions: [SQLQueryString] = ["m.ticket_id = \(bind: ticketId)", Self.visibleMessages(viewer)]
        if let after = window.afterSeq { conditions.append("m.seq > \(bind: after)") }
        if let before = window.beforeSeq { conditions.append("m.seq < \(bind: before)") }
        // Reading forward from afterSeq gives the oldest first; otherwise the newest page, paging back.
        let forward = window.afterSeq != nil
        let rows = try await reader.raw("""
            \(Self.messageSelect) WHERE \(conditions.joined(separator: " AND "))
            ORDER BY m.seq \(unsafeRaw: forward ? "ASC" : "DESC") LIMIT \(bind: window.limit + 1)
            """).all()
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
        for row in try await reader.raw("""
            SELECT u.id AS user_id,
              (SELECT COUNT(*) FROM messages m WHERE m.ticket_id = \(bind: ticketId) AND m.sender_id <> u.id
                 AND m.seq > COALESCE((SELECT r.read_seq FROM ticket_reads r
                                       WHERE r.ticket_id = \(bind: ticketId) AND r.user_id = u.id), 0)) AS unread
            FROM users u WHERE u.id IN (\(binds: userIds))
            """).all() {
            counts[try row.int("user_id")] = try row.int("unread")
        }
        return counts
    }

    public func markDelivered(ticketId: Int, userId: Int, upToSeq: Int) async throws {
        try await driver.transaction { db in
            try await db.raw("""
                INSERT INTO ticket_reads (ticket_id, user_id, read_seq, delivered_seq)
                VALUES (\(bind: ticketId), \(bind: userId), 0, \(bind: upToSeq))
                ON CONFLICT (ticket_id, user_id) DO UPDATE SET
                  delivered_seq = CASE WHEN excluded.delivered_seq > ticket_reads.delivered_seq
                                       THEN excluded.delivered_seq ELSE ticket_reads.delivered_seq END
                """).run()
        }
    }

    /// Read marks only move forward (and what is read was delivered).
    static func advanceRead(ticketId: Int, userId: Int, upToSeq: Int, in db: any SQLDatabase) async throws {
        try await db.raw("""
            INSERT INTO ticket_reads (ticket_id, user_id, read_seq, delivered_seq)
            VALUES (\(bind: ticketId), \(bind: userId), \(bind: upToSeq), \(bind: upToSeq))
            ON CONFLICT (ticket_id, user_id) DO UPDATE SET
              read_seq = CASE WHEN excluded.read_seq > ticket_reads.read_seq
                              THEN excluded.read_seq ELSE ticket_reads.read_seq END,
              delivered_seq = CASE WHEN excluded.delivered_seq > ticket_reads.delivered_seq
                                   THEN excluded.delivered_seq ELSE ticket_reads.delivered_seq END
            """).run()
    }
}
