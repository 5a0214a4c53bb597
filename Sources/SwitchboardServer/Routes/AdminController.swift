import Hummingbird
import SwitchboardProtocol

/// `/api/admin/support/*`, for admins only.
struct AdminController {
    let admin: AdminService
    let limits: Limits

    func addRoutes(to group: RouterGroup<SupportRequestContext>) {
        group.get("dashboard", use: dashboard)
            .get("agents", use: agents)
            .put("agents/:id/status", use: setAgent)
            .get("reports", use: report)
            .get("server", use: server)
    }

    @Sendable func dashboard(_ request: Request, context: SupportRequestContext) async throws -> Dashboard {
        try await admin.dashboard(for: try context.requireCaller())
    }

    @Sendable func agents(_ request: Request, context: SupportRequestContext) async throws -> [AgentLoad] {
        try await admin.agents(for: try context.requireCaller())
    }

    @Sendable func setAgent(_ request: Request, context: SupportRequestContext) async throws -> AgentLoad {
        let caller = try context.requireCaller(), id = try context.id()
        try caller.requireAdmin()
        let body = try await request.decodeJSON(AgentStatusRequest.self, limit: limits.requestBodyBytes)
        return try await admin.setAgent(id, body, by: caller)
    }

    @Sendable func server(_ request: Request, context: SupportRequestContext) async throws -> ServerStatistics {
        try await admin.serverStatistics(for: try context.requireCaller())
    }

    @Sendable func report(_ request: Request, context: SupportRequestContext) async throws -> SupportReport {
        try await admin.report(from: request.query("from"), to: request.query("to"), for: try context.requireCaller())
    }
}
