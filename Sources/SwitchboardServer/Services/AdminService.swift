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
        return try await store.dashboard(now: clock())
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
        return try await store.report(from: start, to: end)
    }

    static func date(_ text: String, parameter: String) throws(ContractError) -> Date {
        guard let date = Timestamp.parse(text) else {
            throw ContractError(.invalid, "\(parameter): '\(text)' is neither a date (YYYY-MM-DD) nor an RFC 3339 timestamp")
        }
        return date
    }
}
