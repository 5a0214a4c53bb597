import Foundation
import SwitchboardClient
import SwitchboardProtocol
import TerminalKit

@testable import SwitchboardApp

/// A small world for headless tests: a customer, an agent, tickets and messages at fixed times.
enum World {
    static let start = Date(timeIntervalSince1970: 1_795_000_000)  // 2026-11-18 11:06:40 UTC
    static let utc = TimeZone(identifier: "UTC")!
    static let theme = Theme(name: "test")

    static let customer = User(
        id: 3, username: "casey", displayName: "Casey Customer", role: .customer, isOnline: true,
        lastSeenAt: nil, agentStatus: nil, capacity: nil, email: nil)
    static let agent = UserRef(id: 2, displayName: "Alex Agent", role: .agent, isOnline: true)

    static func ticket(
        _ id: Int, _ subject: String, status: TicketStatus = .inProgress, agent: UserRef? = World.agent,
        unread: Int = 0, last: Message? = nil, minutesAgo: Double = 5
    ) -> Ticket {
        let date = start.addingTimeInterval(-minutesAgo * 60)
        return Ticket(
            id: id, subject: subject, description: "d", status: status, priority: .high, category: .shipping,
            customer: customer.ref, assignedAgent: agent, messageCount: 0, unreadCount: unread, lastMessage: last,
            createdAt: date, updatedAt: date, resolvedAt: nil)
    }

    static func message(
        _ seq: Int, ticket: Int = 1, from sender: UserRef = World.agent, _ text: String,
        minutesAgo: Double = 4
    ) -> Message {
        Message(
            id: 100 + seq, ticketId: ticket, seq: seq, clientMessageId: nil, sender: sender,
            senderType: sender.role == .customer ? .customer : .agent, message: text, messageType: .text, internal: false,
            isRead: false, timestamp: start.addingTimeInterval(-minutesAgo * 60), attachment: nil)
    }

    /// A signed-in customer mode at `width`×`height` with these tickets, clocks fixed.
    static func mode(width: Int = 80, height: Int = 24, tickets: [Ticket]) -> CustomerMode {
        var mode = CustomerMode(
            server: "http://127.0.0.1:8080", username: "casey", signingIn: true,
            size: (width, height), now: start)
        mode.timeZone = utc
        _ = mode.update(.event(.signedIn(customer)))
        _ = mode.update(.event(.tickets(tickets)))
        _ = mode.update(.event(.connection(.connected)))
        return mode
    }

    static func lines(_ mode: CustomerMode) -> [String] { mode.view(theme: theme).screen.lines }
}
