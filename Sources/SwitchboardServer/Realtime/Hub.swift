import Foundation
import Logging
import ServiceLifecycle
import SwitchboardProtocol

/// The realtime hub: who is connected, who is in which ticket's room, and what each of them
/// should hear. Services report `SupportEvent`s after storing; the hub turns them into frames.
///
/// Ordering: a connection's frames leave in the order they are sent (`ConnectionHandle`). Within
/// a room, messages are relayed in `seq` order (a message that overtakes an earlier one waits for
/// it). A connection joining a room gets `ROOM_JOINED`, then the replay of what it missed up to
/// the room's relay point, then the live relay — nothing missed, nothing twice.
public actor Hub: SupportEventSink, Service {
    struct Room {
        var members: Set<ConnectionID> = []
        /// The order messages go out in (`RoomRelay`): the hub carries out what it answers.
        var relay = RoomRelay()
        var gapTimer: Task<Void, Never>?
    }

    /// A connection's place in a room: still receiving its replay (live frames wait), or joined.
    enum Membership {
        case joining([String])
        case joined
    }

    let store: any Store
    /// Where presence-driven agent status changes are reported (so the assigner hears them too).
    let events: any SupportEventSink
    let configuration: RealtimeConfiguration
    let clock: @Sendable () -> Date
    let logger: Logger
    let limiter: RateLimiter
    let metrics: ServerMetrics?

    var connections: [ConnectionID: ConnectionHandle] = [:]
    var memberships: [ConnectionID: [Int: Membership]] = [:]
    var byUser: [Int: Set<ConnectionID>] = [:]
    var byLogin: [String: Set<ConnectionID>] = [:]
    /// Connections of agents and admins: the audience of queue and presence frames.
    var staff: Set<ConnectionID> = []
    /// The staff connections that hear of every ticket's change: admins', and agents' that did not
    /// ask for their queue's tickets only (kept beside `staff` so a change finds its audience
    /// without a pass over every staff connection).
    var everyTicket: Set<ConnectionID> = []
    let startedAt = ContinuousClock.now
    /// Messages stored and handed to the hub since it started (for messages per second).
    var messagesSeen = 0
    var rooms: [Int: Room] = [:]
    var typing: TypingBoard
    /// Armed for the typing board's next deadline (one timer, whoever types).
    var typingTimer = DeadlineTimer()
    /// Users whose last socket closed, in their grace period; one timer for all of them.
    var departures: DepartureGrace
    var departureTimer = DeadlineTimer()
    /// Presence changes waiting for the next `PRESENCE` frame of each batched connection (the
    /// latest state of each user), and the timer that sends them.
    var pendingPresence: [ConnectionID: [Int: UserRef]] = [:]
    var presenceFlush: Task<Void, Never>?
    /// Closes sockets whose token has expired, once a second: one timer for all connections
    /// instead of a sleeping task on each (6 KB a socket).
    var expirySweep: Task<Void, Never>?
    var nextId: ConnectionID = 1
    /// The other server processes on the same database (PostgreSQL), if any.
    var peers: (any NodePeers)?
    /// Rooms being read for other nodes' messages, and those that heard of more meanwhile.
    var remoteFills: Set<Int> = []
    var remoteFillsAgain: Set<Int> = []

    public init(store: any Store, configuration: RealtimeConfiguration, events: any SupportEventSink,
                clock: @escaping @Sendable () -> Date, metrics: ServerMetrics? = nil, logger: Logger) {
        self.store = store
        self.metrics = metrics
        self.events = events
        self.configuration = configuration
        typing = TypingBoard(timeout: configuration.typingTimeout)
        departures = DepartureGrace(grace: configuration.presenceGrace)
        self.clock = clock
        self.logger = logger
        limiter = RateLimiter(burst: configuration.rateBurst, perSecond: configuration.ratePerSecond,
                              floodLimit: configuration.floodLimit)
    }

    /// Several nodes share the database: typing and presence are rung to them too.
    public func setPeers(_ peers: any NodePeers) { self.peers = peers }

    // MARK: Service

    /// Runs until shutdown, then tells every client to come back later.
    public func run() async throws {
        try? await gracefulShutdown()
        for connection in connections.values { connection.close(code: CloseCode.goingAway, reason: "server shutting down") }
        departureTimer.cancel()
        presenceFlush?.cancel()
        expirySweep?.cancel()
        typingTimer.cancel()
        for room in rooms.values { room.gapTimer?.cancel() }
    }

    // MARK: Connections

    func connectionCount(userId: Int) -> Int { byUser[userId]?.count ?? 0 }

    /// The logins that have a socket open here (`LoginWatch` asks the store which have ended).
    func connectedLogins() -> [String] { Array(byLogin.keys) }

    /// Registers a new connection; the first one of a user brings them online.
    func connect(_ caller: Caller, options: ConnectionOptions = ConnectionOptions(), tokenExpiry: Date = .distantFuture,
                 outlet: any FrameOutlet) async -> ConnectionHandle {
        let lifetime = min(max(0, tokenExpiry.timeIntervalSince(clock())), 366 * 86_400)
        let handle = ConnectionHandle(id: nextId, caller: caller, options: options, closesAt: .now + .seconds(lifetime),
                                      outlet: outlet, capacity: configuration.outboundBuffer)
        nextId += 1
        connections[handle.id] = handle
        if expirySweep == nil { startExpirySweep() }
        memberships[handle.id] = [:]
        if caller.isStaff { staff.insert(handle.id) }
        if caller.isStaff, !(options.tickets == .queue && caller.role == .agent) { everyTicket.insert(handle.id) }
        byLogin[caller.loginId, default: []].insert(handle.id)
        let wasConnected = !(byUser[caller.id]?.isEmpty ?? true)
        byUser[caller.id, default: []].insert(handle.id)
        if departures.back(userId: caller.id) {
            armDepartureTimer() // back within the grace period: nobody was told they left
        } else if !wasConnected {
            await comeOnline(caller.user)
        }
        return handle
    }

    /// Forgets a connection; the last one of a user starts the grace period before going offline.
    func disconnect(_ id: ConnectionID) async {
        guard let handle = connections.removeValue(forKey: id) else { return }
        staff.remove(id)
        everyTicket.remove(id)
        pendingPresence[id] = nil
        handle.finish()
        for ticketId in (memberships.removeValue(forKey: id) ?? [:]).keys {
            await removeMember(id, of: handle, from: ticketId)
        }
        byLogin[handle.caller.loginId]?.remove(id)
        if byLogin[handle.caller.loginId]?.isEmpty == true { byLogin[handle.caller.loginId] = nil }
        byUser[handle.userId]?.remove(id)
        guard byUser[handle.userId]?.isEmpty ?? true else { return }
        byUser[handle.userId] = nil
        limiter.forget(userId: handle.userId)
        departures.left(handle.caller.user, now: .now)
        armDepartureTimer()
    }

    func armDepartureTimer() {
        departureTimer.arm(for: departures.nextDeadline) { [weak self] in await self?.departureGraceOver() }
    }

    func departureGraceOver() async {
        departureTimer.fired()
        for user in departures.due(now: .now) { await goOffline(user) }
        armDepartureTimer()
    }

    // MARK: Rooms

    /// Adds the connection to the ticket's room and answers the seq up to which the caller must
    /// replay from storage; live messages after it are queued until `finishJoin`.
    func join(_ id: ConnectionID, ticketId: Int) async throws -> Int {
        guard connections[id] != nil else { throw CancellationError() }
        // New, or joining again (a client resyncing): either way it replays from the relay point.
        memberships[id]?[ticketId] = .joining([])
        if rooms[ticketId] == nil {
            rooms[ticketId] = Room()
            // Created before reading, so no event of this ticket is lost while the read is under way.
            let lastSeq = try await store.ticketRow(id: ticketId)?.lastSeq ?? 0
            if let actions = rooms[ticketId]?.relay.start(at: lastSeq) {
                carryOut(actions, in: ticketId)
            }
        }
        rooms[ticketId]?.members.insert(id)
        announceMembers(of: ticketId)
        return rooms[ticketId]?.relay.lastRelayed ?? 0
    }

    /// The replay is queued: release the live frames held back meanwhile.
    func finishJoin(_ id: ConnectionID, ticketId: Int) {
        guard let handle = connections[id], case .joining(let held)? = memberships[id]?[ticketId] else { return }
        memberships[id]?[ticketId] = .joined
        for text in held { handle.send(text) }
    }

    func leave(_ id: ConnectionID, ticketId: Int) async {
        guard let handle = connections[id], memberships[id]?.removeValue(forKey: ticketId) != nil else { return }
        await removeMember(id, of: handle, from: ticketId)
    }

    func removeMember(_ id: ConnectionID, of handle: ConnectionHandle, from ticketId: Int) async {
        rooms[ticketId]?.members.remove(id)
        // The user's typing ends when their last connection leaves the room.
        let stillThere = rooms[ticketId]?.members.contains { connections[$0]?.userId == handle.userId } ?? false
        if !stillThere { stopTyping(ticketId: ticketId, userId: handle.userId) }
        if rooms[ticketId]?.members.isEmpty == true {
            rooms[ticketId]?.gapTimer?.cancel()
            rooms[ticketId] = nil // nobody is left to relay to
        } else {
            announceMembers(of: ticketId)
        }
    }

    /// A deleted ticket's room: every member is out of it, its typing and timers end.
    func closeRoom(_ ticketId: Int) {
        typing.forget(ticketId: ticketId)
        guard let room = rooms.removeValue(forKey: ticketId) else { return }
        room.gapTimer?.cancel()
        for id in room.members { memberships[id]?[ticketId] = nil }
    }

    /// `ROOM_MEMBERS` to the agents in the room: who is on this ticket now.
    func announceMembers(of ticketId: Int) {
        guard let room = rooms[ticketId] else { return }
        var seen = Set<Int>()
        var members: [UserRef] = []
        for id in room.members.sorted() {
            guard let handle = connections[id], seen.insert(handle.userId).inserted else { continue }
            var ref = handle.caller.user.ref
            ref.isOnline = true
            members.append(ref)
        }
        let staff = room.members.filter { connections[$0]?.isStaff == true }
        sendInRoom(ticketId, .roomMembers(ticketId: ticketId, members: members), to: staff)
    }

    // MARK: Sending

    func encode(_ event: ServerEvent) -> String {
        do {
            return try event.wireText()
        } catch {
            logger.error("frame not encoded", metadata: ["type": "\(event.type)", "error": "\(error)"])
            return #"{"type":"ERROR","code":"INTERNAL","message":"the server could not encode a frame"}"#
        }
    }

    /// A read whose failure means some frames are not sent: nil then, with the reason in the log.
    func logged<T: Sendable>(_ what: String, _ read: () async throws -> T) async -> T? {
        do {
            return try await read()
        } catch is CancellationError {
            // The server is shutting down (the database's pool is gone): nothing to report.
            logger.debug("frames not sent: shutting down", metadata: ["what": "\(what)"])
            return nil
        } catch {
            logger.error("frames not sent: a read failed", metadata: ["what": "\(what)", "error": "\(error)"])
            return nil
        }
    }

    /// Straight to one connection (answers to its own frames).
    func reply(_ event: ServerEvent, to id: ConnectionID) {
        connections[id]?.send(encode(event))
    }

    func send(_ event: ServerEvent, to ids: Set<ConnectionID>) {
        guard !ids.isEmpty else { return }
        let text = encode(event)
        for id in ids { deliver(text, of: event, to: id) }
    }

    /// Passing state is shed for a connection that has fallen behind; everything else must arrive.
    func deliver(_ text: String, of event: ServerEvent, to id: ConnectionID) {
        if event.isPassingState { connections[id]?.sendIfRoom(text) } else { connections[id]?.send(text) }
    }

    /// To every member of the room.
    func sendToRoom(_ ticketId: Int, _ event: ServerEvent) {
        guard let room = rooms[ticketId] else { return }
        sendInRoom(ticketId, event, to: room.members)
    }

    /// Room frames respect a joining member's replay: they wait behind it.
    func sendInRoom(_ ticketId: Int, _ event: ServerEvent, to ids: Set<ConnectionID>) {
        guard !ids.isEmpty else { return }
        let text = encode(event)
        for id in ids {
            switch memberships[id]?[ticketId] {
            case .joining(var held)?:
                held.append(text)
                memberships[id]?[ticketId] = .joining(held)
            default:
                deliver(text, of: event, to: id)
            }
        }
    }

    func staffConnections() -> Set<ConnectionID> { staff }

    /// What `/metrics` reads of the hub when scraped.
    struct Gauges: Sendable {
        var connections: Int
        var users: Int
        var rooms: Int
        var deepestQueue: Int
        var queuedFrames: Int
    }

    func gauges() -> Gauges {
        let backlogs = connections.values.map(\.backlog)
        return Gauges(connections: connections.count, users: byUser.count, rooms: rooms.count,
                      deepestQueue: backlogs.max() ?? 0, queuedFrames: backlogs.reduce(0, +))
    }

    /// What the hub holds now, for operators and the benchmark.
    func statistics() -> ServerStatistics {
        let uptime = ContinuousClock.now - startedAt
        return ServerStatistics(connections: connections.count, users: byUser.count, rooms: rooms.count,
                                rssBytes: ServerStatistics.residentBytes(), uptimeSeconds: uptime.inSeconds,
                                messages: messagesSeen, cpuSeconds: ServerStatistics.processCPUSeconds())
    }
}
