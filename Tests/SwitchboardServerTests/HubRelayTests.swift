import Foundation
import Logging
import Testing
@testable import SwitchboardProtocol
@testable import SwitchboardServer

/// The hub over a real store, driven directly: orders of arrival a busy server produces that
/// socket tests cannot force.
@Suite struct HubRelayTests {
    /// Under load a room's read from the tables (a gap fill, or another node's note) can find a
    /// message this node has just stored before the hub hears of it from its own service. That
    /// copy has no origin; the connection that sent it must still get only its ACK, while the
    /// sender's other connections and everyone else in the room get the message.
    @Test func aCopyReadFromTheTablesIsNotRelayedBackToTheConnectionStoringIt() async throws {
        var server = try TestServer()
        server.configuration.logLevel = .critical
        try await server.seed([("casey", .customer), ("alex", .agent)])
        let store = try await openStore(server.configuration, logger: Logger(label: "test"))
        defer { server.cleanUp() }
        let casey = try #require(try await store.user(username: "casey")).user
        let alex = try #require(try await store.user(username: "alex")).user
        let ticketId = try await store.createTicket(
            NewTicket(subject: "Echo", description: "", category: .technical, priority: .medium, customerId: casey.id), now: Date())
        let hub = Hub(store: store, configuration: RealtimeConfiguration(), events: EventBus(), clock: { Date() },
                      logger: Logger(label: "test"))
        let (sender, senderFrames) = await hub.connect(Caller(user: casey, loginId: "l1"))
        let (otherTab, otherTabFrames) = await hub.connect(Caller(user: casey, loginId: "l1"))
        let (agent, agentFrames) = await hub.connect(Caller(user: alex, loginId: "l2"))
        for handle in [sender, otherTab, agent] {
            _ = try await hub.join(handle.id, ticketId: ticketId)
            await hub.finishJoin(handle.id, ticketId: ticketId)
        }

        let message = NewMessage(ticketId: ticketId, sender: casey.ref, senderType: .customer, body: "hello",
                                 messageType: .text, internal: false, clientMessageId: "c-1")
        try await sender.storing("c-1") {
            let stored = try await store.appendMessage(message, now: Date()) { _ in nil }.message
            // The table read comes first (as another node's note would bring it)…
            await hub.remote(.message(ticketId: ticketId, seq: stored.seq))
            try await Task.sleep(for: .milliseconds(200)) // the read runs on a task of its own
            // …then this node's own event, with its origin: already relayed, nothing more.
            await hub.publish(.messageStored(stored, origin: sender.id))
        }
        for handle in [sender, otherTab, agent] { await hub.disconnect(handle.id) }
        try await store.close()

        func received(_ frames: RecordingOutlet) -> [String] {
            frames.texts.filter { $0.contains(#""type":"RECEIVE_MESSAGE""#) }
        }
        #expect(received(senderFrames).isEmpty, "the sender gets its ACK, not its own message back")
        #expect(received(otherTabFrames).count == 1)
        #expect(received(agentFrames).count == 1)
    }
}
