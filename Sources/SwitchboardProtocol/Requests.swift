import Foundation

// Request bodies of the contract's REST routes.

public struct RegisterRequest: Codable, Equatable, Sendable {
    public var username: String
    public var password: String
    public var displayName: String
    public var email: String?

    public init(username: String, password: String, displayName: String, email: String? = nil) {
        self.username = username
        self.password = password
        self.displayName = displayName
        self.email = email
    }
}

public struct LoginRequest: Codable, Equatable, Sendable {
    public var username: String
    public var password: String

    public init(username: String, password: String) {
        self.username = username
        self.password = password
    }
}

public struct RefreshRequest: Codable, Equatable, Sendable {
    public var refreshToken: String

    public init(refreshToken: String) { self.refreshToken = refreshToken }
}

/// `POST /api/admin/users`: an admin creates an account of any role.
public struct CreateUserRequest: Codable, Equatable, Sendable {
    public var username: String
    public var password: String
    public var displayName: String
    public var role: Role
    public var email: String?

    public init(username: String, password: String, displayName: String, role: Role, email: String? = nil) {
        self.username = username
        self.password = password
        self.displayName = displayName
        self.role = role
        self.email = email
    }
}

public struct CreateTicketRequest: Codable, Equatable, Sendable {
    public var subject: String
    public var description: String
    public var category: Category
    public var priority: Priority?

    public init(subject: String, description: String, category: Category, priority: Priority? = nil) {
        self.subject = subject
        self.description = description
        self.category = category
        self.priority = priority
    }
}

/// `PUT /api/tickets/{id}`: every field optional; `assignedAgentId: null` unassigns.
public struct UpdateTicketRequest: Codable, Equatable, Sendable {
    public var status: TicketStatus?
    public var priority: Priority?
    public var category: Category?
    public var subject: String?
    public var assignedAgentId: Patch<Int>
    /// Snoozed until then (staff; `null` wakes it now).
    public var snoozedUntil: Patch<Date>
    /// The snooze holds when the customer writes (else their message wakes the ticket).
    public var snoozeThroughReplies: Bool?

    public init(
        status: TicketStatus? = nil, priority: Priority? = nil, category: Category? = nil,
        subject: String? = nil, assignedAgentId: Patch<Int> = .unchanged, snoozedUntil: Patch<Date> = .unchanged,
        snoozeThroughReplies: Bool? = nil
    ) {
        self.status = status
        self.priority = priority
        self.category = category
        self.subject = subject
        self.assignedAgentId = assignedAgentId
        self.snoozedUntil = snoozedUntil
        self.snoozeThroughReplies = snoozeThroughReplies
    }

    enum CodingKeys: String, CodingKey {
        case status, priority, category, subject, assignedAgentId, snoozedUntil, snoozeThroughReplies
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        status = try c.decodeIfPresent(TicketStatus.self, forKey: .status)
        priority = try c.decodeIfPresent(Priority.self, forKey: .priority)
        category = try c.decodeIfPresent(Category.self, forKey: .category)
        subject = try c.decodeIfPresent(String.self, forKey: .subject)
        assignedAgentId = try c.decodePatch(Int.self, forKey: .assignedAgentId)
        snoozedUntil = try c.decodePatch(Date.self, forKey: .snoozedUntil)
        snoozeThroughReplies = try c.decodeIfPresent(Bool.self, forKey: .snoozeThroughReplies)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encodeIfPresent(status, forKey: .status)
        try c.encodeIfPresent(priority, forKey: .priority)
        try c.encodeIfPresent(category, forKey: .category)
        try c.encodeIfPresent(subject, forKey: .subject)
        try c.encodePatch(assignedAgentId, forKey: .assignedAgentId)
        try c.encodePatch(snoozedUntil, forKey: .snoozedUntil)
        try c.encodeIfPresent(snoozeThroughReplies, forKey: .snoozeThroughReplies)
    }
}

public struct PostMessageRequest: Codable, Equatable, Sendable {
    public var message: String
    public var messageType: MessageType?
    public var clientMessageId: String?
    public var `internal`: Bool?
    /// For IMAGE and FILE messages: an attachment uploaded to the same ticket.
    public var attachmentId: Int?

    public init(
        message: String, messageType: MessageType? = nil, clientMessageId: String? = nil,
        internal: Bool? = nil, attachmentId: Int? = nil
    ) {
        self.message = message
        self.messageType = messageType
        self.clientMessageId = clientMessageId
        self.internal = `internal`
        self.attachmentId = attachmentId
    }
}

/// `POST /api/tickets/{id}/read` (an addition to the contract): the REST twin of `MARK_READ`.
public struct MarkReadRequest: Codable, Equatable, Sendable {
    public var upToSeq: Int

    public init(upToSeq: Int) { self.upToSeq = upToSeq }
}

public struct SessionStatusRequest: Codable, Equatable, Sendable {
    public var status: SessionStatus

    public init(status: SessionStatus) { self.status = status }
}

public struct CannedResponseRequest: Codable, Equatable, Sendable {
    public var shortcut: String
    public var title: String
    public var body: String
    public var shared: Bool?

    public init(shortcut: String, title: String, body: String, shared: Bool? = nil) {
        self.shortcut = shortcut
        self.title = title
        self.body = body
        self.shared = shared
    }
}

/// `PUT /api/admin/support/agents/{id}/status`: `capacity` is an addition to the contract.
public struct AgentStatusRequest: Codable, Equatable, Sendable {
    public var status: AgentStatus?
    public var capacity: Int?

    public init(status: AgentStatus? = nil, capacity: Int? = nil) {
        self.status = status
        self.capacity = capacity
    }
}

/// `PUT /api/canned-responses/{id}`: what is left out stays as it is.
public struct CannedResponseUpdate: Codable, Equatable, Sendable {
    public var shortcut: String?
    public var title: String?
    public var body: String?
    public var shared: Bool?

    public init(shortcut: String? = nil, title: String? = nil, body: String? = nil, shared: Bool? = nil) {
        self.shortcut = shortcut
        self.title = title
        self.body = body
        self.shared = shared
    }
}

/// `POST /api/tickets/{id}/transfer` (an addition): hand the ticket to another agent.
public struct TransferRequest: Codable, Equatable, Sendable {
    public var agentId: Int

    public init(agentId: Int) { self.agentId = agentId }
}

/// `POST /api/tickets/{id}/escalate` (an addition): raise the priority (by default one step) and
/// hand the ticket to the chosen agent, or else to the least busy admin.
public struct EscalateRequest: Codable, Equatable, Sendable {
    public var priority: Priority?
    public var agentId: Int?

    public init(priority: Priority? = nil, agentId: Int? = nil) {
        self.priority = priority
        self.agentId = agentId
    }
}

/// `POST /api/tickets/{id}/rating`: the customer rates the ticket's resolution, once.
public struct RateTicketRequest: Codable, Equatable, Sendable {
    public var score: Int
    public var comment: String?

    public init(score: Int, comment: String? = nil) {
        self.score = score
        self.comment = comment
    }
}

/// `POST /api/tickets/{id}/merge`: the ticket `{id}` is joined into `intoTicketId`.
public struct MergeTicketRequest: Codable, Equatable, Sendable {
    public var intoTicketId: Int

    public init(intoTicketId: Int) { self.intoTicketId = intoTicketId }
}
