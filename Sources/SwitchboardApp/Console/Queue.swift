import Foundation
import SwitchboardProtocol

/// The queue's sections and their order: most urgent first, then whoever has waited longest.
public enum QueueSection: Int, CaseIterable, Equatable, Sendable {
    case unassigned, mine, allOpen, snoozed, mentions

    public var title: String {
        switch self {
        case .unassigned: "Unassigned"
        case .mine: "Mine"
        case .allOpen: "All open"
        case .snoozed: "Snoozed"
        case .mentions: "Mentions"
        }
    }

    /// For a narrow queue.
    public var shortTitle: String {
        switch self {
        case .unassigned: "Waiting"
        case .mine: "Mine"
        case .allOpen: "All"
        case .snoozed: "Zz"
        case .mentions: "@"
        }
    }

    /// Snoozed tickets are in their own section only, until they wake. Mentions holds the tickets
    /// whose notes named the agent, whatever their state, until the agent has seen them.
    public func contains(_ ticket: Ticket, me: Int?, mentioned: Set<Int> = []) -> Bool {
        if self == .mentions { return mentioned.contains(ticket.id) }
        guard ticket.status.isActive else { return false }
        if ticket.snoozedUntil != nil { return self == .snoozed }
        switch self {
        case .unassigned: return ticket.assignedAgent == nil
        case .mine: return ticket.assignedAgent?.id == me
        case .allOpen: return true
        case .snoozed, .mentions: return false
        }
    }

    /// How many tickets are in the section (no sorting: the tabs and the status bar only count).
    public func count(_ all: [Ticket], me: Int?, mentioned: Set<Int> = []) -> Int {
        all.reduce(0) { $0 + (contains($1, me: me, mentioned: mentioned) ? 1 : 0) }
    }

    /// The section's tickets, sorted.
    public func tickets(_ all: [Ticket], me: Int?, order: QueueOrder = .urgency, mentioned: Set<Int> = []) -> [Ticket] {
        let mine = all.filter { contains($0, me: me, mentioned: mentioned) }
        // The snoozed: the next to wake first.
        if self == .snoozed {
            return mine.sorted { ($0.snoozedUntil ?? .distantFuture, $0.id) < ($1.snoozedUntil ?? .distantFuture, $1.id) }
        }
        return mine.sorted(by: order.before)
    }

    /// Since when the customer has waited: as the server says (a system line is no reply), else
    /// their last message if it is the last word, else the ticket's last change.
    static func waitingSince(_ ticket: Ticket) -> Date {
        if let since = ticket.waitingSince { return since }
        if let last = ticket.lastMessage, last.senderType == .customer { return last.timestamp }
        return ticket.lastMessage?.timestamp ?? ticket.createdAt
    }
}

/// How the queue is ordered (`/sort`, the `o` key).
public enum QueueOrder: String, CaseIterable, Equatable, Sendable {
    /// Most urgent first, then whoever has waited longest.
    case urgency
    /// The soonest due target first (missed ones at the top), then tickets with no clock by urgency.
    case due

    func before(_ a: Ticket, _ b: Ticket) -> Bool {
        if self == .due {
            let da = a.sla?.dues.first?.at, db = b.sla?.dues.first?.at
            if da != db { return da.map { d in db.map { d < $0 } ?? true } ?? false }
        }
        return a.priority.rank != b.priority.rank
            ? a.priority.rank > b.priority.rank : QueueSection.waitingSince(a) < QueueSection.waitingSince(b)
    }

    public var title: String { self == .due ? "by due time" : "by urgency" }
}

/// What the queue shows of its section: statuses, priorities, categories, and text in the
/// subject or the customer's name. Empty parts let everything through.
public struct QueueFilter: Equatable, Sendable {
    public var statuses: Set<TicketStatus> = []
    public var priorities: Set<Priority> = []
    public var categories: Set<SwitchboardProtocol.Category> = []
    public var text = ""

    public init() {}

    public var isEmpty: Bool { statuses.isEmpty && priorities.isEmpty && categories.isEmpty && text.isEmpty }

    public func admits(_ ticket: Ticket) -> Bool {
        (statuses.isEmpty || statuses.contains(ticket.status)) && (priorities.isEmpty || priorities.contains(ticket.priority))
            && (categories.isEmpty || categories.contains(ticket.category))
            && (text.isEmpty || ticket.subject.localizedCaseInsensitiveContains(text)
                || ticket.customer.displayName.localizedCaseInsensitiveContains(text))
    }

    /// `/filter high payment open lamp`: each word a status, priority or category if it names one,
    /// the rest the text. Nothing: no filter.
    public static func parse(_ argument: String) -> QueueFilter {
        var filter = QueueFilter(), words: [String] = []
        for word in argument.split(separator: " ").map(String.init) {
            if let status = TicketStatus(word: word) {
                filter.statuses.insert(status)
            } else if let priority = Priority(word: word) {
                filter.priorities.insert(priority)
            } else if let category = SwitchboardProtocol.Category(word: word) {
                filter.categories.insert(category)
            } else {
                words.append(word)
            }
        }
        filter.text = words.joined(separator: " ")
        return filter
    }

    /// How the queue's heading says it: `high · payment · “lamp”`.
    public var summary: String {
        (statuses.map { $0.word }.sorted() + priorities.map { $0.word }.sorted()
            + categories.map { $0.rawValue.lowercased() }.sorted() + (text.isEmpty ? [] : ["“\(text)”"])).joined(separator: " · ")
    }
}
