import Foundation
import Logging
import ServiceLifecycle
import SwitchboardProtocol

/// Support events (a ticket created, changed, assigned, deleted; a message stored) turned into frames for those who see them.
extension Hub {
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
            send(.ticketDeleted(ticketId: ticketId), to: connections.staff.union(connections.of(user: customerId)))
            typing.forget(ticketId: ticketId)
            rooms.close(ticketId)
        case .agentStatusChanged(let agent, let status):
            // The status as stored now, not as it was when the event was made: two changes close
            // together (coming online, and the agent's own SET_STATUS) may be published in either
            // order, and the last frame must say what is true.
            let current = (try? await store.user(id: agent.id))?.user.agentStatus ?? status
            var ref = agent
            ref.isOnline = connections.isOnline(agent.id)
            sendAgentStatus(ref, current)
        case .loginEnded(let loginId):
            for id in connections.of(login: loginId) {
                connections[id]?.close(code: CloseCode.loggedOut, reason: "logged out")
            }
        case .slaWarning(let ticketId, let target, let dueAt, let agentId):
            send(
                .slaWarning(ticketId: ticketId, target: target, dueAt: dueAt),
                to: agentId.map { connections.of(user: $0) } ?? connections.staff)
        case .slaBreached(let ticketId, let target, let at, let agentId):
            send(.slaBreached(ticketId: ticketId, target: target, at: at), to: clockAudience(agentId))
        case .ticketReassigned(let ticketId, let from, let to):
            let frame = ServerEvent.ticketReassigned(
                ticketId: ticketId, from: await staffRef(from), to: await staffRef(to), reason: "NO_REPLY")
            send(frame, to: clockAudience(from).union(clockAudience(to)))
        case .ticketRated(let ticketId, let rating, _):
            send(.ticketRated(ticketId: ticketId, rating: rating), to: connections.staff)
        case .ticketMerged(let ticketId, let intoTicketId, let customerId):
            let audience = rooms.members(of: ticketId).union(rooms.members(of: intoTicketId))
                .union(connections.of(user: customerId)).union(connections.staff)
            send(.ticketMerged(ticketId: ticketId, intoTicketId: intoTicketId), to: audience)
        case .mentioned(let ticketId, let seq, let userId, let by):
            send(.mentioned(ticketId: ticketId, seq: seq, by: by), to: connections.of(user: userId))
        case .webhookSwitchedOff(let webhookId):
            guard let webhook = await logged("switched-off webhook", { try await store.webhook(id: webhookId) }) ?? nil else { return }
            let admins = connections.staff.filter { connections[$0]?.caller.role == .admin }
            send(.webhookDisabled(webhookId: webhookId, url: webhook.url, reason: webhook.disabledReason ?? "switched off"), to: admins)
        }
    }

    /// Who hears that a target was missed or a ticket moved on: the agent, and every admin.
    func clockAudience(_ agentId: Int?) -> Set<ConnectionID> {
        let admins = connections.staff.filter { connections[$0]?.caller.role == .admin }
        return admins.union(agentId.map { connections.of(user: $0) } ?? connections.staff)
    }

    func staffRef(_ id: Int?) async -> UserRef? {
        guard let id, let record = await logged("staff ref", { try await store.user(id: id) }) ?? nil else { return nil }
        var ref = record.user.ref
        ref.isOnline = connections.isOnline(id)
        return ref
    }

    func sendAgentStatus(_ agent: UserRef, _ status: AgentStatus) {
        send(.agentStatusChanged(agent: agent, status: status), to: connections.staff)
    }

    /// Relays in seq order; a message ahead of a missing one waits (briefly) for it.
    func relay(_ message: Message, origin: ConnectionID?) {
        messagesSeen += 1
        metrics?.messagesStored.increment()
        carryOut(rooms.receive(message, origin: origin, now: .now))
    }

    func ticketChanged(before: TicketRow, after: TicketRow, by: UserRef) async {
        var assigned: ServerEvent?
        if after.assignedAgentId != before.assignedAgentId, let agentId = after.assignedAgentId,
            let agent = await logged("AGENT_ASSIGNED: agent", { try await store.user(id: agentId) }) ?? nil
        {
            var previous: UserRecord?
            if let previousId = before.assignedAgentId {
                previous = await logged("AGENT_ASSIGNED: previous agent", { try await store.user(id: previousId) }) ?? nil
            }
            var agentRef = agent.user.ref
            agentRef.isOnline = connections.isOnline(agentId)
            let previousRef = previous.map { record -> UserRef in
                var ref = record.user.ref
                ref.isOnline = connections.isOnline(record.id)
                return ref
            }
            assigned = .agentAssigned(ticketId: after.id, agent: agentRef, previousAgent: previousRef)
        }
        // Who hears of it, worked out once for the three frames (from the indexes).
        let staff = connections.ticketAudience(before.presenceTicket, after.presenceTicket, inRoom: rooms.members(of: after.id))
        let customer = connections.of(user: after.customerId)
        if let assigned { send(assigned, to: staff.union(customer)) }
        if after.status != before.status {
            send(
                .ticketStatusChanged(ticketId: after.id, status: after.status, previousStatus: before.status, changedBy: by),
                to: staff.union(customer))
        }
        await sendTicket(after.id, customerId: after.customerId, staff: staff) { .ticketUpdated($0) }
    }

    /// A ticket frame to its customer and every agent, each seeing the ticket as they may (their
    /// own unread count; notes for agents only). The staff view is read once, with every agent's
    /// unread count in one more read, and encoded once per distinct count.
    func sendTicket(
        _ ticketId: Int, customerId: Int, staff: Set<ConnectionID>? = nil,
        _ make: (Ticket) -> ServerEvent
    ) async {
        let customer = connections.of(user: customerId)
        if !customer.isEmpty,
            let ticket = await logged(
                "ticket frame: customer's view",
                {
                    try await store.ticket(id: ticketId, for: Viewer(userId: customerId, role: .customer))
                }) ?? nil
        {
            send(make(ticket), to: customer.filter { connections[$0] != nil })
        }
        let staffByUser = connections.staffByUser(staff ?? connections.staff)
        guard !staffByUser.isEmpty,
            let base = await logged(
                "ticket frame: staff view", { try await store.ticket(id: ticketId, for: .everything) }) ?? nil,
            let unread = await logged(
                "ticket frame: unread counts",
                {
                    try await store.staffUnreadCounts(ticketId: ticketId, userIds: Array(staffByUser.keys))
                })
        else { return }
        for (count, ids) in TicketViews.byUnread(staffByUser, unread: unread) {
            var ticket = base
            ticket.unreadCount = count
            // Read across suspensions: only those still connected.
            send(make(ticket), to: ids.filter { connections[$0] != nil })
        }
    }
}
