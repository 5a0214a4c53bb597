import Foundation
import SwitchboardClient
import SwitchboardProtocol
import Synchronization
import Testing

/// The agent console in tmux against a real server; the customer (and a second agent) driven
/// through the protocol by the test.
@Suite(.serialized) struct ConsoleEndToEndTests {
    @Test(.enabled(if: TerminalEndToEndTests.hasTmux, "tmux is installed by .ci/run"))
    func anAgentWorksTheQueue() async throws {
        let server = try await ServerUnderTest(agents: [("alex", "Alex Agent"), ("sam", "Sam Second")], prefix: "console")
        defer { server.close() }
        let url = server.url, directory = server.directory
        let alexAPI = APIClient(server: URL(string: url)!)
        try await alexAPI.login(username: "alex", password: "agent-password")
        _ = try await alexAPI.createCannedResponse(
            CannedResponseRequest(
                shortcut: "hi", title: "Greeting", body: "Hello {customer.name}, this is {agent.name} on #{ticket.id}."))

        let tmux = try await TmuxSession.console(url, user: "alex", name: "Alex Agent", width: 120, height: 30)
        defer { tmux.close() }
        // Busy: no auto-assignment, so the ticket waits in the queue to be claimed.
        try tmux.keys("F6")
        try await tmux.waitFor("busy") { $0.contains("◐ busy") }

        let customer = try await Party.register(server: url, username: "dana", name: "Dana Doe", directory: directory)
        defer { Task { await customer.stop() } }
        let first = try await customer.api.openTicket(
            CreateTicketRequest(subject: "Broken lamp", description: "It flickers", category: .technical))
        try await tmux.waitFor("the ticket waits in the queue") { $0.contains("Unassigned 1") && $0.contains("#\(first.id) Broken lamp") }
        try tmux.keys("c")
        try await tmux.waitFor("claimed, in a tab") { $0.contains("1:#\(first.id) Dana Doe") && $0.contains("· yours") }
        await customer.connection.join(first.id, sinceSeq: 0)

        // A hostile message from the customer is shown as text.
        try await customer.connection.send("\u{1B}]0;pwned\u{07}\u{1B}[2Jhello?", to: first.id)
        try await tmux.waitFor("the customer's message, harmless") { $0.contains("␛]0;pwned␇␛[2Jhello?") }
        #expect(tmux.format("#{pane_title}") != "pwned")

        // A canned response with its placeholders, edited in the line, sent.
        try tmux.literal("/hi")
        try tmux.keys("Tab")
        try await tmux.waitFor("the canned response in the line") { $0.contains("> Hello Dana Doe, this is Alex Agent on #\(first.id).") }
        try tmux.keys("Enter")
        try await waitUntil("the customer gets it") {
            customer.saw {
                if case .receiveMessage(_, let m) = $0 { m.message == "Hello Dana Doe, this is Alex Agent on #\(first.id)." } else { false }
            }
        }

        // A note: shown as one, never sent to the customer.
        try tmux.keys("C-o")
        try tmux.literal("Lamp model is discontinued")
        try tmux.keys("Enter", "C-o")
        try await tmux.waitFor("the note") { $0.contains("✎ internal note") && $0.contains("Lamp model is discontinued") }

        // A second ticket, a second tab.
        let second = try await customer.api.openTicket(
            CreateTicketRequest(subject: "Invoice copy", description: "Please resend", category: .payment))
        try await tmux.waitFor("the second ticket") { $0.contains("#\(second.id) Invoice copy") }
        try tmux.keys("BTab", "c")
        try await tmux.waitFor("two tabs") { $0.contains("1:#\(first.id) Dana Doe") && $0.contains("2:#\(second.id) Dana Doe") }
        try tmux.keys("M-1")
        try await tmux.waitFor("back on the first") { $0.contains("#\(first.id) Broken lamp") && $0.contains("Lamp model is discontinued") }

        // Transfer to Sam with a note; Sam sees the whole history, the note included.
        try tmux.literal("/transfer Sa")
        try tmux.keys("Tab")
        try await tmux.waitFor("the name completed") { $0.contains("> /transfer SamSecond") }
        try tmux.literal("please call her back")
        try tmux.keys("Enter")
        let samAPI = APIClient(server: URL(string: url)!)
        try await samAPI.login(username: "sam", password: "agent-password")
        try await waitUntil("the ticket is Sam's") { (try? await samAPI.ticket(first.id).assignedAgent?.displayName) == "Sam Second" }
        let history = try await samAPI.messages(ticket: first.id, limit: 50).items.map(\.message)
        #expect(history.contains("Lamp model is discontinued") && history.contains("Transfer to Sam Second: please call her back"))
        #expect(history.contains { $0.hasSuffix("hello?") })
        try await tmux.waitFor("the console shows who has it now") { $0.contains("with Sam Second") }

        // The customer never received a note.
        try await Task.sleep(for: .milliseconds(300))
        #expect(!customer.saw { if case .receiveMessage(_, let m) = $0 { m.internal } else { false } })
        let seen = try await customer.api.messages(ticket: first.id, limit: 50).items
        #expect(!seen.contains { $0.internal })

        try tmux.keys("C-q")
        try await tmux.waitFor("exited") { _ in tmux.exitStatus != nil }
        #expect(tmux.exitStatus == 0)
        #expect(tmux.format("#{alternate_on}") == "0")
    }

    /// Two chats side by side, each answered from its own input; then three tickets marked in
    /// the queue and closed at once.
    @Test(.enabled(if: TerminalEndToEndTests.hasTmux, "tmux is installed by .ci/run"))
    func aSplitViewAndABulkClose() async throws {
        let server = try await ServerUnderTest(agents: [("alex", "Alex Agent")], prefix: "split")
        defer { server.close() }
        let url = server.url, directory = server.directory

        let tmux = try await TmuxSession.console(url, user: "alex", name: "Alex Agent", width: 200, height: 60)
        defer { tmux.close() }
        try tmux.keys("F6")
        try await tmux.waitFor("busy") { $0.contains("◐ busy") }

        let customer = try await Party.register(server: url, username: "dana", name: "Dana Doe", directory: directory)
        defer { Task { await customer.stop() } }
        var ids: [Int] = []
        for subject in ["Broken lamp", "Invoice copy", "Wrong size", "Late parcel"] {
            ids.append(
                try await customer.api.openTicket(CreateTicketRequest(subject: subject, description: "Details", category: .other)).id)
        }
        for id in ids { await customer.connection.join(id, sinceSeq: 0) }
        try await tmux.waitFor("four waiting") { $0.contains("Unassigned 4") }
        try tmux.literal("/open \(ids[0])")
        try tmux.keys("Enter")
        try tmux.literal("/open \(ids[1])")
        try tmux.keys("Enter")
        try await tmux.waitFor("two tabs") { $0.contains("1:#\(ids[0]) Dana Doe") && $0.contains("2:#\(ids[1]) Dana Doe") }

        // Split: both chats on screen, headers on one row.
        try tmux.literal("/split")
        try tmux.keys("Enter")
        try await tmux.waitFor("two chats side by side") { screen in
            screen.split(separator: "\n").contains { $0.contains("#\(ids[1]) Invoice copy") && $0.contains("#\(ids[0]) Broken lamp") }
        }
        // The split keeps the chat it was typed in (#2, left) and adds #1 beside it, which takes
        // the keys, as a new pane does in tmux. Each pane answers its own ticket.
        try tmux.literal("About your lamp")
        try tmux.keys("M-Left")
        try tmux.literal("About your invoice")
        try await tmux.waitFor("a draft in each pane") { $0.contains("> About your invoice") && $0.contains("> About your lamp") }
        try tmux.keys("Enter", "M-Right", "Enter")
        // Each shown as sent in its own pane: the left pane's text starts left of the right pane's.
        try await tmux.waitFor("both replies shown, in their panes") { screen in
            let rows = screen.split(separator: "\n").map(String.init)
            func column(_ text: String) -> Int? {
                rows.lazy.compactMap { row in row.range(of: text + "  ✓").map { row.distance(from: row.startIndex, to: $0.lowerBound) } }
                    .first
            }
            guard let invoice = column("About your invoice"), let lamp = column("About your lamp") else { return false }
            return invoice < lamp
        }
        for (id, text) in [(ids[0], "About your lamp"), (ids[1], "About your invoice")] {
            try await waitUntil("#\(id) gets its own reply") {
                customer.saw { if case .receiveMessage(let ticket, let m) = $0 { ticket == id && m.message == text } else { false } }
            }
        }
        try tmux.literal("/unsplit")
        try tmux.keys("Enter")
        try await tmux.waitFor("one chat again") { $0.contains("One chat on screen") }

        // Bulk close: all open, three marked with Space, one /close, confirmed once.
        try tmux.keys("BTab", "]", "]")
        try await tmux.waitFor("all open") { $0.contains("All open 4") }
        try tmux.keys("Space", "Space", "Space")
        try await tmux.waitFor("three marked") { $0.contains("3 marked") }
        try tmux.literal("/close")
        try tmux.keys("Enter")
        try await tmux.waitFor("asked once") { $0.contains("Close 3 tickets?") }
        try tmux.keys("y")
        let api = APIClient(server: URL(string: url)!)
        try await api.login(username: "alex", password: "agent-password")
        try await waitUntil("three closed on the server") {
            var closed = 0
            for id in ids where (try? await api.ticket(id).status) == .closed { closed += 1 }
            return closed == 3
        }
        try await tmux.waitFor("the queue shows one open") { $0.contains("All open 1") }

        try tmux.keys("C-q")
        try await tmux.waitFor("exited") { _ in tmux.exitStatus != nil }
        #expect(tmux.exitStatus == 0)
    }
}

extension ConsoleEndToEndTests {
    /// The steps that trapped the console ("Illegal instruction", exit 132): an 80-line paste the
    /// server refuses, PgUp, M-x. Discarding removed more lines than the view was scrolled, the
    /// offset went negative, and the next read mark sliced past the end of the lines.
    @Test(.enabled(if: TerminalEndToEndTests.hasTmux, "tmux is installed by .ci/run"))
    func discardingARefusedPasteWhileScrolledUp() async throws {
        let server = try await ServerUnderTest(
            agents: [("alex", "Alex Agent")], prefix: "discard",
            config: #"{"contentFilters":{"block":[{"name":"forbidden","pattern":"BLOCKME"}]}}"#)
        defer { server.close() }
        let customer = try await Party.register(server: server.url, username: "dana", name: "Dana Doe", directory: server.directory)
        defer { Task { await customer.stop() } }
        let ticket = try await customer.api.openTicket(
            CreateTicketRequest(
                subject: "Broken lamp", description: "It flickers",
                category: .technical))
        await customer.connection.join(ticket.id, sinceSeq: 0)
        let tmux = try await TmuxSession.console(server.url, user: "alex", name: "Alex Agent", width: 200, height: 60)
        defer { tmux.close() }
        try tmux.literal("/open \(ticket.id)")
        try tmux.keys("Enter")
        try await tmux.waitFor("the ticket open") { $0.contains("It flickers") }
        try tmux.paste((0..<80).map { "BLOCKME line \($0)" }.joined(separator: "\n"))
        try tmux.keys("Enter")
        try await tmux.waitFor("asked to send the paste as one") { $0.contains("pasted lines as one message?") }
        try tmux.keys("y")
        try await tmux.waitFor("refused") { $0.contains("✗ not sent") && $0.contains("M-x discard") }
        try tmux.keys("PageUp")
        try await tmux.waitFor("scrolled up") { $0.contains("↓ more below") }
        try tmux.keys("M-x")
        try await tmux.waitFor("discarded, the view back at the bottom") { !$0.contains("BLOCKME line") && $0.contains("It flickers") }
        #expect(tmux.exitStatus == nil, "the console ended: \(tmux.screen)")
        // Still at work: a reply goes out.
        try tmux.literal("Still here")
        try tmux.keys("Enter")
        try await waitUntil("the customer gets the reply") {
            customer.saw { if case .receiveMessage(_, let m) = $0 { m.message == "Still here" } else { false } }
        }
        try tmux.keys("C-q")
        try await tmux.waitFor("exited") { _ in tmux.exitStatus != nil }
        #expect(tmux.exitStatus == 0)
    }
}

/// Someone on the other side, through the same client core the terminal uses.
final class Party: Sendable {
    let api: APIClient
    let connection: RealtimeConnection
    private let frames = Mutex<[ServerEvent]>([])
    private let listener = Mutex<Task<Void, Never>?>(nil)

    private init(api: APIClient, connection: RealtimeConnection) {
        self.api = api
        self.connection = connection
    }

    static func register(server: String, username: String, name: String, directory: URL) async throws -> Party {
        let api = APIClient(server: URL(string: server)!)
        try await api.register(RegisterRequest(username: username, password: "a long password", displayName: name))
        return try await connect(api, username: username, directory: directory)
    }

    static func signIn(server: String, username: String, password: String, directory: URL) async throws -> Party {
        let api = APIClient(server: URL(string: server)!)
        try await api.login(username: username, password: password)
        return try await connect(api, username: username, directory: directory)
    }

    private static func connect(_ api: APIClient, username: String, directory: URL) async throws -> Party {
        let outbox = try await Outbox.open(at: directory.appendingPathComponent("\(username)-outbox.sqlite"), account: username)
        let party = Party(api: api, connection: RealtimeConnection(api: api, outbox: outbox))
        let events = party.connection.events
        party.listener.withLock { task in
            task = Task { for await event in events { if case .server(let frame) = event { party.frames.withLock { $0.append(frame) } } } }
        }
        await party.connection.start()
        // Frames like typing are not queued while the socket is still opening: a test that
        // sends one at once must find the socket up (under load it took long enough to lose it).
        try await waitUntil("\(username) is connected") { await party.connection.state == .connected }
        return party
    }

    func saw(_ match: (ServerEvent) -> Bool) -> Bool { frames.withLock { $0.contains(where: match) } }

    func stop() async {
        await connection.stop()
        listener.withLock { $0?.cancel() }
    }
}
