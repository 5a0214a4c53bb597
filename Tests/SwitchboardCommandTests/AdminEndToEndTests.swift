import Foundation
import SwitchboardClient
import SwitchboardProtocol
import Testing

/// The admin's views of the console in tmux against a real server.
@Suite(.serialized) struct AdminEndToEndTests {
    @Test(.enabled(if: TerminalEndToEndTests.hasTmux, "tmux is installed by .ci/run"))
    func anAdminSeesTheServersFiguresAndSetsACapacity() async throws {
        let server = try await ServerUnderTest(agents: [("alex", "Alex Agent")], admins: [("ada", "Ada Admin")], prefix: "admin")
        defer { server.close() }
        let customer = try await Party.register(server: server.url, username: "dana", name: "Dana Doe", directory: server.directory)
        defer { Task { await customer.stop() } }
        for subject in ["Broken lamp", "Invoice copy", "Wrong size"] {
            _ = try await customer.api.openTicket(
                CreateTicketRequest(
                    subject: subject, description: "Details", category: .payment,
                    priority: .high))
        }
        let api = APIClient(server: URL(string: server.url)!)
        try await api.login(username: "ada", password: "agent-password")

        let tmux = try await TmuxSession.console(server.url, user: "ada", name: "Ada Admin", width: 120, height: 30)
        defer { tmux.close() }
        try tmux.keys("F7")
        let figures = try await api.dashboard()
        try await tmux.waitFor("the dashboard with the server's figures") { screen in
            let rows = screen.split(separator: "\n").map(String.init)
            func value(_ label: String) -> Int? { Self.figure(label, in: screen) }
            return value("Open") == figures.openTickets && value("Unassigned") == figures.unassignedTickets
                && value("In progress") == figures.inProgressTickets && value("Agents online") == figures.agentsOnline
                && rows.contains {
                    $0.contains("payment") && $0.contains("█") && $0.contains(" \(figures.ticketsByCategory["PAYMENT"] ?? -1)")
                }
        }
        #expect(figures.openTickets == 3)

        // Live: a new ticket shows without asking.
        _ = try await customer.api.openTicket(CreateTicketRequest(subject: "Fourth", description: "Details", category: .shipping))
        try await tmux.waitFor("the new ticket counted") { Self.figure("Open", in: $0) == 4 && Self.figure("Unassigned", in: $0) == 4 }

        // Agents: Alex's capacity set from the keyboard, and the server has it.
        try tmux.literal("/agents")
        try tmux.keys("Enter")
        try await tmux.waitFor("the agents") { $0.contains("Alex Agent") && $0.contains("/5") }
        try tmux.literal("/capacity AlexAgent 9")
        try tmux.keys("Enter")
        try await tmux.waitFor("the new capacity") { $0.contains("/9") }
        let alex = try await api.agents().first { $0.agent.displayName == "Alex Agent" }
        #expect(alex?.capacity == 9)

        try tmux.keys("Escape")
        try await tmux.waitFor("the queue again") { $0.contains("Unassigned") }
        try tmux.keys("C-q")
        try await tmux.waitFor("exited") { _ in tmux.exitStatus != nil }
        #expect(tmux.exitStatus == 0)

        // An agent asking for the dashboard is told it is for admins.
        let agentScreen = try await TmuxSession.console(server.url, user: "alex", name: "Alex Agent", width: 100, height: 30)
        defer { agentScreen.close() }
        try agentScreen.literal("/dashboard")
        try agentScreen.keys("Enter")
        try await agentScreen.waitFor("refused with a sentence") { $0.contains("/dashboard is for admins; you are signed in as an agent.") }
    }

    /// The number after `label` on the dashboard (`Open   12`).
    static func figure(_ label: String, in screen: String) -> Int? {
        for row in screen.split(separator: "\n") {
            guard let range = row.range(of: "  " + label + " ") ?? row.range(of: " " + label + " ") else { continue }
            return row[range.upperBound...].split(separator: " ").first.flatMap { Int($0) }
        }
        return nil
    }
}
