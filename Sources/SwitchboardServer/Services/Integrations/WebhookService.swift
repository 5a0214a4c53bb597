import Foundation
import SwitchboardProtocol

/// Admins' webhook endpoints (`/api/admin/webhooks`): checked URLs and event names, a secret
/// made here and shown once, the delivery log, redelivery by hand.
public struct WebhookService: Sendable {
    let store: any Store
    let settings: WebhookSettings
    /// Told of a new endpoint or a redelivery, so it goes at once.
    let deliverer: WebhookDeliverer
    let clock: @Sendable () -> Date

    public func create(_ request: WebhookRequest, by caller: Caller) async throws -> Webhook {
        try caller.requireAdmin()
        guard let url = request.url else { throw ContractError(.invalid, "url: required") }
        guard let names = request.events else { throw ContractError(.invalid, "events: required, e.g. [\"ticket.created\"]") }
        let webhook = try await store.createWebhook(
            NewWebhook(
                url: try await checked(url), events: try WebhookEventType.list(names, field: "events"),
                includeNotes: request.includeNotes ?? false,
                secret: "whsec_" + TokenService.newRefreshToken()),
            now: clock())
        deliverer.wakeUp()
        return webhook
    }

    public func list(by caller: Caller) async throws -> [Webhook] {
        try caller.requireAdmin()
        return try await store.webhooks()
    }

    public func get(_ id: Int, by caller: Caller) async throws -> Webhook {
        try caller.requireAdmin()
        guard let webhook = try await store.webhook(id: id) else { throw ContractError(.notFound, "no webhook #\(id)") }
        return webhook
    }

    public func update(_ id: Int, _ request: WebhookRequest, by caller: Caller) async throws -> Webhook {
        try caller.requireAdmin()
        var url: String?
        if let given = request.url { url = try await checked(given) }
        let change = WebhookChange(
            url: url, events: try request.events.map { names throws(ContractError) in try WebhookEventType.list(names, field: "events") },
            includeNotes: request.includeNotes, enabled: request.enabled)
        guard let webhook = try await store.updateWebhook(id: id, change, now: clock()) else {
            throw ContractError(.notFound, "no webhook #\(id)")
        }
        if request.enabled == true { deliverer.wakeUp() }
        return webhook
    }

    public func delete(_ id: Int, by caller: Caller) async throws {
        try caller.requireAdmin()
        guard try await store.deleteWebhook(id: id) else { throw ContractError(.notFound, "no webhook #\(id)") }
    }

    public func deliveries(_ id: Int, before: Int?, limit: Int?, by caller: Caller) async throws -> [WebhookDelivery] {
        _ = try await get(id, by: caller)
        let limit = limit ?? 50
        guard (1...500).contains(limit) else { throw ContractError(.invalid, "limit: 1–500") }
        return try await store.deliveries(webhookId: id, before: before, limit: limit)
    }

    public func redeliver(_ id: Int, delivery: Int, by caller: Caller) async throws -> WebhookDelivery {
        _ = try await get(id, by: caller)
        guard let redelivery = try await store.redeliver(webhookId: id, deliveryId: delivery, now: clock()) else {
            throw ContractError(.notFound, "webhook #\(id) has no delivery #\(delivery)")
        }
        deliverer.wakeUp()
        return redelivery
    }

    /// The URL as given, once its form and (unless allowed) its addresses pass.
    private func checked(_ url: String) async throws -> String {
        let parsed = try WebhookAddress.parse(url)
        do {
            try await WebhookAddress.check(parsed, allowPrivate: settings.allowPrivateTargets)
        } catch let refusal as WebhookAddress.Refused {
            throw ContractError(.invalid, "url: \(refusal.description)")
        }
        return url.trimmingCharacters(in: .whitespaces)
    }
}
