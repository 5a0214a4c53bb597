import Foundation
import SwitchboardServer
import Testing

@testable import SwitchboardClient
@testable import SwitchboardProtocol

/// The realtime connection against a real server on 127.0.0.1, stopped and started under it.
@Suite(.serialized) struct RealtimeConnectionTests {
    /// A customer and an agent with a ticket between them, both signed in over REST.
    struct Scene {
        let customer: APIClient
        let agent: APIClient
        let ticket: Ticket
    }

    static func scene(at url: URL) async throws -> Scene {
        let admin = APIClient(server: url)
        try await admin.login(username: "admin", password: LiveServer.password)
        _ = try await admin.createUser(
            CreateUserRequest(username: "alex", password: LiveServer.password, displayName: "Alex", role: .agent))
        let customer = APIClient(server: url)
        try await customer.register(RegisterRequest(username: "casey", password: LiveServer.password, displayName: "Casey"))
        let ticket = try await customer.openTicket(CreateTicketRequest(subject: "Card declined", description: "Twice", category: .payment))
        let agent = APIClient(server: url)
        try await agent.login(username: "alex", password: LiveServer.password)
        _ = try await agent.claim(ticket: ticket.id)
        return Scene(customer: customer, agent: agent, ticket: ticket)
    }

    static func watch(
        _ api: APIClient, ticket: Int, outbox: Outbox, options: RealtimeConnection.Options = quickOptions()
    ) async throws -> Watcher {
        let me = try #require(await api.session?.user)
        let connection = RealtimeConnection(api: api, outbox: outbox, options: options)
        return Watcher(connection, timeline: Timeline(ticketId: ticket, me: UserRef(me)))
    }

    @Test func aServerRestartMidConversationLosesAndRepeatsNothing() async throws {
        let server = try LiveServer()
        let url = try await server.start()
        let scene = try await Self.scene(at: url)
        let ticket = scene.ticket.id
        let customer = try await Self.watch(scene.customer, ticket: ticket, outbox: try await freshOutbox(in: server.directory, "casey"))
        let agent = try await Self.watch(scene.agent, ticket: ticket, outbox: try await freshOutbox(in: server.directory, "alex"))
        do {
            for side in [customer, agent] {
                await side.connection.start()
                await side.connection.join(ticket)
            }
            try await eventually("both are connected") { customer.states.last == .connected && agent.states.last == .connected }
            try await customer.connection.send("c1: my card was declined", to: ticket)
            try await agent.connection.send("a1: let me look", to: ticket)
            try await customer.connection.send("c2: twice", to: ticket)
            try await eventually("three messages on both sides") { customer.texts.count == 3 && agent.texts.count == 3 }

            await server.stop()
            try await eventually("both see the connection go") {
                customer.states.last.map { !$0.isConnected } == true && agent.states.last.map { !$0.isConnected } == true
            }
            // Written while the server is down: on disk, queued, shown as queued.
            try await customer.connection.send("c3: written offline", to: ticket)
            try await agent.connection.send("a2: also offline", to: ticket)
            try await customer.connection.send("c4: still offline", to: ticket)
            #expect(await customer.connection.outbox.messages.map(\.state) == [.queued, .queued])
            try await eventually("shown as queued") {
                customer.timeline.outgoing.map { Timeline.delivery(of: $0) } == [.queued, .queued]
            }
            // Under load the first retry (which waits no time, so shows no countdown) may still be under way.
            try await eventually("the wait before the next try is shown") {
                customer.states.contains { if case .reconnecting = $0 { true } else { false } }
            }

            try await server.start()
            try await eventually("six messages on both sides, outboxes empty") {
                customer.texts.count == 6 && agent.texts.count == 6
                    && customer.timeline.outgoing.isEmpty && agent.timeline.outgoing.isEmpty
            }
            // Exactly once, in one order, the same everywhere; each writer's own order kept.
            let stored = try await scene.agent.messages(ticket: ticket).items
            #expect(stored.map(\.seq) == Array(1...6))
            #expect(customer.timeline.messages.map(\.seq) == Array(1...6))
            #expect(customer.texts == stored.map(\.message))
            #expect(agent.texts == stored.map(\.message))
            #expect(
                stored.map(\.message).filter { $0.hasPrefix("c") } == [
                    "c1: my card was declined", "c2: twice",
                    "c3: written offline", "c4: still offline",
                ])
            #expect(stored.map(\.message).filter { $0.hasPrefix("a") } == ["a1: let me look", "a2: also offline"])
            #expect(await customer.connection.outbox.messages.isEmpty)
            // Rejoined with sinceSeq: nobody was sent another's message twice (the only repeats
            // allowed are one's own messages, known by ACK and then replayed).
            for side in [customer, agent] {
                let fromOthers = side.events.compactMap { event -> Int? in
                    if case .server(.receiveMessage(_, let message)) = event, message.sender.id != side.timeline.me.id {
                        message.seq
                    } else {
                        nil
                    }
                }
                #expect(fromOthers.count == Set(fromOthers).count && fromOthers == fromOthers.sorted())
            }
            #expect(await agent.connection.joinedRooms[ticket] == stored.last { $0.sender.id != agent.timeline.me.id }?.seq)
            // The agent has received the customer's messages, and the customer sees it (as read,
            // for those the agent answered: answering moves the agent's read mark).
            try await eventually("the customer's messages show as delivered") {
                customer.timeline.messages.filter { $0.sender.id == customer.timeline.me.id }
                    .allSatisfy { [.delivered, .read].contains(customer.timeline.delivery(of: $0)) }
            }
        } catch is CancellationError {
            // `eventually` has recorded what did not happen.
        } catch {
            Issue.record(error)
        }
        await customer.stop()
        await agent.stop()
        await server.stop()
        try? FileManager.default.removeItem(at: server.directory)
    }

    /// Messages written while others are on the wire: each goes once (one ACK each), in the order written.
    @Test func messagesWrittenAllAtOnceGoOnceEachInOrder() async throws {
        let server = try LiveServer()
        try await server.run { url in
            let scene = try await Self.scene(at: url)
            let customer = try await Self.watch(
                scene.customer, ticket: scene.ticket.id,
                outbox: try await freshOutbox(in: server.directory, "casey"))
            await customer.connection.start()
            await customer.connection.join(scene.ticket.id)
            try await eventually("connected") { customer.states.last == .connected }
            // Each send returns once on disk; the ACKs of earlier ones arrive meanwhile.
            for index in 1...30 { try await customer.connection.send("m\(index)", to: scene.ticket.id) }
            try await eventually("all 30 stored") {
                customer.events.filter { if case .outgoing(let message) = $0, case .sent = message.state { true } else { false } }.count
                    == 30
            }
            try await Task.sleep(for: .milliseconds(200))
            #expect(
                customer.events.filter { if case .server(.ack) = $0 { true } else { false } }.count == 30,
                "one ACK each: nothing went twice")
            #expect(try await scene.agent.messages(ticket: scene.ticket.id, limit: 100).items.map(\.message) == (1...30).map { "m\($0)" })
            await customer.stop()
        }
    }

    @Test func retryNowCutsALongWaitShort() async throws {
        let server = try LiveServer()
        let url = try await server.start()
        let scene = try await Self.scene(at: url)
        // Windows of a minute: without the user's retry, nothing would happen for a long while.
        let slow = quickOptions {
            $0.backoff = Backoff(base: .seconds(60), cap: .seconds(60))
            $0.random = { 0.99 }
        }
        let customer = try await Self.watch(
            scene.customer, ticket: scene.ticket.id,
            outbox: try await freshOutbox(in: server.directory, "casey"), options: slow)
        await customer.connection.start()
        try await eventually("connected") { customer.states.last == .connected }
        await server.stop()
        try await eventually("waiting about a minute") {
            if case .reconnecting(_, let at, _) = customer.states.last { at.timeIntervalSinceNow > 30 } else { false }
        }
        try await server.start()
        await customer.connection.retryNow()
        try await eventually("connected at once", within: .seconds(10)) { customer.states.last == .connected }
        await customer.stop()
        await server.stop()
        try? FileManager.default.removeItem(at: server.directory)
    }

    @Test func anExpiredTokenIsRefreshedAndTheConnectionComesBack() async throws {
        let server = try LiveServer { $0.accessTokenLifetime = 2 }
        try await server.run { url in
            let scene = try await Self.scene(at: url)
            let firstToken = await scene.customer.accessToken
            let customer = try await Self.watch(
                scene.customer, ticket: scene.ticket.id,
                outbox: try await freshOutbox(in: server.directory, "casey"))
            await customer.connection.start()
            await customer.connection.join(scene.ticket.id)
            // Connected again with a refreshed token (under load a first attempt may also have been
            // made again before the expiry: two connects alone do not prove the refresh).
            try await eventually("connected again after the first token expired and was refreshed", within: .seconds(20)) {
                let refreshed = await scene.customer.accessToken != firstToken
                return refreshed && customer.states.filter { $0 == .connected }.count >= 2
            }
            #expect(!customer.states.contains { if case .authFailed = $0 { true } else { false } })
            try await customer.connection.send("after the refresh", to: scene.ticket.id)
            try await eventually("stored") { customer.texts == ["after the refresh"] }
            await customer.stop()
        }
    }

    @Test func aMaskedMessageReplacesTheOptimisticCopyWithTheStoredTextOnItsAck() async throws {
        let server = try LiveServer()
        try await server.run { url in
            let scene = try await Self.scene(at: url)
            let customer = try await Self.watch(
                scene.customer, ticket: scene.ticket.id, outbox: try await freshOutbox(in: server.directory, "casey"))
            await customer.connection.start()
            await customer.connection.join(scene.ticket.id)
            let sent = try await customer.connection.send("card 4111 1111 1111 1111 please", to: scene.ticket.id)
            try await eventually("stored") { customer.timeline.messages.count == 1 }
            let stored = try #require(customer.timeline.messages.first)
            // What everyone else sees, with why — not what was typed.
            #expect(stored.clientMessageId == sent.clientMessageId && stored.message == "card •••• •••• •••• 1111 please")
            #expect(stored.redactions == [Redaction(rule: "card", count: 1)] && customer.timeline.outgoing.isEmpty)
            await customer.stop()
        }
    }

    @Test func aRefusedMessageFailsWithItsReasonAndCanBeRetriedOrDiscarded() async throws {
        let server = try LiveServer()
        try await server.run { url in
            let scene = try await Self.scene(at: url)
            let customer = try await Self.watch(scene.customer, ticket: 9_999, outbox: try await freshOutbox(in: server.directory, "casey"))
            await customer.connection.start()
            let lost = try await customer.connection.send("to nowhere", to: 9_999)
            try await customer.connection.send("to my ticket", to: scene.ticket.id)
            try await eventually("the refused one failed, the next one went out") {
                customer.events.contains {
                    if case .outgoing(let m) = $0, m.clientMessageId == lost.clientMessageId,
                        case .failed(.notFound, _) = m.state
                    {
                        true
                    } else {
                        false
                    }
                }
                    && customer.events.contains {
                        if case .outgoing(let m) = $0, m.text == "to my ticket", case .sent = m.state { true } else { false }
                    }
            }
            #expect(customer.timeline.outgoing.map { Timeline.delivery(of: $0) } == [.failed(reason: "Not found: no ticket #9999.")])
            // Retried, it fails again (the ticket still does not exist); then discarded, it is gone.
            try await customer.connection.retry(lost.clientMessageId)
            try await eventually("failed again") {
                customer.events.filter { if case .outgoing(let m) = $0, case .failed = m.state { true } else { false } }.count == 2
            }
            try await customer.connection.discard(lost.clientMessageId)
            try await eventually("discarded") { customer.timeline.outgoing.isEmpty }
            #expect(await customer.connection.outbox.messages.isEmpty)
            await customer.stop()
        }
    }

    @Test func aWrongPasswordOrALogoutEndsInAuthFailed() async throws {
        let server = try LiveServer()
        try await server.run { url in
            let scene = try await Self.scene(at: url)
            let stranger = APIClient(server: url)
            let refused = RealtimeConnection(
                api: stranger, outbox: try await freshOutbox(in: server.directory, "x"), options: quickOptions()
            ) {
                api throws(APIError) in try await api.login(username: "casey", password: "not the password")
            }
            let watcher = Watcher(refused)
            await refused.start()
            try await eventually("auth failed") { if case .authFailed = watcher.states.last { true } else { false } }
            await watcher.stop()

            let customer = try await Self.watch(
                scene.customer, ticket: scene.ticket.id, outbox: try await freshOutbox(in: server.directory, "casey"))
            await customer.connection.start()
            try await eventually("connected") { customer.states.last == .connected }
            try await scene.customer.logout()
            try await eventually("signed out: auth failed, no retrying") {
                customer.states.last == .authFailed(reason: "this login was signed out")
            }
            await customer.stop()
        }
    }

    @Test func wssWithACustomCAOrInsecureConnectsAndAnUntrustedCertificateDoesNot() async throws {
        let fixtures = try #require(Bundle.module.url(forResource: "Fixtures", withExtension: nil))
        let ca = fixtures.appendingPathComponent("test-ca.pem").path
        let server = try LiveServer {
            $0.tls = TLSFiles(
                certificateChain: fixtures.appendingPathComponent("server.pem").path,
                privateKey: fixtures.appendingPathComponent("server-key.pem").path)
        }
        try await server.run { ipURL in
            // The certificate names localhost (and 127.0.0.1, which REST checks but wss cannot).
            let url = URL(string: ipURL.absoluteString.replacingOccurrences(of: "127.0.0.1", with: "localhost"))!
            let trusted = TransportSecurity(caFile: ca)
            let api = try APIClient(server: url, security: trusted)
            try await api.register(RegisterRequest(username: "casey", password: LiveServer.password, displayName: "Casey"))
            #expect(await api.realtimeURL.hasPrefix("wss://localhost:"))
            for (security, connects) in [(trusted, true), (TransportSecurity(insecure: true), true), (TransportSecurity(), false)] {
                let connection = RealtimeConnection(
                    api: api, outbox: try await freshOutbox(in: server.directory, UUID().uuidString),
                    options: quickOptions { $0.security = security })
                let watcher = Watcher(connection)
                await connection.start()
                if connects {
                    try await eventually("connected over wss") { watcher.states.last == .connected }
                } else {
                    try await eventually("refused: the certificate is not trusted") {
                        watcher.states.contains {
                            if case .reconnecting(_, _, let reason) = $0 { reason.contains("certificate") } else { false }
                        }
                    }
                    #expect(!watcher.states.contains(.connected))
                }
                await watcher.stop()
            }
            // By IP address: REST checks the certificate's IP entry; wss cannot, and says so instead of guessing.
            let byIP = try APIClient(server: ipURL, security: trusted)
            try await byIP.login(username: "casey", password: LiveServer.password)
            let connection = RealtimeConnection(
                api: byIP, outbox: try await freshOutbox(in: server.directory, "ip"),
                options: quickOptions { $0.security = trusted })
            let watcher = Watcher(connection)
            await connection.start()
            try await eventually("offline with the reason") {
                if case .offline(let reason) = watcher.states.last { reason.contains("host name, not IP address") } else { false }
            }
            await watcher.stop()
            await byIP.shutdown()
            await api.shutdown()
        }
    }
}
