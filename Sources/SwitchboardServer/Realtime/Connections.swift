import SwitchboardProtocol

/// The hub's registry of open connections and the indexes that find an event's audience without
/// a pass over all of them: by user, by login, the staff, and the staff that hear of every
/// ticket. It also keeps each connection's token expiry, a deadline for the hub's one timer.
struct Connections {
    private(set) var handles: [ConnectionID: ConnectionHandle] = [:]
    private(set) var byUser: [Int: Set<ConnectionID>] = [:]
    private(set) var byLogin: [String: Set<ConnectionID>] = [:]
    /// Agents' and admins' connections: the audience of queue and presence frames.
    private(set) var staff: Set<ConnectionID> = []
    /// Staff connections that hear of every ticket's change: admins', and agents' that did not
    /// ask for their queue's tickets only.
    private(set) var everyTicket: Set<ConnectionID> = []
    private var expiries = Deadlines<ConnectionID>()

    var count: Int { handles.count }
    var users: Int { byUser.count }
    var nextDeadline: ContinuousClock.Instant? { expiries.next }

    subscript(id: ConnectionID) -> ConnectionHandle? { handles[id] }

    func of(user userId: Int) -> Set<ConnectionID> { byUser[userId] ?? [] }
    func isOnline(_ userId: Int) -> Bool { byUser[userId] != nil }

    /// Answers whether it is the user's first connection here.
    mutating func add(_ handle: ConnectionHandle) -> Bool {
        let caller = handle.caller
        handles[handle.id] = handle
        if caller.isStaff { staff.insert(handle.id) }
        if caller.isStaff, !(handle.options.tickets == .queue && caller.role == .agent) { everyTicket.insert(handle.id) }
        byLogin[caller.loginId, default: []].insert(handle.id)
        let first = byUser[caller.id]?.isEmpty ?? true
        byUser[caller.id, default: []].insert(handle.id)
        expiries.set(handle.id, at: handle.closesAt)
        return first
    }

    /// Answers the handle and whether it was the user's last connection here.
    mutating func remove(_ id: ConnectionID) -> (handle: ConnectionHandle, last: Bool)? {
        guard let handle = handles.removeValue(forKey: id) else { return nil }
        staff.remove(id)
        everyTicket.remove(id)
        expiries.remove(id)
        let login = handle.caller.loginId
        byLogin[login]?.remove(id)
        if byLogin[login]?.isEmpty == true { byLogin[login] = nil }
        byUser[handle.userId]?.remove(id)
        guard byUser[handle.userId]?.isEmpty ?? true else { return (handle, false) }
        byUser[handle.userId] = nil
        return (handle, true)
    }

    /// Connections whose token has expired by `now` (each answered once).
    mutating func expired(now: ContinuousClock.Instant) -> [ConnectionHandle] {
        expiries.due(now: now).compactMap { handles[$0] }
    }

    func logins() -> [String] { Array(byLogin.keys) }
    func of(login: String) -> Set<ConnectionID> { byLogin[login] ?? [] }

    /// The staff connections that hear of a change to a ticket: all of them, except agents'
    /// connections that asked for their queue's tickets only (`tickets=queue`) and had the ticket
    /// in view neither before nor after the change, nor in a room they are in (`inRoom`). Found
    /// from the indexes: at 1 000 agents a ticket's first reply must not cost a thousand lookups.
    func ticketAudience(_ before: PresenceTicket, _ after: PresenceTicket, inRoom: Set<ConnectionID>) -> Set<ConnectionID> {
        let views = [before, after].filter(\.active)
        if views.contains(where: { $0.agentId == nil }) { return staff }  // in every agent's queue
        var heard = everyTicket
        for agentId in Set(views.compactMap(\.agentId)) {
            for id in byUser[agentId] ?? [] where staff.contains(id) { heard.insert(id) }
        }
        for id in inRoom where staff.contains(id) { heard.insert(id) }
        return heard
    }

    /// A message's recipients less, for a copy read from the tables (no origin), a connection
    /// that is still storing it: that one gets its ACK, not its own message back.
    func recipients(of message: Message, origin: ConnectionID?, among ids: Set<ConnectionID>) -> Set<ConnectionID> {
        origin == nil ? ids.filter { handles[$0]?.isStoring(message) != true } : ids
    }

    /// The staff among `ids`, by user: each user's unread count shapes what they are sent.
    func staffByUser(_ ids: Set<ConnectionID>) -> [Int: Set<ConnectionID>] {
        var byUser: [Int: Set<ConnectionID>] = [:]
        for id in ids { if let handle = handles[id], handle.isStaff { byUser[handle.userId, default: []].insert(id) } }
        return byUser
    }
}

/// A ticket frame as each viewer sees it: the staff view read once and sent once per distinct
/// unread count (in a busy queue most agents share one), each agent's connections together.
enum TicketViews {
    static func byUnread(_ staff: [Int: Set<ConnectionID>], unread: [Int: Int]) -> [(unread: Int, to: Set<ConnectionID>)] {
        var byCount: [Int: Set<ConnectionID>] = [:]
        for (userId, ids) in staff { byCount[unread[userId] ?? 0, default: []].formUnion(ids) }
        return byCount.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
    }
}
