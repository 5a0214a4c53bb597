import Foundation
import SQLKit
import SwitchboardProtocol

extension SQLStore {
    // MARK: Rows for rules

    static let ticketRowColumns = """
        id, customer_id, assigned_agent_id, status, priority, category, subject, last_seq, first_response_at, waiting_since,
        snoozed_until, snooze_through_replies, merged_into_id, resolution
        """

    static func ticketRow(_ row: any SQLRow) throws -> TicketRow {
        TicketRow(
            id: try row.int("id"), customerId: try row.int("customer_id"),
            assignedAgentId: try row.optionalInt("assigned_agent_id"), status: try row.wire("status"),
            priority: try row.wire("priority"), category: try row.wire("category"),
            subject: try row.string("subject"), lastSeq: try row.int("last_seq"),
            firstResponseAt: try row.optionalDate("first_response_at"), waitingSince: try row.optionalDate("waiting_since"),
            snoozedUntil: try row.optionalDate("snoozed_until"), snoozeThroughReplies: try row.bool("snooze_through_replies"),
            mergedIntoId: try row.optionalInt("merged_into_id"), resolution: try row.int("resolution"))
    }

    static func ticketRow(id: Int, in db: any SQLDatabase, locking: Bool = false) async throws -> TicketRow? {
        try await db.raw(
            "SELECT \(unsafeRaw: ticketRowColumns) FROM tickets WHERE id = \(bind: id)\(unsafeRaw: locking ? " FOR UPDATE" : "")"
        )
        .first().map(ticketRow)
    }

    /// The ticket's row inside a transaction that will change it: on PostgreSQL locked until the
    /// commit, so two nodes deciding on it (a claim and an auto-assignment, two transfers) take
    /// turns and the second decides on what the first wrote.
    static func requireTicketRow(id: Int, in db: any SQLDatabase) async throws -> TicketRow {
        let lock = db.dialect.name == "postgresql" ? " FOR UPDATE" : ""
        guard
            let row = try await db.raw("SELECT \(unsafeRaw: ticketRowColumns) FROM tickets WHERE id = \(bind: id)\(unsafeRaw: lock)")
                .first().map(ticketRow)
        else { throw ContractError(.notFound, "no ticket #\(id)") }
        return row
    }

    public func ticketRow(id: Int) async throws -> TicketRow? {
        try await Self.ticketRow(id: id, in: reader)
    }

    // MARK: Tickets as a viewer sees them

    /// Messages `m` the viewer may see (customers never see internal notes).
    static func visibleMessages(_ viewer: Viewer) -> SQLQueryString {
        viewer.seesNotes ? "1 = 1" : "NOT m.internal"
    }

    /// A ticket with the viewer's counts. Joined as `t` (ticket), `c` (customer), `a` (agent).
    static func ticketSelect(_ viewer: Viewer) -> SQLQueryString {
        """
        SELECT t.id, t.subject, t.description, t.status, t.priority, t.category, t.created_at, t.updated_at,
               t.resolved_at, t.waiting_since, t.snoozed_until, t.snooze_through_replies, t.merged_into_id, t.rating_asks,
               rt.score AS rating_score, rt.comment AS rating_comment, rt.at AS rating_at,
               \(unsafeRaw: userRefColumns("c", "c")), \(unsafeRaw: userRefColumns("a", "a")),
               (SELECT COUNT(*) FROM messages m WHERE m.ticket_id = t.id AND \(visibleMessages(viewer))) AS message_count,
               (SELECT COUNT(*) FROM messages m WHERE m.ticket_id = t.id AND \(visibleMessages(viewer))
                  AND m.sender_id <> \(bind: viewer.userId)
                  AND m.seq > COALESCE((SELECT r.read_seq FROM ticket_reads r
                                        WHERE r.ticket_id = t.id AND r.user_id = \(bind: viewer.userId)), 0)
               ) AS unread_count
        FROM tickets t
        JOIN users c ON c.id = t.customer_id
        LEFT JOIN users a ON a.id = t.assigned_agent_id
        LEFT JOIN ticket_ratings rt ON rt.ticket_id = t.id AND rt.resolution = t.resolution AND t.status IN ('RESOLVED', 'CLOSED')
        """
    }

    static func ticket(_ row: any SQLRow, lastMessage: Message?) throws -> Ticket {
        guard let customer = try row.userRef("c") else { throw StorageError.missingRow("customer") }
        return Ticket(
            id: try row.int("id"), subject: try row.string("subject"), description: try row.string("description"),
            status: try row.wire("status"), priority: try row.wire("priority"), category: try row.wire("category"),
            customer: customer, assignedAgent: try row.userRef("a"), messageCount: try row.int("message_count"),
            unreadCount: try row.int("unread_count"), lastMessage: lastMessage, createdAt: try row.date("created_at"),
            updatedAt: try row.date("updated_at"), resolvedAt: try row.optionalDate("resolved_at"),
            snoozedUntil: try row.optionalDate("snoozed_until"), snoozeThroughReplies: try row.bool("snooze_through_replies"),
            mergedIntoId: try row.optionalInt("merged_into_id"),
            rating: try row.optionalInt("rating_score").map { score in
                TicketRating(score: score, comment: try row.optionalString("rating_comment"), at: try row.date("rating_at"))
            })
    }

    /// Tickets from rows of `ticketSelect`, each with the last message the viewer may see.
    func tickets(from rows: [any SQLRow], for viewer: Viewer) async throws -> [Ticket] {
        let ids = try rows.map { try $0.int("id") }
        let last = try await lastMessages(ticketIds: ids, for: viewer)
        let slas = viewer.role.isStaff ? try await slas(ticketIds: ids) : [:]
        return try rows.map { row in
            var ticket = try Self.ticket(row, lastMessage: last[try row.int("id")])
            ticket.sla = slas[ticket.id]
            if viewer.role.isStaff {
                ticket.waitingSince = try row.optionalDate("waiting_since")
            } else {
                // How staff plan their work is theirs.
                ticket.snoozedUntil = nil
                ticket.snoozeThroughReplies = false
                // Asks are of a resolution: none while the ticket is active.
                ticket.ratingAsks = ticket.status.isActive ? nil : try row.int("rating_asks")
            }
            return ticket
        }
    }

    public func ticket(id: Int, for viewer: Viewer) async throws -> Ticket? {
        let rows = try await reader.raw("\(Self.ticketSelect(viewer)) WHERE t.id = \(bind: id)").all()
        return try await tickets(from: rows, for: viewer).first
    }

    public func tickets(_ query: TicketQuery, for viewer: Viewer) async throws -> Page<Ticket> {
        var conditions: [SQLQueryString] = []
        if !query.statuses.isEmpty { conditions.append("t.status IN (\(binds: query.statuses.map(\.rawValue)))") }
        if !query.priorities.isEmpty { conditions.append("t.priority IN (\(binds: query.priorities.map(\.rawValue)))") }
        if !query.categories.isEmpty { conditions.append("t.category IN (\(binds: query.categories.map(\.rawValue)))") }
        switch query.assignee {
        case .any: break
        case .none: conditions.append("t.assigned_agent_id IS NULL")
        case .agent(let id): conditions.append("t.assigned_agent_id = \(bind: id)")
        }
        if let customerId = query.customerId { conditions.append("t.customer_id = \(bind: customerId)") }
        if let text = query.text {
            let pattern = likePattern(text)
            conditions.append(
                """
                (LOWER(t.subject) LIKE \(bind: pattern) ESCAPE '\\' OR LOWER(t.description) LIKE \(bind: pattern) ESCAPE '\\'
                 OR EXISTS (SELECT 1 FROM messages m WHERE m.ticket_id = t.id AND \(Self.visibleMessages(viewer))
                            AND LOWER(m.body) LIKE \(bind: pattern) ESCAPE '\\'))
                """)
        }
        let filter: SQLQueryString = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
        let order: String =
            switch query.sort {
            case .createdAt: "t.created_at ASC, t.id ASC"
            case .createdAtDesc: "t.created_at DESC, t.id DESC"
            case .priority: "t.priority_rank ASC, t.created_at ASC, t.id ASC"
            case .priorityDesc: "t.priority_rank DESC, t.created_at ASC, t.id ASC"
            case .updatedAt: "t.updated_at ASC, t.id ASC"
            case .updatedAtDesc: "t.updated_at DESC, t.id DESC"
            }
        let total =
            try await reader.raw("SELECT COUNT(*) AS n FROM tickets t \(filter)")
            .first(decodingColumn: "n", as: Int.self) ?? 0
        let rows = try await reader.raw(
            """
            \(Self.ticketSelect(viewer)) \(filter) ORDER BY \(unsafeRaw: order)
            LIMIT \(bind: query.size) OFFSET \(bind: query.offset)
            """
        ).all()
        return Page(items: try await tickets(from: rows, for: viewer), page: query.page, size: query.size, total: total)
    }

    public func createTicket(_ ticket: NewTicket, now: Date) async throws -> Int {
        try await driver.transaction { db in
            guard
                let id = try await db.raw(
                    """
                    INSERT INTO tickets (subject, description, status, priority, priority_rank, category, customer_id,
                                         created_at, updated_at, waiting_since, clock_due_at, search_text)
                    VALUES (\(bind: ticket.subject), \(bind: ticket.description), 'OPEN', \(bind: ticket.priority.rawValue),
                            \(bind: ticket.priority.rank), \(bind: ticket.category.rawValue), \(bind: ticket.customerId),
                            \(bind: millis(now)), \(bind: millis(now)), \(bind: millis(now)), \(bind: millis(now)),
                            \(bind: Self.ticketSearchText(subject: ticket.subject, description: ticket.description)))
                    RETURNING id
                    """
                ).first(decodingColumn: "id", as: Int.self)
            else { throw StorageError.missingRow("new ticket") }
            // Every ticket has its one chat session from the start; it turns ACTIVE with work on it.
            try await db.raw(
                """
                INSERT INTO chat_sessions (ticket_id, status, started_at, last_activity_at)
                VALUES (\(bind: id), 'INACTIVE', \(bind: millis(now)), \(bind: millis(now)))
                """
            ).run()
            return id
        }
    }

    public func updateTicket(
        id: Int, now: Date, rule: @escaping @Sendable (TicketRow) throws -> TicketChange
    ) async throws -> (before: TicketRow, after: TicketRow) {
        try await driver.transaction { db in
            let before = try await Self.requireTicketRow(id: id, in: db)
            let change = try rule(before)
            var sets: [SQLQueryString] = []
            if let subject = change.subject, subject != before.subject {
                sets.append("subject = \(bind: subject)")
                // The index follows the subject, in this statement.
                let description =
                    try await db.raw("SELECT description FROM tickets WHERE id = \(bind: id)").first(
                        decodingColumn: "description", as: String.self)
                    ?? ""
                sets.append("search_text = \(bind: Self.ticketSearchText(subject: subject, description: description))")
            }
            if let category = change.category, category != before.category {
                sets.append("category = \(bind: category.rawValue)")
            }
            if let priority = change.priority, priority != before.priority {
                sets.append("priority = \(bind: priority.rawValue)")
                sets.append("priority_rank = \(bind: priority.rank)")
            }
            if let assignee = change.assignedAgentId, assignee != before.assignedAgentId {
                sets.append("assigned_agent_id = \(bind: assignee)")
                sets.append("assigned_at = \(bind: millis(now))")
            }
            if let status = change.status, status != before.status {
                sets.append("status = \(bind: status.rawValue)")
                if status == .resolved { sets.append("resolved_at = \(bind: millis(now))") }
                if status == .inProgress && before.status == .resolved { sets.append("resolved_at = NULL") }
                // Resolved and closed tickets stop every clock; reopening starts a new wait.
                if !status.isActive {
                    if before.status.isActive { sets.append(Self.newResolution) }
                    sets.append("waiting_since = NULL")
                    sets.append("snoozed_until = NULL")
                    sets.append("first_resolved_at = COALESCE(first_resolved_at, \(bind: millis(now)))")
                } else if !before.status.isActive {
                    sets.append("waiting_since = \(bind: millis(now))")
                }
            }
            if let snooze = change.snoozedUntil, snooze != before.snoozedUntil {
                sets.append("snoozed_until = \(bind: snooze.map(millis))")
            }
            if let through = change.snoozeThroughReplies, through != before.snoozeThroughReplies {
                sets.append("snooze_through_replies = \(bind: through)")
            }
            guard !sets.isEmpty else { return (before, before) }
            sets.append("updated_at = \(bind: millis(now))")
            // Whatever changed may move a due time: the clock keeper looks again.
            sets.append("clock_due_at = \(bind: millis(now))")
            try await db.raw("UPDATE tickets SET \(sets.joined(separator: ", ")) WHERE id = \(bind: id)").run()
            let after = try await Self.requireTicketRow(id: id, in: db)
            try await Self.followSession(of: after, previous: before, now: now, in: db)
            return (before, after)
        }
    }

    /// Keeps the ticket's session in step: ENDED with the ticket resolved or closed, ACTIVE again
    /// when it is reopened, ACTIVE when an agent takes it or a message arrives.
    static func followSession(
        of ticket: TicketRow, previous: TicketRow, now: Date, in db: any SQLDatabase,
        activity: Bool = false
    ) async throws {
        if let change = sessionChange(of: ticket, previous: previous, now: now, activity: activity) { try await db.raw(change).run() }
    }

    /// The statement `followSession` runs, if any (one `UPDATE … WHERE …`, so a caller may add a
    /// condition to its end).
    static func sessionChange(of ticket: TicketRow, previous: TicketRow, now: Date, activity: Bool = false) -> SQLQueryString? {
        if !ticket.status.isActive {
            guard previous.status.isActive else { return nil }
            return """
                UPDATE chat_sessions SET status = 'ENDED', ended_at = \(bind: millis(now))
                WHERE ticket_id = \(bind: ticket.id) AND status <> 'ENDED'
                """
        }
        let assigned = ticket.assignedAgentId != nil && ticket.assignedAgentId != previous.assignedAgentId
        guard activity || assigned || !previous.status.isActive else { return nil }
        return """
            UPDATE chat_sessions SET status = 'ACTIVE', ended_at = NULL, last_activity_at = \(bind: millis(now))
            WHERE ticket_id = \(bind: ticket.id)
            """
    }

    /// What a ticket's subject and description are found by.
    static func ticketSearchText(subject: String, description: String) -> String {
        SearchText.fold(subject + "\n" + description)
    }

    /// A ticket going from active to resolved or closed: a resolution of its own, to be rated once.
    static let newResolution: SQLQueryString = "resolution = resolution + 1, rating_asks = 0"

    public func deleteTicket(id: Int, now: Date, snapshot: Ticket?) async throws -> Bool {
        try await driver.transaction { db in
            try await db.raw("UPDATE tickets SET merged_into_id = NULL WHERE merged_into_id = \(bind: id)").run()
            guard try await db.raw("DELETE FROM tickets WHERE id = \(bind: id) RETURNING id").first() != nil else { return false }
            try await Self.recordWebhookEvent(.ticketDeleted, ticketId: id, at: now, detail: WebhookDetail(ticket: snapshot), in: db)
            return true
        }
    }
}
