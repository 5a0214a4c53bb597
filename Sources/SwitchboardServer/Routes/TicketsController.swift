import Hummingbird
import SwitchboardProtocol

/// `/api/tickets` and a ticket's messages.
struct TicketsController {
    let tickets: TicketService
    let limits: Limits
    /// The socket's per-user bucket: messages by REST and frames draw on the same tokens.
    let limiter: RateLimiter

    func addRoutes(to group: RouterGroup<SupportRequestContext>) {
        group.get(use: list)
            .post(use: create)
            .get(":id", use: show)
            .put(":id", use: update)
            .delete(":id", use: delete)
            .get(":id/messages", use: messages)
            .post(":id/messages", use: postMessage)
            .post(":id/read", use: markRead)
            .post(":id/claim", use: claim)
            .post(":id/transfer", use: transfer)
            .post(":id/escalate", use: escalate)
            .post(":id/rating", use: rate)
            .post(":id/rating/asked", use: ratingAsked)
            .post(":id/merge", use: merge)
    }

    @Sendable func list(_ request: Request, context: SupportRequestContext) async throws -> Page<Ticket> {
        try await tickets.tickets(try Self.query(from: request), for: try context.requireCaller())
    }

    /// The filters of `GET /api/tickets`; enum filters take comma-separated lists.
    static func query(from request: Request) throws(ContractError) -> TicketQuery {
        var query = TicketQuery()
        query.statuses = try request.queryList("status", TicketStatus.self)
        query.priorities = try request.queryList("priority", Priority.self)
        query.categories = try request.queryList("category", Category.self)
        if let assignee = request.query("assignedAgentId") {
            if assignee.lowercased() == "none" {
                query.assignee = .none
            } else if let id = Int(assignee), Request.queryNumbers.contains(id) {
                query.assignee = .agent(id)
            } else {
                throw ContractError(.invalid, "assignedAgentId: an agent id or 'none'")
            }
        }
        query.customerId = try request.queryInt("customerId", in: 1...Int(Int32.max))
        query.text = request.query("q")
        query.page = try request.queryInt("page") ?? 0
        query.size = try request.queryInt("size") ?? 20
        if let sort = request.query("sort") {
            guard let value = TicketSort(rawValue: sort) else {
                throw ContractError(.invalid, "sort: one of \(TicketSort.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            query.sort = value
        }
        return query
    }

    @Sendable func create(_ request: Request, context: SupportRequestContext) async throws -> EditedResponse<Ticket> {
        let caller = try context.requireCaller()
        let body = try await request.decodeJSON(CreateTicketRequest.self, limit: limits.requestBodyBytes)
        return EditedResponse(status: .created, response: try await tickets.create(body, by: caller))
    }

    @Sendable func show(_ request: Request, context: SupportRequestContext) async throws -> Ticket {
        try await tickets.ticket(try context.id(), for: try context.requireCaller())
    }

    @Sendable func update(_ request: Request, context: SupportRequestContext) async throws -> Ticket {
        let caller = try context.requireCaller(), id = try context.id()
        let body = try await request.decodeJSON(UpdateTicketRequest.self, limit: limits.requestBodyBytes)
        return try await tickets.update(id, body, by: caller)
    }

    @Sendable func delete(_ request: Request, context: SupportRequestContext) async throws -> HTTPResponse.Status {
        try await tickets.delete(try context.id(), by: try context.requireCaller())
        return .noContent
    }

    @Sendable func messages(_ request: Request, context: SupportRequestContext) async throws -> MessagePage {
        try await Self.messages(of: try context.id(), request: request, tickets: tickets, caller: try context.requireCaller())
    }

    static func messages(of ticketId: Int, request: Request, tickets: TicketService, caller: Caller) async throws -> MessagePage {
        try await tickets.messages(
            ticketId: ticketId, afterSeq: try request.queryInt("afterSeq"),
            beforeSeq: try request.queryInt("beforeSeq"), limit: try request.queryInt("limit"),
            for: caller)
    }

    @Sendable func postMessage(_ request: Request, context: SupportRequestContext) async throws -> EditedResponse<Message> {
        try await Self.post(
            to: try context.id(), request: request, tickets: tickets, caller: try context.requireCaller(),
            limits: limits, limiter: limiter)
    }

    /// 201 with the stored message; 200 with the original when its `clientMessageId` was seen before.
    /// Past the user's rate (the socket's), 429 before the body is read.
    static func post(
        to ticketId: Int, request: Request, tickets: TicketService, caller: Caller,
        limits: Limits, limiter: RateLimiter
    ) async throws -> EditedResponse<Message> {
        guard limiter.admit(userId: caller.user.id) == .allowed else {
            throw ContractError(.rateLimited, "slow down: too many messages; try again in a second", retryAfter: 1)
        }
        let body = try await request.decodeJSON(PostMessageRequest.self, limit: limits.requestBodyBytes)
        let result = try await tickets.post(body, to: ticketId, by: caller)
        return EditedResponse(status: result.duplicate ? .ok : .created, response: result.message)
    }

    @Sendable func claim(_ request: Request, context: SupportRequestContext) async throws -> Ticket {
        try await tickets.claim(try context.id(), by: try context.requireCaller())
    }

    @Sendable func transfer(_ request: Request, context: SupportRequestContext) async throws -> Ticket {
        let caller = try context.requireCaller(), id = try context.id()
        try caller.requireStaff()
        let body = try await request.decodeJSON(TransferRequest.self, limit: limits.requestBodyBytes)
        return try await tickets.transfer(id, to: body.agentId, by: caller)
    }

    @Sendable func escalate(_ request: Request, context: SupportRequestContext) async throws -> Ticket {
        let caller = try context.requireCaller(), id = try context.id()
        try caller.requireStaff()
        let body = try await request.decodeJSON(EscalateRequest.self, limit: limits.requestBodyBytes)
        return try await tickets.escalate(id, body, by: caller)
    }

    @Sendable func rate(_ request: Request, context: SupportRequestContext) async throws -> EditedResponse<Ticket> {
        let caller = try context.requireCaller(), id = try context.id()
        let body = try await request.decodeJSON(RateTicketRequest.self, limit: limits.requestBodyBytes)
        return EditedResponse(status: .created, response: try await tickets.rate(id, body, by: caller))
    }

    @Sendable func ratingAsked(_ request: Request, context: SupportRequestContext) async throws -> HTTPResponse.Status {
        try await tickets.ratingAsked(try context.id(), by: try context.requireCaller())
        return .noContent
    }

    @Sendable func merge(_ request: Request, context: SupportRequestContext) async throws -> Ticket {
        let caller = try context.requireCaller(), id = try context.id()
        try caller.requireStaff()
        let body = try await request.decodeJSON(MergeTicketRequest.self, limit: limits.requestBodyBytes)
        return try await tickets.merge(id, into: body.intoTicketId, by: caller)
    }

    @Sendable func markRead(_ request: Request, context: SupportRequestContext) async throws -> HTTPResponse.Status {
        let caller = try context.requireCaller(), id = try context.id()
        let body = try await request.decodeJSON(MarkReadRequest.self, limit: limits.requestBodyBytes)
        try await tickets.markRead(ticketId: id, upToSeq: body.upToSeq, by: caller)
        return .noContent
    }
}
