import Foundation
import SwitchboardClient
import SwitchboardProtocol
import Synchronization
import Testing

/// Several `switchboard serve` processes on one PostgreSQL (scripts/test starts a throwaway
/// cluster and names it in SWITCHBOARD_POSTGRES_URL): what one node stores reaches the clients
/// of the others through the doorbell, in seq order, once.
@Suite(.serialized) struct ClusterTests {
    static let postgres = ProcessInfo.processInfo.environment["SWITCHBOARD_POSTGRES_URL"].flatMap { $0.isEmpty ? nil : $0 }
    /// On CI a missing PostgreSQL is a failure, not a skip.
    static let runs = postgres != nil || ProcessInfo.processInfo.environment["CI"] == "true"

    /// N nodes on one fresh schema of the test cluster, with an agent account.
    final class Cluster {
        let directory: URL
        let db: String
        private(set) var nodes: [Command] = []
        private(set) var urls: [String] = []
        /// Each node's config file, and what its environment adds.
        let config: String
        let environment: [String: String]

        init(nodes count: Int, config: String = #"{"nodeLeaseSeconds": 3}"#, environment: [String: String] = [:]) async throws {
            self.config = config
            self.environment = environment
            let base = try #require(ClusterTests.postgres, "SWITCHBOARD_POSTGRES_URL names the test cluster (scripts/test starts one)")
            directory = FileManager.default.temporaryDirectory.appendingPathComponent("switchboard-cluster-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            db =
                base + (base.contains("?") ? "&" : "?") + "schema=c_"
                + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
            for (username, name) in [("alex", "Alex Agent"), ("sam", "Sam Second")] {
                let add = try Command.run(
                    [
                        "users", "add", "--db", db, "--username", username, "--role", "agent", "--display-name", name,
                        "--password-stdin",
                    ], in: directory, stdin: "agent-password\n")
                try add.waitForExit()
                #expect(add.status == 0, "users add: \(add.errors)")
            }
            for index in 0..<count { try await start(index) }
        }

        private func start(_ index: Int) async throws {
            let node = directory.appendingPathComponent("node\(index)")
            try FileManager.default.createDirectory(at: node, withIntermediateDirectories: true)
            // Short leases: a killed node's users go offline within seconds here.
            let config = node.appendingPathComponent("config.json")
            try Data(self.config.utf8).write(to: config)
            let process = try Command.run(
                ["serve", "--port", "0", "--db", db, "--data-dir", node.path, "--config", config.path], in: node, environment: environment)
            let line = try await process.waitForLine(startingWith: "listening on http://127.0.0.1:")
            let port = try #require(Int(line.split(separator: ":").last ?? ""))
            nodes.append(process)
            urls.append("http://127.0.0.1:\(port)")
        }

        /// Kills node `index` with SIGKILL (no goodbye to anyone) and waits until it has gone.
        func kill(_ index: Int) throws {
            Foundation.kill(nodes[index].process.processIdentifier, SIGKILL)
            try nodes[index].waitForExit()
        }

        func close() {
            for node in nodes { node.end() }
            try? FileManager.default.removeItem(at: directory)
        }

        /// Waits for `condition`; on timeout records which, with what each node logged (a CI run
        /// once timed out with nothing else to go on).
        func eventually(_ what: String, within seconds: Double = 20, _ condition: () async -> Bool) async throws {
            let deadline = Date().addingTimeInterval(seconds)
            while Date() < deadline {
                if await condition() { return }
                try await Task.sleep(for: .milliseconds(50))
            }
            let logs = nodes.indices.map { index -> String in
                let tail = nodes[index].errors.split(separator: "\n").suffix(30).joined(separator: "\n")
                return "node \(index) (\(urls[index])):\n\(tail)"
            }
            Issue.record("timed out waiting until \(what)\n\(logs.joined(separator: "\n"))")
            throw CancellationError()
        }
    }

    /// One client's connection to one node, and everything it heard.
    final class Client: Sendable {
        let api: APIClient
        let connection: RealtimeConnection
        final class Heard: Sendable {
            let events = Mutex<[RealtimeEvent]>([])
        }
        private let log = Heard()
        private let listening: Task<Void, Never>

        init(_ api: APIClient, outbox: URL) async throws {
            self.api = api
            connection = RealtimeConnection(api: api, outbox: try await Outbox.open(at: outbox, account: UUID().uuidString))
            let connection = connection, log = log
            listening = Task { for await event in connection.events { log.events.withLock { $0.append(event) } } }
            await connection.start()
        }

        /// Messages received from others, in the order they came.
        var received: [Message] {
            log.events.withLock { events in
                events.compactMap { if case .server(.receiveMessage(_, let message)) = $0 { message } else { nil } }
            }
        }

        var acknowledged: Int {
            log.events.withLock { $0.filter { if case .server(.ack) = $0 { true } else { false } }.count }
        }

        func saw(_ type: String, of userId: Int) -> Bool {
            log.events.withLock { events in
                events.contains { event in
                    switch event {
                    case .server(.userOnline(let user)): type == "USER_ONLINE" && user.id == userId
                    case .server(.userOffline(let user)): type == "USER_OFFLINE" && user.id == userId
                    default: false
                    }
                }
            }
        }

        /// ROOM_JOINED came for the ticket: live frames of its room reach this client from now on.
        func joined(_ ticketId: Int) -> Bool {
            log.events.withLock { $0.contains { if case .server(.roomJoined(let id, _, _)) = $0 { id == ticketId } else { false } } }
        }

        /// Every frame heard, in order.
        var heard: [RealtimeEvent] { log.events.withLock { $0 } }

        func sawTyping(of userId: Int) -> Bool {
            log.events.withLock { $0.contains { if case .server(.typingStart(_, let user, _)) = $0 { user.id == userId } else { false } } }
        }

        func stop() async {
            await connection.stop()
            listening.cancel()
        }
    }

    @Test(.enabled(if: ClusterTests.runs, "needs PostgreSQL (scripts/test starts one)"))
    func aCustomerOnOneNodeAndAnAgentOnAnotherTalkInOrderOnce() async throws {
        let cluster = try await Cluster(nodes: 3)
        defer { cluster.close() }
        let (nodeA, nodeB) = (URL(string: cluster.urls[0])!, URL(string: cluster.urls[1])!)
        // A second agent follows the ticket from a third node.
        let watcherAPI = APIClient(server: URL(string: cluster.urls[2])!)
        _ = try await watcherAPI.login(username: "sam", password: "agent-password")
        let customerAPI = APIClient(server: nodeA), agentAPI = APIClient(server: nodeB)
        let customerUser = try await customerAPI.register(
            RegisterRequest(username: "casey", password: "a long password", displayName: "Casey"))
        // Both nodes sign and accept the same tokens (the secret is kept in the database).
        _ = try await agentAPI.login(username: "alex", password: "agent-password")
        let ticket = try await customerAPI.openTicket(
            CreateTicketRequest(subject: "Across nodes", description: "Hello", category: .technical))
        _ = try await agentAPI.claim(ticket: ticket.id)
        let agentUser = try #require(await agentAPI.session?.user)

        let customer = try await Client(customerAPI, outbox: cluster.directory.appendingPathComponent("c.sqlite"))
        let agent = try await Client(agentAPI, outbox: cluster.directory.appendingPathComponent("a.sqlite"))
        let watcher = try await Client(watcherAPI, outbox: cluster.directory.appendingPathComponent("w.sqlite"))
        do {
            await customer.connection.join(ticket.id)
            await agent.connection.join(ticket.id)
            await watcher.connection.join(ticket.id)
            try await cluster.eventually("both connected") {
                let states = (await customer.connection.state, await agent.connection.state)
                return states.0 == .connected && states.1 == .connected
            }
            // Typing crosses nodes (passing state: only to those already in the room).
            try await cluster.eventually("all three are in the room") {
                customer.joined(ticket.id) && agent.joined(ticket.id) && watcher.joined(ticket.id)
            }
            await customer.connection.typing(in: ticket.id, active: true)
            try await cluster.eventually("the agent on node B sees the customer typing on node A") {
                agent.sawTyping(of: customerUser.user.id)
            }

            // Both write at once, 25 each.
            async let fromCustomer: Void = {
                for index in 1...25 { _ = try? await customer.connection.send("c\(index)", to: ticket.id) }
            }()
            async let fromAgent: Void = {
                for index in 1...25 { _ = try? await agent.connection.send("a\(index)", to: ticket.id) }
            }()
            _ = await (fromCustomer, fromAgent)
            try await cluster.eventually("each side has the other's 25 and its own 25 acknowledged") {
                customer.received.filter { $0.sender.id == agentUser.id }.count == 25
                    && agent.received.filter { $0.sender.id == customerUser.user.id }.count == 25
                    && customer.acknowledged == 25 && agent.acknowledged == 25
            }
            let stored = try await agentAPI.messages(ticket: ticket.id, limit: 100).items.sorted { $0.seq < $1.seq }
            #expect(stored.map(\.seq) == Array(1...50), "gap-free seq across nodes")
            try await cluster.eventually("the third node's agent has all 50") { watcher.received.count == 50 }
            #expect(watcher.received.map(\.seq) == Array(1...50), "the third node relays all of it, in order, once")
            for side in [customer, agent] {
                let seqs = side.received.map(\.seq)
                #expect(seqs == seqs.sorted(), "relayed in seq order")
                #expect(Set(seqs).count == seqs.count, "each message once")
            }
            // Each writer's own order is kept.
            #expect(stored.filter { $0.sender.id == customerUser.user.id }.map(\.message) == (1...25).map { "c\($0)" })
            #expect(stored.filter { $0.sender.id == agentUser.id }.map(\.message) == (1...25).map { "a\($0)" })
        } catch is CancellationError {
            // recorded by `eventually`
        }
        await customer.stop()
        await agent.stop()
        await watcher.stop()
    }

    @Test(.enabled(if: ClusterTests.runs, "needs PostgreSQL (scripts/test starts one)"))
    func aNodeKilledMidConversationLeavesItsClientsOnAnotherWithNothingLost() async throws {
        let cluster = try await Cluster(nodes: 2)
        defer { cluster.close() }
        let (nodeA, nodeB) = (URL(string: cluster.urls[0])!, URL(string: cluster.urls[1])!)
        // The customer's client knows both addresses and starts on A; the agent is on B.
        let customerAPI = APIClient(server: nodeA, fallbacks: [nodeB]), agentAPI = APIClient(server: nodeB)
        let customerUser = try await customerAPI.register(
            RegisterRequest(username: "dana", password: "a long password", displayName: "Dana"))
        _ = try await agentAPI.login(username: "alex", password: "agent-password")
        let ticket = try await customerAPI.openTicket(CreateTicketRequest(subject: "Failover", description: "Hi", category: .technical))
        _ = try await agentAPI.claim(ticket: ticket.id)
        let agentUser = try #require(await agentAPI.session?.user)
        let customer = try await Client(customerAPI, outbox: cluster.directory.appendingPathComponent("c.sqlite"))
        let agent = try await Client(agentAPI, outbox: cluster.directory.appendingPathComponent("a.sqlite"))
        do {
            await customer.connection.join(ticket.id)
            await agent.connection.join(ticket.id)
            for index in 1...5 {
                _ = try await customer.connection.send("before \(index)", to: ticket.id)
                _ = try await agent.connection.send("reply \(index)", to: ticket.id)
            }
            try await cluster.eventually("ten messages through both nodes") {
                customer.received.count == 5 && agent.received.count == 5 && customer.acknowledged == 5
            }
            try cluster.kill(0)
            // Written while the customer's node is gone: queued, then sent through node B.
            for index in 1...5 { _ = try await customer.connection.send("after \(index)", to: ticket.id) }
            for index in 6...8 { _ = try await agent.connection.send("reply \(index)", to: ticket.id) }
            try await cluster.eventually("the customer is on node B with everything") {
                agent.received.count == 10 && customer.received.filter { $0.sender.id == agentUser.id }.count == 8
                    && customer.acknowledged == 10
            }
            #expect(await customerAPI.server == nodeB)
            let stored = try await agentAPI.messages(ticket: ticket.id, limit: 100).items.sorted { $0.seq < $1.seq }
            #expect(stored.map(\.seq) == Array(1...18))
            #expect(
                stored.filter { $0.sender.id == customerUser.user.id }.map(\.message)
                    == (1...5).map { "before \($0)" } + (1...5).map { "after \($0)" }, "nothing lost, nothing doubled")
            for side in [customer, agent] {
                let seqs = side.received.map(\.seq)
                #expect(Set(seqs).count == seqs.count, "each message once")
            }
            // A client given a dead address first goes on to the live one, at once.
            let late = APIClient(server: nodeA, fallbacks: [nodeB])
            let started = ContinuousClock.now
            _ = try await late.login(username: "alex", password: "agent-password")
            #expect(await late.server == nodeB)
            #expect(ContinuousClock.now - started < .seconds(5), "a refused address is left at once, not after the request's deadline")
            await late.shutdown()
        } catch is CancellationError {
            // recorded by `eventually`
        }
        await customer.stop()
        await agent.stop()
        await customerAPI.shutdown()
    }

    @Test(.enabled(if: ClusterTests.runs, "needs PostgreSQL (scripts/test starts one)"))
    func presenceCrossesNodesAndADeadNodesUsersGoOfflineAfterItsLease() async throws {
        let cluster = try await Cluster(nodes: 2)
        defer { cluster.close() }
        let (nodeA, nodeB) = (URL(string: cluster.urls[0])!, URL(string: cluster.urls[1])!)
        let agentAPI = APIClient(server: nodeB), customerAPI = APIClient(server: nodeA)
        _ = try await agentAPI.login(username: "alex", password: "agent-password")
        let customerUser = try await customerAPI.register(
            RegisterRequest(username: "erin", password: "a long password", displayName: "Erin"))
        // The client asks for batched presence: an agent hears of customers with a ticket in their queue.
        _ = try await customerAPI.openTicket(CreateTicketRequest(subject: "Hello", description: "d", category: .other))
        let agent = try await Client(agentAPI, outbox: cluster.directory.appendingPathComponent("a.sqlite"))
        try await cluster.eventually("the agent is connected") { await agent.connection.state == .connected }
        // Only node A knows the customer: no failover.
        let customer = try await Client(customerAPI, outbox: cluster.directory.appendingPathComponent("c.sqlite"))
        do {
            try await cluster.eventually("the agent on node B hears the customer come online on node A") {
                agent.saw("USER_ONLINE", of: customerUser.user.id)
            }
            try cluster.kill(0)
            try await cluster.eventually("the agent hears the customer go offline once node A's lease ended", within: 20) {
                agent.saw("USER_OFFLINE", of: customerUser.user.id)
            }
        } catch is CancellationError {
            // recorded by `eventually`
        }
        await customer.stop()
        await agent.stop()
    }

    @Test(.enabled(if: ClusterTests.runs, "needs PostgreSQL (scripts/test starts one)"))
    func migrateCopiesAPopulatedSQLiteInstallationWholeAndItCarriesOnThere() async throws {
        let base = try #require(ClusterTests.postgres)
        // A team's history on the embedded default: accounts, tickets, messages (one masked), a note, a file, read marks.
        let sqlite = try await ServerUnderTest(agents: [("alex", "Alex Agent")], prefix: "migrate")
        defer { sqlite.close() }
        let customer = APIClient(server: URL(string: sqlite.url)!), agent = APIClient(server: URL(string: sqlite.url)!)
        _ = try await customer.register(RegisterRequest(username: "casey", password: "a long password", displayName: "Casey"))
        _ = try await agent.login(username: "alex", password: "agent-password")
        var before: [Int: [Message]] = [:]
        for index in 1...3 {
            let ticket = try await customer.openTicket(
                CreateTicketRequest(subject: "Ticket \(index)", description: "d", category: .payment))
            _ = try await agent.claim(ticket: ticket.id)
            for turn in 1...4 {
                _ = try await (turn.isMultiple(of: 2) ? agent : customer).post(
                    PostMessageRequest(
                        message: "t\(index) m\(turn) — ünïcödé" + (turn == 1 ? " card 4111 1111 1111 1111" : ""),
                        clientMessageId: "t\(index)-\(turn)",
                        internal: turn == 4 ? true : nil), ticket: ticket.id)
            }
            before[ticket.id] = try await agent.messages(ticket: ticket.id, limit: 50).items
        }
        let file = sqlite.directory.appendingPathComponent("receipt.txt")
        try Data("Order 4410\n".utf8).write(to: file)
        let stored = try await customer.upload(file, to: 1)
        _ = try await customer.post(
            PostMessageRequest(message: "", messageType: .file, clientMessageId: "file", attachmentId: stored.id), ticket: 1)
        let refresh = try #require(await customer.session?.refreshToken)
        try sqlite.stop()

        let target =
            base + (base.contains("?") ? "&" : "?") + "schema=m_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
        let migrate = try Command.run(["migrate", "--from", sqlite.db, "--to", target], in: sqlite.directory)
        try migrate.waitForExit(seconds: 60)
        #expect(migrate.status == 0, "migrate: \(migrate.errors)")
        #expect(migrate.output.contains("checked: every table has as many rows"))
        #expect(migrate.output.contains("  messages           13"), "12 messages and the file's: \(migrate.output)")
        #expect(migrate.output.contains("JWT secret"))
        // Into a database that holds data: refused, nothing touched.
        let again = try Command.run(["migrate", "--from", sqlite.db, "--to", target], in: sqlite.directory)
        try again.waitForExit(seconds: 60)
        #expect(again.status != 0 && again.errors.contains("the destination already holds data"))

        // A node on PostgreSQL serves the same history; logins and their refresh tokens still work.
        let node = sqlite.directory.appendingPathComponent("pg-node")
        try FileManager.default.createDirectory(at: node, withIntermediateDirectories: true)
        let serve = try Command.run(["serve", "--port", "0", "--db", target, "--data-dir", node.path], in: node)
        defer { serve.end() }
        let line = try await serve.waitForLine(startingWith: "listening on http://127.0.0.1:")
        let url = URL(string: "http://" + line.dropFirst("listening on http://".count))!
        let admin = APIClient(server: url)
        _ = try await admin.login(username: "alex", password: "agent-password")
        for (ticketId, messages) in before {
            let now = try await admin.messages(ticket: ticketId, limit: 50).items
            #expect(now.filter { $0.attachment == nil }.map(\.id) == messages.map(\.id))
            #expect(now.filter { $0.attachment == nil }.map(\.seq) == messages.map(\.seq))
            #expect(now.filter { $0.attachment == nil }.map(\.message) == messages.map(\.message))
            #expect(now.filter { $0.attachment == nil }.map(\.internal) == messages.map(\.internal))
            // What the content filter masked, and saying so, moves with the text.
            #expect(now.filter { $0.attachment == nil }.map(\.redactions) == messages.map(\.redactions))
            #expect(messages.first?.redactions == [Redaction(rule: "card", count: 1)])
        }
        let resumed = APIClient(server: url)
        await resumed.adopt(
            AuthResponse(
                user: try #require(await customer.session?.user), accessToken: "stale",
                refreshToken: refresh, expiresIn: 0))
        _ = try await resumed.refresh()
        let copy = try await resumed.download(stored, into: node.appendingPathComponent("saved"))
        #expect(try Data(contentsOf: copy) == Data("Order 4410\n".utf8))
        // New rows take new ids and seq after the copied ones.
        let fresh = try await resumed.openTicket(CreateTicketRequest(subject: "After the move", description: "d", category: .payment))
        #expect(fresh.id == 4)
        let next = try await resumed.post(PostMessageRequest(message: "still here", clientMessageId: "after-1"), ticket: 1)
        #expect(next.seq == 6 && next.id == 14)
    }

    @Test(.enabled(if: ClusterTests.runs, "needs PostgreSQL (scripts/test starts one)"))
    func autoAssignmentAcrossNodesNeverGoesPastAnAgentsCapacity() async throws {
        let cluster = try await Cluster(nodes: 2)
        defer { cluster.close() }
        let nodes = cluster.urls.map { URL(string: $0)! }
        let agentAPI = APIClient(server: nodes[1])
        _ = try await agentAPI.login(username: "alex", password: "agent-password")
        let agent = try await Client(agentAPI, outbox: cluster.directory.appendingPathComponent("a.sqlite"))
        try await cluster.eventually("the agent is connected") { await agent.connection.state == .connected }
        // Eight customers, half on each node, open tickets at the same moment; the agent has room for five.
        let customers = try await withThrowingTaskGroup(of: APIClient.self) { group in
            for index in 0..<8 {
                group.addTask {
                    let api = APIClient(server: nodes[index % 2])
                    _ = try await api.register(
                        RegisterRequest(username: "cust\(index)", password: "a long password", displayName: "C\(index)"))
                    return api
                }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        try await withThrowingTaskGroup(of: Void.self) { group in
            for api in customers {
                group.addTask { _ = try await api.openTicket(CreateTicketRequest(subject: "Now", description: "d", category: .payment)) }
            }
            try await group.waitForAll()
        }
        var assigned = 0
        do {
            try await cluster.eventually("five tickets assigned") {
                let tickets = (try? await agentAPI.tickets(["size": "50"]).items) ?? []
                assigned = tickets.filter { $0.assignedAgent != nil }.count
                return assigned >= 5
            }
        } catch is CancellationError {}
        try await Task.sleep(for: .milliseconds(500))  // any assignment past capacity would have happened by now
        let tickets = try await agentAPI.tickets(["size": "50"]).items
        #expect(tickets.count == 8)
        #expect(tickets.filter { $0.assignedAgent?.id != nil }.count == 5, "exactly the agent's capacity, from both nodes")
        await agent.stop()
    }

    /// A reply timer due on two nodes fires once; one due while a node is killed is carried out by
    /// the other. The clock of both nodes is moved through `WallClock`'s file, never waited for.
    @Test(.enabled(if: ClusterTests.runs, "needs PostgreSQL (scripts/test starts one)"))
    func aReplyTimerFiresOnceAcrossNodesAndANodeKilledMissesNone() async throws {
        let shift = try ClockShift()
        let config =
            #"{"nodeLeaseSeconds": 3, "sla": {"policies": [{"priority": "URGENT", "reassignAfterMinutes": 1}], "reassignRounds": 3}}"#
        let cluster = try await Cluster(nodes: 2, config: config, environment: shift.environment)
        defer { cluster.close() }
        let nodes = cluster.urls.map { URL(string: $0)! }
        // Both agents on node 1, which lives; the customer on node 0, which will be killed.
        var agents: [Client] = []
        for name in ["alex", "sam"] {
            let api = APIClient(server: nodes[1])
            _ = try await api.login(username: name, password: "agent-password")
            let agent = try await Client(api, outbox: cluster.directory.appendingPathComponent("\(name).sqlite"))
            try await cluster.eventually("\(name) is connected") { await agent.connection.state == .connected }
            agents.append(agent)
        }
        try await cluster.eventually("both agents are available") {
            let loads = (try? await agents[0].api.colleagues()) ?? []
            return loads.filter { $0.agent.isOnline && $0.status == .online }.count == 2
        }
        let customer = APIClient(server: nodes[0])
        _ = try await customer.register(RegisterRequest(username: "waiting", password: "a long password", displayName: "Wren"))
        let ticket = try await customer.openTicket(
            CreateTicketRequest(subject: "Now", description: "d", category: .payment, priority: .urgent))
        let first = try #require(ticket.assignedAgent?.id)
        func moves() -> [(from: Int?, to: Int?)] {
            agents[0].heard.compactMap { event in
                if case .server(.ticketReassigned(ticket.id, let from, let to, "NO_REPLY")) = event { (from?.id, to?.id) } else { nil }
            }
        }
        // A minute later on both nodes: both keepers find the timer due; one moves the ticket.
        try shift.move(to: 61)
        try await cluster.eventually("the ticket moved to the other agent") { moves().count == 1 }
        let second = try #require(moves().first?.to)
        #expect(moves().first?.from == first && second != first)
        // The next minute runs out as node 0 dies: node 1 carries it out — back to the queue, as
        // both agents have had it.
        try shift.move(to: 122)
        try cluster.kill(0)
        try await cluster.eventually("the ticket went back to the queue") { moves().count == 2 }
        try await Task.sleep(for: .milliseconds(500))  // a double would have come by now
        #expect(moves().map(\.from) == [first, second] && moves().map(\.to) == [second, nil])
        let notes = try await agents[0].api.messages(ticket: ticket.id).items.filter { $0.senderType == .system && $0.internal }
        #expect(notes.count == 2, "\(notes.map(\.message))")
        for agent in agents { await agent.stop() }
    }
}
