import Foundation
import SwitchboardProtocol

/// A ticket's life after its resolution: the customer's rating, and joining one ticket into another.
extension TicketService {
    // MARK: Ratings

    /// The ticket's customer rates its resolution, once; the team sees it as a note in the chat.
    public func rate(_ id: Int, _ request: RateTicketRequest, by caller: Caller) async throws -> Ticket {
        guard caller.role == .customer else { throw ContractError(.forbidden, "a ticket is rated by its customer") }
        guard TicketRating.scores.contains(request.score) else {
            throw ContractError(.invalid, "score: 1 (poor) to 5 (great)")
        }
        var comment: String?
        if let raw = request.comment, !Validator.trimmed(raw).isEmpty {
            comment = try await filtered(raw, field: "comment", max: TicketRating.commentMaxLength).text
        }
        let me = caller.id
        let (row, rating) = try await store.rateTicket(id: id, score: request.score, comment: comment, now: clock()) { row in
            guard row.customerId == me else { throw ContractError(.notFound, "no ticket #\(row.id)") }
            if let into = row.mergedIntoId {
                throw ContractError(.conflict, "ticket #\(row.id) was merged into #\(into); rate that one once it is resolved")
            }
            guard !row.status.isActive else {
                throw ContractError(.conflict, "ticket #\(row.id) is \(row.status.rawValue); a ticket is rated once it is resolved")
            }
        }
        let quoted = comment.map { ": “\($0)”" } ?? ""
        // A courtesy for the team: the rating is stored and announced even if the line fails.
        try? await TargetsService.systemLine(
            "\(caller.user.displayName) rated this chat \(rating.stars)\(quoted)", on: id, note: true, store: store,
            events: events, now: clock())
        await events.publish(.ticketRated(ticketId: id, rating: rating, customerId: row.customerId))
        await events.publish(.ticketChanged(before: row, after: row, by: caller.user.ref))
        return try await ticket(id, for: caller)
    }

    /// The customer's client asked for the rating (it asks at most `Ticket.ratingAsksAtMost` times).
    public func ratingAsked(_ id: Int, by caller: Caller) async throws {
        let row = try await visibleTicket(id, to: caller)
        guard caller.role == .customer else { throw ContractError(.forbidden, "a ticket is rated by its customer") }
        guard !row.status.isActive else {
            throw ContractError(.conflict, "ticket #\(id) is \(row.status.rawValue); nothing is asked before it is resolved")
        }
        try await store.noteRatingAsked(id: id)
    }

    // MARK: Merges

    /// Joins ticket `sourceId` into `targetId` (one customer's, neither merged before, the target
    /// not closed): the source's messages follow in the target, the source is closed, and every
    /// client in either room is told to move (`TICKET_MERGED`).
    public func merge(_ sourceId: Int, into targetId: Int, by caller: Caller) async throws -> Ticket {
        try caller.requireStaff()
        _ = try Validator.id(targetId, field: "intoTicketId")
        guard sourceId != targetId else { throw ContractError(.invalid, "intoTicketId: a ticket is not merged into itself") }
        let by = caller.user.displayName
        let outcome = try await store.mergeTicket(sourceId, into: targetId, now: clock(), system: try await store.systemAccount()) {
            source, target in
            if let into = source.mergedIntoId {
                throw ContractError(.conflict, "ticket #\(source.id) was merged into #\(into) already")
            }
            if let into = target.mergedIntoId {
                throw ContractError(.conflict, "ticket #\(target.id) was merged into #\(into); merge into that one")
            }
            guard source.customerId == target.customerId else {
                throw ContractError(
                    .conflict, "tickets #\(source.id) and #\(target.id) are different customers'; only one customer's tickets are merged")
            }
            guard target.status != .closed else {
                throw ContractError(.conflict, "ticket #\(target.id) is closed; merge into a ticket that is not")
            }
            return MergeLines(
                inTarget: "Ticket #\(source.id) “\(source.subject)” was merged into this one by \(by); its messages follow.",
                inSource: "Merged into #\(target.id) by \(by); the conversation goes on there.")
        }
        // What the target's room has not seen, in seq order; then the source's closing line.
        let moved = try await store.messages(ticketId: targetId, fromSeq: outcome.introSeq, toSeq: outcome.target.after.lastSeq)
        for message in moved { await events.publish(.messageStored(message, origin: nil)) }
        for message in try await store.messages(ticketId: sourceId, fromSeq: outcome.closingSeq, toSeq: outcome.closingSeq) {
            await events.publish(.messageStored(message, origin: nil))
        }
        await events.publish(.ticketMerged(ticketId: sourceId, intoTicketId: targetId, customerId: outcome.source.after.customerId))
        await events.publish(.ticketChanged(before: outcome.source.before, after: outcome.source.after, by: caller.user.ref))
        await events.publish(.ticketChanged(before: outcome.target.before, after: outcome.target.after, by: caller.user.ref))
        return try await ticket(targetId, for: caller)
    }
}

extension TicketRating {
    /// The longest comment a rating keeps.
    public static let commentMaxLength = 1_000
}
