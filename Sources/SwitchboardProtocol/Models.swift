import Foundation

// The resources of the contract (protocol.md, "REST"), as they travel.

/// A person as other people see them: enough to label a message or a queue row.
public struct UserRef: Codable, Equatable, Hashable, Sendable {
    public var id: Int
    public var displayName: String
    public var role: Role
    public var isOnline: Bool
    /// An integration's account, acting through an API token (present only when true): every
    /// screen marks what it writes as a bot's.
    public var isBot: Bool?

    public init(id: Int, displayName: String, role: Role, isOnline: Bool, isBot: Bool = false) {
        self.id = id
        self.displayName = displayName
        self.role = role
        self.isOnline = isOnline
        self.isBot = isBot ? true : nil
    }

    public var bot: Bool { isBot == true }
}

public struct User: Codable, Equatable, Sendable {
    public var id: Int
    public var username: String
    public var displayName: String
    public var role: Role
    public var isOnline: Bool
    @Nullable public var lastSeenAt: Date?
    /// Agents and admins only.
    public var agentStatus: AgentStatus?
    /// How many active chats auto-assignment may give this agent (agents and admins only).
    public var capacity: Int?
    public var email: String?
    /// An API token's account (present only when true).
    public var isBot: Bool?

    public init(
        id: Int, username: String, displayName: String, role: Role, isOnline: Bool,
        lastSeenAt: Date?, agentStatus: AgentStatus?, capacity: Int?, email: String?, isBot: Bool = false
    ) {
        self.isBot = isBot ? true : nil
        self.id = id
        self.username = username
        self.displayName = displayName
        self.role = role
        self.isOnline = isOnline
        self.lastSeenAt = lastSeenAt
        self.agentStatus = agentStatus
        self.capacity = capacity
        self.email = email
    }

    public var bot: Bool { isBot == true }

    public var ref: UserRef { UserRef(id: id, displayName: displayName, role: role, isOnline: isOnline, isBot: isBot == true) }
}

public struct Attachment: Codable, Equatable, Sendable {
    public var id: Int
    public var ticketId: Int
    public var fileName: String
    public var contentType: String
    public var size: Int
    /// Lower-case hex.
    public var sha256: String

    public init(id: Int, ticketId: Int, fileName: String, contentType: String, size: Int, sha256: String) {
        self.id = id
        self.ticketId = ticketId
        self.fileName = fileName
        self.contentType = contentType
        self.size = size
        self.sha256 = sha256
    }
}

public struct Message: Codable, Equatable, Sendable {
    public var id: Int
    public var ticketId: Int
    /// 1, 2, 3 … within a ticket, with no gaps among the stored messages.
    public var seq: Int
    @Nullable public var clientMessageId: String?
    public var sender: UserRef
    public var senderType: SenderType
    public var message: String
    public var messageType: MessageType
    /// A note between agents; customers never receive it.
    public var `internal`: Bool
    /// Read by someone other than its sender.
    public var isRead: Bool
    public var timestamp: Date
    @Nullable public var attachment: Attachment?
    /// What the server's content filters masked in `message` before storing it (an addition to
    /// the contract: text is never altered silently). Empty when nothing was.
    @EmptyIfMissing public var redactions: [Redaction]
    /// The ticket this message was first written on, when that ticket was merged into this one.
    @Nullable public var mergedFromTicketId: Int?

    public init(
        id: Int, ticketId: Int, seq: Int, clientMessageId: String?, sender: UserRef,
        senderType: SenderType, message: String, messageType: MessageType, internal: Bool,
        isRead: Bool, timestamp: Date, attachment: Attachment?, redactions: [Redaction] = [],
        mergedFromTicketId: Int? = nil
    ) {
        self.id = id
        self.ticketId = ticketId
        self.seq = seq
        self.clientMessageId = clientMessageId
        self.sender = sender
        self.senderType = senderType
        self.message = message
        self.messageType = messageType
        self.internal = `internal`
        self.isRead = isRead
        self.timestamp = timestamp
        self.attachment = attachment
        self.redactions = redactions
        self.mergedFromTicketId = mergedFromTicketId
    }
}

/// One content rule that changed a text before it was stored, and how many times: `card` (card
/// numbers, built in) or the name of a mask rule in the server's config.
public struct Redaction: Codable, Equatable, Sendable {
    public var rule: String
    public var count: Int

    public init(rule: String, count: Int) {
        self.rule = rule
        self.count = count
    }

    /// The built-in rule: card numbers that pass the Luhn check.
    public static let cardRule = "card"
}

extension [Redaction] {
    /// "card number masked", "2 card numbers masked, api-key masked" — for a line under the message.
    /// Rule names come from the server: callers sanitise before drawing.
    public var summary: String? {
        guard !isEmpty else { return nil }
        return map { redaction in
            switch (redaction.rule == Redaction.cardRule, redaction.count > 1) {
            case (true, false): "card number masked"
            case (true, true): "\(redaction.count) card numbers masked"
            case (false, false): "\(redaction.rule) masked"
            case (false, true): "\(redaction.rule) masked \(redaction.count)×"
            }
        }.joined(separator: ", ")
    }
}

public struct Ticket: Codable, Equatable, Sendable {
    public var id: Int
    public var subject: String
    public var description: String
    public var status: TicketStatus
    public var priority: Priority
    public var category: Category
    public var customer: UserRef
    @Nullable public var assignedAgent: UserRef?
    /// Messages the caller can see.
    public var messageCount: Int
    /// Messages the caller can see, did not send, and has not marked read.
    public var unreadCount: Int
    @Nullable public var lastMessage: Message?
    public var createdAt: Date
    public var updatedAt: Date
    @Nullable public var resolvedAt: Date?
    /// The ticket's service-level clocks (staff only; null for customers and when no policy applies).
    @Nullable public var sla: TicketSLA?
    /// Since when a customer has waited for a public reply (staff only; null when nobody waits).
    @Nullable public var waitingSince: Date?
    /// Out of the active queue until then (and off the agent's capacity); null when awake.
    @Nullable public var snoozedUntil: Date?
    /// The snooze holds when the customer writes.
    @FalseIfMissing public var snoozeThroughReplies: Bool = false
    /// The ticket this one was merged into (it is closed then); null while it stands alone.
    @Nullable public var mergedIntoId: Int?
    /// The customer's rating of this resolution; null while the ticket is active or unrated.
    @Nullable public var rating: TicketRating?
    /// How often the customer's clients asked for this resolution's rating (the ticket's customer
    /// only; an addition): a client asks when it sees the resolution and once more on the next
    /// visit, not after that.
    public var ratingAsks: Int?

    public init(
        id: Int, subject: String, description: String, status: TicketStatus, priority: Priority,
        category: Category, customer: UserRef, assignedAgent: UserRef?, messageCount: Int,
        unreadCount: Int, lastMessage: Message?, createdAt: Date, updatedAt: Date, resolvedAt: Date?,
        sla: TicketSLA? = nil, waitingSince: Date? = nil, snoozedUntil: Date? = nil, snoozeThroughReplies: Bool = false,
        mergedIntoId: Int? = nil, rating: TicketRating? = nil, ratingAsks: Int? = nil
    ) {
        self.id = id
        self.subject = subject
        self.description = description
        self.status = status
        self.priority = priority
        self.category = category
        self.customer = customer
        self.assignedAgent = assignedAgent
        self.messageCount = messageCount
        self.unreadCount = unreadCount
        self.lastMessage = lastMessage
        self.createdAt = createdAt
        self.updatedAt = updatedAt
        self.resolvedAt = resolvedAt
        self.sla = sla
        self.waitingSince = waitingSince
        self.snoozedUntil = snoozedUntil
        self.snoozeThroughReplies = snoozeThroughReplies
        self.mergedIntoId = mergedIntoId
        self.rating = rating
        self.ratingAsks = ratingAsks
    }

    /// Clients ask for a rating this many times per resolution (when it is seen, and on the next visit).
    public static let ratingAsksAtMost = 2

    /// The customer's client should ask for a rating now: resolved or closed (not by a merge),
    /// unrated, and asked fewer than `ratingAsksAtMost` times.
    public var wantsRating: Bool {
        !status.isActive && mergedIntoId == nil && rating == nil && (ratingAsks ?? 0) < Self.ratingAsksAtMost
    }
}

/// A customer's rating of a resolution: 1 (poor) to 5 (great), with an optional comment.
public struct TicketRating: Codable, Equatable, Sendable {
    public var score: Int
    @Nullable public var comment: String?
    public var at: Date

    public init(score: Int, comment: String?, at: Date) {
        self.score = score
        self.comment = comment
        self.at = at
    }

    public static let scores = 1...5

    /// "★★★★☆ 4/5".
    public var stars: String { Self.stars(score) }

    public static func stars(_ score: Int) -> String {
        let score = min(max(score, 0), 5)
        return String(repeating: "★", count: score) + String(repeating: "☆", count: 5 - score) + " \(score)/5"
    }
}

public struct ChatSession: Codable, Equatable, Sendable {
    public var id: Int
    public var ticketId: Int
    public var customer: UserRef
    @Nullable public var agent: UserRef?
    public var status: SessionStatus
    public var startedAt: Date
    @Nullable public var endedAt: Date?
    public var lastActivityAt: Date
    public var messageCount: Int

    public init(
        id: Int, ticketId: Int, customer: UserRef, agent: UserRef?, status: SessionStatus,
        startedAt: Date, endedAt: Date?, lastActivityAt: Date, messageCount: Int
    ) {
        self.id = id
        self.ticketId = ticketId
        self.customer = customer
        self.agent = agent
        self.status = status
        self.startedAt = startedAt
        self.endedAt = endedAt
        self.lastActivityAt = lastActivityAt
        self.messageCount = messageCount
    }
}

public struct CannedResponse: Codable, Equatable, Sendable {
    public var id: Int
    public var shortcut: String
    public var title: String
    public var body: String
    public var shared: Bool
    public var ownerId: Int

    public init(id: Int, shortcut: String, title: String, body: String, shared: Bool, ownerId: Int) {
        self.id = id
        self.shortcut = shortcut
        self.title = title
        self.body = body
        self.shared = shared
        self.ownerId = ownerId
    }
}

/// One page of a list: `{items, page, size, total}`.
public struct Page<Item: Codable & Sendable & Equatable>: Codable, Equatable, Sendable {
    public var items: [Item]
    public var page: Int
    public var size: Int
    public var total: Int

    public init(items: [Item], page: Int, size: Int, total: Int) {
        self.items = items
        self.page = page
        self.size = size
        self.total = total
    }
}

/// A slice of a ticket's timeline, ascending by `seq`.
public struct MessagePage: Codable, Equatable, Sendable {
    public var items: [Message]
    /// More messages lie beyond this slice in the direction it was read (older, or with `afterSeq`, newer).
    public var hasMore: Bool

    public init(items: [Message], hasMore: Bool) {
        self.items = items
        self.hasMore = hasMore
    }
}

/// What register, login and refresh answer.
public struct AuthResponse: Codable, Equatable, Sendable {
    public var user: User
    public var accessToken: String
    public var refreshToken: String
    /// Seconds until `accessToken` expires.
    public var expiresIn: Int

    public init(user: User, accessToken: String, refreshToken: String, expiresIn: Int) {
        self.user = user
        self.accessToken = accessToken
        self.refreshToken = refreshToken
        self.expiresIn = expiresIn
    }
}

/// One entry of `GET /api/chat/history/{userId}`.
public struct ChatHistoryEntry: Codable, Equatable, Sendable {
    public var ticket: Ticket
    public var session: ChatSession

    public init(ticket: Ticket, session: ChatSession) {
        self.ticket = ticket
        self.session = session
    }
}

/// One hit of `GET /api/search`: a message (or, with `messageId` null and `seq` 0, the ticket's
/// subject and description), with its words found marked `«…»` in `snippet`.
public struct SearchHit: Codable, Equatable, Sendable {
    public var ticketId: Int
    public var seq: Int
    @Nullable public var messageId: Int?
    public var snippet: String
    public var sender: UserRef
    public var timestamp: Date
    public var `internal`: Bool
    /// The ticket's subject (an addition: enough to label the hit without another request).
    public var subject: String

    public init(
        ticketId: Int, seq: Int, messageId: Int?, snippet: String, sender: UserRef, timestamp: Date, internal: Bool,
        subject: String
    ) {
        self.ticketId = ticketId
        self.seq = seq
        self.messageId = messageId
        self.snippet = snippet
        self.sender = sender
        self.timestamp = timestamp
        self.internal = `internal`
        self.subject = subject
    }
}

/// A page of search hits, best first; `nextCursor` asks for the next page (null: there is none).
public struct SearchPage: Codable, Equatable, Sendable {
    public var items: [SearchHit]
    @Nullable public var nextCursor: String?

    public init(items: [SearchHit], nextCursor: String?) {
        self.items = items
        self.nextCursor = nextCursor
    }
}

/// A note that named a colleague with `@name` (`GET /api/mentions`, frame `MENTIONED`): where, by
/// whom, when. Kept until the colleague has the ticket on screen.
public struct Mention: Codable, Equatable, Sendable {
    public var ticketId: Int
    public var seq: Int
    public var by: UserRef
    public var at: Date
    /// The ticket's subject (an addition, to label it without another request).
    public var subject: String

    public init(ticketId: Int, seq: Int, by: UserRef, at: Date, subject: String) {
        self.ticketId = ticketId
        self.seq = seq
        self.by = by
        self.at = at
        self.subject = subject
    }
}

/// `POST /api/mentions/seen`: the caller has seen the ticket's mentions of them.
public struct MentionsSeenRequest: Codable, Equatable, Sendable {
    public var ticketId: Int

    public init(ticketId: Int) { self.ticketId = ticketId }
}
