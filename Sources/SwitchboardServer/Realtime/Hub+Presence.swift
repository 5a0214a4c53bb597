import Foundation
import Logging
import ServiceLifecycle
import SwitchboardProtocol

/// Who is online (with a grace period, batched for agents who asked) and who is typing.
extension Hub {
    // MARK: Presence

    func comeOnline(_ user: User) async {
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

    func goOffline(_ user: User) async {
        guard byUser[user.id] == nil else { return }
        // Still connected to another node: still online.
        if let peers, !(await peers.releases(userId: user.id)) { return }
        guard byUser[user.id] == nil else { return } // back while the node records were asked
        await wentOffline(user)
    }

    /// Offline everywhere: recorded, told to those who hear of it here and on the other nodes.
    func wentOffline(_ user: User) async {
        peers?.ring(.presence(userId: user.id, online: false))
        let status = await recordPresence(user, online: false)
        var ref = user.ref
        ref.isOnline = false
        await announcePresence(ref, of: user)
        if user.role.isStaff, let status {
            await events.publish(.agentStatusChanged(agent: ref, status: status))
        }
    }

    func recordPresence(_ user: User, online: Bool) async -> AgentStatus? {
        do {
            return try await store.setPresence(userId: user.id, online: online, now: clock())
        } catch {
            logger.error("cannot record presence", metadata: ["user": "\(user.id)", "error": "\(error)"])
            return nil
        }
    }

    func startExpirySweep() {
        expirySweep = Task { [weak self] in
            while !Task.isCancelled {
                try? await Task.sleep(for: .seconds(1))
                await self?.closeExpired()
            }
        }
    }

    /// The socket lives as long as its token: the client reconnects with a refreshed one.
    func closeExpired() {
        let now = ContinuousClock.now
        for handle in connections.values where handle.closesAt <= now {
            handle.close(code: CloseCode.tokenExpired, reason: "access token expired")
        }
    }

    /// To all agents, and to the customers an agent is serving — except that an agent who asked
    /// for batched presence hears of a customer only while the customer has a ticket in their
    /// view. Single-frame connections are told at once; batched ones with the next `PRESENCE`.
    func announcePresence(_ ref: UserRef, of user: User) async {
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
    func sees(_ tickets: [PresenceTicket], _ id: ConnectionID) -> Bool {
        guard let handle = connections[id] else { return false }
        return tickets.contains { $0.inQueue(of: handle.userId) || memberships[id]?[$0.ticketId] != nil }
    }

    func schedulePresenceFlush() {
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
    func flushPresence() {
        presenceFlush = nil
        var byChanges: [[UserRef]: Set<ConnectionID>] = [:]
        for (id, users) in pendingPresence {
            byChanges[users.values.sorted { $0.id < $1.id }, default: []].insert(id)
        }
        pendingPresence = [:]
        for (users, ids) in byChanges { send(.presence(users: users), to: ids) }
    }

    // MARK: Typing

    func startTyping(ticketId: Int, user: User, isNote: Bool) {
        var ref = user.ref
        ref.isOnline = true
        startTyping(ticketId: ticketId, user: ref, isNote: isNote, remote: false)
    }

    func startTyping(ticketId: Int, user ref: UserRef, isNote: Bool, remote: Bool) {
        let action = typing.start(ticketId: ticketId, user: ref, isNote: isNote, remote: remote, now: .now)
        if let action { carryOut(action) }
        armTypingTimer()
    }

    func stopTyping(ticketId: Int, userId: Int) {
        if let action = typing.stop(ticketId: ticketId, userId: userId) { carryOut(action) }
        armTypingTimer()
    }

    /// The room hears it; this node's own typists are rung to the other nodes too.
    func carryOut(_ action: TypingBoard.Action) {
        switch action {
        case .started(let ticketId, let user, let isNote, let remote):
            relayTyping(.typingStart(ticketId: ticketId, user: user, internal: isNote), ticketId: ticketId, userId: user.id, isNote: isNote)
            if !remote { peers?.ring(.typing(ticketId: ticketId, userId: user.id, isNote: isNote, active: true)) }
        case .stopped(let ticketId, let user, let isNote, let remote):
            relayTyping(.typingStop(ticketId: ticketId, user: user, internal: isNote), ticketId: ticketId, userId: user.id, isNote: isNote)
            if !remote { peers?.ring(.typing(ticketId: ticketId, userId: user.id, isNote: isNote, active: false)) }
        }
    }

    /// One timer for every typist, set for the board's next deadline (`DeadlineTimer`): no task
    /// per `TYPING_START`.
    func armTypingTimer() {
        typingTimer.arm(for: typing.nextDeadline) { [weak self] in await self?.typingDeadlinePassed() }
    }

    func typingDeadlinePassed() {
        typingTimer.fired()
        for action in typing.expire(now: .now) { carryOut(action) }
        armTypingTimer()
    }

    /// To the others in the room; a note being written is for agents only.
    func relayTyping(_ event: ServerEvent, ticketId: Int, userId: Int, isNote: Bool) {
        guard let room = rooms[ticketId] else { return }
        let recipients = room.members.filter { id in
            guard let handle = connections[id], handle.userId != userId else { return false }
            return !isNote || handle.isStaff
        }
        sendInRoom(ticketId, event, to: recipients)
    }
}
