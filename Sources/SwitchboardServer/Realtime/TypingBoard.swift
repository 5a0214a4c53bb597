import SwitchboardProtocol

/// Who is typing in which room, and until when — a value the hub asks, with the time as an input,
/// answering what to tell the room. The hub's one timer looks at `nextDeadline`; before, every
/// `TYPING_START` started a sleeping task of its own.
struct TypingBoard {
    struct Key: Hashable {
        var ticketId: Int
        var userId: Int
    }

    struct Entry: Equatable {
        var user: UserRef
        var isNote: Bool
        /// Typing on another node (heard through the doorbell): its end is that node's to ring.
        var remote: Bool
    }

    /// What the room hears (and, for this node's own typists, the other nodes).
    enum Action: Equatable {
        case started(ticketId: Int, user: UserRef, isNote: Bool, remote: Bool)
        case stopped(ticketId: Int, user: UserRef, isNote: Bool, remote: Bool)
    }

    /// How long a `TYPING_START` holds without another.
    let timeout: Duration
    private(set) var entries: [Key: Entry] = [:]
    private var deadlines = Deadlines<Key>()

    init(timeout: Duration) {
        self.timeout = timeout
    }

    /// Someone types (again): told to the room when it begins, or changes between reply and note;
    /// a refresh only moves the deadline.
    mutating func start(ticketId: Int, user: UserRef, isNote: Bool, remote: Bool, now: ContinuousClock.Instant) -> Action? {
        let key = Key(ticketId: ticketId, userId: user.id)
        let previous = entries[key]
        entries[key] = Entry(user: user, isNote: isNote, remote: remote)
        deadlines.set(key, at: now + timeout)
        return previous?.isNote == isNote ? nil : .started(ticketId: ticketId, user: user, isNote: isNote, remote: remote)
    }

    /// They stopped, sent, or left the room.
    mutating func stop(ticketId: Int, userId: Int) -> Action? {
        let key = Key(ticketId: ticketId, userId: userId)
        guard let entry = entries.removeValue(forKey: key) else { return nil }
        deadlines.remove(key)
        return .stopped(ticketId: ticketId, user: entry.user, isNote: entry.isNote, remote: entry.remote)
    }

    /// Everyone whose deadline has passed stops, in deadline order.
    mutating func expire(now: ContinuousClock.Instant) -> [Action] {
        deadlines.due(now: now).compactMap { key in
            guard let entry = entries.removeValue(forKey: key) else { return nil }
            return .stopped(ticketId: key.ticketId, user: entry.user, isNote: entry.isNote, remote: entry.remote)
        }
    }

    /// A room closed: its typists are forgotten, nobody is left to tell.
    mutating func forget(ticketId: Int) {
        for key in entries.keys where key.ticketId == ticketId {
            entries[key] = nil
            deadlines.remove(key)
        }
    }

    /// When the next typist's deadline falls, if anyone types.
    var nextDeadline: ContinuousClock.Instant? { deadlines.next }

    func isRemote(ticketId: Int, userId: Int) -> Bool { entries[Key(ticketId: ticketId, userId: userId)]?.remote == true }
}
