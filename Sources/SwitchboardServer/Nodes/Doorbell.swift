import Foundation
import Logging
import PostgresNIO
import SQLKit
import ServiceLifecycle
import Synchronization

/// What the hub tells the other nodes of itself (typing, presence), and asks of them.
public protocol NodePeers: Sendable {
    /// Rung, not awaited.
    func ring(_ change: NodeNote.Change)
    /// This node now holds a connection of the user: whether no node held one before (they come online).
    func holds(userId: Int) async -> Bool
    /// This node holds none of the user's any more: whether no node holds one now (they go offline).
    func releases(userId: Int) async -> Bool
}

/// The doorbell between server processes sharing one PostgreSQL: after each commit this node
/// rings (`NOTIFY`) with what identifies the change; every other node hears it (`LISTEN`) and
/// relays from the tables to its own sockets. No other broker. A node whose LISTEN connection
/// dropped catches up from the tables when it is back (every room it holds is gap-filled).
public final class Doorbell: SupportEventSink, NodePeers, Service {
    public let node: String
    private let driver: PostgresDriver
    private let store: any Store
    private let hub: Hub
    private let lease: Duration
    private let clock: @Sendable () -> Date
    private let metrics: ServerMetrics?
    private let logger: Logger
    /// Notes rung and not sent yet, in the order rung (a room's notes must not overtake each
    /// other). The sender takes all that wait at once, so under load one statement carries many.
    private let waiting = Mutex<[NodeNote.Change]>([])
    /// Pressed with each ring; the sender wakes once for any number of presses.
    private let pressed: AsyncStream<Void>.Continuation
    private let presses: AsyncStream<Void>
    private let channel: String

    /// `lease`: a node that has not renewed its lease for this long is taken for dead (renewed every third of it).
    public init(
        node: String = UUID().uuidString.lowercased(), driver: PostgresDriver, store: any Store, hub: Hub,
        lease: Duration = .seconds(15), clock: @escaping @Sendable () -> Date = { Date() }, metrics: ServerMetrics? = nil,
        logger: Logger
    ) {
        self.metrics = metrics
        self.node = node
        self.driver = driver
        self.store = store
        self.hub = hub
        self.lease = lease
        self.clock = clock
        channel = NodeNote.channel(schema: driver.schema)
        self.logger = logger
        (presses, pressed) = AsyncStream.makeStream(bufferingPolicy: .bufferingNewest(1))
    }

    // MARK: Ringing

    /// Local events, after their commit: rung for the other nodes.
    public func publish(_ event: SupportEvent) async {
        let change: NodeNote.Change =
            switch event {
            case .messageStored(let message, _): .message(ticketId: message.ticketId, seq: message.seq)
            case .read(let t, let u, let seq): .read(ticketId: t, userId: u, upToSeq: seq)
            case .delivered(let t, let u, let seq): .delivered(ticketId: t, userId: u, upToSeq: seq)
            case .ticketCreated(let t, let c): .ticketCreated(ticketId: t, customerId: c)
            case .ticketChanged(let before, let after, let by):
                .ticketChanged(ticketId: after.id, previousAgentId: before.assignedAgentId, previousStatus: before.status, byUserId: by.id)
            case .ticketDeleted(let t, let c): .ticketDeleted(ticketId: t, customerId: c)
            case .agentStatusChanged(let agent, let status): .agentStatus(agentId: agent.id, status: status)
            case .loginEnded(let login): .loginEnded(loginId: login)
            case .slaWarning(let t, let target, let due, let agent): .slaWarning(ticketId: t, target: target, dueAt: due, agentId: agent)
            case .slaBreached(let t, let target, let at, let agent): .slaBreached(ticketId: t, target: target, at: at, agentId: agent)
            case .ticketReassigned(let t, let from, let to): .ticketReassigned(ticketId: t, from: from, to: to)
            case .ticketRated(let t, _, let c): .ticketRated(ticketId: t, customerId: c)
            case .ticketMerged(let t, let into, let c): .ticketMerged(ticketId: t, intoTicketId: into, customerId: c)
            case .mentioned(let t, let seq, let u, let by): .mentioned(ticketId: t, seq: seq, userId: u, byUserId: by.id)
            case .webhookSwitchedOff(let id): .webhookSwitchedOff(webhookId: id)
            }
        ring(change)
    }

    public func ring(_ change: NodeNote.Change) {
        waiting.withLock { $0.append(change) }
        pressed.yield()
    }

    public func holds(userId: Int) async -> Bool {
        do { return try await store.nodeHolds(node: node, userId: userId) } catch {
            logger.error("cannot record a connection of this node", metadata: ["user": "\(userId)", "error": "\(error)"])
            return true
        }
    }

    public func releases(userId: Int) async -> Bool {
        do { return try await store.nodeReleases(node: node, userId: userId) } catch {
            logger.error("cannot record a connection of this node", metadata: ["user": "\(userId)", "error": "\(error)"])
            return true
        }
    }

    // MARK: Service

    /// Sends what is rung and listens for the others until shutdown.
    public func run() async throws {
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await self.send() }
            group.addTask { await self.listen() }
            group.addTask { await self.keepLease() }
            try? await gracefulShutdown()
            pressed.finish()
            group.cancelAll()
        }
    }

    private func send() async {
        for await _ in presses {
            let due = waiting.withLock { notes in
                defer { notes = [] }
                return notes
            }
            for batch in Self.batches(due.map { NodeNote(node: node, change: $0).payload }) {
                do {
                    // One statement, one transaction: the notes are delivered together, in this order.
                    try await driver.reader.raw("SELECT pg_notify(\(bind: channel), note) FROM unnest(\(bind: batch)::text[]) AS note")
                        .run()
                    metrics?.notificationsSent.increment(by: Int64(batch.count))
                } catch {
                    // The other nodes' gap fill and next catch-up cover a lost message note.
                    logger.warning(
                        "node notes were not sent", metadata: ["count": "\(batch.count)", "error": "\(String(reflecting: error))"])
                }
            }
        }
    }

    /// Payloads in order, cut wherever one repeats: PostgreSQL delivers a payload repeated within
    /// one transaction only once, and "online, offline, online" must arrive whole.
    static func batches(_ payloads: [String]) -> [[String]] {
        var batches: [[String]] = [], current: [String] = [], seen: Set<String> = []
        for payload in payloads {
            if seen.contains(payload) {
                batches.append(current)
                current = []
                seen = []
            }
            current.append(payload)
            seen.insert(payload)
        }
        if !current.isEmpty { batches.append(current) }
        return batches
    }

    /// Renews this node's lease, and ends the leases of nodes that stopped renewing theirs: the
    /// users only they held go offline.
    private func keepLease() async {
        while !Task.isCancelled {
            do {
                try await store.renewLease(node: node, now: clock())
                let gone = try await store.expireLeases(before: clock().addingTimeInterval(-lease.inSeconds))
                if !gone.isEmpty { await hub.nodesLeft(users: gone) }
            } catch {
                logger.warning("the node lease was not renewed", metadata: ["error": "\(String(reflecting: error))"])
            }
            try? await Task.sleep(for: lease / 3)
        }
    }

    /// LISTEN on a connection of its own; after a drop, again, and a catch-up from the tables.
    private func listen() async {
        var first = true
        while !Task.isCancelled {
            do {
                try await driver.client.withConnection { connection in
                    try await connection.listen(on: channel) { notifications in
                        if !first { await self.hub.catchUp() }
                        first = false
                        for try await notification in notifications {
                            guard let note = NodeNote(payload: notification.payload), note.node != self.node else { continue }
                            self.metrics?.notificationsReceived.increment()
                            await self.hub.remote(note.change)
                        }
                    }
                }
            } catch {
                if Task.isCancelled { return }
                logger.warning("the node doorbell's LISTEN dropped; listening again", metadata: ["error": "\(String(reflecting: error))"])
                first = false
                try? await Task.sleep(for: .milliseconds(500))
            }
        }
    }
}
