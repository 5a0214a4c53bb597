import Foundation
import SQLKit
import SwitchboardProtocol

extension SQLStore {
    public func escalationAdmin() async throws -> Int? {
        try await Self.escalationAdmin(in: reader)
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
            // two cannot hand out an agent's last place twice.
            if postgres { try await PostgresDriver.lock("assignment", in: db) }
            // A ticket that went back to the queue because its agents did not reply does not go
            // back to them; if only they have room, the next ticket anyone may take goes first.
            var pick = try await Self.nextWaiting(anyoneMayTake: false, in: db)
            var agentId: Int?
            if let tried = pick?.tried { agentId = try await Self.availableAgent(policy: policy, excluding: tried, in: db) }
            if agentId == nil, pick?.tried.isEmpty == false {
                pick = try await Self.nextWaiting(anyoneMayTake: true, in: db)
                if pick != nil { agentId = try await Self.availableAgent(policy: policy, excluding: [], in: db) }
            }
            guard let before = pick?.row, let agentId else { return nil }
            try await db.raw(
                """
                UPDATE tickets SET assigned_agent_id = \(bind: agentId), updated_at = \(bind: millis(now)),
                                   assigned_at = \(bind: millis(now)), clock_due_at = \(bind: millis(now))
                WHERE id = \(bind: before.id) AND assigned_agent_id IS NULL
                """
            ).run()
            try await db.raw("UPDATE users SET last_assigned_at = \(bind: millis(now)) WHERE id = \(bind: agentId)").run()
            let after = try await Self.requireTicketRow(id: before.id, in: db)
            try await Self.followSession(of: after, previous: before, now: now, in: db)
            return (before, after)
        }
    }

    /// The most urgent, then oldest, ticket waiting for an agent, with the agents it passed for
    /// want of a reply (`anyoneMayTake`: only tickets that passed none).
    /// On PostgreSQL the ticket is locked, waiting for a transaction that holds it (a claim, the
    /// clock keeper's mark): skipping it instead left a new ticket unassigned whenever the keeper
    /// looked at it at that moment, with nothing to try again. After the wait PostgreSQL reads the
    /// row again: one claimed meanwhile no longer matches, and the claim's own change drains again.
    private static func nextWaiting(anyoneMayTake: Bool, in db: any SQLDatabase) async throws -> (row: TicketRow, tried: [Int])? {
        let lock = db.dialect.name == "postgresql" ? " FOR UPDATE" : ""
        guard
            let row = try await db.raw(
                """
                SELECT \(unsafeRaw: ticketRowColumns), reassign_tried FROM tickets
                WHERE assigned_agent_id IS NULL AND status IN ('OPEN', 'IN_PROGRESS') AND snoozed_until IS NULL\(unsafeRaw: anyoneMayTake ? " AND reassign_tried IS NULL" : "")
                ORDER BY priority_rank DESC, created_at ASC, id ASC LIMIT 1\(unsafeRaw: lock)
                """
            ).first()
        else { return nil }
        return (try ticketRow(row), idList(try row.optionalString("reassign_tried")))
    }
}
