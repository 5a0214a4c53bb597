import Hummingbird
import SwitchboardProtocol

/// `/api/admin/webhooks` and `/api/admin/tokens`, for admins only.
struct IntegrationsController {
    let webhooks: WebhookService
    let tokens: APITokens
    let limits: Limits

    func addRoutes(to group: RouterGroup<SupportRequestContext>) {
        group.get("webhooks", use: listWebhooks)
            .post("webhooks", use: createWebhook)
            .get("webhooks/:id", use: webhook)
            .put("webhooks/:id", use: updateWebhook)
            .delete("webhooks/:id", use: deleteWebhook)
            .get("webhooks/:id/deliveries", use: deliveries)
            .post("webhooks/:id/deliveries/:delivery/redeliver", use: redeliver)
            .get("tokens", use: listTokens)
            .post("tokens", use: createToken)
            .delete("tokens/:id", use: revokeToken)
    }

    @Sendable func listWebhooks(_ request: Request, context: SupportRequestContext) async throws -> [Webhook] {
        try await webhooks.list(by: try context.requireCaller())
    }

    @Sendable func createWebhook(_ request: Request, context: SupportRequestContext) async throws -> EditedResponse<Webhook> {
        let caller = try context.requireCaller()
        try caller.requireAdmin()
        let body = try await request.decodeJSON(WebhookRequest.self, limit: limits.requestBodyBytes)
        return EditedResponse(status: .created, response: try await webhooks.create(body, by: caller))
    }

    @Sendable func webhook(_ request: Request, context: SupportRequestContext) async throws -> Webhook {
        try await webhooks.get(try context.id(), by: try context.requireCaller())
    }

    @Sendable func updateWebhook(_ request: Request, context: SupportRequestContext) async throws -> Webhook {
        let caller = try context.requireCaller(), id = try context.id()
        try caller.requireAdmin()
        let body = try await request.decodeJSON(WebhookRequest.self, limit: limits.requestBodyBytes)
        return try await webhooks.update(id, body, by: caller)
    }

    @Sendable func deleteWebhook(_ request: Request, context: SupportRequestContext) async throws -> HTTPResponse.Status {
        try await webhooks.delete(try context.id(), by: try context.requireCaller())
        return .noContent
    }

    @Sendable func deliveries(_ request: Request, context: SupportRequestContext) async throws -> [WebhookDelivery] {
        try await webhooks.deliveries(
            try context.id(), before: try request.queryInt("before"), limit: try request.queryInt("limit"),
            by: try context.requireCaller())
    }

    @Sendable func redeliver(_ request: Request, context: SupportRequestContext) async throws -> WebhookDelivery {
        try await webhooks.redeliver(try context.id(), delivery: try context.id("delivery"), by: try context.requireCaller())
    }

    @Sendable func listTokens(_ request: Request, context: SupportRequestContext) async throws -> [APIToken] {
        try await tokens.list(by: try context.requireCaller())
    }

    @Sendable func createToken(_ request: Request, context: SupportRequestContext) async throws -> EditedResponse<APIToken> {
        let caller = try context.requireCaller()
        try caller.requireAdmin()
        let body = try await request.decodeJSON(TokenRequest.self, limit: limits.requestBodyBytes)
        return EditedResponse(status: .created, response: try await tokens.create(body, by: caller))
    }

    @Sendable func revokeToken(_ request: Request, context: SupportRequestContext) async throws -> HTTPResponse.Status {
        try await tokens.revoke(try context.id(), by: try context.requireCaller())
        return .noContent
    }
}
