import Foundation
import SwitchboardProtocol

/// Tickets and their messages: who may see and change what, and the status workflow.
public struct TicketService: Sendable {
    let store: any Store
    /// Input checks, and the content filter (card numbers and the configured rules) applied to
    /// every text before it is stored.
    let validator: Validator
    let events: any SupportEventSink
    let clock: @Sendable () -> Date
    var metrics: ServerMetrics? = nil

    var limits: Limits { validator.limits }

    // MARK: Visibility

    /// The ticket if the caller may see it. A customer asking for someone else's ticket is told
    /// it does not exist, exactly as for a ticket that does not.
    func visibleTicket(_ id: Int, to caller: Caller) async throws -> TicketRow {
        guard let row = try await store.ticketRow(id: id), caller.isStaff || row.customerId == caller.id else {
            throw ContractError(.notFound, "no ticket #\(id)")
        }
        return row
    }

    public func ticket(_ id: Int, for caller: Caller) async throws -> Ticket {
        _ = try await visibleTicket(id, to: caller)
        guard let ticket = try await store.ticket(id: id, for: caller.viewer) else {
            throw ContractError(.notFound, "no ticket #\(id)")
        }
        return ticket
    }

    public func tickets(_ query: TicketQuery, for caller: Caller) async throws -> Page<Ticket> {
        var query = query
        guard (0...limits.pageSizeMax).contains(query.size), query.size > 0 else {
            throw ContractError(.invalid, "size: 1–\(limits.pageSizeMax)")
        }
        guard query.page >= 0 else { throw ContractError(.invalid, "page: counts from 0") }
        // Whatever the filters say, a customer sees only their own tickets.
        if !caller.isStaff { query.customerId = caller.id }
        return try await store.tickets(query, for: caller.viewer)
    }

    // MARK: Changes

    public func create(_ request: CreateTicketRequest, by caller: Caller) async throws -> Ticket {
        guard caller.role == .customer else {
            throw ContractError(.forbidden, "tickets are opened by customers; agents work on them")
        }
        let new = NewTicket(
            subject: try await filtered(request.subject, field: "subject", max: limits.subjectMaxLength).text,
            description: try await filtered(request.description, field: "description", max: limits.descriptionMaxLength).text,
            category: request.category, priority: request.priority ?? .medium, customerId: caller.id)
        let id = try await store.createTicket(new, now: clock())
        await events.publish(.ticketCreated(ticketId: id, customerId: caller.id))
        // The new ticket is the customer's first wait.
        try? await targets.noticeIfAway(ticketId: id, startedWait: true)
        return try await ticket(id, for: caller)
    }

    public func update(_ id: Int, _ request: UpdateTicketRequest, by caller: Caller) async throws -> Ticket {
        _ = try await visibleTicket(id, to: caller)
        var draft = TicketChange(status: request.status, priority: request.priority, category: request.category)
        if let subject = request.subject {
            draft.subject = try await filtered(subject, field: "subject", max: limits.subjectMaxLength).text
        }
        if let assignee = request.assignedAgentId.given {
            if let agentId = assignee { try await requireAgent(agentId) }
            draft.assignedAgentId = .some(assignee)
        }
        let now = clock()
        if let until = request.snoozedUntil.given {
            try caller.requireStaff()
            if let until {
                guard until > now else {
                    throw ContractError(.invalid, "snoozedUntil: a time to come (it is \(Timestamp.format(now)) now)")
                }
                guard until.timeIntervalSince(now) <= Self.longestSnooze else {
                    throw ContractError(.invalid, "snoozedUntil: at most 90 days ahead")
                }
            }
            draft.snoozedUntil = .some(until)
        }
        if let through = request.snoozeThroughReplies {
            try caller.requireStaff()
            draft.snoozeThroughReplies = through
        }
        if !caller.isStaff {
            guard draft == TicketChange(status: draft.status) else {
                throw ContractError(.forbidden, "customers may only close or reopen their tickets")
            }
        }
        let isStaff = caller.isStaff, change = draft
        let (before, after) = try await store.updateTicket(id: id, now: now) { row in
            if case .some(.some) = change.snoozedUntil, !row.status.isActive {
                throw ContractError(.conflict, "ticket #\(row.id) is \(row.status.rawValue); only an open ticket can be snoozed")
            }
            if let next = change.status, next != row.status {
                if !isStaff {
                    let closes = next == .closed
                    let reopens = row.status == .resolved && next == .inProgress
                    guard closes || reopens else {
                        throw ContractError(.forbidden, "customers may only close or reopen their tickets")
                    }
                }
                guard row.status.canMove(to: next) else {
                    throw ContractError(.conflict, "ticket #\(row.id) is \(row.status.rawValue) and cannot move to \(next.rawValue)")
                }
            }
            return change
        }
        if before != after { await events.publish(.ticketChanged(before: before, after: after, by: caller.user.ref)) }
        return try await ticket(id, for: caller)
    }

    /// How far ahead a ticket may be snoozed.
    static let longestSnooze: TimeInterval = 90 * 86_400

    // MARK: Assignment by hand

    /// An agent takes an unassigned ticket.
    public func claim(_ id: Int, by caller: Caller) async throws -> Ticket {
        try caller.requireStaff()
        let me = caller.id
        return try await change(id, by: caller) { row in
            if let current = row.assignedAgentId, current != me {
                throw ContractError(.conflict, "ticket #\(row.id) is already assigned to someone else; ask for a transfer")
            }
            return TicketChange(assignedAgentId: .some(me))
        }
    }

    /// Hands an active ticket to another agent.
    public func transfer(_ id: Int, to agentId: Int, by caller: Caller) async throws -> Ticket {
        try caller.requireStaff()
        try await requireAgent(agentId, field: "agentId")
        return try await change(id, by: caller) { _ in TicketChange(assignedAgentId: .some(agentId)) }
    }

    /// Raises the priority (one step unless told) and hands the ticket up: to the chosen agent,
    /// or to the least busy admin.
    public func escalate(_ id: Int, _ request: EscalateRequest, by caller: Caller) async throws -> Ticket {
        try caller.requireStaff()
        let target: Int
        if let agentId = request.agentId {
            try await requireAgent(agentId, field: "agentId")
            target = agentId
        } else {
            guard let admin = try await store.escalationAdmin() else {
                throw ContractError(.conflict, "there is no admin to escalate to; name an agent")
            }
            target = admin
        }
        let requested = request.priority
        return try await change(id, by: caller) { row in
            let raised = Priority.allCases.first { $0.rank == min(row.priority.rank + 1, Priority.urgent.rank) } ?? .urgent
            let priority = requested ?? raised
            guard priority.rank >= row.priority.rank else {
                throw ContractError(.invalid, "priority: an escalation does not lower it (it is \(row.priority.rawValue))")
            }
            return TicketChange(priority: priority, assignedAgentId: .some(target))
        }
    }

    /// Applies a change decided on the row as it stands; only active tickets are handed around.
    private func change(
        _ id: Int, by caller: Caller, _ decide: @escaping @Sendable (TicketRow) throws -> TicketChange
    ) async throws -> Ticket {
        _ = try await visibleTicket(id, to: caller)
        let (before, after) = try await store.updateTicket(id: id, now: clock()) { row in
            guard row.status.isActive else {
                throw ContractError(.conflict, "ticket #\(row.id) is \(row.status.rawValue); reopen it first")
            }
            return try decide(row)
        }
        if before != after { await events.publish(.ticketChanged(before: before, after: after, by: caller.user.ref)) }
        return try await ticket(id, for: caller)
    }

    public func delete(_ id: Int, by caller: Caller) async throws {
        try caller.requireAdmin()
        let row = try await visibleTicket(id, to: caller)
        let snapshot = try await store.ticket(id: id, for: caller.viewer)
        guard try await store.deleteTicket(id: id, now: clock(), snapshot: snapshot) else {
            throw ContractError(.notFound, "no ticket #\(id)")
        }
        await events.publish(.ticketDeleted(ticketId: id, customerId: row.customerId))
    }

    private func requireAgent(_ id: Int, field: String = "assignedAgentId") async throws {
        _ = try Validator.id(id, field: field)
        guard let record = try await store.user(id: id) else {
            throw ContractError(.invalid, "\(field): no user #\(id)")
        }
        guard record.role.isStaff else {
            throw ContractError(.invalid, "\(field): user #\(id) is not an agent")
        }
    }

    // MARK: Messages

    public func messages(ticketId: Int, afterSeq: Int?, beforeSeq: Int?, limit: Int?, for caller: Caller) async throws -> MessagePage {
        _ = try await visibleTicket(ticketId, to: caller)
        let limit = limit ?? 50
        guard (1...limits.messagePageMax).contains(limit) else {
            throw ContractError(.invalid, "limit: 1–\(limits.messagePageMax)")
        }
        if let afterSeq, afterSeq < 0 { throw ContractError(.invalid, "afterSeq: must not be negative") }
        if let beforeSeq, beforeSeq < 1 { throw ContractError(.invalid, "beforeSeq: must be at least 1") }
        return try await store.messages(
            ticketId: ticketId, window: MessageWindow(afterSeq: afterSeq, beforeSeq: beforeSeq, limit: limit),
            for: caller.viewer)
    }

    /// Stores a message (once per `clientMessageId`). A public agent reply takes an OPEN ticket
    /// IN_PROGRESS; a customer writing on a RESOLVED ticket reopens it.
    public func post(
        _ request: PostMessageRequest, to ticketId: Int, by caller: Caller,
        origin: ConnectionID? = nil
    ) async throws -> AppendResult {
        // A file is checked against the ticket first; otherwise who may see the ticket is decided
        // on the row the append reads anyway (one round trip less on the hot path).
        let isNote = request.internal ?? false
        if request.attachmentId != nil {
            _ = try await visibleTicket(ticketId, to: caller)
            try Self.requireMayWriteNotes(isNote, caller)
        }
        let type = request.messageType ?? .text
        let attachment = try await attachment(for: request, on: ticketId, by: caller)
        // A file may go without words: its name is the message then.
        let text =
            attachment != nil && Validator.trimmed(request.message).isEmpty
            ? attachment!.fileName : request.message
        let body = try await filtered(text, field: "message", max: limits.messageMaxLength)
        let new = NewMessage(
            ticketId: ticketId, sender: caller.user.ref, senderType: caller.isStaff ? .agent : .customer,
            body: body.text, messageType: type, internal: isNote, clientMessageId: try validator.clientMessageId(request.clientMessageId),
            attachment: attachment, redactions: body.redactions)
        let isStaff = caller.isStaff
        let asked = ContinuousClock.now
        defer { metrics?.commitLatency.record(ContinuousClock.now - asked) }
        let result = try await appendFollowingMerges(new) { row in
            // Someone else's ticket is, to a customer, exactly a missing one.
            guard isStaff || row.customerId == caller.id else { throw ContractError(.notFound, "no ticket #\(row.id)") }
            try Self.requireMayWriteNotes(isNote, caller)
            if let into = row.mergedIntoId { throw MergedAway(into: into) }
            guard row.status != .closed else {
                throw ContractError(.conflict, "ticket #\(row.id) is closed; open a new ticket")
            }
            if isNote { return nil }
            if isStaff && row.status == .open { return .inProgress }
            if !isStaff && row.status == .resolved { return .inProgress }
            return nil
        }
        guard !result.duplicate else { return result }
        await events.publish(.messageStored(result.message, origin: origin))
        // A courtesy like the notice below: the note is stored whether or not its mentions are.
        if isNote && isStaff && result.message.message.contains("@") { try? await announceMentions(in: result.message, by: caller) }
        if result.ticket.status != result.previousStatus || result.wokeSnooze {
            var before = result.ticket
            before.status = result.previousStatus
            if result.wokeSnooze { before.snoozedUntil = result.snoozedBefore }
            await events.publish(.ticketChanged(before: before, after: result.ticket, by: caller.user.ref))
        }
        // A courtesy: when it cannot be written the message stays stored, and the next wait tries again.
        if result.startedWait && !isStaff { try? await targets.noticeIfAway(ticketId: result.message.ticketId, startedWait: true) }
        return result
    }

    /// A message written to a merged ticket (a client that has not heard of the merge yet, an
    /// outbox sent after it) goes where the conversation went: the ticket it was merged into.
    private func appendFollowingMerges(
        _ new: NewMessage, rule: @escaping @Sendable (TicketRow) throws -> TicketStatus?
    ) async throws -> AppendResult {
        var new = new
        for _ in 0..<Self.mergeHops {
            do {
                return try await store.appendMessage(new, now: clock(), rule: rule)
            } catch let merged as MergedAway {
                new.ticketId = merged.into
            }
        }
        throw ContractError(.conflict, "ticket #\(new.ticketId) was merged too many times over; write on the newest ticket")
    }

    private struct MergedAway: Error { var into: Int }
    private static let mergeHops = 4

    var targets: TargetsService { TargetsService(store: store, events: events, clock: clock) }

    /// Trimmed and checked for length as written, then through the content filter (off the event
    /// loop when there are rules): what may be stored.
    func filtered(_ raw: String, field: String, max: Int) async throws(ContractError) -> ContentFilter.Filtered {
        try await validator.filter.filterOffLoop(try validator.text(raw, field: field, max: max), field: field)
    }

    /// `TYPING_START`: on a ticket the caller may see, and "writing a note" only from staff.
    public func checkTyping(ticketId: Int, isNote: Bool, by caller: Caller) async throws {
        _ = try await visibleTicket(ticketId, to: caller)
        try Self.requireMayWriteNotes(isNote, caller)
    }

    /// Internal notes are the staff's: a customer may neither write one nor be seen writing one.
    static func requireMayWriteNotes(_ isNote: Bool, _ caller: Caller) throws(ContractError) {
        if isNote && !caller.isStaff { throw ContractError(.forbidden, "customers cannot write internal notes") }
    }

    public func markRead(ticketId: Int, upToSeq: Int, by caller: Caller) async throws {
        try await checkMark(ticketId: ticketId, upToSeq: upToSeq, by: caller)
        try await store.markRead(ticketId: ticketId, userId: caller.id, upToSeq: upToSeq)
        await events.publish(.read(ticketId: ticketId, userId: caller.id, upToSeq: upToSeq))
    }

    public func markDelivered(ticketId: Int, upToSeq: Int, by caller: Caller) async throws {
        try await checkMark(ticketId: ticketId, upToSeq: upToSeq, by: caller)
        try await store.markDelivered(ticketId: ticketId, userId: caller.id, upToSeq: upToSeq)
        await events.publish(.delivered(ticketId: ticketId, userId: caller.id, upToSeq: upToSeq))
    }

    /// A read or delivery mark names a seq the ticket has, on a ticket the caller may see.
    private func checkMark(ticketId: Int, upToSeq: Int, by caller: Caller) async throws {
        let row = try await visibleTicket(ticketId, to: caller)
        guard upToSeq >= 0, upToSeq <= row.lastSeq else {
            throw ContractError(.invalid, "upToSeq: 0–\(row.lastSeq) on ticket #\(ticketId)")
        }
    }
}
