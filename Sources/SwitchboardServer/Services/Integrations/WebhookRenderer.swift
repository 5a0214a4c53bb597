import Foundation
import SwitchboardProtocol

/// An event's body: `{id, type, createdAt, data: {ticketId, ticket?, message?, …}}` with the
/// contract's objects as they stand at the first attempt (as an admin sees them), then kept, so a
/// retry or another endpoint sends the very same bytes.
struct WebhookRenderer: Sendable {
    let store: any Store

    struct Body: Encodable {
        var id: Int
        var type: WebhookEventType
        var createdAt: Date
        var data: Contents
    }

    struct Contents: Encodable {
        var ticketId: Int
        var ticket: Ticket?
        var message: Message?
        var previousStatus: TicketStatus?
        var previousAgentId: Int?
        var mergedIntoId: Int?
        var previous: WebhookDetail.Previous?
        var rating: TicketRating?
        var target: SLATarget?
        var dueAt: Date?
    }

    func body(for event: WebhookEventRow) async throws -> String {
        if let kept = try await store.eventPayload(eventId: event.id) { return kept }
        let detail = try event.detail.map { try WireJSON.decoder().decode(WebhookDetail.self, from: Data($0.utf8)) }
        // Gone since (deleted before this was sent): as the deletion kept it.
        // As an admin sees it: notes are filtered when deliveries are made, by endpoint.
        var ticket = try await store.ticket(id: event.ticketId, for: .everything) ?? detail?.ticket
        if ticket == nil { ticket = try await store.deletedTicket(id: event.ticketId) }
        var data = Contents(
            ticketId: event.ticketId, ticket: ticket, previousStatus: detail?.previousStatus, previousAgentId: detail?.previousAgentId,
            mergedIntoId: detail?.mergedIntoId, previous: detail?.previous, target: detail?.target, dueAt: detail?.dueAt)
        switch event.type {
        case .messageCreated:
            if let id = event.messageId { data.message = try await store.webhookMessage(id: id) }
        case .ticketRated:
            data.rating = detail?.score.map { TicketRating(score: $0, comment: detail?.comment, at: event.at) } ?? ticket?.rating
        case .ticketMerged:
            data.mergedIntoId = detail?.mergedIntoId ?? ticket?.mergedIntoId
        default:
            break
        }
        let json = String(
            decoding: try WireJSON.encoder().encode(Body(id: event.id, type: event.type, createdAt: event.at, data: data)), as: UTF8.self)
        return try await store.keepEventPayload(eventId: event.id, payload: json)
    }
}
