import Foundation

// Webhooks and API tokens (protocol.md, "Webhooks and API tokens").

/// What a webhook can be told of.
public enum WebhookEventType: String, WireEnum {
    case ticketCreated = "ticket.created"
    case ticketUpdated = "ticket.updated"
    case ticketStatusChanged = "ticket.status_changed"
    case ticketAssigned = "ticket.assigned"
    case ticketDeleted = "ticket.deleted"
    case ticketMerged = "ticket.merged"
    case ticketRated = "ticket.rated"
    case messageCreated = "message.created"
    case slaWarning = "sla.warning"
    case slaBreached = "sla.breached"
}

/// An endpoint told of events. `secret` is in the answer to its creation only.
public struct Webhook: Codable, Equatable, Sendable {
    public var id: Int
    public var url: String
    public var events: [WebhookEventType]
    /// Whether internal notes are sent with `message.created` (public messages always are).
    public var includeNotes: Bool
    public var enabled: Bool
    public var secret: String?
    public var createdAt: Date
    /// Failing since then (the first failure after the last success); switched off after a day.
    @Nullable public var failingSince: Date?
    /// Why it was switched off, when it was by the server.
    @Nullable public var disabledReason: String?
    /// Deliveries not yet made.
    public var pending: Int

    public init(
        id: Int, url: String, events: [WebhookEventType], includeNotes: Bool, enabled: Bool, secret: String? = nil,
        createdAt: Date, failingSince: Date? = nil, disabledReason: String? = nil, pending: Int = 0
    ) {
        self.id = id
        self.url = url
        self.events = events
        self.includeNotes = includeNotes
        self.enabled = enabled
        self.secret = secret
        self.createdAt = createdAt
        self.failingSince = failingSince
        self.disabledReason = disabledReason
        self.pending = pending
    }
}

/// `POST /api/admin/webhooks` and `PUT /api/admin/webhooks/{id}` (a PUT may leave fields out).
public struct WebhookRequest: Codable, Equatable, Sendable {
    public var url: String?
    public var events: [String]?
    public var includeNotes: Bool?
    /// PUT only: switch on or off (on again clears the failure count).
    public var enabled: Bool?

    public init(url: String? = nil, events: [String]? = nil, includeNotes: Bool? = nil, enabled: Bool? = nil) {
        self.url = url
        self.events = events
        self.includeNotes = includeNotes
        self.enabled = enabled
    }
}

public enum DeliveryState: String, WireEnum {
    case pending = "PENDING"
    case delivered = "DELIVERED"
}

/// One event to one endpoint.
public struct WebhookDelivery: Codable, Equatable, Sendable {
    public var id: Int
    public var eventId: Int
    public var type: WebhookEventType
    public var ticketId: Int
    /// When the event happened.
    public var createdAt: Date
    public var state: DeliveryState
    public var attempts: Int
    @Nullable public var lastAttemptAt: Date?
    /// While pending: when it is tried next.
    @Nullable public var nextAttemptAt: Date?
    /// The status line of the last answer (`200 OK`), or nil when none came.
    @Nullable public var responseStatus: Int?
    @Nullable public var responseLine: String?
    /// What went wrong at the last attempt without an answer (timeout, refused address, …).
    @Nullable public var error: String?

    public init(
        id: Int, eventId: Int, type: WebhookEventType, ticketId: Int, createdAt: Date, state: DeliveryState, attempts: Int,
        lastAttemptAt: Date?, nextAttemptAt: Date?, responseStatus: Int?, responseLine: String?, error: String?
    ) {
        self.id = id
        self.eventId = eventId
        self.type = type
        self.ticketId = ticketId
        self.createdAt = createdAt
        self.state = state
        self.attempts = attempts
        self.lastAttemptAt = lastAttemptAt
        self.nextAttemptAt = nextAttemptAt
        self.responseStatus = responseStatus
        self.responseLine = responseLine
        self.error = error
    }
}

/// What an API token may do.
public enum TokenScope: String, WireEnum {
    /// Read every ticket, its messages and notes, and search; join rooms over `/ws`.
    case ticketsRead = "tickets:read"
    /// Write messages and notes as the token's bot account.
    case messagesWrite = "messages:write"
    /// Change tickets: status, priority, assignee, snooze, merge.
    case ticketsWrite = "tickets:write"
}

/// A long-lived token of an integration. `token` is in the answer to its creation only.
public struct APIToken: Codable, Equatable, Sendable {
    public var id: Int
    public var name: String
    public var scopes: [TokenScope]
    /// The account its messages are written as (marked `isBot`).
    public var bot: UserRef
    public var token: String?
    public var createdAt: Date
    @Nullable public var lastUsedAt: Date?
    @Nullable public var revokedAt: Date?

    public init(
        id: Int, name: String, scopes: [TokenScope], bot: UserRef, token: String? = nil, createdAt: Date,
        lastUsedAt: Date?, revokedAt: Date?
    ) {
        self.id = id
        self.name = name
        self.scopes = scopes
        self.bot = bot
        self.token = token
        self.createdAt = createdAt
        self.lastUsedAt = lastUsedAt
        self.revokedAt = revokedAt
    }
}

/// `POST /api/admin/tokens`.
public struct TokenRequest: Codable, Equatable, Sendable {
    public var name: String
    public var scopes: [String]
    /// The name its messages carry; the token's name when left out.
    public var botDisplayName: String?

    public init(name: String, scopes: [String], botDisplayName: String? = nil) {
        self.name = name
        self.scopes = scopes
        self.botDisplayName = botDisplayName
    }
}
