import Foundation
import SwitchboardClient

/// This user's messages the server has not stored yet — queued, or failed for good — across all
/// tickets, as the outbox reports them. A chat opened later (or after a restart, when the outbox
/// reports what an earlier run left) starts with its own, so a failed message can still be
/// edited, retried or discarded where it was written.
public struct UnsentMessages: Equatable, Sendable {
    private var messages: [OutgoingMessage] = []

    public init() {}

    /// Follows the outbox: kept while queued or failed, gone once stored or discarded.
    public mutating func follow(_ event: RealtimeEvent) {
        switch event {
        case .outgoing(let message):
            messages.follow(message)
        case .discarded(let id, _):
            messages.removeAll { $0.clientMessageId == id }
        default:
            break
        }
    }

    /// A new conversation with this ticket's unsent messages in it.
    public func seed(_ conversation: inout Conversation, now: Date) {
        for message in messages where message.ticketId == conversation.ticket.id {
            conversation.apply(.outgoing(message), now: now)
        }
    }
}
