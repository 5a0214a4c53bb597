import Foundation
import SwitchboardProtocol
import TerminalKit

/// An admin's pages in the console — the live dashboard, the agents, a report, the server —
/// shown in place of the queue and chats until Esc. Their figures come from the admin routes;
/// the dashboard and the agents are asked again when tickets or agents change (at most once a
/// second), the server every few seconds.
public struct AdminPanel: Equatable, Sendable {
    public enum Page: String, Equatable, Sendable, CaseIterable { case dashboard, agents, report, server, targets, integrations }

    public var page: Page
    public internal(set) var dashboard: Dashboard?
    public internal(set) var agents: [AgentLoad] = []
    /// The agent chosen on the agents page (↑↓), for `/capacity N` and `/agent-status S` without a name.
    public internal(set) var chosen = ListView()
    public internal(set) var report: SupportReport?
    /// The report's period, `YYYY-MM-DD`, `to` not included.
    public internal(set) var reportFrom = ""
    public internal(set) var reportTo = ""
    public internal(set) var server: ServerStatistics?
    /// Business hours and targets, as the targets page shows them.
    public internal(set) var targets: TargetRules?
    /// Webhooks and API tokens.
    public internal(set) var integrations = IntegrationsPage()
    /// The reading before `server`, for messages per second.
    public internal(set) var previousServer: ServerStatistics?
    /// Something changed since the figures were asked for.
    var stale = false
    /// When the page's figures were last asked for.
    var askedAt: Date?
    /// When they last came.
    public internal(set) var updatedAt: Date?

    static let coalesce: TimeInterval = 1
    static let serverEvery: TimeInterval = 3

    init(page: Page) { self.page = page }

    /// What to ask for now, if anything: the page's figures when stale (not more than once a second), the server's every few seconds.
    mutating func refresh(now: Date) -> [Effect] {
        let due: Bool
        switch page {
        case .dashboard, .agents: due = stale && askedAt.map { now.timeIntervalSince($0) >= Self.coalesce } ?? true
        // Deliveries and retries go on by themselves: the log is read again every few seconds.
        case .server, .integrations: due = askedAt.map { now.timeIntervalSince($0) >= Self.serverEvery } ?? true
        case .report: due = false
        case .targets: due = askedAt == nil
        }
        guard due else { return [] }
        stale = false
        askedAt = now
        return [load]
    }

    var load: Effect {
        switch page {
        case .dashboard: .loadDashboard
        case .agents: .loadAdminAgents
        case .report: .loadReport(from: reportFrom, to: reportTo)
        case .server: .loadServerStatistics
        case .targets: .loadTargets
        case .integrations: .loadIntegrations
        }
    }

    /// "4m 12s", "1h 3m", "2d 4h", "42s"; "—" for none.
    static func span(_ seconds: Double?) -> String {
        guard let seconds else { return "—" }
        let s = max(0, Int(seconds.rounded()))
        if s < 60 { return "\(s)s" }
        if s < 3_600 { return "\(s / 60)m \(s % 60)s" }
        if s < 86_400 { return "\(s / 3_600)h \(s % 3_600 / 60)m" }
        return "\(s / 86_400)d \(s % 86_400 / 3_600)h"
    }

    /// Messages per second between the last two readings of the server.
    var messagesPerSecond: Double? {
        guard let server, let previousServer, server.uptimeSeconds > previousServer.uptimeSeconds,
            server.messages >= previousServer.messages
        else { return nil }
        return Double(server.messages - previousServer.messages) / (server.uptimeSeconds - previousServer.uptimeSeconds)
    }

    /// The report's agent table as CSV (RFC 4180 quoting).
    var reportCSV: String {
        guard let report else { return "" }
        func field(_ text: String) -> String {
            text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" })
                ? "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : text
        }
        let seconds: (Double?) -> String = { $0.map { String(Int($0.rounded())) } ?? "" }
        // Met and missed per target, the same columns in each table.
        let targetHeader = SLATarget.allCases.map { t in "\(t.rawValue.lowercased())_met,\(t.rawValue.lowercased())_breached" }
            .joined(separator: ",")
        let targetCells = { (figures: [String: TargetFigures]) in
            SLATarget.allCases.map { t in "\(figures[t.rawValue]?.met ?? 0),\(figures[t.rawValue]?.breached ?? 0)" }.joined(separator: ",")
        }
        // Satisfaction: how many ratings, the share of 4s and 5s, the mean score.
        let ratingHeader = "ratings,csat_percent,average_score"
        let number: (Double?) -> String = { $0.map { String($0) } ?? "" }
        let ratingCells = { (figures: RatingFigures) in
            "\(figures.count),\(number(figures.percentSatisfied)),\(number(figures.averageScore))"
        }
        let agents = report.agents.map { figures in
            [
                field(figures.agent.displayName), String(figures.ticketsHandled), String(figures.messagesSent),
                String(figures.notesWritten),
                seconds(figures.avgFirstResponseSeconds), seconds(figures.avgResolutionSeconds), targetCells(figures.sla),
                ratingCells(figures.csat),
            ].joined(separator: ",")
        }
        let days = report.days.map {
            "\($0.date),\($0.ticketsOpened),\($0.ticketsResolved),\(targetCells($0.sla)),\(ratingCells($0.csat))"
        }
        let categories = SwitchboardProtocol.Category.allCases.map { category in
            let figures = report.csatByCategory[category.rawValue] ?? RatingFigures(scores: [])
            return "\(category.rawValue),\(ratingCells(figures)),\(figures.byScore.map(String.init).joined(separator: ","))"
        }
        let priorities = Priority.allCases.reversed().map { "\($0.rawValue),\(targetCells(report.slaByPriority[$0.rawValue] ?? [:]))" }
        let breaches = report.slaBreaches.map {
            "\($0.ticketId),\($0.target.rawValue),\(Timestamp.format($0.at)),\(field($0.agent?.displayName ?? "")),\($0.priority.rawValue)"
        }
        // Five tables, a blank line between: per agent, per day, per priority, every breach, and
        // satisfaction per category.
        let tables: [[String]] = [
            [
                "agent,tickets_handled,messages_sent,notes_written,avg_first_response_seconds,avg_resolution_seconds,\(targetHeader),"
                    + ratingHeader
            ] + agents,
            ["date,tickets_opened,tickets_resolved,\(targetHeader),\(ratingHeader)"] + days,
            ["priority,\(targetHeader)"] + priorities,
            ["breached_ticket,target,due_at,agent,priority"] + breaches,
            ["category,\(ratingHeader),score_1,score_2,score_3,score_4,score_5"] + categories,
        ]
        return tables.map { $0.joined(separator: "\r\n") + "\r\n" }.joined(separator: "\r\n")
    }
}
