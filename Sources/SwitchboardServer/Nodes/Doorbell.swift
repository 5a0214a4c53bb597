import Foundation
import Logging
import PostgresNIO
import ServiceLifecycle
import SQLKit

/// What the hub tells the other nodes of itself (typing, presence): rung, not awaited.
public protocol NodePeers: Sendable {
    func ring(_ change: NodeNote.Change)
}

/// The doorbell between server processes sharing one PostgreSQL: after each commit this node
/// rings (`NOTIFY`) with what identifies the change; every other node hears it (`LISTEN`) and
/// relays from the tables to its own sockets. No other broker. A node whose LISTEN connection
/// dropped catches up from the tables when it is back (every room it holds is gap-filled).
public final class Doorbell: SupportEventSink, NodePeers, Service {
    public let node: String
    private let driver: PostgresDriver
    private let hub: Hub
    private let logger: Logger
    /// NOTIFYs go out one at a time, in the order rung: a room's notes must not overtake each other.
    private let outbox: AsyncStream<NodeNote.Change>.Continuation
    private let notes: AsyncStream<NodeNote.Change>

    public init(node: String = UUID().uuidString.lowercased(), driver: PostgresDriver, hub: Hub, logger: Logger) {
        self.node = node
        self.driver = driver
        self.hub = hub
        self.logger = logger
        (notes, outbox) = AsyncStream.makeStream()
    }

    // MARK: Ringing

    /// Local events, after their commit: rung for the other nodes.
    public func publish(_ event: SupportEvent) async {
        let change: NodeNote.Change = switch event {
        case .messageStored(let message, _): .message(ticketId: message.ticketId, seq: message.seq)
        case .read(let t, let u, let seq): .read(ticketId: t, userId: u, upToSeq: seq)
        case .delivered(let t, let u, let seq): .delivered(ticketId: t, userId: u, upToSeq: seq)
        case .ticketCreated(let t, let c): .ticketCreated(ticketId: t, customerId: c)
        case .ticketChanged(let before, let after, let by):
            .ticketChanged(ticketId: after.id, previousAgentId: before.assignedAgentId, previousStatus: before.status, byUserId: by.id)
        case .ticketDeleted(let t, let c): .ticketDeleted(ticketId: t, customerId: c)
        case .agentStatusChanged(let agent, let status): .agentStatus(agentId: agent.id, status: status)
        case .loginEnded(let login): .loginEnded(loginId: login)
        }
        ring(change)
    }

    public func ring(_ change: NodeNote.Change) {
        outbox.yield(change)
    }

    // MARK: Service

    /// Sends what is rung and listens for the others until shutdown.
    public func run() async throws {
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await self.send() }
            group.addTask { await self.listen() }
            try? await gracefulShutdown()
            outbox.finish()
            group.cancelAll()
        }
    }

    private func send() async {
        for await change in notes {
            let payload = NodeNote(node: node, change: change).payload
            do {
                try await driver.reader.raw("SELECT pg_notify(\(bind: NodeNote.channel), \(bind: payload))").run()
            } catch {
                // The other nodes' gap fill and next catch-up cover a lost message note.
                logger.warning("a node note was not sent", metadata: ["error": "\(String(reflecting: error))"])
            }
        }
    }

    /// LISTEN on a connection of its own; after a drop, again, and a catch-up from the tables.
    private func listen() async {
        var first = true
        while !Task.isCancelled {
            do {
                try await driver.client.withConnection { connection in
                    try await connection.listen(on: NodeNote.channel) { notifications in
                        if !first { await self.hub.catchUp() }
                        first = false
                        for try await notification in notifications {
                            guard let note = NodeNote(payload: notification.payload), note.node != self.node else { continue }
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
