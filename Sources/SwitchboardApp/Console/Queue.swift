import Foundation
import SwitchboardProtocol

/// The queue's sections and their order: most urgent first, then whoever has waited longest.
public enum QueueSection: Int, CaseIterable, Equatable, Sendable {
    case unassigned, mine, allOpen

    public var title: String {
        switch self {
        case .unassigned: "Unassigned"
        case .mine: "Mine"
        case .allOpen: "All open"
        }
    }

    /// The section's tickets, sorted.
    public func tickets(_ all: [Ticket], me: Int?) -> [Ticket] {
        all.filter { ticket in
            guard ticket.status.isActive else { return false }
            switch self {
            case .unassigned: return ticket.assignedAgent == nil
            case .mine: return ticket.assignedAgent?.id == me
            case .allOpen: return true
            }
        }
        .sorted { a, b in
            a.priority.rank != b.priority.rank ? a.priority.rank > b.priority.rank : Self.waitingSince(a) < Self.waitingSince(b)
        }
    }

    /// Since when the customer has waited: their last message if it is the last word, else the ticket's last change.
    static func waitingSince(_ ticket: Ticket) -> Date {
        if let last = ticket.lastMessage, last.senderType == .customer { return last.timestamp }
        return ticket.lastMessage?.timestamp ?? ticket.createdAt
    }
}
