import Foundation
import Logging
import ServiceLifecycle
import SwitchboardProtocol

/// The realtime hub: who is connected, who is in which ticket's room, and what each of them
/// should hear. Services report `SupportEvent`s after storing; the hub turns them into frames.
///
/// Ordering: a connection's frames leave in the order they are sent (`ConnectionHandle`). Within
/// a room, messages are relayed in `seq` order (a message that overtakes an earlier one waits for
/// it). A connection joining a room gets `ROOM_JOINED`, then the replay of what it missed up to
/// the room's relay point, then the live relay — nothing missed, nothing twice.
public actor Hub: SupportEventSink, Service {
    struct Room {
        var members: Set<ConnectionID> = []
        /// The order messages go out in (`RoomRelay`): the hub carries out what it answers.
        var relay = RoomRelay()
        var gapTimer: Task<Void, Never>?
    }

    /// A connection's place in a room: still receiving its replay (live frames wait), or joined.
    enum Membership {
        case joining([String])
        case joined
    }

    struct TypingKey: Hashable {
        var ticketId: Int
        var userId: Int
    }

    struct Typing {
        var user: UserRef
        var isNote: Bool
        var expiry: Task<Void, Never>
        /// Typing on another node (heard through the doorbell): its end is that node's to ring.
        var remote = false
    }

    let store: any Store
    /// Where presence-driven agent status changes are reported (so the assigner hears them too).
    let events: any SupportEventSink
    let configuration: RealtimeConfiguration
    let clock: @Sendable () -> Date
    let logger: Logger
    let limiter: RateLimiter
    let metrics: ServerMetrics?

    private var connections: [ConnectionID: ConnectionHandle] = [:]
    private var memberships: [ConnectionID: [Int: Membership]] = [:]
    private var byUser: [Int: Set<ConnectionID>] = [:]
    private var byLogin: [String: Set<ConnectionID>] = [:]
    /// Connections of agents and admins: the audience of queue and presence frames.
    private var staff: Set<ConnectionID> = []
    /// The staff connections that hear of every ticket's change: admins', and agents' that did not
    /// ask for their queue's tickets only (kept beside `staff` so a change finds its audience
    /// without a pass over every staff connection).
    private var everyTicket: Set<ConnectionID> = []
    private let startedAt = ContinuousClock.now
    /// Messages stored and handed to the hub since it started (for messages per second).
    private var messagesSeen = 0
    private var rooms: [Int: Room] = [:]
    private var typing: [TypingKey: Typing] = [:]
    private var offlineTimers: [Int: Task<Void, Never>] = [:]
    /// Presence changes waiting for the next `PRESENCE` frame of each batched connection (the
    /// latest state of each user), and the timer that sends them.
    private var pendingPresence: [ConnectionID: [Int: UserRef]] = [:]
    private var presenceFlush: Task<Void, Never>?
    /// Closes sockets whose token has expired, once a second: one timer for all connections
    /// instead of a sleeping task on each (6 KB a socket).
    private var expirySweep: Task<Void, Never>?
    private var nextId: ConnectionID = 1
    /// The other server processes on the same database (PostgreSQL), if any.
    private var peers: (any NodePeers)?

    public init(store: any Store, configuration: RealtimeConfiguration, events: any SupportEventSink,
                clock: @escaping @Sendable () -> Date, metrics: ServerMetrics? = nil, logger: Logger) {
        self.store = store
        self.metrics = metrics
        self.events = events
        self.configuration = configuration
        self.clock = clock
        self.logger = logger
        limiter = RateLimiter(burst: configuration.rateBurst, perSecond: configuration.ratePerSecond,
                              floodLimit: configuration.floodLimit)
    }

    /// Several nodes share the database: typing and presence are rung to them too.
    public func setPeers(_ peers: any NodePeers) { self.peers = peers }

    // MARK: Service

    /// Runs until shutdown, then tells every client to come back later.
    public func run() async throws {
        try? await gracefulShutdown()
        for connection in connections.values { connection.close(code: CloseCode.goingAway, reason: "server shutting down") }
        for timer in offlineTimers.values { timer.cancel() }
        presenceFlush?.cancel()
        expirySweep?.cancel()
        for entry in typing.values { entry.expiry.cancel() }
        for room in rooms.values { room.gapTimer?.cancel() }
    }

    // MARK: Connections

    func connectionCount(userId: Int) -> Int { byUser[userId]?.count ?? 0 }

    /// The logins that have a socket open here (`LoginWatch` asks the store which have ended).
    func connectedLogins() -> [String] { Array(byLogin.keys) }

    /// Registers a new connection; the first one of a user brings them online.
    func connect(_ caller: Caller, options: ConnectionOptions = ConnectionOptions(), tokenExpiry: Date = .distantFuture,
                 outlet: any FrameOutlet) async -> ConnectionHandle {
        let lifetime = min(max(0, tokenExpiry.timeIntervalSince(clock())), 366 * 86_400)
        let handle = ConnectionHandle(id: nextId, caller: caller, options: options, closesAt: .now + .seconds(lifetime),
                                      outlet: outlet, capacity: configuration.outboundBuffer)
        nextId += 1
        connections[handle.id] = handle
        if expirySweep == nil { startExpirySweep() }
        memberships[handle.id] = [:]
        if caller.isStaff { staff.insert(handle.id) }
        if caller.isStaff, !(options.tickets == .queue && caller.role == .agent) { everyTicket.insert(handle.id) }
        byLogin[caller.loginId, default: []].insert(handle.id)
        let wasConnected = !(byUser[caller.id]?.isEmpty ?? true)
        byUser[caller.id, default: []].insert(handle.id)
        if let pending = offlineTimers.removeValue(forKey: caller.id) {
            pending.cancel() // back within the grace period: nobody was told they left
        } else if !wasConnected {
            await comeOnline(caller.user)
        }
        return handle
    }

    /// Forgets a connection; the last one of a user starts the grace period before going offline.
    func disconnect(_ id: ConnectionID) async {
        guard let handle = connections.removeValue(forKey: id) else { return }
        staff.remove(id)
        everyTicket.remove(id)
        pendingPresence[id] = nil
        handle.finish()
        for ticketId in (memberships.removeValue(forKey: id) ?? [:]).keys {
            await removeMember(id, of: handle, from: ticketId)
        }
        byLogin[handle.caller.loginId]?.remove(id)
        if byLogin[handle.caller.loginId]?.isEmpty == true { byLogin[handle.caller.loginId] = nil }
        byUser[handle.userId]?.remove(id)
        guard byUser[handle.userId]?.isEmpty ?? true else { return }
        byUser[handle.userId] = nil
        limiter.forget(userId: handle.userId)
        let user = handle.caller.user
        let grace = configuration.presenceGrace
        offlineTimers[user.id] = Task { [weak self] in
            try? await Task.sleep(for: grace)
            guard !Task.isCancelled else { return }
            await self?.goOffline(user)
        }
    }

    // MARK: Presence

    private func comeOnline(_ user: User) async {
        // Already connected to another node: online already, everyone was told.
        if let peers, !(await peers.holds(userId: user.id)) { return }
        peers?.ring(.presence(userId: user.id, online: true))
        let status = await recordPresence(user, online: true)
        var ref = user.ref
        ref.isOnline = true
        await announcePresence(ref, of: user)
        if user.role.isStaff, let status, status != user.agentStatus {
            await events.publish(.agentStatusChanged(agent: ref, status: status))
        }
    }

    private func goOffline(_ user: User) async {
        offlineTimers[user.id] = nil
        guard byUser[user.id] == nil else { return }
        // Still connected to another node: still online.
        if let peers, !(await peers.releases(userId: user.id)) { return }
        guard byUser[user.id] == nil else { return } // back while the node records were asked
        await wentOffline(user)
    }

    /// Offline everywhere: recorded, told to those who hear of it here and on the other nodes.
    private func wentOffline(_ user: User) async {
        peers?.ring(.presence(userId: user.id, online: false))
        let status = await recordPresence(user, online: false)
        var ref = user.ref
        ref.isOnline = false
        await announcePresence(ref, of: user)
        if user.role.isStaff, let status {
            await events.publish(.agentStatusChanged(agent: ref, status: status))
        }
    }

    private func recordPresence(_ user: User, online: Bool) async -> AgentStatus? {
        do {
            return try await store.setPresence(userId: user.id, online: online, now: clock())
        } catch {
            logger.error("cannot record presence", metadata: ["user": "\(user.id)", "error": "\(error)"])
            return nil
        }
    }

    private func startExpirySweep() {
        expirySweep = Task { [weak self] in
            while !Task.isCancelled {
                try? await Task.sleep(for: .seconds(1))
                await self?.closeExpired()
            }
        }
    }

    /// The socket lives as long as its token: the client reconnects with a refreshed one.
    private func closeExpired() {
        let now = ContinuousClock.now
        for handle in connections.values where handle.closesAt <= now {
            handle.close(code: CloseCode.tokenExpired, reason: "access token expired")
        }
    }

    /// To all agents, and to the customers an agent is serving — except that an agent who asked
    /// for batched presence hears of a customer only while the customer has a ticket in their
    /// view. Single-frame connections are told at once; batched ones with the next `PRESENCE`.
    private func announcePresence(_ ref: UserRef, of user: User) async {
        var recipients = staffConnections()
        if user.role.isStaff, let customers = await logged("presence: customers of agent", { try await store.customers(assignedTo: user.id) }) {
            for customer in customers { recipients.formUnion(byUser[customer] ?? []) }
        }
        recipients.subtract(byUser[user.id] ?? [])
        if !user.role.isStaff {
            let scoped = recipients.filter { connections[$0]?.options.presence == .batched && connections[$0]?.caller.role == .agent }
            if !scoped.isEmpty {
                let tickets = await logged("presence: tickets of customer", { try await store.presenceTickets(customerId: user.id) }) ?? []
                for id in scoped where !sees(tickets, id) { recipients.remove(id) }
            }
        }
        var single: Set<ConnectionID> = []
        for id in recipients {
            if connections[id]?.options.presence == .batched { pendingPresence[id, default: [:]][ref.id] = ref } else { single.insert(id) }
        }
        send(ref.isOnline ? .userOnline(ref) : .userOffline(ref), to: single)
        schedulePresenceFlush()
    }

    /// Whether an agent's connection has one of these tickets in view: in their queue, or in a
    /// room it is in (for a customer's presence, and for a ticket's own frames).
    private func sees(_ tickets: [PresenceTicket], _ id: ConnectionID) -> Bool {
        guard let handle = connections[id] else { return false }
        return tickets.contains { $0.inQueue(of: handle.userId) || memberships[id]?[$0.ticketId] != nil }
    }

    private func schedulePresenceFlush() {
        guard presenceFlush == nil, !pendingPresence.isEmpty else { return }
        let interval = configuration.presenceBatchInterval
        presenceFlush = Task { [weak self] in
            try? await Task.sleep(for: interval)
            guard !Task.isCancelled else { return }
            await self?.flushPresence()
        }
    }

    /// One `PRESENCE` frame per waiting connection; connections waiting for the same changes
    /// share one encoding (an agent storm: every agent hears of the same users).
    private func flushPresence() {
        presenceFlush = nil
        var byChanges: [[UserRef]: Set<ConnectionID>] = [:]
        for (id, users) in pendingPresence {
            byChanges[users.values.sorted { $0.id < $1.id }, default: []].insert(id)
        }
        pendingPresence = [:]
        for (users, ids) in byChanges { send(.presence(users: users), to: ids) }
    }

    // MARK: Rooms

    /// Adds the connection to the ticket's room and answers the seq up to which the caller must
    /// replay from storage; live messages after it are queued until `finishJoin`.
    func join(_ id: ConnectionID, ticketId: Int) async throws -> Int {
        guard connections[id] != nil else { throw CancellationError() }
        // New, or joining again (a client resyncing): either way it replays from the relay point.
        memberships[id]?[ticketId] = .joining([])
        if rooms[ticketId] == nil {
            rooms[ticketId] = Room()
            // Created before reading, so no event of this ticket is lost while the read is under way.
            let lastSeq = try await store.ticketRow(id: ticketId)?.lastSeq ?? 0
            if let actions = rooms[ticketId]?.relay.start(at: lastSeq) {
                carryOut(actions, in: ticketId)
            }
        }
        rooms[ticketId]?.members.insert(id)
        announceMembers(of: ticketId)
        return rooms[ticketId]?.relay.lastRelayed ?? 0
    }

    /// The replay is queued: release the live frames held back meanwhile.
    func finishJoin(_ id: ConnectionID, ticketId: Int) {
        guard let handle = connections[id], case .joining(let held)? = memberships[id]?[ticketId] else { return }
        memberships[id]?[ticketId] = .joined
        for text in held { handle.send(text) }
    }

    func leave(_ id: ConnectionID, ticketId: Int) async {
        guard let handle = connections[id], memberships[id]?.removeValue(forKey: ticketId) != nil else { return }
        await removeMember(id, of: handle, from: ticketId)
    }

    private func removeMember(_ id: ConnectionID, of handle: ConnectionHandle, from ticketId: Int) async {
        rooms[ticketId]?.members.remove(id)
        // The user's typing ends when their last connection leaves the room.
        let stillThere = rooms[ticketId]?.members.contains { connections[$0]?.userId == handle.userId } ?? false
        if !stillThere { stopTyping(ticketId: ticketId, userId: handle.userId) }
        if rooms[ticketId]?.members.isEmpty == true {
            rooms[ticketId]?.gapTimer?.cancel()
            rooms[ticketId] = nil // nobody is left to relay to
        } else {
            announceMembers(of: ticketId)
        }
    }

    /// A deleted ticket's room: every member is out of it, its typing and timers end.
    private func closeRoom(_ ticketId: Int) {
        for key in typing.keys where key.ticketId == ticketId { typing.removeValue(forKey: key)?.expiry.cancel() }
        guard let room = rooms.removeValue(forKey: ticketId) else { return }
        room.gapTimer?.cancel()
        for id in room.members { memberships[id]?[ticketId] = nil }
    }

    /// `ROOM_MEMBERS` to the agents in the room: who is on this ticket now.
    private func announceMembers(of ticketId: Int) {
        guard let room = rooms[ticketId] else { return }
        var seen = Set<Int>()
        var members: [UserRef] = []
        for id in room.members.sorted() {
            guard let handle = connections[id], seen.insert(handle.userId).inserted else { continue }
            var ref = handle.caller.user.ref
            ref.isOnline = true
            members.append(ref)
        }
        let staff = room.members.filter { connections[$0]?.isStaff == true }
        sendInRoom(ticketId, .roomMembers(ticketId: ticketId, members: members), to: staff)
    }

    // MARK: Typing

    func startTyping(ticketId: Int, user: User, isNote: Bool) {
        var ref = user.ref
        ref.isOnline = true
        startTyping(ticketId: ticketId, user: ref, isNote: isNote, remote: false)
    }

    private func startTyping(ticketId: Int, user ref: UserRef, isNote: Bool, remote: Bool) {
        let key = TypingKey(ticketId: ticketId, userId: ref.id)
        let previous = typing.removeValue(forKey: key)
        previous?.expiry.cancel()
        let timeout = configuration.typingTimeout
        let expiry = Task { [weak self] in
            try? await Task.sleep(for: timeout)
            guard !Task.isCancelled else { return }
            await self?.expireTyping(key)
        }
        typing[key] = Typing(user: ref, isNote: isNote, expiry: expiry, remote: remote)
        // A refresh is not relayed again unless it changes between reply and note.
        if previous?.isNote != isNote {
            relayTyping(.typingStart(ticketId: ticketId, user: ref, internal: isNote), ticketId: ticketId, userId: ref.id, isNote: isNote)
            if !remote { peers?.ring(.typing(ticketId: ticketId, userId: ref.id, isNote: isNote, active: true)) }
        }
    }

    func stopTyping(ticketId: Int, userId: Int) {
        guard let entry = typing.removeValue(forKey: TypingKey(ticketId: ticketId, userId: userId)) else { return }
        endTyping(entry, ticketId: ticketId, userId: userId)
    }

    private func expireTyping(_ key: TypingKey) {
        guard let entry = typing.removeValue(forKey: key) else { return }
        endTyping(entry, ticketId: key.ticketId, userId: key.userId)
    }

    private func endTyping(_ entry: Typing, ticketId: Int, userId: Int) {
        entry.expiry.cancel()
        relayTyping(.typingStop(ticketId: ticketId, user: entry.user, internal: entry.isNote), ticketId: ticketId,
                    userId: userId, isNote: entry.isNote)
        if !entry.remote { peers?.ring(.typing(ticketId: ticketId, userId: userId, isNote: entry.isNote, active: false)) }
    }

    /// To the others in the room; a note being written is for agents only.
    private func relayTyping(_ event: ServerEvent, ticketId: Int, userId: Int, isNote: Bool) {
        guard let room = rooms[ticketId] else { return }
        let recipients = room.members.filter { id in
            guard let handle = connections[id], handle.userId != userId else { return false }
            return !isNote || handle.isStaff
        }
        sendInRoom(ticketId, event, to: recipients)
    }

    // MARK: Events

    public func publish(_ event: SupportEvent) async {
        switch event {
        case .messageStored(let message, let origin):
            stopTyping(ticketId: message.ticketId, userId: message.sender.id)
            relay(message, origin: origin)
        case .read(let ticketId, let userId, let upToSeq):
            sendToRoom(ticketId, .messagesRead(ticketId: ticketId, userId: userId, upToSeq: upToSeq))
        case .delivered(let ticketId, let userId, let upToSeq):
            sendToRoom(ticketId, .messagesDelivered(ticketId: ticketId, userId: userId, upToSeq: upToSeq))
        case .ticketCreated(let ticketId, let customerId):
            await sendTicket(ticketId, customerId: customerId) { .ticketCreated($0) }
        case .ticketChanged(let before, let after, let by):
            await ticketChanged(before: before, after: after, by: by)
        case .ticketDeleted(let ticketId, let customerId):
            send(.ticketDeleted(ticketId: ticketId), to: staffConnections().union(byUser[customerId] ?? []))
            closeRoom(ticketId)
        case .agentStatusChanged(let agent, let status):
            // The status as stored now, not as it was when the event was made: two changes close
            // together (coming online, and the agent's own SET_STATUS) may be published in either
            // order, and the last frame must say what is true.
            let current = (try? await store.user(id: agent.id))?.user.agentStatus ?? status
            var ref = agent
            ref.isOnline = byUser[agent.id] != nil
            sendAgentStatus(ref, current)
        case .loginEnded(let loginId):
            for id in byLogin[loginId] ?? [] {
                connections[id]?.close(code: CloseCode.loggedOut, reason: "logged out")
            }
        }
    }

    private func sendAgentStatus(_ agent: UserRef, _ status: AgentStatus) {
        send(.agentStatusChanged(agent: agent, status: status), to: staffConnections())
    }

    /// Relays in seq order; a message ahead of a missing one waits (briefly) for it.
    private func relay(_ message: Message, origin: ConnectionID?) {
        messagesSeen += 1
        metrics?.messagesStored.increment()
        guard let actions = rooms[message.ticketId]?.relay.receive(message, origin: origin) else { return } // nobody is in the room
        carryOut(actions, in: message.ticketId)
    }

    /// Does what the room's relay decided.
    private func carryOut(_ actions: [RoomRelay.Action], in ticketId: Int) {
        for action in actions {
            switch action {
            case .deliver(let message, let origin):
                guard let room = rooms[ticketId] else { return }
                let recipients = room.members.filter { id in
                    id != origin && (!message.internal || connections[id]?.isStaff == true)
                        && !(origin == nil && connections[id]?.isStoring(message) == true)
                }
                sendInRoom(ticketId, .receiveMessage(ticketId: ticketId, message: message), to: recipients)
                metrics?.deliveryLatency.recordNanoseconds(Int64(max(0, clock().timeIntervalSince(message.timestamp)) * 1e9))
            case .armGapTimer:
                let wait = configuration.gapWait
                rooms[ticketId]?.gapTimer = Task { [weak self] in
                    try? await Task.sleep(for: wait)
                    guard !Task.isCancelled else { return }
                    await self?.fillGap(ticketId)
                }
            case .disarmGapTimer:
                rooms[ticketId]?.gapTimer?.cancel()
                rooms[ticketId]?.gapTimer = nil
            }
        }
    }

    /// A gap that did not close by itself (or another node's message): read what follows the
    /// relay point from the tables.
    private func fillGap(_ ticketId: Int) async {
        rooms[ticketId]?.relay.gapTimerFired()
        rooms[ticketId]?.gapTimer?.cancel() // asked for before it went off (another node's message): one timer at most
        rooms[ticketId]?.gapTimer = nil
        guard let from = rooms[ticketId]?.relay.fillFrom else { return }
        let everyone = Viewer(userId: 0, role: .admin)
        let page = await logged("gap fill", {
            try await store.messages(ticketId: ticketId, window: MessageWindow(afterSeq: from, beforeSeq: nil, limit: 200), for: everyone)
        })
        guard let actions = rooms[ticketId]?.relay.filled(page?.items ?? []) else { return }
        carryOut(actions, in: ticketId)
    }

    private func ticketChanged(before: TicketRow, after: TicketRow, by: UserRef) async {
        var assigned: ServerEvent?
        if after.assignedAgentId != before.assignedAgentId, let agentId = after.assignedAgentId,
           let agent = await logged("AGENT_ASSIGNED: agent", { try await store.user(id: agentId) }) ?? nil {
            var previous: UserRecord?
            if let previousId = before.assignedAgentId {
                previous = await logged("AGENT_ASSIGNED: previous agent", { try await store.user(id: previousId) }) ?? nil
            }
            var agentRef = agent.user.ref
            agentRef.isOnline = byUser[agentId] != nil
            let previousRef = previous.map { record -> UserRef in
                var ref = record.user.ref
                ref.isOnline = byUser[record.id] != nil
                return ref
            }
            assigned = .agentAssigned(ticketId: after.id, agent: agentRef, previousAgent: previousRef)
        }
        // Who hears of it, worked out once for the three frames (a filter over every staff connection).
        let staff = ticketStaff(before, after)
        if let assigned { send(assigned, to: staff.union(byUser[after.customerId] ?? [])) }
        if after.status != before.status {
            send(.ticketStatusChanged(ticketId: after.id, status: after.status, previousStatus: before.status, changedBy: by),
                 to: staff.union(byUser[after.customerId] ?? []))
        }
        await sendTicket(after.id, customerId: after.customerId, staff: staff) { .ticketUpdated($0) }
    }

    /// The staff connections that hear of a change to a ticket: all of them, except agents'
    /// connections that asked for their queue's tickets only (`tickets=queue`) and had the ticket
    /// in view neither before nor after the change, nor in a room they joined. Found from the
    /// indexes (the ticket's agents, the room's members), never by a pass over every staff
    /// connection: at 1 000 agents a ticket's first reply would cost a thousand lookups.
    private func ticketStaff(_ before: TicketRow, _ after: TicketRow) -> Set<ConnectionID> {
        let views = [before.presenceTicket, after.presenceTicket].filter(\.active)
        if views.contains(where: { $0.agentId == nil }) { return staff } // in every agent's queue
        var heard = everyTicket
        for agentId in Set(views.compactMap(\.agentId)) {
            for id in byUser[agentId] ?? [] where staff.contains(id) { heard.insert(id) }
        }
        for id in rooms[after.id]?.members ?? [] where staff.contains(id) { heard.insert(id) }
        return heard
    }

    /// A ticket frame to its customer and every agent, each seeing the ticket as they may (their
    /// own unread count; notes for agents only). The staff view is read once, with every agent's
    /// unread count in one more read, and encoded once per distinct count.
    private func sendTicket(_ ticketId: Int, customerId: Int, staff: Set<ConnectionID>? = nil,
                            _ make: (Ticket) -> ServerEvent) async {
        if let customer = byUser[customerId],
           let ticket = await logged("ticket frame: customer's view", {
               try await store.ticket(id: ticketId, for: Viewer(userId: customerId, role: .customer))
           }) ?? nil {
            send(make(ticket), to: customer.filter { connections[$0] != nil })
        }
        var staffByUser: [Int: Set<ConnectionID>] = [:]
        for id in staff ?? staffConnections() { if let handle = connections[id] { staffByUser[handle.userId, default: []].insert(id) } }
        guard !staffByUser.isEmpty,
              let base = await logged("ticket frame: staff view", { try await store.ticket(id: ticketId, for: Viewer(userId: 0, role: .admin)) }) ?? nil,
              let unread = await logged("ticket frame: unread counts", {
                  try await store.staffUnreadCounts(ticketId: ticketId, userIds: Array(staffByUser.keys))
              })
        else { return }
        var byCount: [Int: Set<ConnectionID>] = [:]
        for (userId, ids) in staffByUser { byCount[unread[userId] ?? 0, default: []].formUnion(ids) }
        for (count, ids) in byCount {
            var ticket = base
            ticket.unreadCount = count
            send(make(ticket), to: ids.filter { connections[$0] != nil })
        }
    }

    // MARK: Other nodes

    /// A change another node rang: relayed from the tables to this node's sockets.
    func remote(_ change: NodeNote.Change) async {
        switch change {
        case .message(let ticketId, let seq):
            // Read from the tables in seq order with anything else missing (the gap fill) — on a
            // task of its own, so the next notes are not held behind this read, and at most one
            // read per room at a time: notes arriving meanwhile are covered by one more read.
            guard let last = rooms[ticketId]?.relay.lastRelayed, seq > last else { return }
            guard remoteFills.insert(ticketId).inserted else {
                remoteFillsAgain.insert(ticketId)
                return
            }
            Task { await self.fillFromTables(ticketId) }
        case .read(let ticketId, let userId, let upToSeq):
            await publish(.read(ticketId: ticketId, userId: userId, upToSeq: upToSeq))
        case .delivered(let ticketId, let userId, let upToSeq):
            await publish(.delivered(ticketId: ticketId, userId: userId, upToSeq: upToSeq))
        case .ticketCreated(let ticketId, let customerId):
            await publish(.ticketCreated(ticketId: ticketId, customerId: customerId))
        case .ticketChanged(let ticketId, let previousAgentId, let previousStatus, let byUserId):
            guard let after = await logged("remote ticket change", { try await store.ticketRow(id: ticketId) }) ?? nil,
                  let by = await logged("remote ticket change: by", { try await store.user(id: byUserId) }) ?? nil
            else { return }
            var before = after
            before.assignedAgentId = previousAgentId
            before.status = previousStatus
            await publish(.ticketChanged(before: before, after: after, by: by.user.ref))
        case .ticketDeleted(let ticketId, let customerId):
            await publish(.ticketDeleted(ticketId: ticketId, customerId: customerId))
        case .agentStatus(let agentId, let status):
            // One read gives both what is stored now (the status, as `publish` reads it) and the
            // presence of every node (this node's connections alone would say offline).
            guard let agent = await logged("remote agent status", { try await store.user(id: agentId) }) ?? nil else { return }
            sendAgentStatus(agent.user.ref, agent.user.agentStatus ?? status)
        case .loginEnded(let loginId):
            await publish(.loginEnded(loginId: loginId))
        case .typing(let ticketId, let userId, let isNote, let active):
            if active {
                guard rooms[ticketId] != nil,
                      let user = await logged("remote typing", { try await store.user(id: userId) }) ?? nil else { return }
                var ref = user.user.ref
                ref.isOnline = true
                startTyping(ticketId: ticketId, user: ref, isNote: isNote, remote: true)
            } else if typing[TypingKey(ticketId: ticketId, userId: userId)]?.remote == true {
                stopTyping(ticketId: ticketId, userId: userId)
            }
        case .presence(let userId, let online):
            // The node where it happened recorded it; here it is only told.
            guard let record = await logged("remote presence", { try await store.user(id: userId) }) ?? nil else { return }
            var ref = record.user.ref
            ref.isOnline = online
            await announcePresence(ref, of: record.user)
        }
    }

    /// Nodes whose leases ended held the last connections of these users: they are offline now.
    func nodesLeft(users: [Int]) async {
        for userId in users where byUser[userId] == nil {
            guard let record = await logged("node left: user", { try await store.user(id: userId) }) ?? nil else { continue }
            await wentOffline(record.user)
        }
    }

    /// Rooms being read for other nodes' messages, and those that heard of more meanwhile.
    private var remoteFills: Set<Int> = []
    private var remoteFillsAgain: Set<Int> = []

    private func fillFromTables(_ ticketId: Int) async {
        repeat {
            remoteFillsAgain.remove(ticketId)
            await fillGap(ticketId)
        } while remoteFillsAgain.contains(ticketId)
        remoteFills.remove(ticketId)
    }

    /// After notes may have been missed (the doorbell's LISTEN dropped): every room this node
    /// holds reads what it has not relayed.
    func catchUp() async {
        for ticketId in rooms.keys.sorted() { await fillGap(ticketId) }
    }

    // MARK: Sending

    func encode(_ event: ServerEvent) -> String {
        do {
            return try event.wireText()
        } catch {
            logger.error("frame not encoded", metadata: ["type": "\(event.type)", "error": "\(error)"])
            return #"{"type":"ERROR","code":"INTERNAL","message":"the server could not encode a frame"}"#
        }
    }

    /// A read whose failure means some frames are not sent: nil then, with the reason in the log.
    private func logged<T: Sendable>(_ what: String, _ read: () async throws -> T) async -> T? {
        do {
            return try await read()
        } catch is CancellationError {
            // The server is shutting down (the database's pool is gone): nothing to report.
            logger.debug("frames not sent: shutting down", metadata: ["what": "\(what)"])
            return nil
        } catch {
            logger.error("frames not sent: a read failed", metadata: ["what": "\(what)", "error": "\(error)"])
            return nil
        }
    }

    /// Straight to one connection (answers to its own frames).
    func reply(_ event: ServerEvent, to id: ConnectionID) {
        connections[id]?.send(encode(event))
    }

    func send(_ event: ServerEvent, to ids: Set<ConnectionID>) {
        guard !ids.isEmpty else { return }
        let text = encode(event)
        for id in ids { deliver(text, of: event, to: id) }
    }

    /// Passing state is shed for a connection that has fallen behind; everything else must arrive.
    private func deliver(_ text: String, of event: ServerEvent, to id: ConnectionID) {
        if event.isPassingState { connections[id]?.sendIfRoom(text) } else { connections[id]?.send(text) }
    }

    /// To every member of the room.
    private func sendToRoom(_ ticketId: Int, _ event: ServerEvent) {
        guard let room = rooms[ticketId] else { return }
        sendInRoom(ticketId, event, to: room.members)
    }

    /// Room frames respect a joining member's replay: they wait behind it.
    private func sendInRoom(_ ticketId: Int, _ event: ServerEvent, to ids: Set<ConnectionID>) {
        guard !ids.isEmpty else { return }
        let text = encode(event)
        for id in ids {
            switch memberships[id]?[ticketId] {
            case .joining(var held)?:
                held.append(text)
                memberships[id]?[ticketId] = .joining(held)
            default:
                deliver(text, of: event, to: id)
            }
        }
    }

    private func staffConnections() -> Set<ConnectionID> { staff }

    /// What `/metrics` reads of the hub when scraped.
    struct Gauges: Sendable {
        var connections: Int
        var users: Int
        var rooms: Int
        var deepestQueue: Int
        var queuedFrames: Int
    }

    func gauges() -> Gauges {
        let backlogs = connections.values.map(\.backlog)
        return Gauges(connections: connections.count, users: byUser.count, rooms: rooms.count,
                      deepestQueue: backlogs.max() ?? 0, queuedFrames: backlogs.reduce(0, +))
    }

    /// What the hub holds now, for operators and the benchmark.
    func statistics() -> ServerStatistics {
        let uptime = ContinuousClock.now - startedAt
        return ServerStatistics(connections: connections.count, users: byUser.count, rooms: rooms.count,
                                rssBytes: ServerStatistics.residentBytes(), uptimeSeconds: uptime.inSeconds,
                                messages: messagesSeen, cpuSeconds: ServerStatistics.processCPUSeconds())
    }
}
