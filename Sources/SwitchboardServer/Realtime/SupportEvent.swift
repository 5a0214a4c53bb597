import Foundation
import SwitchboardProtocol

/// Identifies one WebSocket connection on this server.
public typealias ConnectionID = Int

/// Something that happened, as the services report it after it is stored. The hub turns these
/// into frames for whoever should hear of them; REST and WebSocket changes report alike.
public enum SupportEvent: Sendable {
    /// A new message (never a resend). `origin` is the connection that sent it, which gets an
    /// `ACK` instead of the relay.
    case messageStored(Message, origin: ConnectionID?)
    case ticketCreated(ticketId: Int, customerId: Int)
    case ticketChanged(before: TicketRow, after: TicketRow, by: UserRef)
    /// Deleted with its messages; `customerId` is whose it was.
    case ticketDeleted(ticketId: Int, customerId: Int)
    case read(ticketId: Int, userId: Int, upToSeq: Int)
    case delivered(ticketId: Int, userId: Int, upToSeq: Int)
    case agentStatusChanged(agent: UserRef, status: AgentStatus)
    /// A login ended (logout, or a stolen refresh token): its sockets close.
    case loginEnded(loginId: String)
    /// A target's warning share is reached: to the assignee (everyone on staff while unassigned).
    case slaWarning(ticketId: Int, target: SLATarget, dueAt: Date, agentId: Int?)
    /// A target was missed: to the assignee and the admins.
    case slaBreached(ticketId: Int, target: SLATarget, at: Date, agentId: Int?)
    /// The assignee did not reply in time: the ticket moved on (its `ticketChanged` goes too).
    case ticketReassigned(ticketId: Int, from: Int?, to: Int?)
    /// The customer rated the ticket's resolution: to staff.
    case ticketRated(ticketId: Int, rating: TicketRating, customerId: Int)
    /// The ticket was merged into another: to everyone in either room, its customer and staff.
    case ticketMerged(ticketId: Int, intoTicketId: Int, customerId: Int)
    /// A note named `userId` with `@name`: to that user.
    case mentioned(ticketId: Int, seq: Int, userId: Int, by: UserRef)
    /// A webhook failed for too long and was switched off: the admins are told.
    case webhookSwitchedOff(webhookId: Int)
}

/// Where services report events.
public protocol SupportEventSink: Sendable {
    func publish(_ event: SupportEvent) async
}
