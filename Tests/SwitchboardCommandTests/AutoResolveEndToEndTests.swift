import Foundation
import SwitchboardClient
import SwitchboardProtocol
import Testing

/// A silent chat closes itself, seen from the customer's terminal: the warning, then the
/// resolution, each a line in the chat. The server's and the client's clocks are moved together.
extension ConsoleEndToEndTests {
    @Test(.enabled(if: TerminalEndToEndTests.hasTmux, "tmux is installed by .ci/run"))
    func aSilentChatWarnsTheCustomerThenCloses() async throws {
        let shift = try ClockShift()
        let server = try await ServerUnderTest(
            agents: [("alex", "Alex Agent")], prefix: "autoresolve",
            config: #"{"autoResolveAfterMinutes": 120, "autoResolveWarningMinutes": 60}"#, environment: shift.environment)
        defer { server.close() }
        let customer = APIClient(server: URL(string: server.url)!)
        try await customer.register(RegisterRequest(username: "dana", password: "a long password", displayName: "Dana Doe"))
        let ticket = try await customer.openTicket(CreateTicketRequest(subject: "Parcel", description: "Where is it?", category: .shipping))
        let agent = APIClient(server: URL(string: server.url)!)
        try await agent.login(username: "alex", password: "agent-password")
        _ = try await agent.claim(ticket: ticket.id)
        _ = try await agent.post(PostMessageRequest(message: "It is with your neighbour at no. 12."), ticket: ticket.id)

        let tmux = try await TmuxSession.chat(server.url, user: "dana", environment: shift.environment)
        defer { tmux.close() }
        try tmux.literal("/open \(ticket.id)")
        try tmux.keys("Enter")
        try await tmux.waitFor("the chat") { $0.contains("with your neighbour") }

        try shift.move(to: 61 * 60)
        try await tmux.waitFor("the warning") { $0.contains("This chat will close in 60 minutes unless you reply.") }
        try shift.move(to: 121 * 60)
        try await tmux.waitFor("resolved") { $0.contains("Resolved automatically: no reply for 120 minutes.") && $0.contains("resolved ·") }
        #expect(try await agent.ticket(ticket.id).status == .resolved)
        try tmux.keys("C-q")
        try await tmux.waitFor("exited") { _ in tmux.exitStatus != nil }
    }
}
