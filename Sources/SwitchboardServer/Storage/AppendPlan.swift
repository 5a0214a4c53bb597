import Foundation
import SQLKit
import SwitchboardProtocol

/// What appending a message changes, decided from the ticket as read: the ticket's new state
/// (seq, status by the rule, first response), the chat session's change, and the message as it
/// will be answered. Both ways of storing it (SQLite's statements in a transaction, PostgreSQL's
/// one statement) write what this says.
struct AppendPlan {
    let new: NewMessage
    let before: TicketRow
    let after: TicketRow
    /// `SET` of the ticket's row: the next seq, and what the rule and a first reply change.
    let ticketSets: SQLQueryString
    /// The chat session's `UPDATE`, if it changes.
    let sessionChange: SQLQueryString?
    private let now: Date

    /// `sessionActive`: the ticket's chat session is ACTIVE already. A message then leaves the
    /// session's row alone — its time is the session's last activity, read from the messages
    /// (`SQLStore.sessionActivity`) — which spares every message a write of its own.
    init(_ new: NewMessage, before: TicketRow, sessionActive: Bool, now: Date, rule: (TicketRow) throws -> TicketStatus?) throws {
        self.new = new
        self.before = before
        self.now = now
        let nextStatus = try rule(before)
        var after = before
        // The ticket row hands out seq: incrementing it where the message is stored makes seq
        // gap-free and, on PostgreSQL, locks the row so concurrent senders take turns.
        var sets: SQLQueryString = "last_seq = last_seq + 1, updated_at = \(bind: millis(now))"
        if let nextStatus, nextStatus != before.status {
            sets += ", status = \(bind: nextStatus.rawValue)"
            if before.status == .resolved { sets += ", resolved_at = NULL" }
            after.status = nextStatus
        }
        if new.senderType == .agent && !new.internal && before.firstResponseAt == nil {
            sets += ", first_response_at = \(bind: millis(now)), first_response_agent_id = \(bind: new.senderId)"
            after.firstResponseAt = Timestamp.date(millis: millis(now))
        }
        sets += Self.clockSets(new, before: before, now: now)
        after.waitingSince = Self.waitingSince(new, before: before, now: now)
        if new.senderType == .customer, !new.internal, !before.snoozeThroughReplies { after.snoozedUntil = nil }
        self.after = after
        ticketSets = sets
        sessionChange = SQLStore.sessionChange(of: after, previous: before, now: now, activity: !sessionActive)
    }

    /// The answer once stored with `id` and `seq`. Nobody else can have read a message that did
    /// not exist a moment ago.
    func result(id: Int, seq: Int) -> AppendResult {
        var ticket = after
        ticket.lastSeq = seq
        let message = Message(
            id: id, ticketId: new.ticketId, seq: seq, clientMessageId: new.clientMessageId, sender: new.sender,
            senderType: new.senderType, message: new.body, messageType: new.messageType, internal: new.internal,
            isRead: false, timestamp: Timestamp.date(millis: millis(now)), attachment: new.attachment, redactions: new.redactions)
        return AppendResult(
            message: message, duplicate: false, ticket: ticket, previousStatus: before.status,
            startedWait: before.waitingSince == nil && after.waitingSince != nil, snoozedBefore: before.snoozedUntil)
    }

    // MARK: The ticket's clock

    /// Only public messages of the customer and of staff move the clocks: notes and system lines
    /// are not replies. A customer writing again while waiting starts no new wait; a reply ends
    /// the wait (kept in `answered_*` until the clock keeper writes its outcome) and the rounds of
    /// reassignment for want of one. (SQL's `SET` reads the row as it was: `waiting_since` on the
    /// right is the old one.)
    static func clockSets(_ new: NewMessage, before: TicketRow, now: Date) -> SQLQueryString {
        guard !new.internal else { return "" }
        let at = millis(now)
        switch new.senderType {
        case .customer:
            // The customer writing wakes a snoozed ticket, unless it was snoozed through replies.
            let wake: SQLQueryString = before.snoozedUntil != nil && !before.snoozeThroughReplies ? ", snoozed_until = NULL" : ""
            guard before.waitingSince == nil else { return wake }
            return ", waiting_since = COALESCE(waiting_since, \(bind: at)), clock_due_at = \(bind: at)" + wake
        case .agent:
            guard before.waitingSince != nil else { return ", reassign_round = 0, reassign_tried = NULL, last_reply_at = \(bind: at)" }
            return """
                , answered_wait_since = waiting_since, answered_at = \(bind: at), waiting_since = NULL,
                reassign_round = 0, reassign_tried = NULL, clock_due_at = \(bind: at), last_reply_at = \(bind: at)
                """
        case .system:
            return ""
        }
    }

    static func waitingSince(_ new: NewMessage, before: TicketRow, now: Date) -> Date? {
        guard !new.internal else { return before.waitingSince }
        switch new.senderType {
        case .customer: return before.waitingSince ?? Timestamp.date(millis: millis(now))
        case .agent: return nil
        case .system: return before.waitingSince
        }
    }
}
