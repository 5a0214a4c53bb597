import Foundation
import SQLKit
import SwitchboardProtocol

extension SQLStore {
    public func escalationAdmin() async throws -> Int? {
        try await reader.raw(
            """
            SELECT u.id FROM users u WHERE u.role = 'ADMIN'
            ORDER BY CASE WHEN u.is_online AND u.agent_status = 'ONLINE' THEN 0 ELSE 1 END,
                     (SELECT COUNT(*) FROM tickets t WHERE t.assigned_agent_id = u.id AND t.status IN ('OPEN', 'IN_PROGRESS')),
                     u.id
            LIMIT 1
            """
        ).first(decodingColumn: "id", as: Int.self)
    }

    public func markIdleSessions(before cutoff: Date) async throws -> Int {
        try await driver.transaction { db in
            try await db.raw(
                """
                UPDATE chat_sessions SET status = 'INACTIVE'
                WHERE status = 'ACTIVE' AND \(unsafeRaw: Self.sessionActivity("chat_sessions")) < \(bind: millis(cutoff))
                RETURNING id
                """
            ).all().count
        }
    }

    public func assignNextWaiting(policy: AssignmentPolicy, now: Date) async throws -> (before: TicketRow, after: TicketRow)? {
        let postgres = driver.flavor == .postgres
        return try await driver.transaction { db in
            // Several nodes: one assigns at a time (SQLite's single writer does this by itself), so
            // two cannot hand out an agent's last place twice; a ticket someone is claiming right
            // now is skipped, not waited for.
            if postgres { try await PostgresDriver.lock("assignment", in: db) }
            guard
                let before = try await db.raw(
                    """
                    SELECT \(unsafeRaw: Self.ticketRowColumns) FROM tickets
                    WHERE assigned_agent_id IS NULL AND status IN ('OPEN', 'IN_PROGRESS')
                    ORDER BY priority_rank DESC, created_at ASC, id ASC LIMIT 1\(unsafeRaw: postgres ? " FOR UPDATE SKIP LOCKED" : "")
                    """
                ).first().map(Self.ticketRow)
            else { return nil }
            let order =
                switch policy {
                case .roundRobin: "COALESCE(u.last_assigned_at, 0) ASC, u.id ASC"
                case .leastLoaded: "active ASC, COALESCE(u.last_assigned_at, 0) ASC, u.id ASC"
                }
            guard
                let agentId = try await db.raw(
                    """
                    SELECT u.id, (SELECT COUNT(*) FROM tickets t WHERE t.assigned_agent_id = u.id
                                    AND t.status IN ('OPEN', 'IN_PROGRESS')) AS active
                    FROM users u
                    WHERE u.role = 'AGENT' AND u.agent_status = 'ONLINE' AND u.is_online
                      AND (SELECT COUNT(*) FROM tickets t WHERE t.assigned_agent_id = u.id
                             AND t.status IN ('OPEN', 'IN_PROGRESS')) < u.capacity
                    ORDER BY \(unsafeRaw: order) LIMIT 1
                    """
                ).first(decodingColumn: "id", as: Int.self)
            else { return nil }
            try await db.raw(
                """
                UPDATE tickets SET assigned_agent_id = \(bind: agentId), updated_at = \(bind: millis(now))
                WHERE id = \(bind: before.id) AND assigned_agent_id IS NULL
                """
            ).run()
            try await db.raw("UPDATE users SET last_assigned_at = \(bind: millis(now)) WHERE id = \(bind: agentId)").run()
            let after = try await Self.requireTicketRow(id: before.id, in: db)
            try await Self.followSession(of: after, previous: before, now: now, in: db)
            return (before, after)
        }
    }
}
