import Foundation
import Logging
import ServiceLifecycle
import SwitchboardProtocol

/// Other server processes on the same database: what they ring is relayed to this node's sockets.
extension Hub {
    // MARK: Other nodes

    /// A change another node rang: relayed from the tables to this node's sockets.
    func remote(_ change: NodeNote.Change) async {
        switch change {
        case .message(let ticketId, let seq):
            // Read from the tables in seq order with anything else missing — as a job beside the
            // timer, so the next notes are not held behind this read, and at most one read per
            // room at a time: notes arriving meanwhile are covered by one more read (`Rooms`).
            guard let last = rooms.relayPoint(ticketId), seq > last else { return }
            carryOut(rooms.wantRead(ticketId))
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
                guard !rooms.members(of: ticketId).isEmpty,
                    let user = await logged("remote typing", { try await store.user(id: userId) }) ?? nil
                else { return }
                var ref = user.user.ref
                ref.isOnline = true
                startTyping(ticketId: ticketId, user: ref, isNote: isNote, remote: true)
            } else if typing.isRemote(ticketId: ticketId, userId: userId) {
                stopTyping(ticketId: ticketId, userId: userId)
            }
        case .slaWarning(let ticketId, let target, let dueAt, let agentId):
            await publish(.slaWarning(ticketId: ticketId, target: target, dueAt: dueAt, agentId: agentId))
        case .slaBreached(let ticketId, let target, let at, let agentId):
            await publish(.slaBreached(ticketId: ticketId, target: target, at: at, agentId: agentId))
        case .ticketReassigned(let ticketId, let from, let to):
            await publish(.ticketReassigned(ticketId: ticketId, from: from, to: to))
        case .ticketRated(let ticketId, let customerId):
            guard
                let rating = await logged(
                    "remote rating", { try await store.ticket(id: ticketId, for: .everything)?.rating }) ?? nil
            else { return }
            await publish(.ticketRated(ticketId: ticketId, rating: rating, customerId: customerId))
        case .ticketMerged(let ticketId, let intoTicketId, let customerId):
            await publish(.ticketMerged(ticketId: ticketId, intoTicketId: intoTicketId, customerId: customerId))
        case .mentioned(let ticketId, let seq, let userId, let byUserId):
            guard let by = await staffRef(byUserId) else { return }
            await publish(.mentioned(ticketId: ticketId, seq: seq, userId: userId, by: by))
        case .webhookSwitchedOff(let webhookId):
            await publish(.webhookSwitchedOff(webhookId: webhookId))
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
        for userId in users where !connections.isOnline(userId) {
            guard let record = await logged("node left: user", { try await store.user(id: userId) }) ?? nil else { continue }
            await wentOffline(record.user)
        }
    }

    /// After notes may have been missed (the doorbell's LISTEN dropped): every room this node
    /// holds reads what it has not relayed.
    func catchUp() {
        for ticketId in rooms.ticketIds { carryOut(rooms.wantRead(ticketId)) }
    }
}
