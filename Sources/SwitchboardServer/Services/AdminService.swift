import Foundation
import SwitchboardProtocol

/// Figures and agent management for admins.
public struct AdminService: Sendable {
    let store: any Store
    let hub: Hub
    let events: any SupportEventSink
    let clock: @Sendable () -> Date
    /// Content rules that ran too long, reported with the server's figures.
    var slowRules = SlowRules()

    public func dashboard(for caller: Caller) async throws -> Dashboard {
        try caller.requireAdmin()
        let now = clock()
        var dashboard = try await store.dashboard(now: now)
        let week = try await store.ratings(from: now.addingTimeInterval(-7 * 86_400), to: now.addingTimeInterval(1))
        dashboard.csat = RatingFigures(scores: week.map(\.score))
        return dashboard
    }

    public func agents(for caller: Caller) async throws -> [AgentLoad] {
        try caller.requireAdmin()
        return try await store.agents()
    }

    /// `GET /api/agents`: every agent and admin with their load, for any agent choosing whom to
    /// transfer to (the admin route is the same list, with the admin's rights to change it).
    public func colleagues(for caller: Caller) async throws -> [AgentLoad] {
        try caller.requireStaff()
        return try await store.agents()
    }

    public func setAgent(_ id: Int, _ request: AgentStatusRequest, by caller: Caller) async throws -> AgentLoad {
        try caller.requireAdmin()
        guard request.status != nil || request.capacity != nil else {
            throw ContractError(.invalid, "give a status, a capacity, or both")
        }
        if let capacity = request.capacity, !(0...100).contains(capacity) {
            throw ContractError(.invalid, "capacity: 0–100")
        }
        guard let load = try await store.updateAgent(id: id, status: request.status, capacity: request.capacity) else {
            throw ContractError(.notFound, "no agent #\(id)")
        }
        // Capacity changes are announced too: agents' boards show it, and a raise may free a slot.
        await events.publish(.agentStatusChanged(agent: load.agent, status: load.status))
        return load
    }

    public func serverStatistics(for caller: Caller) async throws -> ServerStatistics {
        try caller.requireAdmin()
        var statistics = await hub.statistics()
        statistics.slowRules = slowRules.all
        return statistics
    }

    /// `SET_STATUS`: agents set their own availability.
    public func setOwnStatus(_ status: AgentStatus, by caller: Caller) async throws -> AgentLoad {
        try caller.requireStaff()
        guard let load = try await store.updateAgent(id: caller.id, status: status, capacity: nil) else {
            throw ContractError(.notFound, "no agent #\(caller.id)")
        }
        await events.publish(.agentStatusChanged(agent: load.agent, status: load.status))
        return load
    }

    /// The period `[from, to)`; by default the seven days up to now. At most 366 days.
    public func report(from: String?, to: String?, for caller: Caller) async throws -> SupportReport {
        try caller.requireAdmin()
        let end = try to.map { try Self.date($0, parameter: "to") } ?? clock()
        let start = try from.map { try Self.date($0, parameter: "from") } ?? end.addingTimeInterval(-7 * 86_400)
        guard start < end else { throw ContractError(.invalid, "from must be before to") }
        guard end.timeIntervalSince(start) <= 366 * 86_400 else {
            throw ContractError(.invalid, "a report covers at most 366 days")
        }
        var report = try await store.report(from: start, to: end)
        Self.addTargets(try await store.slaOutcomes(from: start, to: end), to: &report)
        Self.addRatings(try await store.ratings(from: start, to: end), to: &report)
        return report
    }

    /// Customer satisfaction in the report: overall, by category, per agent (who had the ticket
    /// when it was rated) and per day of the rating (UTC).
    static func addRatings(_ ratings: [RecordedRating], to report: inout SupportReport) {
        let scores = { (list: [RecordedRating]) in RatingFigures(scores: list.map(\.score)) }
        report.csat = scores(ratings)
        report.csatByCategory = Dictionary(grouping: ratings, by: \.category.rawValue).mapValues(scores)
        let byAgent = Dictionary(grouping: ratings.filter { $0.agentId != nil }, by: { $0.agentId! })
        for index in report.agents.indices { report.agents[index].csat = scores(byAgent[report.agents[index].agent.id] ?? []) }
        let byDay = Dictionary(grouping: ratings, by: { day($0.at) })
        for index in report.days.indices { report.days[index].csat = scores(byDay[report.days[index].date] ?? []) }
    }

    /// The targets' outcomes in the report: overall, per agent (who had the ticket), per
    /// priority and per day (UTC, as the report's days), and every breach.
    static func addTargets(_ outcomes: [RecordedOutcome], to report: inout SupportReport) {
        let pairs = { (list: [RecordedOutcome]) in list.map { (target: $0.target, breached: $0.breached) } }
        report.sla = TargetFigures.byTarget(pairs(outcomes))
        report.slaByPriority = Dictionary(grouping: outcomes, by: \.priority.rawValue).mapValues { TargetFigures.byTarget(pairs($0)) }
        report.slaBreaches = outcomes.filter(\.breached).map {
            BreachEntry(ticketId: $0.ticketId, target: $0.target, at: $0.at, agent: $0.agent, priority: $0.priority)
        }
        let byAgent = Dictionary(grouping: outcomes.filter { $0.agent != nil }, by: { $0.agent!.id })
        for index in report.agents.indices {
            report.agents[index].sla = TargetFigures.byTarget(pairs(byAgent[report.agents[index].agent.id] ?? []))
        }
        let byDay = Dictionary(grouping: outcomes, by: { day($0.at) })
        for index in report.days.indices {
            report.days[index].sla = TargetFigures.byTarget(pairs(byDay[report.days[index].date] ?? []))
        }
    }

    /// The report's day of a moment: `YYYY-MM-DD`, UTC.
    static func day(_ date: Date) -> String { String(Timestamp.format(date).prefix(10)) }

    static func date(_ text: String, parameter: String) throws(ContractError) -> Date {
        guard let date = Timestamp.parse(text) else {
            throw ContractError(.invalid, "\(parameter): '\(text)' is neither a date (YYYY-MM-DD) nor an RFC 3339 timestamp")
        }
        return date
    }
}
