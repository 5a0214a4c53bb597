import Foundation
import SwitchboardProtocol

/// Who is asking: what a read may show depends on it (internal notes, unread counts).
public struct Viewer: Sendable, Equatable {
    public var userId: Int
    public var role: Role

    public init(userId: Int, role: Role) {
        self.userId = userId
        self.role = role
    }

    /// Staff see internal notes.
    public var seesNotes: Bool { role.isStaff }

    /// Everything, notes included, as an admin sees it — for what the server itself reads (a
    /// rating heard from another node, a webhook's body); unread counts are no one's.
    public static let everything = Viewer(userId: 0, role: .admin)
}

/// A user as stored, with what only the server may see.
public struct UserRecord: Sendable, Equatable {
    public var user: User
    public var passwordHash: String

    public var id: Int { user.id }
    public var role: Role { user.role }
}

public struct NewUser: Sendable {
    public var username: String
    public var displayName: String
    public var email: String?
    public var role: Role
    public var passwordHash: String
}

/// The facts about a ticket that rules are decided on, read inside the transaction that changes it.
public struct TicketRow: Sendable, Equatable {
    public var id: Int
    public var customerId: Int
    public var assignedAgentId: Int?
    public var status: TicketStatus
    public var priority: Priority
    public var category: Category
    public var subject: String
    public var lastSeq: Int
    public var firstResponseAt: Date?
    /// A customer waits for a public reply since then; nil when nobody does.
    public var waitingSince: Date? = nil
    /// Out of the active queue until then.
    public var snoozedUntil: Date? = nil
    public var snoozeThroughReplies = false
    /// The ticket it was merged into; nil while it stands alone.
    public var mergedIntoId: Int? = nil
    /// How many times it went from active to resolved or closed (a rating is of one of these).
    public var resolution = 0

    /// Who has this ticket in view, as presence and ticket frames scope it.
    public var presenceTicket: PresenceTicket {
        PresenceTicket(ticketId: id, agentId: assignedAgentId, active: status.isActive)
    }
}

public struct NewTicket: Sendable {
    public var subject: String
    public var description: String
    public var category: Category
    public var priority: Priority
    public var customerId: Int
}

/// A validated change to a ticket; nil fields stay as they are.
public struct TicketChange: Sendable, Equatable {
    public var status: TicketStatus?
    public var priority: Priority?
    public var category: Category?
    public var subject: String?
    /// `.some(nil)` unassigns.
    public var assignedAgentId: Int??
    /// `.some(nil)` wakes the ticket.
    public var snoozedUntil: Date?? = nil
    public var snoozeThroughReplies: Bool? = nil

    public init(
        status: TicketStatus? = nil, priority: Priority? = nil, category: Category? = nil,
        subject: String? = nil, assignedAgentId: Int?? = nil
    ) {
        self.status = status
        self.priority = priority
        self.category = category
        self.subject = subject
        self.assignedAgentId = assignedAgentId
    }

    public var isEmpty: Bool { self == TicketChange() }
}

/// How auto-assignment picks among available agents.
public enum AssignmentPolicy: String, Sendable, CaseIterable, Codable {
    /// The agent who was given a ticket least recently.
    case roundRobin = "round-robin"
    /// The agent with the fewest active chats (then the least recently given one).
    case leastLoaded = "least-loaded"
}

public enum TicketSort: String, Sendable, CaseIterable {
    case createdAt, createdAtDesc = "-createdAt", priority, priorityDesc = "-priority", updatedAt, updatedAtDesc = "-updatedAt"
}

public struct TicketQuery: Sendable, Equatable {
    public enum Assignee: Sendable, Equatable { case any, none, agent(Int) }

    public var statuses: [TicketStatus] = []
    public var priorities: [Priority] = []
    public var categories: [Category] = []
    public var assignee: Assignee = .any
    public var customerId: Int?
    public var text: String?
    public var page = 0
    public var size = 20
    public var sort: TicketSort = .createdAtDesc

    public init() {}

    /// Rows to skip. Past what a 64-bit offset can say the page is simply empty, never a trap.
    public var offset: Int {
        let (offset, overflow) = page.multipliedReportingOverflow(by: size)
        return overflow ? Int.max : offset
    }
}

public struct NewMessage: Sendable {
    public var ticketId: Int
    /// Who sends it, as the message will show them.
    public var sender: UserRef
    public var senderId: Int { sender.id }
    public var senderType: SenderType
    public var body: String
    public var messageType: MessageType
    public var `internal`: Bool
    public var clientMessageId: String?
    /// An IMAGE or FILE message's attachment, checked by the service (same ticket, same uploader).
    public var attachment: Attachment? = nil
    /// What the content filters masked in `body`.
    public var redactions: [Redaction] = []
}

/// A file as it is stored: its facts, who uploaded it, its bytes.
public struct NewAttachment: Sendable {
    public var ticketId: Int
    public var uploaderId: Int
    public var fileName: String
    public var contentType: String
    public var bytes: Data
    public var sha256: String
}

/// An attachment's facts and who uploaded it (the rules need both).
public struct AttachmentRecord: Sendable, Equatable {
    public var attachment: Attachment
    public var uploaderId: Int
}

/// What storing a message did: stored it, or found the one already stored under its `clientMessageId`.
public struct AppendResult: Sendable, Equatable {
    public var message: Message
    public var duplicate: Bool
    /// The ticket as it stood after the append (a customer reply may have reopened it).
    public var ticket: TicketRow
    public var previousStatus: TicketStatus
    /// The message made a customer start waiting (nobody waited before it).
    public var startedWait: Bool = false
    /// The ticket was snoozed until then before the message (nil: it was awake).
    public var snoozedBefore: Date? = nil

    /// The customer's message woke a snoozed ticket.
    public var wokeSnooze: Bool { snoozedBefore != nil && ticket.snoozedUntil == nil }
}

public struct MessageWindow: Sendable, Equatable {
    public var afterSeq: Int?
    public var beforeSeq: Int?
    public var limit: Int
}

/// The outcome of presenting a refresh token.
public enum RefreshOutcome: Sendable, Equatable {
    case rotated(userId: Int, loginId: String)
    /// A token that was already exchanged: the login is revoked, as it may have been stolen.
    case reused(loginId: String)
    case expired
    case unknown
}

public struct CannedDraft: Sendable {
    public var shortcut: String
    public var title: String
    public var body: String
    public var shared: Bool
}

/// Everything the services need from a database. One implementation serves SQLite and PostgreSQL
/// (`SQLStore` over a `SQLDriver`); the services know nothing of either.
///
/// Methods taking a `rule` run it inside the write transaction on the row as it stands, so two
/// concurrent changes can never both pass a check that only one of them should.
public protocol Store: IntegrationStore {
    // MARK: Users and logins
    func createUser(_ user: NewUser, now: Date) async throws -> User
    func user(id: Int) async throws -> UserRecord?
    func user(username: String) async throws -> UserRecord?
    func createLogin(userId: Int, loginId: String, refreshTokenHash: String, expiresAt: Date, now: Date) async throws
    func rotateRefreshToken(hash: String, newHash: String, newExpiresAt: Date, now: Date) async throws -> RefreshOutcome
    func revokeLogin(_ loginId: String, now: Date) async throws
    /// The user behind a live login; nil when the login was revoked or never existed.
    func activeLoginUser(loginId: String) async throws -> UserRecord?
    /// Of these logins, those revoked or gone (with their account): their sockets should close.
    func endedLogins(among loginIds: [String]) async throws -> [String]
    /// Every account, by id (`switchboard users list`).
    func users() async throws -> [User]
    /// A new password hash; every login of the user ends with it (they sign in again). False when
    /// there is no such user.
    func setPassword(userId: Int, passwordHash: String, now: Date) async throws -> Bool
    /// A new role (`switchboard users set-role`); every login of the user ends, since each client
    /// chose its mode by the old one, and a member of staff starts OFFLINE. Answers the role
    /// before, nil when there is no such user. A member of staff made a customer while tickets that
    /// are not closed are assigned to them is refused (`conflict`).
    func setRole(userId: Int, role: Role, now: Date) async throws -> Role?

    // MARK: Presence
    /// Records a user going online or offline; going offline also takes an agent OFFLINE, and
    /// coming online takes an OFFLINE agent ONLINE. Answers the agent status after the change.
    func setPresence(userId: Int, online: Bool, now: Date) async throws -> AgentStatus?
    /// Customers of the OPEN and IN_PROGRESS tickets assigned to this agent.
    func customers(assignedTo agentId: Int) async throws -> [Int]
    /// Every ticket of this customer, with who has it: who hears of the customer's presence.
    func presenceTickets(customerId: Int) async throws -> [PresenceTicket]

    // MARK: Agents
    func agents() async throws -> [AgentLoad]
    func updateAgent(id: Int, status: AgentStatus?, capacity: Int?) async throws -> AgentLoad?

    // MARK: Assignment
    /// Gives the most urgent, then oldest, waiting ticket to an available agent (role AGENT,
    /// connected, ONLINE, under capacity) chosen by `policy`, in one transaction. Nil when no
    /// ticket waits or no agent has room.
    func assignNextWaiting(policy: AssignmentPolicy, now: Date) async throws -> (before: TicketRow, after: TicketRow)?

    /// The admin to escalate to: connected and ONLINE ones first, then the fewest active chats.
    func escalationAdmin() async throws -> Int?
    /// Sessions ACTIVE with no activity since `cutoff` become INACTIVE; answers how many.
    func markIdleSessions(before cutoff: Date) async throws -> Int

    // MARK: Tickets
    func createTicket(_ ticket: NewTicket, now: Date) async throws -> Int
    func ticketRow(id: Int) async throws -> TicketRow?
    func ticket(id: Int, for viewer: Viewer) async throws -> Ticket?
    func tickets(_ query: TicketQuery, for viewer: Viewer) async throws -> Page<Ticket>
    func updateTicket(
        id: Int, now: Date, rule: @escaping @Sendable (TicketRow) throws -> TicketChange
    ) async throws -> (before: TicketRow, after: TicketRow)
    /// Deletes it, with its `ticket.deleted` event carrying `snapshot` (the ticket as it was).
    func deleteTicket(id: Int, now: Date, snapshot: Ticket?) async throws -> Bool

    // MARK: Messages
    /// `rule` checks the sender may post and answers the status the ticket moves to, if any.
    func appendMessage(
        _ message: NewMessage, now: Date, rule: @escaping @Sendable (TicketRow) throws -> TicketStatus?
    ) async throws -> AppendResult
    func messages(ticketId: Int, window: MessageWindow, for viewer: Viewer) async throws -> MessagePage
    func markRead(ticketId: Int, userId: Int, upToSeq: Int) async throws
    func createAttachment(_ new: NewAttachment, now: Date) async throws -> Attachment
    func attachment(id: Int) async throws -> AttachmentRecord?
    func attachmentBytes(id: Int) async throws -> Data?
    /// Takes one grant of `amount` under `key` when the window's grants stay within `limit`;
    /// checked and taken in one transaction (and under a lock on PostgreSQL), so of many parallel
    /// requests only as many pass as the limit allows.
    func takeGrant(key: String, amount: Int, limit: GrantLimit, now: Date) async throws -> GrantOutcome
    /// What a grant turned out to use (an upload's real size), or nil to give it back (the work was refused).
    func settleGrant(id: Int, amount: Int?) async throws
    /// Each of these staff users' unread count on the ticket (notes included), in one read.
    func staffUnreadCounts(ticketId: Int, userIds: [Int]) async throws -> [Int: Int]
    func markDelivered(ticketId: Int, userId: Int, upToSeq: Int) async throws

    // MARK: Chat sessions
    func sessions(status: SessionStatus?, agentId: Int?, for viewer: Viewer) async throws -> [ChatSession]
    func session(id: Int, for viewer: Viewer) async throws -> ChatSession?
    func session(ticketId: Int, for viewer: Viewer) async throws -> ChatSession?
    func setSessionStatus(id: Int, status: SessionStatus, now: Date, rule: @escaping @Sendable (TicketRow) throws -> Void) async throws
    func history(customerId: Int, for viewer: Viewer) async throws -> [ChatHistoryEntry]

    // MARK: Canned responses
    func cannedResponses(visibleTo userId: Int, matching text: String?) async throws -> [CannedResponse]
    func cannedResponse(id: Int) async throws -> CannedResponse?
    func createCannedResponse(_ draft: CannedDraft, ownerId: Int, now: Date) async throws -> CannedResponse
    func updateCannedResponse(id: Int, _ draft: CannedDraft, now: Date) async throws -> CannedResponse
    func deleteCannedResponse(id: Int) async throws

    // MARK: Figures
    func dashboard(now: Date) async throws -> Dashboard
    func report(from: Date, to: Date) async throws -> SupportReport

    // MARK: The tickets' clocks
    /// The targets and calendar in force, and the clock `Ticket.sla` is read against.
    var rules: ServiceRulesBox { get }
    /// Tickets whose clock the keeper should look at by `now`, the longest due first.
    func dueClocks(now: Date, limit: Int) async throws -> [Int]
    /// Every active ticket is looked at again (the targets or the calendar changed).
    func nudgeClocks(now: Date) async throws
    /// With no targets at all nothing is to be looked at: what is due is let go in one statement.
    func clearClocks(dueBy now: Date) async throws
    /// Reviews one ticket's clock in one transaction: `decide` on the clock as it stands, then its
    /// outcomes written (each once), its warnings marked sent, and a reassignment for want of a
    /// reply carried out (to an agent with room chosen by `policy`, else back to the queue; an
    /// escalation to an admin). Nil when the ticket is gone or another node has it right now.
    func reviewClock(
        ticketId: Int, now: Date, policy: AssignmentPolicy, decide: @escaping @Sendable (TicketClock) -> ClockReview
    ) async throws -> ClockPass?
    /// Snoozed tickets whose time has come wake (once, whichever node asks): before and after.
    func wakeSnoozed(now: Date) async throws -> [(before: TicketRow, after: TicketRow)]
    /// Silent chats whose warning is due (see `AutoResolve`): marked warned, once across nodes.
    func autoResolveWarnings(now: Date, rules: AutoResolve) async throws -> [Int]
    /// Warned silent chats whose whole time ran out: resolved, once across nodes.
    func autoResolveDue(now: Date, rules: AutoResolve) async throws -> [(before: TicketRow, after: TicketRow)]
    /// The account system lines are written as (made on first use).
    func systemAccount() async throws -> UserRef
    /// A setting admins changed (JSON), kept for every node, with the stamp of its save (stamps
    /// grow with every save); nil while never set.
    func setting(_ name: String) async throws -> (value: String, stamp: Int64)?
    /// Saves a setting; answers its stamp.
    func saveSetting(_ name: String, value: String, now: Date) async throws -> Int64
    /// Outcomes of the targets decided in `[from, to)`.
    func slaOutcomes(from: Date, to: Date) async throws -> [RecordedOutcome]

    // MARK: Ratings and merges
    /// Stores the customer's rating of the ticket's current resolution (`rule` refuses on the
    /// locked row); a second rating of the same resolution is a conflict.
    func rateTicket(
        id: Int, score: Int, comment: String?, now: Date, rule: @escaping @Sendable (TicketRow) throws -> Void
    ) async throws -> (ticket: TicketRow, rating: TicketRating)
    /// A client asked the customer for the rating of the ticket's current resolution.
    func noteRatingAsked(id: Int) async throws
    /// Ratings given in `[from, to)`.
    func ratings(from: Date, to: Date) async throws -> [RecordedRating]
    /// Joins one ticket into another, both locked, in one transaction (see `SQLStore.mergeTicket`).
    func mergeTicket(
        _ sourceId: Int, into targetId: Int, now: Date, system: UserRef,
        rule: @escaping @Sendable (_ source: TicketRow, _ target: TicketRow) throws -> MergeLines
    ) async throws -> MergeOutcome
    /// Messages `[fromSeq, toSeq]` of a ticket, notes included.
    func messages(ticketId: Int, fromSeq: Int, toSeq: Int) async throws -> [Message]

    // MARK: Search
    /// Ranked hits the viewer may see (see `SQLStore.search`).
    func search(_ query: SearchQuery, for viewer: Viewer, limit: Int, offset: Int) async throws -> [SearchRow]

    // MARK: Mentions
    /// Staff users named by these handles (usernames, or display names without spaces).
    func staff(named handles: [String]) async throws -> [Int]
    func addMentions(userIds: [Int], messageId: Int, byId: Int, now: Date) async throws
    func unseenMentions(userId: Int, limit: Int) async throws -> [Mention]
    func markMentionsSeen(userId: Int, ticketId: Int, now: Date) async throws

    // MARK: What the server processes sharing the database share
    /// The secret named `name`: the one already kept, else `make()`'s, kept for every process
    /// (the first to start makes it; the others read it).
    func sharedSecret(_ name: String, make: @Sendable () -> String) async throws -> String
    /// Whether the database answers (`GET /health`).
    func ping() async throws
    /// This node's lease: made or renewed.
    func renewLease(node: String, now: Date) async throws
    /// Leases not renewed since `before` end: their nodes' connection records go; answers the
    /// users who are now connected to no live node.
    func expireLeases(before: Date) async throws -> [Int]
    /// The node holds a connection of the user; answers whether no node held one before.
    func nodeHolds(node: String, userId: Int) async throws -> Bool
    /// The node holds none any more; answers whether no node holds one now.
    func nodeReleases(node: String, userId: Int) async throws -> Bool

    func close() async throws
}

/// A customer's ticket as batched presence needs it: an agent hears of the customer while one
/// of their tickets is active and in the agent's queue (unassigned, or assigned to them).
public struct PresenceTicket: Sendable, Equatable {
    public var ticketId: Int
    public var agentId: Int?
    /// OPEN or IN_PROGRESS.
    public var active: Bool

    public init(ticketId: Int, agentId: Int?, active: Bool) {
        self.ticketId = ticketId
        self.agentId = agentId
        self.active = active
    }

    /// Whether an agent sees this ticket in their queue.
    public func inQueue(of agentId: Int) -> Bool { active && (self.agentId == nil || self.agentId == agentId) }
}

/// A limit over a sliding window: at most `count` grants and `amount` in all (nil: no bound).
public struct GrantLimit: Sendable, Equatable {
    public var window: TimeInterval
    public var count: Int
    public var amount: Int?

    public init(window: TimeInterval, count: Int, amount: Int? = nil) {
        self.window = window
        self.count = count
        self.amount = amount
    }
}

public enum GrantOutcome: Sendable, Equatable {
    case granted(id: Int)
    /// Over the limit: how long until enough of the window's grants have aged out.
    case refused(retryAfter: TimeInterval, overAmount: Bool)
}
