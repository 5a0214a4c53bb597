import Foundation
import SQLKit
import SwitchboardProtocol

extension SQLStore {
    static let dayMillis: Int64 = 86_400_000

    public func dashboard(now: Date) async throws -> Dashboard {
        let today = millis(now) / Self.dayMillis * Self.dayMillis
        guard
            let counts = try await reader.raw(
                """
                SELECT
                  COALESCE(SUM(CASE WHEN status = 'OPEN' THEN 1 ELSE 0 END), 0) AS open_tickets,
                  COALESCE(SUM(CASE WHEN status = 'IN_PROGRESS' THEN 1 ELSE 0 END), 0) AS in_progress_tickets,
                  COALESCE(SUM(CASE WHEN resolved_at >= \(bind: today) THEN 1 ELSE 0 END), 0) AS resolved_today,
                  COALESCE(SUM(CASE WHEN assigned_agent_id IS NULL AND status IN ('OPEN', 'IN_PROGRESS') THEN 1 ELSE 0 END), 0)
                    AS unassigned_tickets,
                  CAST(AVG(first_response_at - created_at) AS DOUBLE PRECISION) AS avg_first_response,
                  CAST(AVG(resolved_at - created_at) AS DOUBLE PRECISION) AS avg_resolution,
                  (SELECT COUNT(*) FROM chat_sessions WHERE status = 'ACTIVE') AS active_sessions,
                  (SELECT COUNT(*) FROM users WHERE role IN ('AGENT', 'ADMIN') AND agent_status = 'ONLINE') AS agents_online
                FROM tickets
                """
            ).first()
        else { throw StorageError.missingRow("dashboard") }
        return Dashboard(
            openTickets: try counts.int("open_tickets"), inProgressTickets: try counts.int("in_progress_tickets"),
            resolvedToday: try counts.int("resolved_today"), unassignedTickets: try counts.int("unassigned_tickets"),
            activeSessions: try counts.int("active_sessions"), agentsOnline: try counts.int("agents_online"),
            avgFirstResponseSeconds: try Self.seconds(counts, "avg_first_response"),
            avgResolutionSeconds: try Self.seconds(counts, "avg_resolution"),
            ticketsByCategory: try await countTickets(by: "category", Category.self),
            ticketsByPriority: try await countTickets(by: "priority", Priority.self))
    }

    /// Every value of the enum, with 0 where no ticket has it.
    private func countTickets<E: WireEnum>(by column: String, _: E.Type) async throws -> [String: Int] {
        var counts = Dictionary(uniqueKeysWithValues: E.allCases.map { ($0.rawValue, 0) })
        for row in try await reader.raw("SELECT \(ident: column) AS k, COUNT(*) AS n FROM tickets GROUP BY \(ident: column)").all() {
            counts[try row.string("k")] = try row.int("n")
        }
        return counts
    }

    /// An average of millisecond spans, in seconds; nil when there was nothing to average.
    static func seconds(_ row: any SQLRow, _ column: String) throws -> Double? {
        try row.decodeNil(column: column) ? nil : try row.decode(column: column, as: Double.self) / 1000
    }

    public func report(from: Date, to: Date) async throws -> SupportReport {
        let start = millis(from), end = millis(to)
        let inPeriod: (String) -> SQLQueryString = { column in
            "\(unsafeRaw: column) >= \(bind: start) AND \(unsafeRaw: column) < \(bind: end)"
        }
        let agents = try await reader.raw(
            """
            SELECT \(unsafeRaw: userRefColumns("u", "a")),
              (SELECT COUNT(DISTINCT m.ticket_id) FROM messages m
                 WHERE m.sender_id = u.id AND NOT m.internal AND \(inPeriod("m.created_at"))) AS tickets_handled,
              (SELECT COUNT(*) FROM messages m
                 WHERE m.sender_id = u.id AND NOT m.internal AND \(inPeriod("m.created_at"))) AS messages_sent,
              (SELECT COUNT(*) FROM messages m
                 WHERE m.sender_id = u.id AND m.internal AND \(inPeriod("m.created_at"))) AS notes_written,
              (SELECT CAST(AVG(t.first_response_at - t.created_at) AS DOUBLE PRECISION) FROM tickets t
                 WHERE t.first_response_agent_id = u.id AND \(inPeriod("t.created_at"))) AS avg_first_response,
              (SELECT CAST(AVG(t.resolved_at - t.created_at) AS DOUBLE PRECISION) FROM tickets t
                 WHERE t.assigned_agent_id = u.id AND \(inPeriod("t.resolved_at"))) AS avg_resolution
            FROM users u WHERE u.role IN ('AGENT', 'ADMIN') AND u.username_key <> \(bind: Self.systemKey)
            ORDER BY u.display_name, u.id
            """
        ).all().map { row in
            guard let agent = try row.userRef("a") else { throw StorageError.missingRow("agent") }
            return SupportReport.AgentFigures(
                agent: agent, ticketsHandled: try row.int("tickets_handled"), messagesSent: try row.int("messages_sent"),
                notesWritten: try row.int("notes_written"),
                avgFirstResponseSeconds: try Self.seconds(row, "avg_first_response"),
                avgResolutionSeconds: try Self.seconds(row, "avg_resolution"))
        }
        // Grouped by position: PostgreSQL would not see `created_at / $1` and `created_at / $2` as one expression.
        var opened: [Int64: Int] = [:], resolved: [Int64: Int] = [:]
        for row in try await reader.raw(
            """
            SELECT created_at / \(bind: Self.dayMillis) AS day, COUNT(*) AS n FROM tickets
            WHERE \(inPeriod("created_at")) GROUP BY 1
            """
        ).all() {
            opened[try row.decode(column: "day", as: Int64.self)] = try row.int("n")
        }
        for row in try await reader.raw(
            """
            SELECT resolved_at / \(bind: Self.dayMillis) AS day, COUNT(*) AS n FROM tickets
            WHERE \(inPeriod("resolved_at")) GROUP BY 1
            """
        ).all() {
            resolved[try row.decode(column: "day", as: Int64.self)] = try row.int("n")
        }
        var days: [SupportReport.DayFigures] = []
        var day = start / Self.dayMillis
        while day * Self.dayMillis < end {
            let date = String(Timestamp.format(Timestamp.date(millis: day * Self.dayMillis)).prefix(10))
            days.append(.init(date: date, ticketsOpened: opened[day] ?? 0, ticketsResolved: resolved[day] ?? 0))
            day += 1
        }
        guard
            let row = try await reader.raw(
                """
                SELECT COUNT(*) AS started,
                  COALESCE(SUM(CASE WHEN cs.ended_at IS NOT NULL THEN 1 ELSE 0 END), 0) AS ended,
                  CAST(AVG(cs.ended_at - cs.started_at) AS DOUBLE PRECISION) AS avg_duration,
                  CAST(AVG((SELECT COUNT(*) FROM messages m WHERE m.ticket_id = cs.ticket_id)) AS DOUBLE PRECISION) AS avg_messages,
                  CAST(AVG(t.first_response_at - cs.started_at) AS DOUBLE PRECISION) AS avg_first_response
                FROM chat_sessions cs JOIN tickets t ON t.id = cs.ticket_id
                WHERE \(inPeriod("cs.started_at"))
                """
            ).first()
        else { throw StorageError.missingRow("session figures") }
        let sessions = SupportReport.SessionFigures(
            started: try row.int("started"), ended: try row.int("ended"),
            avgDurationSeconds: try Self.seconds(row, "avg_duration"),
            avgMessages: try row.decodeNil(column: "avg_messages") ? nil : try row.decode(column: "avg_messages", as: Double.self),
            avgFirstResponseSeconds: try Self.seconds(row, "avg_first_response"))
        return SupportReport(from: from, to: to, agents: agents, days: days, sessions: sessions)
    }
}
