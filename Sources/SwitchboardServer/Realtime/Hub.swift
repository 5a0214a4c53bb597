import Foundation
import Logging
import ServiceLifecycle
import SwitchboardProtocol

/// The realtime hub: it carries out what its state machines decide. `Connections` knows who is
/// connected, `Rooms` who is in which ticket's room and in what order messages go out there,
/// `PresenceDesk` who hears that someone came or went and when, `TypingBoard` who types until
/// when. Each is a value that takes an event and the time and answers actions; the hub reads the
/// store where an answer needs it, writes frames to sockets, and drives every deadline from one
/// timer in `run()`. Services report `SupportEvent`s after storing; the hub turns them into frames.
///
/// Ordering: a connection's frames leave in the order they are sent (`ConnectionHandle`). Within
/// a room, messages are relayed in `seq` order (a message that overtakes an earlier one waits for
/// it). A connection joining a room gets `ROOM_JOINED`, then the replay of what it missed up to
/// the room's relay point, then the live relay — nothing missed, nothing twice.
public actor Hub: SupportEventSink, Service {
    /// Work with a store read in it, started by the timer's loop as a child task (never a task
    /// of its own per event): the loop goes on with other deadlines meanwhile.
    enum Job: Sendable {
        case read(ticketId: Int)
        case wentAway(User)
    }

    let store: any Store
    /// Where presence-driven agent status changes are reported (so the assigner hears them too).
    let events: any SupportEventSink
    let configuration: RealtimeConfiguration
    let clock: @Sendable () -> Date
    let logger: Logger
    let limiter: RateLimiter
    let metrics: ServerMetrics?

    var connections = Connections()
    var rooms: Rooms
    var presence: PresenceDesk
    var typing: TypingBoard
    /// The one timer: `run()` sleeps on it until the machines' earliest deadline.
    let alarm = Alarm()
    var jobs: [Job] = []
    let startedAt = ContinuousClock.now
    /// Messages stored and handed to the hub since it started (for messages per second).
    var messagesSeen = 0
    var nextId: ConnectionID = 1
    /// The other server processes on the same database (PostgreSQL), if any.
    var peers: (any NodePeers)?

    public init(
        store: any Store, configuration: RealtimeConfiguration, events: any SupportEventSink,
        clock: @escaping @Sendable () -> Date, metrics: ServerMetrics? = nil, logger: Logger
    ) {
        self.store = store
        self.metrics = metrics
        self.events = events
        self.configuration = configuration
        rooms = Rooms(gapWait: configuration.gapWait)
        presence = PresenceDesk(grace: configuration.presenceGrace, batchInterval: configuration.presenceBatchInterval)
        typing = TypingBoard(timeout: configuration.typingTimeout)
        self.clock = clock
        self.logger = logger
        limiter = RateLimiter(
            burst: configuration.rateBurst, perSecond: configuration.ratePerSecond,
            floodLimit: configuration.floodLimit)
    }

    /// Several nodes share the database: typing and presence are rung to them too.
    public func setPeers(_ peers: any NodePeers) { self.peers = peers }

    // MARK: Service

    /// Keeps time until shutdown, then tells every client to come back later.
    public func run() async throws {
        await withDiscardingTaskGroup { group in
            group.addTask { await self.keepTime() }
            try? await gracefulShutdown()
            group.cancelAll()
        }
        for handle in connections.handles.values { handle.close(code: CloseCode.goingAway, reason: "server shutting down") }
    }

    /// The one timer: whatever is due in any machine is done, the jobs it needs are started
    /// beside it, and it sleeps until the next deadline or until woken.
    func keepTime() async {
        await withDiscardingTaskGroup { group in
            while !Task.isCancelled {
                timePassed(now: .now)
                for job in jobs { group.addTask { await self.perform(job) } }
                jobs = []
                alarm.willSleep(until: nextDeadline)
                await alarm.sleep()
            }
        }
    }

    var nextDeadline: ContinuousClock.Instant? {
        connections.nextDeadline.earliest(rooms.nextDeadline).earliest(presence.nextDeadline).earliest(typing.nextDeadline)
    }

    /// What every machine has due by `now`.
    func timePassed(now: ContinuousClock.Instant) {
        // The socket lives as long as its token: the client reconnects with a refreshed one.
        for handle in connections.expired(now: now) { handle.close(code: CloseCode.tokenExpired, reason: "access token expired") }
        for action in typing.expire(now: now) { carryOut(action) }
        carryOut(rooms.due(now: now))
        carryOut(presence.due(now: now))
    }

    /// A deadline was set: the timer wakes for it if it sleeps past it.
    func deadlineSet(_ instant: ContinuousClock.Instant?) {
        if let instant { alarm.wake(by: instant) }
    }

    func schedule(_ job: Job) {
        jobs.append(job)
        alarm.ring()
    }

    func perform(_ job: Job) async {
        switch job {
        case .read(let ticketId): await readRoom(ticketId)
        case .wentAway(let user): await goOffline(user)
        }
    }

    // MARK: Connections

    func connectionCount(userId: Int) -> Int { connections.of(user: userId).count }

    /// The logins that have a socket open here (`LoginWatch` asks the store which have ended).
    func connectedLogins() -> [String] { connections.logins() }

    /// Registers a new connection; the first one of a user brings them online.
    func connect(
        _ caller: Caller, options: ConnectionOptions = ConnectionOptions(), tokenExpiry: Date = .distantFuture,
        outlet: any FrameOutlet
    ) async -> ConnectionHandle {
        let lifetime = min(max(0, tokenExpiry.timeIntervalSince(clock())), 366 * 86_400)
        let handle = ConnectionHandle(
            id: nextId, caller: caller, options: options, closesAt: .now + .seconds(lifetime),
            outlet: outlet, capacity: configuration.outboundBuffer)
        nextId += 1
        let first = connections.add(handle)
        deadlineSet(handle.closesAt)
        var member = caller.user.ref
        member.isOnline = true
        rooms.connected(handle.id, as: Rooms.Member(user: member, isStaff: caller.isStaff))
        if presence.back(userId: caller.id) {
            // Back within the grace period: nobody was told they left.
        } else if first {
            await comeOnline(caller.user)
        }
        return handle
    }

    /// Forgets a connection; the last one of a user starts the grace period before going offline.
    func disconnect(_ id: ConnectionID) async {
        guard let (handle, last) = connections.remove(id) else { return }
        presence.forget(id)
        handle.finish()
        carryOut(rooms.disconnected(id))
        guard last else { return }
        limiter.forget(userId: handle.userId)
        presence.left(handle.caller.user, now: .now)
        deadlineSet(presence.nextDeadline)
    }

    // MARK: Rooms

    /// Adds the connection to the ticket's room and answers the seq up to which the caller must
    /// replay from storage; live messages after it are held until `finishJoin`.
    func join(_ id: ConnectionID, ticketId: Int) async throws -> Int {
        guard connections[id] != nil else { throw CancellationError() }
        let (isNew, actions) = rooms.join(id, ticketId)
        carryOut(actions)
        if isNew {
            // The room exists before the read, so no event of this ticket is lost meanwhile.
            let lastSeq = try await store.ticketRow(id: ticketId)?.lastSeq ?? 0
            carryOut(rooms.start(ticketId, at: lastSeq, now: .now))
        }
        return rooms.relayPoint(ticketId) ?? 0
    }

    /// The replay is queued: release the live frames held back meanwhile.
    func finishJoin(_ id: ConnectionID, ticketId: Int) {
        guard let handle = connections[id], let held = rooms.finishJoin(id, ticketId) else { return }
        for text in held { handle.send(text) }
    }

    func leave(_ id: ConnectionID, ticketId: Int) {
        carryOut(rooms.leave(id, ticketId))
    }

    /// Does what the rooms decided.
    func carryOut(_ actions: [Rooms.Action]) {
        for action in actions {
            switch action {
            case .send(let event, let ids, let ticketId):
                sendInRoom(ticketId, event, to: ids)
            case .relay(let message, let origin, let ids):
                let to = connections.recipients(of: message, origin: origin, among: ids)
                sendInRoom(message.ticketId, .receiveMessage(ticketId: message.ticketId, message: message), to: to)
                metrics?.deliveryLatency.recordNanoseconds(Int64(max(0, clock().timeIntervalSince(message.timestamp)) * 1e9))
            case .typingEnds(let ticketId, let userId):
                stopTyping(ticketId: ticketId, userId: userId)
            case .read(let ticketId):
                schedule(.read(ticketId: ticketId))
            }
        }
        deadlineSet(rooms.nextDeadline)
    }

    /// Reads what follows the room's relay point from the tables, for as long as it is asked to.
    func readRoom(_ ticketId: Int) async {
        guard let from = rooms.readFrom(ticketId) else {
            carryOut(rooms.read(ticketId, found: nil, now: .now))
            return
        }
        let page = await logged(
            "gap fill",
            {
                try await store.messages(
                    ticketId: ticketId, window: MessageWindow(afterSeq: from, beforeSeq: nil, limit: 200), for: .everything)
            })
        carryOut(rooms.read(ticketId, found: page?.items, now: .now))
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
        sendInRoom(ticketId, event, to: rooms.members(of: ticketId))
    }

    /// Room frames respect a joining member's replay: they wait behind it.
    func sendInRoom(_ ticketId: Int, _ event: ServerEvent, to ids: Set<ConnectionID>) {
        guard !ids.isEmpty else { return }
        let text = encode(event)
        for id in rooms.hand(text, to: ids, in: ticketId) { deliver(text, of: event, to: id) }
    }

    /// What `/metrics` reads of the hub when scraped.
    struct Gauges: Sendable {
        var connections: Int
        var users: Int
        var rooms: Int
        var deepestQueue: Int
        var queuedFrames: Int
    }

    func gauges() -> Gauges {
        let backlogs = connections.handles.values.map(\.backlog)
        return Gauges(
            connections: connections.count, users: connections.users, rooms: rooms.count,
            deepestQueue: backlogs.max() ?? 0, queuedFrames: backlogs.reduce(0, +))
    }

    /// What the hub holds now, for operators and the benchmark.
    func statistics() -> ServerStatistics {
        let uptime = ContinuousClock.now - startedAt
        return ServerStatistics(
            connections: connections.count, users: connections.users, rooms: rooms.count,
            rssBytes: ServerStatistics.residentBytes(), uptimeSeconds: uptime.inSeconds,
            messages: messagesSeen, cpuSeconds: ServerStatistics.processCPUSeconds())
    }
}
