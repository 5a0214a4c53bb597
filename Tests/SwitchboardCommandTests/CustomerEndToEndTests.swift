import Foundation
import SwitchboardClient
import SwitchboardProtocol
import Synchronization
import Testing

/// Customer mode as a person uses it: the real binary in tmux, against a real server on
/// 127.0.0.1, with an agent on the other side driven through the protocol by the test.
@Suite(.serialized) struct CustomerEndToEndTests {
    static var hasTmux: Bool { TerminalEndToEndTests.hasTmux }

    /// `switchboard` with nothing set up: the launcher, the demo customer's tickets and chat (a card
    /// number masked), back to the launcher, and out — the embedded server stopped with it.
    @Test(.enabled(if: hasTmux, "tmux is installed by .ci/run"))
    func firstRunThroughTheLauncher() async throws {
        let tmux = try TmuxSession()
        defer { tmux.close() }
        try tmux.start([Command.binary.path], width: 80, height: 24)
        try await tmux.waitFor("the launcher") { $0.contains("Demo accounts — password 'switchboard'") && $0.contains("1  Customer") }
        #expect(!tmux.screen.contains("info") && !tmux.screen.contains("listening on"), "the server's log stays off the screen")
        let data = tmux.home.appendingPathComponent("switchboard")
        let address = try String(contentsOf: data.appendingPathComponent("embedded-server"), encoding: .utf8)
        #expect(address.hasPrefix("http://127.0.0.1:"))
        try tmux.keys("1")
        try await tmux.waitFor("the demo customer's tickets") {
            $0.contains("Casey Customer") && $0.contains("Where is my parcel?") && $0.contains("Charged twice")
                && $0.contains("● connected")
        }
        try tmux.literal("/open 1")
        try tmux.keys("Enter")
        try await tmux.waitFor("the sample conversation") {
            $0.contains("#1 Where is my parcel?") && $0.contains("Alex Agent") && $0.contains("It goes out with tomorrow's first round.")
        }
        try tmux.literal("Thanks, see you :wave:")
        try tmux.keys("Enter")
        try await tmux.waitFor("the message sent") { $0.contains("Thanks, see you 👋  ✓") }
        // A card number pasted in: masked by the server before it is stored, and the customer's
        // own copy shows what was stored, with the reason under it.
        try tmux.literal("My card is 4111 1111 1111 1111")
        try tmux.keys("Enter")
        try await tmux.waitFor("the card number masked, with the hint") {
            $0.contains("My card is •••• •••• •••• 1111  ✓") && $0.contains("🔒 card number masked") && !$0.contains("4111 1111")
        }
        try tmux.keys("F10")
        try await tmux.waitFor("back at the launcher") { $0.contains("Demo accounts") }
        try tmux.keys("q")
        try await tmux.waitFor("exited") { _ in tmux.exitStatus != nil }
        #expect(tmux.exitStatus == 0)
        #expect(tmux.format("#{alternate_on}") == "0")
        #expect(!FileManager.default.fileExists(atPath: data.appendingPathComponent("embedded-server").path))
        let log = try String(contentsOf: data.appendingPathComponent("server.log"), encoding: .utf8)
        #expect(log.contains("path=/api/tickets"))
    }

    /// Register, open a ticket through the form, chat both ways with typing and read state, a
    /// hostile message shown harmless, and a message written while the server is down delivered
    /// once when it is back.
    @Test(.enabled(if: hasTmux, "tmux is installed by .ci/run"))
    func aCustomerChatsWithAnAgent() async throws {
        let server = try await ServerUnderTest(agents: [("alex", "Alex Agent")], prefix: "e2e")
        defer { server.close() }
        let url = server.url, directory = server.directory

        let tmux = try TmuxSession()
        defer { tmux.close() }
        try tmux.start([Command.binary.path, "chat", "--server", url], width: 80, height: 24)
        try await tmux.waitFor("the sign-in screen") { $0.contains("Sign in") && $0.contains("F2 new account") }
        // A mistyped password is a sentence on the same screen (it used to stop the program).
        try tmux.literal("alex")
        try tmux.keys("Tab")
        try tmux.literal("not the password")
        try tmux.keys("Enter")
        try await tmux.waitFor("the refusal, in words") { $0.contains("⚠ Not signed in: wrong username or password.") }
        try await Task.sleep(for: .milliseconds(300))
        #expect(tmux.exitStatus == nil && tmux.screen.contains("Sign in"))
        try tmux.keys("F2")
        try await tmux.waitFor("the new-account form") { $0.contains("New account") }
        try tmux.literal("dana")
        try tmux.keys("Tab")
        try tmux.literal("short")
        try tmux.keys("Tab")
        try tmux.literal("Dana Doe")
        try tmux.keys("Enter")
        try await tmux.waitFor("the password checked before sending") { $0.contains("⚠ 8–128 characters") }
        // The form went back to the field in error.
        try tmux.keys("C-u")
        try tmux.literal("a good long password")
        try tmux.keys("Tab", "Enter")
        try await tmux.waitFor("signed in") { $0.contains("Dana Doe") && $0.contains("No tickets yet.") && $0.contains("● connected") }
        // The login is kept, owner-only, for the next run.
        let logins = tmux.home.appendingPathComponent("switchboard/logins.json")
        let mode = try FileManager.default.attributesOfItem(atPath: logins.path)[.posixPermissions] as? Int
        #expect(mode == 0o600)

        try tmux.keys("n")
        try await tmux.waitFor("the new-ticket form") { $0.contains("New ticket") && $0.contains("Subject") }
        try tmux.literal("Lamp flickers")
        try tmux.keys("Tab")
        try tmux.literal("Since Tuesday")
        try tmux.keys("Enter")
        try tmux.literal("every evening.")
        try tmux.keys("C-s")
        try await tmux.waitFor("the ticket open, waiting") {
            $0.contains("#1 Lamp flickers") && $0.contains("waiting in the queue for the next agent")
        }

        // The agent, through the protocol.
        let agent = try await Party.signIn(server: url, username: "alex", password: "agent-password", directory: directory)
        defer { Task { await agent.stop() } }
        _ = try await agent.api.claim(ticket: 1)
        await agent.connection.join(1, sinceSeq: 0)
        try await tmux.waitFor("who has it") { $0.contains("Alex Agent ● online") || $0.contains("Alex Agent ○ away") }
        await agent.connection.typing(in: 1, active: true)
        try await tmux.waitFor("the agent typing") { $0.contains("Alex Agent is typing…") }
        try await agent.connection.send("Hello Dana, which lamp is it?", to: 1)
        try await tmux.waitFor("the agent's message") { $0.contains("Hello Dana, which lamp is it?") }

        try tmux.literal("The one in the hall")
        try await waitUntil("the agent sees typing") {
            agent.saw { if case .typingStart(1, let user, _) = $0 { user.displayName == "Dana Doe" } else { false } }
        }
        try tmux.keys("Enter")
        try await waitUntil("the agent gets the message") {
            agent.saw { if case .receiveMessage(1, let message) = $0 { message.message == "The one in the hall" } else { false } }
        }
        await agent.connection.markRead(1, upToSeq: 2)
        try await tmux.waitFor("read") { $0.contains("The one in the hall  ✓✓ read") }

        // Escape sequences from the other side arrive as text: no title change, no cleared screen.
        try await agent.connection.send("\u{1B}]0;pwned\u{07}\u{1B}[2Jstill here", to: 1)
        try await tmux.waitFor("the hostile message, harmless") { $0.contains("␛]0;pwned␇␛[2Jstill here") }
        #expect(tmux.format("#{pane_title}") != "pwned")
        #expect(tmux.screen.contains("#1 Lamp flickers"))

        // The server goes down: the message waits in the outbox and the indicator says so.
        try server.stop()
        try await tmux.waitFor("reconnecting") { $0.contains("reconnecting") || $0.contains("offline") }
        try tmux.literal("Are you still there?")
        try tmux.keys("Enter")
        try await tmux.waitFor("queued") { $0.contains("Are you still there?  ◷ queued") && $0.contains("1 queued") }
        try await server.restart()
        try tmux.keys("F5")
        try await tmux.waitFor("delivered and connected") {
            $0.contains("● connected") && !$0.contains("queued") && $0.contains("Are you still there?  ✓")
        }
        let stored = try await agent.api.messages(ticket: 1, limit: 50).items.filter { $0.message == "Are you still there?" }
        #expect(stored.count == 1, "delivered exactly once")

        try tmux.literal("/quit")
        try tmux.keys("Enter")
        try await tmux.waitFor("exited") { _ in tmux.exitStatus != nil }
        #expect(tmux.exitStatus == 0)
        #expect(tmux.format("#{alternate_on}") == "0")
    }
}
