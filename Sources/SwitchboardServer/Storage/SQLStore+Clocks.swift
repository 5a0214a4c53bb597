import Foundation
import SQLKit
import SwitchboardProtocol

/// The tickets' clocks: read for `Ticket.sla`, reviewed by the clock keeper, reported on.
extension SQLStore {
    static let clockColumns = """
        t.id, t.priority, t.category, t.status, t.assigned_agent_id, t.created_at, t.first_response_at,
        t.first_resolved_at, t.waiting_since, t.answered_wait_since, t.answered_at, t.assigned_at,
        t.reassign_round, t.reassign_tried, t.clock_warned
        """

    static func ticketClock(_ row: any SQLRow, outcomes: [ClockOutcome]) throws -> TicketClock {
        TicketClock(
            ticketId: try row.int("id"), priority: try row.wire("priority"), category: try row.wire("category"),
            status: try row.wire("status"), assignedAgentId: try row.optionalInt("assigned_agent_id"),
            createdAt: try row.date("created_at"), firstResponseAt: try row.optionalDate("first_response_at"),
            firstResolvedAt: try row.optionalDate("first_resolved_at"), waitingSince: try row.optionalDate("waiting_since"),
            answeredWaitSince: try row.optionalDate("answered_wait_since"), answeredAt: try row.optionalDate("answered_at"),
            assignedAt: try row.optionalDate("assigned_at"), reassignRound: try row.int("reassign_round"),
            reassignTried: Self.idList(try row.optionalString("reassign_tried")),
            warned: Set((try row.optionalString("clock_warned") ?? "").split(separator: ",").map(String.init)),
            outcomes: outcomes)
    }

    static func idList(_ column: String?) -> [Int] { (column ?? "").split(separator: ",").compactMap { Int($0) } }
    static func idColumn(_ ids: [Int]) -> String? { ids.isEmpty ? nil : ids.map(String.init).joined(separator: ",") }

    /// The recorded outcomes of these tickets.
    static func outcomes(ticketIds: [Int], in db: any SQLDatabase) async throws -> [Int: [ClockOutcome]] {
        guard !ticketIds.isEmpty else { return [:] }
        var byTicket: [Int: [ClockOutcome]] = [:]
        let rows = try await db.raw(
            "SELECT ticket_id, target, started_at, breached, at FROM sla_outcomes WHERE ticket_id IN (\(binds: ticketIds))"
        ).all()
        for row in rows {
            byTicket[try row.int("ticket_id"), default: []].append(
                ClockOutcome(
                    target: try row.wire("target"), startedAt: try row.date("started_at"), breached: try row.bool("breached"),
                    at: try row.date("at")))
        }
        return byTicket
    }

    /// `Ticket.sla` of each of these tickets, by the rules in force now.
    func slas(ticketIds: [Int]) async throws -> [Int: TicketSLA] {
        let rules = self.rules.rules
        guard !ticketIds.isEmpty, !rules.settings.policies.isEmpty else { return [:] }
        let now = self.rules.clock()
        let outcomes = try await Self.outcomes(ticketIds: ticketIds, in: reader)
        let rows = try await reader.raw("SELECT \(unsafeRaw: Self.clockColumns) FROM tickets t WHERE t.id IN (\(binds: ticketIds))").all()
        var slas: [Int: TicketSLA] = [:]
        for row in rows {
            let clock = try Self.ticketClock(row, outcomes: outcomes[try row.int("id")] ?? [])
            slas[clock.ticketId] = clock.sla(rules, now: now)
        }
        return slas
    }

    // MARK: The keeper's side

    public func dueClocks(now: Date, limit: Int) async throws -> [Int] {
        try await reader.raw(
            """
            SELECT id FROM tickets WHERE clock_due_at IS NOT NULL AND clock_due_at <= \(bind: millis(now))
            ORDER BY clock_due_at LIMIT \(bind: limit)
            """
        ).all(decodingColumn: "id", as: Int.self)
    }

    public func nudgeClocks(now: Date) async throws {
        try await driver.transaction { db in
            try await db.raw("UPDATE tickets SET clock_due_at = \(bind: millis(now)) WHERE status IN ('OPEN', 'IN_PROGRESS')").run()
        }
    }

    public func wakeSnoozed(now: Date) async throws -> [(before: TicketRow, after: TicketRow)] {
        // Read first: on SQLite an UPDATE is a turn of the one writer even when it changes nothing.
        let due = try await reader.raw(
            "SELECT id FROM tickets WHERE snoozed_until IS NOT NULL AND snoozed_until <= \(bind: millis(now)) LIMIT 200"
        ).all(decodingColumn: "id", as: Int.self)
        guard !due.isEmpty else { return [] }
        return try await driver.transaction { db in
            var woken: [(TicketRow, TicketRow)] = []
            for id in due {
                let before = try await Self.requireTicketRow(id: id, in: db)
                // Woken meanwhile (the customer wrote, an agent, another node): nothing to do.
                guard let until = before.snoozedUntil, until <= now else { continue }
                try await db.raw(
                    """
                    UPDATE tickets SET snoozed_until = NULL, updated_at = \(bind: millis(now)), clock_due_at = \(bind: millis(now))
                    WHERE id = \(bind: id)
                    """
                ).run()
                woken.append((before, try await Self.requireTicketRow(id: id, in: db)))
            }
            return woken
        }
    }

    public func clearClocks(dueBy now: Date) async throws {
        // Read first: on SQLite an UPDATE is a turn of the one writer even when it changes nothing.
        guard try await !dueClocks(now: now, limit: 1).isEmpty else { return }
        try await driver.transaction { db in
            try await db.raw(
                "UPDATE tickets SET clock_due_at = NULL, answered_wait_since = NULL WHERE clock_due_at <= \(bind: millis(now))"
            ).run()
        }
    }

    public func reviewClock(
        ticketId: Int, now: Date, policy: AssignmentPolicy, decide: @escaping @Sendable (TicketClock) -> ClockReview
    ) async throws -> ClockPass? {
        let postgres = driver.flavor == .postgres
        return try await driver.transaction { db in
            // One node reviews a ticket at a time: another reviewing it right now has it, and it
            // is skipped, not waited for. Then the row is locked (on PostgreSQL), so what the
            // review decides on cannot change under it — an assignment committed between its read
            // and its write once left the reply timer unlooked-at.
            if postgres {
                guard try await PostgresDriver.tryLock("clock \(ticketId)", in: db) else { return nil }
                guard try await Self.ticketRow(id: ticketId, in: db, locking: true) != nil else { return nil }
            }
            guard let (clock, seen) = try await Self.clockForReview(ticketId, in: db) else { return nil }
            let review = decide(clock)
            var written: [ClockOutcome] = []
            for outcome in review.outcomes {
                let inserted = try await db.raw(
                    """
                    INSERT INTO sla_outcomes (ticket_id, target, started_at, breached, at, agent_id, priority, category)
                    VALUES (\(bind: ticketId), \(bind: outcome.target.rawValue), \(bind: millis(outcome.startedAt)), \(bind: outcome.breached),
                            \(bind: millis(outcome.at)), \(bind: clock.assignedAgentId), \(bind: clock.priority.rawValue), \(bind: clock.category.rawValue))
                    ON CONFLICT (ticket_id, target, started_at) DO NOTHING RETURNING ticket_id
                    """
                ).first()
                if inserted != nil {
                    written.append(outcome)
                    if outcome.breached {
                        try await Self.recordWebhookEvent(
                            .slaBreached, ticketId: ticketId, at: outcome.at, detail: WebhookDetail(target: outcome.target), in: db)
                    }
                }
            }
            for (target, dueAt) in review.warnings {
                try await Self.recordWebhookEvent(
                    .slaWarning, ticketId: ticketId, at: now, detail: WebhookDetail(target: target, dueAt: dueAt), in: db)
            }
            // A message or change meanwhile asked for a look of its own: that stays asked for.
            var sets: [SQLQueryString] = [
                """
                clock_due_at = CASE WHEN clock_due_at = \(bind: seen.dueAt) THEN \(bind: review.nextLook.map(millis)) ELSE clock_due_at END
                """,
                "clock_warned = \(bind: review.warned.isEmpty ? nil : review.warned.sorted().joined(separator: ","))",
            ]
            if review.answeredSettled, let answered = seen.answered {
                sets.append(
                    "answered_wait_since = CASE WHEN answered_wait_since = \(bind: answered) THEN NULL ELSE answered_wait_since END")
            }
            var moved: (before: TicketRow, after: TicketRow)?
            if let move = review.move {
                let before = try await Self.requireTicketRow(id: ticketId, in: db)
                let tried = clock.reassignTried + [clock.assignedAgentId].compactMap { $0 }
                let next: Int?
                switch move {
                case .reassign(let round):
                    next = try await Self.availableAgent(policy: policy, excluding: tried, in: db)
                    sets.append("reassign_round = \(bind: round)")
                case .escalate:
                    next = try await Self.escalationAdmin(excluding: tried, in: db)
                    sets.append("reassign_round = 1000")
                }
                sets.append("reassign_tried = \(bind: Self.idColumn(tried))")
                sets.append("assigned_agent_id = \(bind: next)")
                sets.append("assigned_at = \(bind: millis(now))")
                sets.append("updated_at = \(bind: millis(now))")
                if let next { try await db.raw("UPDATE users SET last_assigned_at = \(bind: millis(now)) WHERE id = \(bind: next)").run() }
                try await db.raw("UPDATE tickets SET \(sets.joined(separator: ", ")) WHERE id = \(bind: ticketId)").run()
                let after = try await Self.requireTicketRow(id: ticketId, in: db)
                try await Self.followSession(of: after, previous: before, now: now, in: db)
                moved = (before, after)
                // Looked at again at once: the new assignee's timer starts.
                try await db.raw("UPDATE tickets SET clock_due_at = \(bind: millis(now)) WHERE id = \(bind: ticketId)").run()
            } else {
                try await db.raw("UPDATE tickets SET \(sets.joined(separator: ", ")) WHERE id = \(bind: ticketId)").run()
            }
            return ClockPass(clock: clock, review: review, written: written, moved: moved)
        }
    }

    /// The ticket's clock with its outcomes, and the two columns a concurrent writer may change:
    /// when it is due for a look, and the wait last answered.
    private static func clockForReview(
        _ ticketId: Int, in db: any SQLDatabase
    ) async throws -> (TicketClock, seen: (dueAt: Int64?, answered: Int64?))? {
        guard
            let row = try await db.raw(
                "SELECT \(unsafeRaw: clockColumns), t.clock_due_at AS due FROM tickets t WHERE t.id = \(bind: ticketId)"
            ).first()
        else { return nil }
        let clock = try ticketClock(row, outcomes: try await outcomes(ticketIds: [ticketId], in: db)[ticketId] ?? [])
        let due = try row.decodeNil(column: "due") ? nil : try row.decode(column: "due", as: Int64.self)
        return (clock, (due, clock.answeredWaitSince.map(millis)))
    }

    /// A ticket `t` that takes one of its agent's places: active and not snoozed.
    static let holdsASlot = "t.status IN ('OPEN', 'IN_PROGRESS') AND t.snoozed_until IS NULL"

    /// An agent with room (role AGENT, connected, ONLINE, under capacity) chosen by `policy`,
    /// none of `excluding`.
    static func availableAgent(policy: AssignmentPolicy, excluding: [Int], in db: any SQLDatabase) async throws -> Int? {
        let order =
            switch policy {
            case .roundRobin: "COALESCE(u.last_assigned_at, 0) ASC, u.id ASC"
            case .leastLoaded: "active ASC, COALESCE(u.last_assigned_at, 0) ASC, u.id ASC"
            }
        let others: SQLQueryString = excluding.isEmpty ? "" : "AND u.id NOT IN (\(binds: excluding))"
        return try await db.raw(
            """
            SELECT u.id, (SELECT COUNT(*) FROM tickets t WHERE t.assigned_agent_id = u.id
                            AND \(unsafeRaw: Self.holdsASlot)) AS active
            FROM users u
            WHERE u.role = 'AGENT' AND u.agent_status = 'ONLINE' AND u.is_online AND NOT u.is_bot \(others)
              AND (SELECT COUNT(*) FROM tickets t WHERE t.assigned_agent_id = u.id
                     AND \(unsafeRaw: Self.holdsASlot)) < u.capacity
            ORDER BY \(unsafeRaw: order) LIMIT 1
            """
        ).first(decodingColumn: "id", as: Int.self)
    }

    /// The admin to escalate to: connected and ONLINE ones first, then the fewest active chats.
    static func escalationAdmin(excluding: [Int] = [], in db: any SQLDatabase) async throws -> Int? {
        let others: SQLQueryString = excluding.isEmpty ? "" : "AND u.id NOT IN (\(binds: excluding))"
        return try await db.raw(
            """
            SELECT u.id FROM users u WHERE u.role = 'ADMIN' AND u.username_key <> \(bind: Self.systemKey) \(others)
            ORDER BY CASE WHEN u.is_online AND u.agent_status = 'ONLINE' THEN 0 ELSE 1 END,
                     (SELECT COUNT(*) FROM tickets t WHERE t.assigned_agent_id = u.id AND \(unsafeRaw: Self.holdsASlot)),
                     u.id
            LIMIT 1
            """
        ).first(decodingColumn: "id", as: Int.self)
    }

    // MARK: The system's own account

    /// Who system lines are from: an account no one can sign in to (its password hash is no hash).
    static let systemKey = "~system"

    public func systemAccount() async throws -> UserRef {
        let now = millis(Date())
        return try await driver.transaction { db in
            try await db.raw(
                """
                INSERT INTO users (username, username_key, display_name, role, password_hash, capacity, created_at)
                VALUES (\(bind: Self.systemKey), \(bind: Self.systemKey), 'Switchboard', 'ADMIN', '!', 0, \(bind: now))
                ON CONFLICT (username_key) DO NOTHING
                """
            ).run()
            guard
                let id = try await db.raw("SELECT id FROM users WHERE username_key = \(bind: Self.systemKey)").first(
                    decodingColumn: "id", as: Int.self)
            else { throw StorageError.missingRow("system account") }
            return UserRef(id: id, displayName: "Switchboard", role: .admin, isOnline: false)
        }
    }

    // MARK: Settings

    public func setting(_ name: String) async throws -> (value: String, stamp: Int64)? {
        guard let row = try await reader.raw("SELECT value, updated_at FROM server_settings WHERE name = \(bind: name)").first()
        else { return nil }
        return (try row.string("value"), try row.decode(column: "updated_at", as: Int64.self))
    }

    public func saveSetting(_ name: String, value: String, now: Date) async throws -> Int64 {
        let postgres = driver.flavor == .postgres
        return try await driver.transaction { db in
            if postgres { try await PostgresDriver.lock("settings", in: db) }
            // Stamps grow with every save, even two in one millisecond: what is newer is known.
            let newest = try await db.raw("SELECT MAX(updated_at) AS n FROM server_settings").first()
            let last = try newest.flatMap { try $0.decodeNil(column: "n") ? nil : try $0.decode(column: "n", as: Int64.self) } ?? 0
            let stamp = max(millis(now), last + 1)
            try await db.raw(
                """
                INSERT INTO server_settings (name, value, updated_at) VALUES (\(bind: name), \(bind: value), \(bind: stamp))
                ON CONFLICT (name) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at
                """
            ).run()
            return stamp
        }
    }
}

/// What one review of a ticket's clock did.
public struct ClockPass: Sendable {
    public var clock: TicketClock
    public var review: ClockReview
    /// The outcomes this review wrote (another node may have written the rest).
    public var written: [ClockOutcome]
    /// The ticket's agent changed (reassigned, back to the queue, or escalated).
    public var moved: (before: TicketRow, after: TicketRow)?
}

/// A target's outcome as reports read it.
public struct RecordedOutcome: Sendable, Equatable {
    public var ticketId: Int
    public var target: SLATarget
    public var breached: Bool
    public var at: Date
    public var agent: UserRef?
    public var priority: Priority
}

extension SQLStore {
    public func slaOutcomes(from: Date, to: Date) async throws -> [RecordedOutcome] {
        try await reader.raw(
            """
            SELECT o.ticket_id, o.target, o.breached, o.at, o.priority, \(unsafeRaw: userRefColumns("a", "a"))
            FROM sla_outcomes o LEFT JOIN users a ON a.id = o.agent_id
            WHERE o.at >= \(bind: millis(from)) AND o.at < \(bind: millis(to)) ORDER BY o.at, o.ticket_id
            """
        ).all().map { row in
            RecordedOutcome(
                ticketId: try row.int("ticket_id"), target: try row.wire("target"), breached: try row.bool("breached"),
                at: try row.date("at"), agent: try row.userRef("a"), priority: try row.wire("priority"))
        }
    }
}

// MARK: Silent chats

extension SQLStore {
    /// Active, awake, nobody waiting, staff's last public word at or before the priority's cutoff.
    static func silent(since cutoffs: [Priority: Date]) -> SQLQueryString {
        let byPriority = cutoffs.sorted { $0.key.rank < $1.key.rank }.map { priority, cutoff -> SQLQueryString in
            "(priority = \(bind: priority.rawValue) AND last_reply_at <= \(bind: millis(cutoff)))"
        }
        return """
            status IN ('OPEN', 'IN_PROGRESS') AND snoozed_until IS NULL AND waiting_since IS NULL AND last_reply_at IS NOT NULL
            AND (\(byPriority.joined(separator: " OR ")))
            """
    }

    public func autoResolveWarnings(now: Date, rules: AutoResolve) async throws -> [Int] {
        let cutoffs = rules.afterMinutes.mapValues { now.addingTimeInterval(-Double(max(0, $0 - rules.warningMinutes) * 60)) }
        guard !cutoffs.isEmpty else { return [] }
        let condition = Self.silent(since: cutoffs)
        // Read first (SQLite: an UPDATE is a writer's turn even when it changes nothing); then the
        // UPDATE itself decides, once whichever node runs it.
        guard
            try await !reader.raw(
                "SELECT id FROM tickets WHERE \(condition) AND (auto_resolve_warned_at IS NULL OR auto_resolve_warned_at < last_reply_at) LIMIT 1"
            ).all().isEmpty
        else { return [] }
        return try await driver.transaction { db in
            try await db.raw(
                """
                UPDATE tickets SET auto_resolve_warned_at = \(bind: millis(now))
                WHERE \(condition) AND (auto_resolve_warned_at IS NULL OR auto_resolve_warned_at < last_reply_at)
                RETURNING id
                """
            ).all(decodingColumn: "id", as: Int.self)
        }
    }

    public func autoResolveDue(now: Date, rules: AutoResolve) async throws -> [(before: TicketRow, after: TicketRow)] {
        let cutoffs = rules.afterMinutes.mapValues { now.addingTimeInterval(-Double($0 * 60)) }
        guard !cutoffs.isEmpty else { return [] }
        // Warned, and for the whole warning's time (a server that was down past it gives the customer that time still).
        let warnedBy = millis(now.addingTimeInterval(-Double(rules.warningMinutes * 60)))
        let condition: SQLQueryString = """
            \(Self.silent(since: cutoffs)) AND auto_resolve_warned_at >= last_reply_at AND auto_resolve_warned_at <= \(bind: warnedBy)
            """
        let due = try await reader.raw("SELECT id FROM tickets WHERE \(condition) LIMIT 200").all(decodingColumn: "id", as: Int.self)
        guard !due.isEmpty else { return [] }
        return try await driver.transaction { db in
            var resolved: [(TicketRow, TicketRow)] = []
            for id in due {
                let before = try await Self.requireTicketRow(id: id, in: db)
                // The row as it stands now (locked): still silent, still warned?
                let still =
                    try await db.raw("SELECT id FROM tickets WHERE id = \(bind: id) AND \(condition)").first() != nil
                guard still else { continue }
                try await db.raw(
                    """
                    UPDATE tickets SET status = 'RESOLVED', resolved_at = \(bind: millis(now)), updated_at = \(bind: millis(now)), \(Self.newResolution),
                      first_resolved_at = COALESCE(first_resolved_at, \(bind: millis(now))), clock_due_at = \(bind: millis(now))
                    WHERE id = \(bind: id)
                    """
                ).run()
                let after = try await Self.requireTicketRow(id: id, in: db)
                try await Self.followSession(of: after, previous: before, now: now, in: db)
                resolved.append((before, after))
            }
            return resolved
        }
    }
}
