import Hummingbird
import SwitchboardProtocol

/// `GET /api/mentions`, `POST /api/mentions/seen` (AGENT, ADMIN).
struct MentionsController {
    let tickets: TicketService
    let limits: Limits

    func addRoutes(to group: RouterGroup<SupportRequestContext>) {
        group.get(use: list)
            .post("seen", use: seen)
    }

    @Sendable func list(_ request: Request, context: SupportRequestContext) async throws -> [Mention] {
        try await tickets.mentions(for: try context.requireCaller())
    }

    @Sendable func seen(_ request: Request, context: SupportRequestContext) async throws -> HTTPResponse.Status {
        let caller = try context.requireCaller()
        try caller.requireStaff()
        let body = try await request.decodeJSON(MentionsSeenRequest.self, limit: limits.requestBodyBytes)
        try await tickets.mentionsSeen(ticketId: body.ticketId, by: caller)
        return .noContent
    }
}
