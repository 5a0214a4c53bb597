/// What a `/ws` connection asks to hear, in the upgrade's query (`?presence=batched&tickets=queue`).
/// Both are additions to the contract; leaving them out keeps the contract's frames and audience.
public struct ConnectionOptions: Sendable, Equatable {
    public var presence: PresenceFrames
    public var tickets: TicketFrames

    public init(presence: PresenceFrames = .single, tickets: TicketFrames = .all) {
        self.presence = presence
        self.tickets = tickets
    }

    /// The query items that ask for these options (none for the defaults).
    public var query: String {
        var items: [String] = []
        if presence != .single { items.append("presence=\(presence.rawValue)") }
        if tickets != .all { items.append("tickets=\(tickets.rawValue)") }
        return items.joined(separator: "&")
    }
}

/// How a connection hears of presence: the `presence` query parameter.
public enum PresenceFrames: String, Sendable, CaseIterable {
    /// The contract's `USER_ONLINE` / `USER_OFFLINE`, one frame per change, to every agent (the
    /// default).
    case single
    /// `PRESENCE` frames carrying every change since the last one, at most one per interval
    /// (250 ms); an agent hears of the customers of the tickets in their view only: in the queue,
    /// assigned to them, or in a room they are in. Admins hear of everyone.
    case batched
}

/// Which tickets' frames (`AGENT_ASSIGNED`, `TICKET_STATUS_CHANGED`, `TICKET_UPDATED`) an agent's
/// connection hears of: the `tickets` query parameter.
public enum TicketFrames: String, Sendable, CaseIterable {
    /// Every ticket's, as the contract says (the default).
    case all
    /// Only those of tickets in the agent's view before or after the change — active and
    /// unassigned or theirs — or in a room the connection joined. New tickets (`TICKET_CREATED`)
    /// and deletions still go to every agent; admins hear of every ticket.
    case queue
}
