import Foundation
import SwitchboardClient
import SwitchboardProtocol
import Testing

/// A ticket's life after the reply, on real screens: the customer rates a resolved chat in their
/// terminal and the agent's console shows it; a merge done in the console moves both screens.
extension ConsoleEndToEndTests {
    @Test(.enabled(if: TerminalEndToEndTests.hasTmux, "tmux is installed by .ci/run"))
    func aCustomerRatesAResolvedChatAndTheAgentSeesIt() async throws {
        let server = try await ServerUnderTest(agents: [("alex", "Alex Agent")], prefix: "rating")
        defer { server.close() }
        let console = try await TmuxSession.console(server.url, user: "alex", name: "Alex Agent", width: 80, height: 24)
        defer { console.close() }
        let customer = APIClient(server: URL(string: server.url)!)
        try await customer.register(RegisterRequest(username: "dana", password: "a long password", displayName: "Dana Doe"))
        let ticket = try await customer.openTicket(CreateTicketRequest(subject: "Parcel", description: "Where is it?", category: .shipping))
        try await console.waitFor("the ticket is Alex's") { $0.contains("Mine 1") && $0.contains("#\(ticket.id) Parcel") }

        let chat = try await TmuxSession.chat(server.url, user: "dana")
        defer { chat.close() }
        try chat.literal("/open \(ticket.id)")
        try chat.keys("Enter")
        try await chat.waitFor("the chat") { $0.contains("Where is it?") }

        // The agent answers and resolves it from the console.
        try console.literal("/open \(ticket.id)")
        try console.keys("Enter")
        try await console.waitFor("the tab") { $0.contains("Where is it?") }
        try console.literal("It is with your neighbour.")
        try console.keys("Enter")
        try console.literal("/resolve")
        try console.keys("Enter")

        try await chat.waitFor("asked for a rating") { $0.contains("How did we do on #\(ticket.id)?") && $0.contains("5 great") }
        try chat.keys("4")
        try await chat.waitFor("the comment line") { $0.contains("★★★★☆ 4/5") && $0.contains("a comment if you like") }
        try chat.literal("Quick and kind")
        try chat.keys("Enter")
        try await chat.waitFor("rated, in the header") { $0.contains("you rated it ★★★★☆ 4/5") }

        try await console.waitFor("the rating in the agent's chat") { $0.contains("Dana Doe rated this chat ★★★★☆ 4/5") }
        let rated = try await customer.ticket(ticket.id)
        #expect(rated.rating?.score == 4 && rated.rating?.comment == "Quick and kind")
        for session in [chat, console] {
            try session.keys("C-q")
            try await session.waitFor("exited") { _ in session.exitStatus != nil }
        }
    }

    @Test(.enabled(if: TerminalEndToEndTests.hasTmux, "tmux is installed by .ci/run"))
    func aMergeMovesTheAgentsAndTheCustomersScreens() async throws {
        let server = try await ServerUnderTest(agents: [("alex", "Alex Agent")], prefix: "merge")
        defer { server.close() }
        let customer = APIClient(server: URL(string: server.url)!)
        try await customer.register(RegisterRequest(username: "dana", password: "a long password", displayName: "Dana Doe"))
        let target = try await customer.openTicket(
            CreateTicketRequest(subject: "Card declined", description: "At the checkout", category: .payment))
        let source = try await customer.openTicket(
            CreateTicketRequest(subject: "Charged twice", description: "Two charges today", category: .payment))
        _ = try await customer.post(PostMessageRequest(message: "It happened again"), ticket: source.id)

        let chat = try await TmuxSession.chat(server.url, user: "dana", width: 100, height: 30)
        defer { chat.close() }
        try chat.literal("/open \(source.id)")
        try chat.keys("Enter")
        try await chat.waitFor("the source's chat") { $0.contains("It happened again") }

        let console = try await TmuxSession.console(server.url, user: "alex", name: "Alex Agent", width: 100, height: 30)
        defer { console.close() }
        try await console.waitFor("both in the queue") {
            $0.contains("#\(target.id) Card declined") && $0.contains("#\(source.id) Charged")
        }
        try console.literal("/open \(target.id)")
        try console.keys("Enter")
        try await console.waitFor("the target's tab") { $0.contains("At the checkout") }
        try console.literal("/merge \(source.id)")
        try console.keys("Enter")
        try await console.waitFor("asked first") { $0.contains("Merge #\(source.id) “Charged twice” into #\(target.id)?") }
        try console.keys("y")
        try await console.waitFor("the source's messages in the target") {
            $0.contains("Ticket #\(source.id) “Charged twice” was merged into this one by Alex Agent")
                && $0.contains("It happened again") && $0.contains("↪ from #\(source.id)")
        }

        // The customer's chat moved with it: the target open, the source's words in it.
        try await chat.waitFor("moved to the target") {
            $0.contains("#\(target.id) Card declined") && $0.contains("was merged into this one") && $0.contains("It happened again")
                && $0.contains("merged into #\(target.id)")
        }
        let closed = try await customer.ticket(source.id)
        #expect(closed.status == .closed && closed.mergedIntoId == target.id)
        for session in [chat, console] {
            try session.keys("C-q")
            try await session.waitFor("exited") { _ in session.exitStatus != nil }
        }
    }
}
