import Hummingbird
import SwitchboardProtocol

/// `/api/chat/*`: sessions, their messages (through their ticket), and a customer's history.
struct ChatController {
    let sessions: ChatSessionService
    let tickets: TicketService
    let limits: Limits
    let limiter: RateLimiter

    func addRoutes(to group: RouterGroup<SupportRequestContext>) {
        group.get("sessions", use: list)
            .get("sessions/:id/messages", use: messages)
            .post("sessions/:id/messages", use: postMessage)
            .put("sessions/:id/status", use: setStatus)
            .get("history/:id", use: history)
    }

    @Sendable func list(_ request: Request, context: SupportRequestContext) async throws -> [ChatSession] {
        let caller = try context.requireCaller()
        let status = try request.query("status").map { raw throws(ContractError) in try SessionStatus.parse(raw, parameter: "status") }
        return try await sessions.sessions(status: status, for: caller)
    }

    @Sendable func messages(_ request: Request, context: SupportRequestContext) async throws -> MessagePage {
        let caller = try context.requireCaller()
        let ticketId = try await sessions.ticketId(ofSession: try context.id(), for: caller)
        return try await TicketsController.messages(of: ticketId, request: request, tickets: tickets, caller: caller)
    }

    @Sendable func postMessage(_ request: Request, context: SupportRequestContext) async throws -> EditedResponse<Message> {
        let caller = try context.requireCaller()
        let ticketId = try await sessions.ticketId(ofSession: try context.id(), for: caller)
        return try await TicketsController.post(
            to: ticketId, request: request, tickets: tickets, caller: caller, limits: limits, limiter: limiter)
    }

    @Sendable func setStatus(_ request: Request, context: SupportRequestContext) async throws -> ChatSession {
        let caller = try context.requireCaller(), id = try context.id()
        try caller.requireStaff()
        let body = try await request.decodeJSON(SessionStatusRequest.self, limit: limits.requestBodyBytes)
        return try await sessions.setStatus(body.status, session: id, by: caller)
    }

    @Sendable func history(_ request: Request, context: SupportRequestContext) async throws -> [ChatHistoryEntry] {
        try await sessions.history(of: try context.id(), for: try context.requireCaller())
    }
}
