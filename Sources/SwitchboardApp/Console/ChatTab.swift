import Foundation
import SwitchboardClient
import SwitchboardProtocol
import TerminalKit

/// One open chat in the console: its conversation, its own draft, scroll and unread count, and
/// how much it needs the agent (for the hotlist).
public struct ChatTab: Equatable, Sendable {
    /// How much a tab needs attention, lowest first (WeeChat's hotlist levels).
    public enum Activity: Int, Comparable, Equatable, Sendable {
        case none, other, message, waiting

        public static func < (a: Activity, b: Activity) -> Bool { a.rawValue < b.rawValue }
    }

    public var conversation: Conversation
    public var editor = LineEditor()
    /// What is written here is an internal note.
    public var noteMode = false
    public var unread = 0
    public var activity = Activity.none
    /// Since when the customer's last message has waited for an answer.
    public var waitingSince: Date?
    var typing = TypingSignal()

    public var ticketId: Int { conversation.ticket.id }

    public init(conversation: Conversation) { self.conversation = conversation }

    /// The label in the tab bar: `#12 Casey`.
    public var title: String { "#\(ticketId) \(conversation.ticket.customer.shown)" }
}

/// Which tab needs the agent most: a customer waiting longest, then a new message, then other activity.
enum Hotlist {
    static func hottest(_ tabs: [ChatTab], besides current: Int?) -> Int? {
        tabs.indices.filter { $0 != current && tabs[$0].activity != .none }.max { a, b in
            if tabs[a].activity != tabs[b].activity { return tabs[a].activity < tabs[b].activity }
            // Equal levels: the one waiting longer (earlier) wins.
            return (tabs[a].waitingSince ?? .distantFuture) > (tabs[b].waitingSince ?? .distantFuture)
        }
    }
}

/// Canned responses' placeholders filled in from the ticket and the agent.
enum Placeholders {
    static func fill(_ body: String, ticket: Ticket, agent: User) -> String {
        body.replacingOccurrences(of: "{customer.name}", with: Sanitizer.clean(ticket.customer.displayName))
            .replacingOccurrences(of: "{agent.name}", with: agent.displayName)
            .replacingOccurrences(of: "{ticket.id}", with: String(ticket.id))
            .replacingOccurrences(of: "{ticket.subject}", with: Sanitizer.clean(ticket.subject))
    }
}
