import Foundation
import SwitchboardClient
import SwitchboardProtocol
import Testing

/// The admin's Integrations page in tmux against a real server and a real receiver: an endpoint
/// made from the keyboard, its secret shown once, deliveries and a retry in its log, a token made
/// and its bot's message marked as a bot's in the customer's chat.
@Suite(.serialized) struct IntegrationsEndToEndTests {
    @Test(.enabled(if: TerminalEndToEndTests.hasTmux, "tmux is installed by .ci/run"))
    func anAdminConnectsAReceiverAndABot() async throws {
        let receiver = try WebhookKillTests.Receiver()
        defer { receiver.stop() }
        let server = try await ServerUnderTest(
            agents: [], admins: [("ada", "Ada Admin")], prefix: "integrations", config: #"{"webhooksAllowPrivateTargets": true}"#)
        defer { server.close() }
        let tmux = try await TmuxSession.console(server.url, user: "ada", name: "Ada Admin", width: 80, height: 24)
        defer { tmux.close() }
        try tmux.literal("/webhook add http://127.0.0.1:\(receiver.port)/hook ticket.created message.created")
        try tmux.keys("Enter")
        var secret = ""
        try await tmux.waitFor("the endpoint with its secret shown once") { screen in
            secret = screen.split(separator: " ").first { $0.hasPrefix("whsec_") }.map { String($0.prefix { !$0.isWhitespace }) } ?? ""
            return screen.contains("#1   on   http://127.0.0.1:\(receiver.port)/hook") && screen.contains("Shown once") && !secret.isEmpty
        }
        try receiver.write("secret", secret)

        // A failing receiver: the delivery retries, and says so in the log.
        try receiver.write("fail", "1")
        let customer = try await Party.register(server: server.url, username: "dana", name: "Dana Doe", directory: server.directory)
        defer { Task { await customer.stop() } }
        let ticket = try await customer.api.openTicket(CreateTicketRequest(subject: "Invoice", description: "Missing", category: .payment))
        try await tmux.waitFor("a failed delivery and its retry") {
            $0.contains("ticket.created") && $0.contains("retrying") && $0.contains("500 Internal Server Error")
        }
        try receiver.write("fail", nil)
        try await tmux.waitFor("delivered on a later try (the first retry comes within 10 s)") {
            $0.contains("ticket.created") && $0.contains("delivered") && $0.contains("200 OK")
        }
        let records = try receiver.records()
        #expect(records.count >= 2 && records.allSatisfy(\.valid) && Set(records.map(\.id)).count == 1, "\(records)")

        // A token for a bot; its message is a bot's on the customer's screen.
        try tmux.literal("/token add Billing tickets:read messages:write as Billing Bot")
        try tmux.keys("Enter")
        var token = ""
        try await tmux.waitFor("the token shown once") { screen in
            token = screen.split(separator: " ").first { $0.hasPrefix("sbt_") }.map { String($0.prefix { !$0.isWhitespace }) } ?? ""
            return screen.contains("as Billing Bot [bot]") && !token.isEmpty
        }
        // The token as an integration sends it: the bearer of every call (it is never refreshed).
        let bot = APIClient(server: URL(string: server.url)!)
        let account = User(
            id: 0, username: "", displayName: "Billing Bot", role: .agent, isOnline: false, lastSeenAt: nil, agentStatus: nil,
            capacity: nil, email: nil, isBot: true)
        await bot.adopt(AuthResponse(user: account, accessToken: token, refreshToken: "", expiresIn: 86_400))
        _ = try await bot.post(PostMessageRequest(message: "Your invoice is on its way"), ticket: ticket.id)
        let chat = try await TmuxSession.chat(
            server.url, user: "dana", width: 80, height: 24,
            environment: ["XDG_DATA_HOME": server.directory.appendingPathComponent("dana-chat").path])
        defer { chat.close() }
        try chat.keys("Enter")
        try await chat.waitFor("the bot's message, marked") {
            $0.contains("Billing Bot [bot]") && $0.contains("Your invoice is on its way")
        }
        try await tmux.waitFor("the token's last use") { $0.contains("used ") }
        try tmux.keys("C-q")
    }
}
