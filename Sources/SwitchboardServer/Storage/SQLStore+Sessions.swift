import Foundation
import SQLKit
import SwitchboardProtocol

extension SQLStore {
    /// A session `cs` with its ticket's customer `c` and assigned agent `a`: the session follows the ticket.
    static func sessionSelect(_ viewer: Viewer) -> SQLQueryString {
        """
        SELECT cs.id, cs.ticket_id, cs.status, cs.started_at, cs.ended_at, \(unsafeRaw: sessionActivity("cs")) AS last_activity_at,
               \(unsafeRaw: userRefColumns("c", "c")), \(unsafeRaw: userRefColumns("a", "a")),
               (SELECT COUNT(*) FROM messages m WHERE m.ticket_id = cs.ticket_id AND \(visibleMessages(viewer))) AS message_count
        FROM chat_sessions cs
        JOIN tickets t ON t.id = cs.ticket_id
        JOIN users c ON c.id = t.customer_id
        LEFT JOIN users a ON a.id = t.assigned_agent_id
        """
    }

    /// Session `cs`'s last activity: the later of its row's own mark (made when the session
    /// starts, changes status or is assigned) and its ticket's newest message, which does not
    /// write the session's row (`AppendPlan`). The newest message is one step down an index.
    static func sessionActivity(_ cs: String) -> String {
        let newest = "COALESCE((SELECT m.created_at FROM messages m WHERE m.ticket_id = \(cs).ticket_id ORDER BY m.seq DESC LIMIT 1), 0)"
        return "CASE WHEN \(newest) > \(cs).last_activity_at THEN \(newest) ELSE \(cs).last_activity_at END"
    }

    static func session(_ row: any SQLRow) throws -> ChatSession {
        guard let customer = try row.userRef("c") else { throw StorageError.missingRow("customer") }
        return ChatSession(
            id: try row.int("id"), ticketId: try row.int("ticket_id"), customer: customer, agent: try row.userRef("a"),
            status: try row.wire("status"), startedAt: try row.date("started_at"), endedAt: try row.optionalDate("ended_at"),
            lastActivityAt: try row.date("last_activity_at"), messageCount: try row.int("message_count"))
    }

    public func sessions(status: SessionStatus?, agentId: Int?, for viewer: Viewer) async throws -> [ChatSession] {
        var conditions: [SQLQueryString] = ["1 = 1"]
        if let status { conditions.append("cs.status = \(bind: status.rawValue)") }
        if let agentId { conditions.append("t.assigned_agent_id = \(bind: agentId)") }
        return try await reader.raw(
            """
            \(Self.sessionSelect(viewer)) WHERE \(conditions.joined(separator: " AND "))
            ORDER BY last_activity_at DESC, cs.id DESC
            """
        ).all().map(Self.session)
    }

    public func session(id: Int, for viewer: Viewer) async throws -> ChatSession? {
        try await reader.raw("\(Self.sessionSelect(viewer)) WHERE cs.id = \(bind: id)").first().map(Self.session)
    }

    public func session(ticketId: Int, for viewer: Viewer) async throws -> ChatSession? {
        try await reader.raw("\(Self.sessionSelect(viewer)) WHERE cs.ticket_id = \(bind: ticketId)").first().map(Self.session)
    }

    public func setSessionStatus(
        id: Int, status: SessionStatus, now: Date, rule: @escaping @Sendable (TicketRow) throws -> Void
    ) async throws {
        try await driver.transaction { db in
            guard
                let ticketId = try await db.raw("SELECT ticket_id FROM chat_sessions WHERE id = \(bind: id)")
                    .first(decodingColumn: "ticket_id", as: Int.self)
            else { throw ContractError(.notFound, "no chat session #\(id)") }
            try rule(try await Self.requireTicketRow(id: ticketId, in: db))
            let change: SQLQueryString =
                switch status {
                case .ended: "status = 'ENDED', ended_at = COALESCE(ended_at, \(bind: millis(now)))"
                case .active: "status = 'ACTIVE', ended_at = NULL, last_activity_at = \(bind: millis(now))"
                case .inactive: "status = 'INACTIVE', ended_at = NULL"
                }
            try await db.raw("UPDATE chat_sessions SET \(change) WHERE id = \(bind: id)").run()
        }
    }

    public func history(customerId: Int, for viewer: Viewer) async throws -> [ChatHistoryEntry] {
        let ticketRows = try await reader.raw(
            """
            \(Self.ticketSelect(viewer)) WHERE t.customer_id = \(bind: customerId) ORDER BY t.created_at DESC, t.id DESC
            """
        ).all()
        let tickets = try await tickets(from: ticketRows, for: viewer)
        let sessions = try await reader.raw("\(Self.sessionSelect(viewer)) WHERE t.customer_id = \(bind: customerId)")
            .all().map(Self.session)
        let byTicket = Dictionary(uniqueKeysWithValues: sessions.map { ($0.ticketId, $0) })
        return tickets.compactMap { ticket in byTicket[ticket.id].map { ChatHistoryEntry(ticket: ticket, session: $0) } }
    }
}
