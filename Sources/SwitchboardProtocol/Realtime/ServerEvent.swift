import Foundation

/// A frame the server sends on `/ws` (protocol.md, "Server → client").
public enum ServerEvent: Sendable, Equatable {
    case roomJoined(ticketId: Int, lastSeq: Int, participants: [UserRef])
    /// `redactions` and `storedText` are additions: what the content filters masked, and then the
    /// text as stored (nil when it is exactly what was sent), so the sender shows what others see.
    case ack(
        clientMessageId: String, messageId: Int, ticketId: Int, seq: Int, timestamp: Date,
        redactions: [Redaction] = [], storedText: String? = nil)
    case receiveMessage(ticketId: Int, message: Message)
    case typingStart(ticketId: Int, user: UserRef, internal: Bool)
    case typingStop(ticketId: Int, user: UserRef, internal: Bool)
    case roomMembers(ticketId: Int, members: [UserRef])
    case messagesDelivered(ticketId: Int, userId: Int, upToSeq: Int)
    case messagesRead(ticketId: Int, userId: Int, upToSeq: Int)
    case userOnline(UserRef)
    case userOffline(UserRef)
    /// Several users' presence at once, each with `isOnline` (an addition to the contract, for
    /// connections opened with `presence=batched`).
    case presence(users: [UserRef])
    case agentAssigned(ticketId: Int, agent: UserRef, previousAgent: UserRef?)
    case ticketStatusChanged(ticketId: Int, status: TicketStatus, previousStatus: TicketStatus, changedBy: UserRef)
    case ticketCreated(Ticket)
    case ticketUpdated(Ticket)
    case agentStatusChanged(agent: UserRef, status: AgentStatus)
    /// The answer to `LEAVE_ROOM` (an addition to the contract).
    case roomLeft(ticketId: Int)
    /// An admin deleted the ticket: to the agents and its customer; its room is closed (an addition).
    case ticketDeleted(ticketId: Int)
    /// A target's warning share is reached (to the assignee).
    case slaWarning(ticketId: Int, target: SLATarget, dueAt: Date)
    /// A target was missed (to the assignee and the admins).
    case slaBreached(ticketId: Int, target: SLATarget, at: Date)
    /// The ticket moved on because its agent did not reply in time (`reason` is `NO_REPLY`).
    case ticketReassigned(ticketId: Int, from: UserRef?, to: UserRef?, reason: String)
    /// The customer rated the ticket's resolution (to staff).
    case ticketRated(ticketId: Int, rating: TicketRating)
    /// The ticket was merged into `intoTicketId` (to everyone in either room): move there.
    case ticketMerged(ticketId: Int, intoTicketId: Int)
    /// A note named this user with `@name` (to that user only).
    case mentioned(ticketId: Int, seq: Int, by: UserRef)
    /// To admins (an addition): a webhook failed for a day and the server switched it off.
    case webhookDisabled(webhookId: Int, url: String, reason: String)
    case error(code: ErrorCode, message: String, ref: String?)

    public var type: String {
        switch self {
        case .roomJoined: "ROOM_JOINED"
        case .ack: "ACK"
        case .receiveMessage: "RECEIVE_MESSAGE"
        case .typingStart: "TYPING_START"
        case .typingStop: "TYPING_STOP"
        case .roomMembers: "ROOM_MEMBERS"
        case .messagesDelivered: "MESSAGES_DELIVERED"
        case .messagesRead: "MESSAGES_READ"
        case .userOnline: "USER_ONLINE"
        case .userOffline: "USER_OFFLINE"
        case .presence: "PRESENCE"
        case .agentAssigned: "AGENT_ASSIGNED"
        case .ticketStatusChanged: "TICKET_STATUS_CHANGED"
        case .ticketCreated: "TICKET_CREATED"
        case .ticketUpdated: "TICKET_UPDATED"
        case .agentStatusChanged: "AGENT_STATUS_CHANGED"
        case .roomLeft: "ROOM_LEFT"
        case .ticketDeleted: "TICKET_DELETED"
        case .slaWarning: "SLA_WARNING"
        case .slaBreached: "SLA_BREACHED"
        case .ticketReassigned: "TICKET_REASSIGNED"
        case .ticketRated: "TICKET_RATED"
        case .ticketMerged: "TICKET_MERGED"
        case .mentioned: "MENTIONED"
        case .webhookDisabled: "WEBHOOK_DISABLED"
        case .error: "ERROR"
        }
    }

    /// Frames that describe passing state a client can read again (presence, typing, who is in a
    /// room, agent status): a server may leave them out for a connection that has fallen behind,
    /// never messages, acknowledgements, receipts, errors or ticket changes.
    public var isPassingState: Bool {
        switch self {
        case .typingStart, .typingStop, .roomMembers, .userOnline, .userOffline, .presence, .agentStatusChanged: true
        default: false
        }
    }

    /// The ticket a frame is about, if any.
    public var ticketId: Int? {
        switch self {
        case .roomJoined(let id, _, _), .ack(_, _, let id, _, _, _, _), .receiveMessage(let id, _), .typingStart(let id, _, _),
            .typingStop(let id, _, _), .roomMembers(let id, _), .messagesDelivered(let id, _, _),
            .messagesRead(let id, _, _), .agentAssigned(let id, _, _), .ticketStatusChanged(let id, _, _, _),
            .roomLeft(let id), .ticketDeleted(let id), .slaWarning(let id, _, _), .slaBreached(let id, _, _),
            .ticketReassigned(let id, _, _, _), .ticketRated(let id, _), .ticketMerged(let id, _),
            .mentioned(let id, _, _):
            id
        case .ticketCreated(let ticket), .ticketUpdated(let ticket):
            ticket.id
        case .userOnline, .userOffline, .presence, .agentStatusChanged, .webhookDisabled, .error:
            nil
        }
    }
}

extension ServerEvent: Codable {
    enum Key: String, CodingKey {
        case type, ticketId, lastSeq, participants, clientMessageId, messageId, seq, timestamp, message, user, `internal`,
            members, users, userId, upToSeq, agent, previousAgent, status, previousStatus, changedBy, ticket, code, ref, redactions,
            target, dueAt, at, from, to, reason, rating, intoTicketId, by, webhookId, url
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: Key.self)
        try c.encode(type, forKey: .type)
        switch self {
        case .roomJoined(let ticketId, let lastSeq, let participants):
            try c.encode(ticketId, forKey: .ticketId)
            try c.encode(lastSeq, forKey: .lastSeq)
            try c.encode(participants, forKey: .participants)
        case .ack(let clientMessageId, let messageId, let ticketId, let seq, let timestamp, let redactions, let storedText):
            try c.encode(clientMessageId, forKey: .clientMessageId)
            try c.encode(messageId, forKey: .messageId)
            try c.encode(ticketId, forKey: .ticketId)
            try c.encode(seq, forKey: .seq)
            try c.encode(timestamp, forKey: .timestamp)
            try c.encode(redactions, forKey: .redactions)
            try c.encodeIfPresent(storedText, forKey: .message)
        case .receiveMessage(let ticketId, let message):
            try c.encode(ticketId, forKey: .ticketId)
            try c.encode(message, forKey: .message)
        case .typingStart(let ticketId, let user, let note), .typingStop(let ticketId, let user, let note):
            try c.encode(ticketId, forKey: .ticketId)
            try c.encode(user, forKey: .user)
            try c.encode(note, forKey: .internal)
        case .roomMembers(let ticketId, let members):
            try c.encode(ticketId, forKey: .ticketId)
            try c.encode(members, forKey: .members)
        case .messagesDelivered(let ticketId, let userId, let upToSeq), .messagesRead(let ticketId, let userId, let upToSeq):
            try c.encode(ticketId, forKey: .ticketId)
            try c.encode(userId, forKey: .userId)
            try c.encode(upToSeq, forKey: .upToSeq)
        case .userOnline(let user), .userOffline(let user):
            try c.encode(user, forKey: .user)
        case .presence(let users):
            try c.encode(users, forKey: .users)
        case .agentAssigned(let ticketId, let agent, let previousAgent):
            try c.encode(ticketId, forKey: .ticketId)
            try c.encode(agent, forKey: .agent)
            if let previousAgent { try c.encode(previousAgent, forKey: .previousAgent) } else { try c.encodeNil(forKey: .previousAgent) }
        case .ticketStatusChanged(let ticketId, let status, let previousStatus, let changedBy):
            try c.encode(ticketId, forKey: .ticketId)
            try c.encode(status, forKey: .status)
            try c.encode(previousStatus, forKey: .previousStatus)
            try c.encode(changedBy, forKey: .changedBy)
        case .ticketCreated(let ticket), .ticketUpdated(let ticket):
            try c.encode(ticket, forKey: .ticket)
        case .agentStatusChanged(let agent, let status):
            try c.encode(agent, forKey: .agent)
            try c.encode(status, forKey: .status)
        case .roomLeft(let ticketId), .ticketDeleted(let ticketId):
            try c.encode(ticketId, forKey: .ticketId)
        case .slaWarning(let ticketId, let target, let dueAt):
            try c.encode(ticketId, forKey: .ticketId)
            try c.encode(target, forKey: .target)
            try c.encode(dueAt, forKey: .dueAt)
        case .slaBreached(let ticketId, let target, let at):
            try c.encode(ticketId, forKey: .ticketId)
            try c.encode(target, forKey: .target)
            try c.encode(at, forKey: .at)
        case .ticketReassigned(let ticketId, let from, let to, let reason):
            try c.encode(ticketId, forKey: .ticketId)
            try c.encode(Nullable(wrappedValue: from), forKey: .from)
            try c.encode(Nullable(wrappedValue: to), forKey: .to)
            try c.encode(reason, forKey: .reason)
        case .ticketRated(let ticketId, let rating):
            try c.encode(ticketId, forKey: .ticketId)
            try c.encode(rating, forKey: .rating)
        case .ticketMerged(let ticketId, let intoTicketId):
            try c.encode(ticketId, forKey: .ticketId)
            try c.encode(intoTicketId, forKey: .intoTicketId)
        case .mentioned(let ticketId, let seq, let by):
            try c.encode(ticketId, forKey: .ticketId)
            try c.encode(seq, forKey: .seq)
            try c.encode(by, forKey: .by)
        case .webhookDisabled(let webhookId, let url, let reason):
            try c.encode(webhookId, forKey: .webhookId)
            try c.encode(url, forKey: .url)
            try c.encode(reason, forKey: .reason)
        case .error(let code, let message, let ref):
            try c.encode(code, forKey: .code)
            try c.encode(message, forKey: .message)
            try c.encodeIfPresent(ref, forKey: .ref)
        }
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: Key.self)
        let type = try c.decode(String.self, forKey: .type)
        func int(_ key: Key) throws -> Int { try c.decode(Int.self, forKey: key) }
        switch type {
        case "ROOM_JOINED":
            self = .roomJoined(
                ticketId: try int(.ticketId), lastSeq: try int(.lastSeq),
                participants: try c.decode([UserRef].self, forKey: .participants))
        case "ACK":
            self = .ack(
                clientMessageId: try c.decode(String.self, forKey: .clientMessageId), messageId: try int(.messageId),
                ticketId: try int(.ticketId), seq: try int(.seq), timestamp: try c.decode(Date.self, forKey: .timestamp),
                redactions: try c.decodeIfPresent([Redaction].self, forKey: .redactions) ?? [],
                storedText: try c.decodeIfPresent(String.self, forKey: .message))
        case "RECEIVE_MESSAGE":
            self = .receiveMessage(ticketId: try int(.ticketId), message: try c.decode(Message.self, forKey: .message))
        case "TYPING_START", "TYPING_STOP":
            let ticketId = try int(.ticketId), user = try c.decode(UserRef.self, forKey: .user)
            let note = try c.decodeIfPresent(Bool.self, forKey: .internal) ?? false
            self =
                type == "TYPING_START"
                ? .typingStart(ticketId: ticketId, user: user, internal: note)
                : .typingStop(ticketId: ticketId, user: user, internal: note)
        case "ROOM_MEMBERS":
            self = .roomMembers(ticketId: try int(.ticketId), members: try c.decode([UserRef].self, forKey: .members))
        case "MESSAGES_DELIVERED":
            self = .messagesDelivered(ticketId: try int(.ticketId), userId: try int(.userId), upToSeq: try int(.upToSeq))
        case "MESSAGES_READ":
            self = .messagesRead(ticketId: try int(.ticketId), userId: try int(.userId), upToSeq: try int(.upToSeq))
        case "USER_ONLINE":
            self = .userOnline(try c.decode(UserRef.self, forKey: .user))
        case "USER_OFFLINE":
            self = .userOffline(try c.decode(UserRef.self, forKey: .user))
        case "PRESENCE":
            self = .presence(users: try c.decode([UserRef].self, forKey: .users))
        case "AGENT_ASSIGNED":
            self = .agentAssigned(
                ticketId: try int(.ticketId), agent: try c.decode(UserRef.self, forKey: .agent),
                previousAgent: try c.decodeIfPresent(UserRef.self, forKey: .previousAgent))
        case "TICKET_STATUS_CHANGED":
            self = .ticketStatusChanged(
                ticketId: try int(.ticketId), status: try c.decode(TicketStatus.self, forKey: .status),
                previousStatus: try c.decode(TicketStatus.self, forKey: .previousStatus),
                changedBy: try c.decode(UserRef.self, forKey: .changedBy))
        case "TICKET_CREATED":
            self = .ticketCreated(try c.decode(Ticket.self, forKey: .ticket))
        case "TICKET_UPDATED":
            self = .ticketUpdated(try c.decode(Ticket.self, forKey: .ticket))
        case "AGENT_STATUS_CHANGED":
            self = .agentStatusChanged(
                agent: try c.decode(UserRef.self, forKey: .agent),
                status: try c.decode(AgentStatus.self, forKey: .status))
        case "ROOM_LEFT":
            self = .roomLeft(ticketId: try int(.ticketId))
        case "TICKET_DELETED":
            self = .ticketDeleted(ticketId: try int(.ticketId))
        case "SLA_WARNING":
            self = .slaWarning(
                ticketId: try int(.ticketId), target: try c.decode(SLATarget.self, forKey: .target),
                dueAt: try c.decode(Date.self, forKey: .dueAt))
        case "SLA_BREACHED":
            self = .slaBreached(
                ticketId: try int(.ticketId), target: try c.decode(SLATarget.self, forKey: .target),
                at: try c.decode(Date.self, forKey: .at))
        case "TICKET_REASSIGNED":
            self = .ticketReassigned(
                ticketId: try int(.ticketId), from: try c.decodeIfPresent(UserRef.self, forKey: .from),
                to: try c.decodeIfPresent(UserRef.self, forKey: .to), reason: try c.decode(String.self, forKey: .reason))
        case "TICKET_RATED":
            self = .ticketRated(ticketId: try int(.ticketId), rating: try c.decode(TicketRating.self, forKey: .rating))
        case "TICKET_MERGED":
            self = .ticketMerged(ticketId: try int(.ticketId), intoTicketId: try int(.intoTicketId))
        case "MENTIONED":
            self = .mentioned(ticketId: try int(.ticketId), seq: try int(.seq), by: try c.decode(UserRef.self, forKey: .by))
        case "WEBHOOK_DISABLED":
            self = .webhookDisabled(
                webhookId: try int(.webhookId), url: try c.decode(String.self, forKey: .url),
                reason: try c.decode(String.self, forKey: .reason))
        case "ERROR":
            self = .error(
                code: try c.decode(ErrorCode.self, forKey: .code), message: try c.decode(String.self, forKey: .message),
                ref: try c.decodeIfPresent(String.self, forKey: .ref))
        default:
            throw DecodingError.dataCorruptedError(forKey: .type, in: c, debugDescription: "unknown event type '\(type)'")
        }
    }
}

/// WebSocket close codes the server uses beyond the standard ones (1008 policy, 1009 too large).
public enum CloseCode {
    /// The access token expired: reconnect with a refreshed one.
    public static let tokenExpired: UInt16 = 4001
    /// The login was logged out: log in again.
    public static let loggedOut: UInt16 = 4002
    /// Frames kept coming past the rate limit.
    public static let rateLimited: UInt16 = 4029
    /// The server is shutting down: reconnect after a short wait.
    public static let goingAway: UInt16 = 1001
    /// The connection fell too far behind (its socket took nothing while frames kept coming):
    /// reconnect and resume with `sinceSeq`.
    public static let fellBehind: UInt16 = 1008
}
