import Foundation
import SwitchboardClient
import SwitchboardProtocol
import Testing

/// Search and mentions on real screens: `/find` in the console finds a message in another ticket
/// and opens it there; a colleague named in a note is told in their own console.
extension ConsoleEndToEndTests {
    @Test(.enabled(if: TerminalEndToEndTests.hasTmux, "tmux is installed by .ci/run"))
    func findOpensAMessageInAnotherTicket() async throws {
        let server = try await ServerUnderTest(agents: [("alex", "Alex Agent")], prefix: "find")
        defer { server.close() }
        let customer = APIClient(server: URL(string: server.url)!)
        try await customer.register(RegisterRequest(username: "dana", password: "a long password", displayName: "Dana Doe"))
        let old = try await customer.openTicket(
            CreateTicketRequest(subject: "Printer jam", description: "Paper stuck", category: .technical))
        for index in 1...40 { _ = try await customer.post(PostMessageRequest(message: "Still stuck, try \(index)"), ticket: old.id) }
        _ = try await customer.post(PostMessageRequest(message: "The error says E-1138 flux capacitor"), ticket: old.id)
        for index in 1...30 { _ = try await customer.post(PostMessageRequest(message: "More noise \(index)"), ticket: old.id) }
        let current = try await customer.openTicket(CreateTicketRequest(subject: "Scanner", description: "Lines", category: .technical))

        let console = try await TmuxSession.console(server.url, user: "alex", name: "Alex Agent", width: 100, height: 30)
        defer { console.close() }
        try await console.waitFor("the queue") { $0.contains("#\(current.id) Scanner") }
        try console.literal("/find flux capacitor")
        try console.keys("Enter")
        try await console.waitFor("the hit") {
            $0.contains("Find “flux capacitor” · 1 found") && $0.contains("#\(old.id) Printer jam") && $0.contains("E-1138 flux capacitor")
        }
        try console.keys("Enter")
        // Opened in its own ticket, history paged back to it (70 messages later), the message marked.
        try await console.waitFor("the message, marked") {
            $0.contains("#\(old.id) Printer jam") && $0.contains("▶ Dana Doe") && $0.contains("The error says E-1138 flux capacitor")
        }
        try console.keys("C-q")
        try await console.waitFor("exited") { _ in console.exitStatus != nil }
    }

    @Test(.enabled(if: TerminalEndToEndTests.hasTmux, "tmux is installed by .ci/run"))
    func aMentionedAgentIsTold() async throws {
        let server = try await ServerUnderTest(agents: [("alex", "Alex Agent"), ("sam", "Sam Second")], prefix: "mention")
        defer { server.close() }
        let customer = APIClient(server: URL(string: server.url)!)
        try await customer.register(RegisterRequest(username: "dana", password: "a long password", displayName: "Dana Doe"))
        let ticket = try await customer.openTicket(
            CreateTicketRequest(subject: "Refund stuck", description: "Since Monday", category: .payment))
        let alex = APIClient(server: URL(string: server.url)!)
        try await alex.login(username: "alex", password: "agent-password")
        _ = try await alex.claim(ticket: ticket.id)

        let sam = try await TmuxSession.console(server.url, user: "sam", name: "Sam Second", width: 80, height: 24)
        defer { sam.close() }
        _ = try await alex.post(PostMessageRequest(message: "@SamSecond can you check the ledger?", internal: true), ticket: ticket.id)
        try await sam.waitFor("told, and listed under Mentions") { $0.contains("Mentions 1") || $0.contains("@ 1") }
        try sam.keys("[")
        try await sam.waitFor("the Mentions section") { $0.contains("#\(ticket.id) Refund stuck") }
        try sam.keys("Enter")
        try await sam.waitFor("the note, and the mention seen") {
            $0.contains("can you check the ledger?") && !$0.contains("Mentions 1") && !$0.contains("@ 1")
        }
        try sam.keys("C-q")
        try await sam.waitFor("exited") { _ in sam.exitStatus != nil }
    }
}
