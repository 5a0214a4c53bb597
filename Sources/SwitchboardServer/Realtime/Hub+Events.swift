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

    func sendAgentStatus(_ agent: UserRef, _ status: AgentStatus) {
        send(.agentStatusChanged(agent: agent, status: status), to: staffConnections())
    }

    /// Relays in seq order; a message ahead of a missing one waits (briefly) for it.
    func relay(_ message: Message, origin: ConnectionID?) {
        messagesSeen += 1
        metrics?.messagesStored.increment()
        guard let actions = rooms[message.ticketId]?.relay.receive(message, origin: origin) else { return } // nobody is in the room
        carryOut(actions, in: message.ticketId)
    }

    /// Does what the room's relay decided.
    func carryOut(_ actions: [RoomRelay.Action], in ticketId: Int) {
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
    func fillGap(_ ticketId: Int) async {
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

    func ticketChanged(before: TicketRow, after: TicketRow, by: UserRef) async {
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
        // Who hears of it, worked out once for the three frames (from the indexes, see ticketStaff).
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
    func ticketStaff(_ before: TicketRow, _ after: TicketRow) -> Set<ConnectionID> {
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
    func sendTicket(_ ticketId: Int, customerId: Int, staff: Set<ConnectionID>? = nil,
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
}
