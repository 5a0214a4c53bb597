import Foundation
import Logging
import SwitchboardProtocol

/// Who is online (with a grace period, batched for agents who asked) and who is typing: the
/// hub's reads and writes around `PresenceDesk` and `TypingBoard`.
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

    /// A departure's grace is over.
    func goOffline(_ user: User) async {
        guard !connections.isOnline(user.id) else { return }
        // Still connected to another node: still online.
        if let peers, !(await peers.releases(userId: user.id)) { return }
        guard !connections.isOnline(user.id) else { return }  // back while the node records were asked
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

    /// The desk decides who hears of it and when; the hub gathers what it needs from the store:
    /// an agent's customers (they hear of their agent), and a customer's tickets when an agent
    /// hears of customers in view only.
    func announcePresence(_ ref: UserRef, of user: User) async {
        var audience = connections.staff
        if user.role.isStaff,
            let customers = await logged("presence: customers of agent", { try await store.customers(assignedTo: user.id) })
        {
            for customer in customers { audience.formUnion(connections.of(user: customer)) }
        }
        audience.subtract(connections.of(user: user.id))
        var listeners: [ConnectionID: PresenceDesk.Listener] = [:]
        for id in audience {
            guard let handle = connections[id] else { continue }
            let batched = handle.options.presence == .batched
            let inViewOnly = batched && handle.caller.role == .agent
            listeners[id] = PresenceDesk.Listener(userId: handle.userId, batched: batched, inViewOnly: inViewOnly, rooms: [])
        }
        var tickets: [PresenceTicket] = []
        if !user.role.isStaff, listeners.values.contains(where: \.inViewOnly) {
            tickets = await logged("presence: tickets of customer", { try await store.presenceTickets(customerId: user.id) }) ?? []
            // After the read (connections may have closed meanwhile): the rooms that put a
            // customer's ticket in view, for the listeners that hear of customers in view only.
            for id in listeners.keys {
                if connections[id] == nil {
                    listeners[id] = nil
                } else if listeners[id]?.inViewOnly == true {
                    listeners[id]?.rooms = rooms.rooms(of: id)
                }
            }
        }
        carryOut(presence.changed(ref, listeners: listeners, customerTickets: tickets, now: .now))
    }

    func carryOut(_ actions: [PresenceDesk.Action]) {
        for action in actions {
            switch action {
            case .send(let event, let ids): send(event, to: ids)
            case .wentAway(let user): schedule(.wentAway(user))
            }
        }
        deadlineSet(presence.nextDeadline)
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
        deadlineSet(typing.nextDeadline)
    }

    func stopTyping(ticketId: Int, userId: Int) {
        if let action = typing.stop(ticketId: ticketId, userId: userId) { carryOut(action) }
    }

    /// The room hears it (a note being written: agents only); this node's own typists are rung
    /// to the other nodes too.
    func carryOut(_ action: TypingBoard.Action) {
        switch action {
        case .started(let ticketId, let user, let isNote, let remote):
            sendInRoom(
                ticketId, .typingStart(ticketId: ticketId, user: user, internal: isNote),
                to: rooms.typingAudience(ticketId, userId: user.id, isNote: isNote))
            if !remote { peers?.ring(.typing(ticketId: ticketId, userId: user.id, isNote: isNote, active: true)) }
        case .stopped(let ticketId, let user, let isNote, let remote):
            sendInRoom(
                ticketId, .typingStop(ticketId: ticketId, user: user, internal: isNote),
                to: rooms.typingAudience(ticketId, userId: user.id, isNote: isNote))
            if !remote { peers?.ring(.typing(ticketId: ticketId, userId: user.id, isNote: isNote, active: false)) }
        }
    }
}
