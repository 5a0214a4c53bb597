import Foundation
import SwitchboardProtocol

/// What webhooks and API tokens keep (issue 36); part of every `Store`.
public protocol IntegrationStore: Sendable {
    // MARK: Webhooks
    func createWebhook(_ new: NewWebhook, now: Date) async throws -> Webhook
    func webhooks() async throws -> [Webhook]
    func webhook(id: Int) async throws -> Webhook?
    /// Changes what is given; switching it on again clears its failures and makes what waited
    /// due at `now`. Nil when there is none.
    func updateWebhook(id: Int, _ change: WebhookChange, now: Date) async throws -> Webhook?
    func deleteWebhook(id: Int) async throws -> Bool
    /// Its deliveries, newest event first, before the delivery `before` when given.
    func deliveries(webhookId: Int, before: Int?, limit: Int) async throws -> [WebhookDelivery]
    /// The delivery made pending again, to be tried at once (in its turn by event order).
    func redeliver(webhookId: Int, deliveryId: Int, now: Date) async throws -> WebhookDelivery?

    // MARK: Delivering (the deliverer's)
    /// Whether any endpoint is on (the deliverer has nothing to do otherwise).
    func anyWebhookEnabled() async throws -> Bool
    /// Events not yet given to the endpoints that want them get a delivery row each, oldest
    /// first; answers how many events were handled. Safe to run on several nodes at once.
    func fanOutWebhookEvents(limit: Int) async throws -> Int
    /// Endpoints with a delivery due by `now` that no other node holds: leased to `node` until
    /// `until`, with their secrets.
    func leaseWebhooks(node: String, now: Date, until: Date) async throws -> [WebhookTarget]
    /// The endpoint's oldest pending delivery when it is due by `now` (nil while it waits for its
    /// retry, so later events do not overtake it).
    func nextDelivery(webhookId: Int, now: Date) async throws -> PendingDelivery?
    /// The event's body, once rendered (kept for retries and other endpoints).
    func eventPayload(eventId: Int) async throws -> String?
    /// Keeps the first body rendered for the event; answers the one kept.
    func keepEventPayload(eventId: Int, payload: String) async throws -> String
    /// Writes an attempt's outcome while `node` still holds the endpoint's lease (else nothing),
    /// and holds the lease on until `leaseUntil`. A failure past `disableAfter` of failing
    /// switches the endpoint off.
    func recordAttempt(
        _ attempt: DeliveryAttempt, node: String, now: Date, leaseUntil: Date, disableAfter: TimeInterval
    ) async throws -> AttemptRecorded
    /// A deleted ticket as its `ticket.deleted` event keeps it (for events of it still unsent).
    func deletedTicket(id: Int) async throws -> Ticket?
    /// A message by its id, notes included (what `message.created` carries).
    func webhookMessage(id: Int) async throws -> Message?
    /// Events from before `before` with nothing left to deliver go, with their deliveries (the
    /// log keeps what is younger); answers how many.
    func pruneWebhookEvents(before: Date) async throws -> Int
    /// Lets go of the endpoints' leases.
    func releaseWebhooks(node: String) async throws

    // MARK: API tokens
    func createAPIToken(_ new: NewAPIToken, now: Date) async throws -> APIToken
    func apiTokens() async throws -> [APIToken]
    /// Revokes it and ends its login; answers the login to close sockets of, nil when unknown.
    func revokeAPIToken(id: Int, now: Date) async throws -> String?
    /// The live token with this digest: its account, login and scopes.
    func apiToken(hash: String) async throws -> TokenGrant?
    func noteTokenUsed(id: Int, now: Date) async throws
}

public struct NewWebhook: Sendable {
    public var url: String
    public var events: [WebhookEventType]
    public var includeNotes: Bool
    public var secret: String
}

public struct WebhookChange: Sendable {
    public var url: String?
    public var events: [WebhookEventType]?
    public var includeNotes: Bool?
    public var enabled: Bool?
}

/// An endpoint as the deliverer needs it.
public struct WebhookTarget: Sendable, Equatable {
    public var id: Int
    public var url: String
    public var secret: String
    public var failingSince: Date?
}

/// A delivery to attempt, with its event.
public struct PendingDelivery: Sendable, Equatable {
    public var id: Int
    public var webhookId: Int
    public var attempts: Int
    public var event: WebhookEventRow
}

/// An event as written by the triggers (or the store, for deletions and targets).
public struct WebhookEventRow: Sendable, Equatable {
    public var id: Int
    public var type: WebhookEventType
    public var ticketId: Int
    public var messageId: Int?
    public var at: Date
    /// JSON: what the row no longer tells (`WebhookDetail`).
    public var detail: String?
}

public struct DeliveryAttempt: Sendable, Equatable {
    public var deliveryId: Int
    public var webhookId: Int
    public var delivered: Bool
    public var responseStatus: Int?
    public var responseLine: String?
    public var error: String?
    /// When to try again after a failure.
    public var retryAt: Date?
}

public enum AttemptRecorded: Sendable, Equatable {
    case recorded
    /// The lease had passed to another node: this attempt's outcome was not written.
    case leaseLost
    /// The endpoint had failed for too long and is now switched off.
    case switchedOff(url: String, reason: String)
}

public struct NewAPIToken: Sendable {
    public var name: String
    public var scopes: [TokenScope]
    public var botDisplayName: String
    public var tokenHash: String
    /// The bot account's unusable password hash (nobody knows what it is a hash of).
    public var passwordHash: String
    public var loginId: String
    public var createdBy: Int
}

public struct TokenGrant: Sendable, Equatable {
    public var tokenId: Int
    public var user: User
    public var loginId: String
    public var scopes: Set<TokenScope>
    public var lastUsedAt: Date?
}
