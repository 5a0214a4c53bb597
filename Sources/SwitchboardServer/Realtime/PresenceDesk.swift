import SwitchboardProtocol

/// Who hears that a user came or went, and when — a value: the time, and what the store knows,
/// are inputs; what to send is the answer.
/// - A user whose last socket closes is told of as offline only once their grace has passed
///   without them coming back (`DepartureGrace`).
/// - Agents who asked for batched presence hear of changes in one `PRESENCE` frame a while, with
///   the latest state of each user; everyone else at once.
/// - Such an agent hears of a customer only while the customer has a ticket in their view (in
///   their queue, or in a room they are in).
struct PresenceDesk {
    enum Action: Equatable {
        case send(ServerEvent, to: Set<ConnectionID>)
        /// A departure's grace is over: the hub records it (asking the other nodes first) and tells.
        case wentAway(User)
    }

    /// What the desk needs to know of a connection that may hear of a change.
    struct Listener: Equatable {
        var userId: Int
        /// Takes one `PRESENCE` frame a while (`presence=batched`).
        var batched: Bool
        /// An agent with batched presence: hears of customers in view only.
        var inViewOnly: Bool
        /// The rooms it is in (needed only for a customer's change heard in view only).
        var rooms: Set<Int>
    }

    let batchInterval: Duration
    private(set) var departures: DepartureGrace
    /// Per batched connection, the latest state of each user it has not been told of yet.
    private(set) var pending: [ConnectionID: [Int: UserRef]] = [:]
    private(set) var flushAt: ContinuousClock.Instant?

    init(grace: Duration, batchInterval: Duration) {
        departures = DepartureGrace(grace: grace)
        self.batchInterval = batchInterval
    }

    /// `ref` came online or went offline. `listeners`: the staff's connections and, for an agent,
    /// their customers' — not the user's own. `customerTickets`: the customer's active tickets
    /// (read only when some listener hears of customers in view only).
    mutating func changed(
        _ ref: UserRef, listeners: [ConnectionID: Listener], customerTickets: [PresenceTicket],
        now: ContinuousClock.Instant
    ) -> [Action] {
        var single: Set<ConnectionID> = []
        for (id, listener) in listeners {
            if !ref.role.isStaff, listener.inViewOnly, !Self.sees(customerTickets, listener) { continue }
            if listener.batched {
                pending[id, default: [:]][ref.id] = ref
                if flushAt == nil { flushAt = now + batchInterval }
            } else {
                single.insert(id)
            }
        }
        return single.isEmpty ? [] : [.send(ref.isOnline ? .userOnline(ref) : .userOffline(ref), to: single)]
    }

    /// Whether one of these tickets is in the listener's view.
    static func sees(_ tickets: [PresenceTicket], _ listener: Listener) -> Bool {
        tickets.contains { $0.inQueue(of: listener.userId) || listener.rooms.contains($0.ticketId) }
    }

    /// A user's last socket here closed: their grace starts.
    mutating func left(_ user: User, now: ContinuousClock.Instant) { departures.left(user, now: now) }

    /// A user's socket opened: whether they were in their grace (nobody was told they left).
    mutating func back(userId: Int) -> Bool { departures.back(userId: userId) }

    /// A connection closed: what waited for its batch is dropped.
    mutating func forget(_ id: ConnectionID) {
        pending[id] = nil
        if pending.isEmpty { flushAt = nil }
    }

    /// Departures whose grace is over, then the batches if their time has come — one `PRESENCE`
    /// frame for every set of connections waiting for the same changes (in an agent storm every
    /// agent hears of the same users: one encoding).
    mutating func due(now: ContinuousClock.Instant) -> [Action] {
        var actions = departures.due(now: now).map(Action.wentAway)
        guard let flushAt, flushAt <= now else { return actions }
        self.flushAt = nil
        var byChanges: [[UserRef]: Set<ConnectionID>] = [:]
        for (id, users) in pending { byChanges[users.values.sorted { $0.id < $1.id }, default: []].insert(id) }
        pending = [:]
        for (users, ids) in byChanges.sorted(by: { $0.key.map(\.id).lexicographicallyPrecedes($1.key.map(\.id)) }) {
            actions.append(.send(.presence(users: users), to: ids))
        }
        return actions
    }

    var nextDeadline: ContinuousClock.Instant? { departures.nextDeadline.earliest(flushAt) }
}
