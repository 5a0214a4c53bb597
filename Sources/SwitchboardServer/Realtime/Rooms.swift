import SwitchboardProtocol

/// Who is in which ticket's room, and what each member gets when — a value, no sockets, no store:
/// joins and the frames held back while a member replays, the members list, each room's relay
/// order (`RoomRelay`) with its gap deadline, and the reads from the tables a room waits for (one
/// at a time per room). The hub reads the store and writes to sockets as it answers.
struct Rooms {
    /// What a room needs to know of a connection in it.
    struct Member: Equatable {
        /// As the members list shows it (online).
        var user: UserRef
        var isStaff: Bool
    }

    /// A connection's place in a room: still receiving its replay (live frames wait), or joined.
    enum Membership: Equatable {
        case joining([String])
        case joined
    }

    struct Room: Equatable {
        var members: Set<ConnectionID> = []
        var relay = RoomRelay()
    }

    enum Action: Equatable {
        /// A frame for these members (held for those still replaying: `hand`).
        case send(ServerEvent, to: Set<ConnectionID>, ticketId: Int)
        /// A message to relay to these members (the hub leaves out a copy's own sender).
        case relay(Message, origin: ConnectionID?, to: Set<ConnectionID>)
        /// This user has no connection in the room any more: their typing there ends.
        case typingEnds(ticketId: Int, userId: Int)
        /// Read the room's messages after `readFrom` and hand them to `read`.
        case read(ticketId: Int)
    }

    /// How long a gap in a room's seqs may stay open before the tables are read.
    let gapWait: Duration
    private(set) var rooms: [Int: Room] = [:]
    private(set) var memberships: [ConnectionID: [Int: Membership]] = [:]
    private(set) var people: [ConnectionID: Member] = [:]
    private var gaps = Deadlines<Int>()
    /// Rooms whose read from the tables is under way, and those asked for again meanwhile.
    private(set) var reading: Set<Int> = []
    private var readAgain: Set<Int> = []

    init(gapWait: Duration) {
        self.gapWait = gapWait
    }

    var count: Int { rooms.count }
    var ticketIds: [Int] { rooms.keys.sorted() }
    var nextDeadline: ContinuousClock.Instant? { gaps.next }

    func members(of ticketId: Int) -> Set<ConnectionID> { rooms[ticketId]?.members ?? [] }
    func rooms(of id: ConnectionID) -> Set<Int> { Set(memberships[id].map { Array($0.keys) } ?? []) }
    /// The seq up to which the room has relayed; a joining member replays up to it.
    func relayPoint(_ ticketId: Int) -> Int? { rooms[ticketId]?.relay.lastRelayed }
    /// Where a read from the tables starts (nil while the room's starting point is being read).
    func readFrom(_ ticketId: Int) -> Int? { rooms[ticketId]?.relay.fillFrom }

    // MARK: Connections

    mutating func connected(_ id: ConnectionID, as member: Member) {
        people[id] = member
        memberships[id] = [:]
    }

    /// Out of every room it was in.
    mutating func disconnected(_ id: ConnectionID) -> [Action] {
        let actions = (memberships[id] ?? [:]).keys.sorted().flatMap { remove(id, from: $0) }
        memberships[id] = nil
        people[id] = nil
        return actions
    }

    // MARK: Joining and leaving

    /// Into the room (again: a client resyncing replays from the relay point too). A room that is
    /// new answers `true`: the hub reads its last seq and calls `start`; until then what arrives waits.
    mutating func join(_ id: ConnectionID, _ ticketId: Int) -> (isNew: Bool, actions: [Action]) {
        guard people[id] != nil else { return (false, []) }
        memberships[id]?[ticketId] = .joining([])
        let isNew = rooms[ticketId] == nil
        rooms[ticketId, default: Room()].members.insert(id)
        return (isNew, membersList(ticketId))
    }

    /// The room's starting point was read.
    mutating func start(_ ticketId: Int, at lastSeq: Int, now: ContinuousClock.Instant) -> [Action] {
        guard let actions = rooms[ticketId]?.relay.start(at: lastSeq) else { return [] }
        return carry(actions, in: ticketId, now: now)
    }

    /// The replay is queued: the frames held back meanwhile, to send now.
    mutating func finishJoin(_ id: ConnectionID, _ ticketId: Int) -> [String]? {
        guard case .joining(let held)? = memberships[id]?[ticketId] else { return nil }
        memberships[id]?[ticketId] = .joined
        return held
    }

    mutating func leave(_ id: ConnectionID, _ ticketId: Int) -> [Action] {
        guard memberships[id]?.removeValue(forKey: ticketId) != nil else { return [] }
        return remove(id, from: ticketId)
    }

    private mutating func remove(_ id: ConnectionID, from ticketId: Int) -> [Action] {
        guard let userId = people[id]?.user.id, rooms[ticketId]?.members.remove(id) != nil else { return [] }
        let members = rooms[ticketId]?.members ?? []
        var actions: [Action] = []
        if !members.contains(where: { people[$0]?.user.id == userId }) { actions.append(.typingEnds(ticketId: ticketId, userId: userId)) }
        if members.isEmpty {
            forget(ticketId)  // nobody is left to relay to
        } else {
            actions += membersList(ticketId)
        }
        return actions
    }

    /// A deleted ticket's room: every member is out of it.
    mutating func close(_ ticketId: Int) {
        for id in rooms[ticketId]?.members ?? [] { memberships[id]?[ticketId] = nil }
        forget(ticketId)
    }

    private mutating func forget(_ ticketId: Int) {
        rooms[ticketId] = nil
        gaps.remove(ticketId)
    }

    /// `ROOM_MEMBERS` to the staff in the room: who is on this ticket now (each user once).
    private func membersList(_ ticketId: Int) -> [Action] {
        guard let room = rooms[ticketId] else { return [] }
        var seen = Set<Int>()
        var members: [UserRef] = []
        for id in room.members.sorted() {
            guard let member = people[id], seen.insert(member.user.id).inserted else { continue }
            members.append(member.user)
        }
        let staff = room.members.filter { people[$0]?.isStaff == true }
        return staff.isEmpty ? [] : [.send(.roomMembers(ticketId: ticketId, members: members), to: staff, ticketId: ticketId)]
    }

    // MARK: Frames

    /// A room frame for these members: those still replaying hold it; the rest get it now.
    mutating func hand(_ text: String, to ids: Set<ConnectionID>, in ticketId: Int) -> Set<ConnectionID> {
        var now = ids
        for id in ids {
            guard case .joining(var held)? = memberships[id]?[ticketId] else { continue }
            held.append(text)
            memberships[id]?[ticketId] = .joining(held)
            now.remove(id)
        }
        return now
    }

    /// The others in the room who see a user's typing: never the user, staff only for a note.
    func typingAudience(_ ticketId: Int, userId: Int, isNote: Bool) -> Set<ConnectionID> {
        members(of: ticketId).filter { id in
            guard let member = people[id], member.user.id != userId else { return false }
            return !isNote || member.isStaff
        }
    }

    // MARK: The relay

    /// A message stored (here, or read back for another node's note). Nobody in the room: nothing.
    mutating func receive(_ message: Message, origin: ConnectionID?, now: ContinuousClock.Instant) -> [Action] {
        guard let actions = rooms[message.ticketId]?.relay.receive(message, origin: origin) else { return [] }
        return carry(actions, in: message.ticketId, now: now)
    }

    /// The room wants what follows its relay point from the tables (a gap that did not close,
    /// another node's message, a missed note): one read at a time, one more if asked meanwhile.
    mutating func wantRead(_ ticketId: Int) -> [Action] {
        guard rooms[ticketId] != nil else { return [] }
        guard reading.insert(ticketId).inserted else {
            readAgain.insert(ticketId)
            return []
        }
        return startRead(ticketId)
    }

    private mutating func startRead(_ ticketId: Int) -> [Action] {
        gaps.remove(ticketId)  // the read covers the gap
        rooms[ticketId]?.relay.gapTimerFired()
        return [.read(ticketId: ticketId)]
    }

    /// What the read found (nil: it failed; what still waits arms the gap deadline again).
    mutating func read(_ ticketId: Int, found messages: [Message]?, now: ContinuousClock.Instant) -> [Action] {
        var actions: [Action] = []
        if let relayed = rooms[ticketId]?.relay.filled(messages ?? []) { actions = carry(relayed, in: ticketId, now: now) }
        if readAgain.remove(ticketId) != nil, rooms[ticketId] != nil {
            actions += startRead(ticketId)
        } else {
            reading.remove(ticketId)
        }
        return actions
    }

    /// Rooms whose gap has stayed open for `gapWait`: each is read.
    mutating func due(now: ContinuousClock.Instant) -> [Action] {
        gaps.due(now: now).flatMap { wantRead($0) }
    }

    /// The relay's answers, as frames for members and gap deadlines.
    private mutating func carry(_ actions: [RoomRelay.Action], in ticketId: Int, now: ContinuousClock.Instant) -> [Action] {
        actions.compactMap { action in
            switch action {
            case .deliver(let message, let origin):
                let to = members(of: ticketId).filter { id in id != origin && (!message.internal || people[id]?.isStaff == true) }
                return .relay(message, origin: origin, to: to)
            case .armGapTimer:
                gaps.set(ticketId, at: now + gapWait)
                return nil
            case .disarmGapTimer:
                gaps.remove(ticketId)
                return nil
            }
        }
    }
}
