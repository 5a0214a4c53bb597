import Foundation
import SQLKit
import SwitchboardProtocol

extension SQLStore {
    /// The staff users a note's handles name: by username, or by display name without spaces
    /// (as the console writes them), case folded.
    public func staff(named handles: [String]) async throws -> [Int] {
        guard !handles.isEmpty else { return [] }
        let keys = handles.map { $0.lowercased() }
        return try await reader.raw(
            """
            SELECT id FROM users WHERE role IN ('AGENT', 'ADMIN') AND NOT is_bot
              AND (username_key IN (\(binds: keys)) OR LOWER(REPLACE(display_name, ' ', '')) IN (\(binds: keys)))
            """
        ).all(decodingColumn: "id", as: Int.self)
    }

    public func addMentions(userIds: [Int], messageId: Int, byId: Int, now: Date) async throws {
        guard !userIds.isEmpty else { return }
        try await driver.transaction { db in
            for user in userIds {
                try await db.raw(
                    """
                    INSERT INTO mentions (user_id, message_id, by_id, created_at) VALUES
                      (\(bind: user), \(bind: messageId), \(bind: byId), \(bind: millis(now)))
                    ON CONFLICT (user_id, message_id) DO NOTHING
                    """
                ).run()
            }
        }
    }

    /// The user's mentions not seen yet, newest first.
    public func unseenMentions(userId: Int, limit: Int) async throws -> [Mention] {
        try await reader.raw(
            """
            SELECT m.ticket_id, m.seq, n.created_at, t.subject, \(unsafeRaw: userRefColumns("b", "b"))
            FROM mentions n JOIN messages m ON m.id = n.message_id JOIN tickets t ON t.id = m.ticket_id
            JOIN users b ON b.id = n.by_id
            WHERE n.user_id = \(bind: userId) AND n.seen_at IS NULL
            ORDER BY n.created_at DESC, m.id DESC LIMIT \(bind: limit)
            """
        ).all().map { row in
            guard let by = try row.userRef("b") else { throw StorageError.missingRow("mention's writer") }
            return Mention(
                ticketId: try row.int("ticket_id"), seq: try row.int("seq"), by: by, at: try row.date("created_at"),
                subject: try row.string("subject"))
        }
    }

    public func markMentionsSeen(userId: Int, ticketId: Int, now: Date) async throws {
        try await driver.transaction { db in
            try await db.raw(
                """
                UPDATE mentions SET seen_at = \(bind: millis(now))
                WHERE user_id = \(bind: userId) AND seen_at IS NULL
                  AND message_id IN (SELECT id FROM messages WHERE ticket_id = \(bind: ticketId))
                """
            ).run()
        }
    }
}
