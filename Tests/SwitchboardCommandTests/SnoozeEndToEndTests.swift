import Foundation
import SwitchboardClient
import SwitchboardProtocol
import Testing

/// A snoozed ticket leaves the queue for its section and comes back at its time — the agent
/// console in tmux against a real server, the time moved for both through `WallClock`'s file.
extension ConsoleEndToEndTests {
    @Test(.enabled(if: TerminalEndToEndTests.hasTmux, "tmux is installed by .ci/run"))
    func aSnoozedTicketLeavesTheQueueAndComesBack() async throws {
        let shift = try ClockShift()
        let environment = shift.environment
        let server = try await ServerUnderTest(agents: [("alex", "Alex Agent")], prefix: "snooze", environment: environment)
        defer { server.close() }
        let tmux = try await TmuxSession.console(
            server.url, user: "alex", name: "Alex Agent", width: 80, height: 24, environment: environment)
        defer { tmux.close() }
        let customer = try await Party.register(server: server.url, username: "dana", name: "Dana Doe", directory: server.directory)
        defer { Task { await customer.stop() } }
        let ticket = try await customer.api.openTicket(
            CreateTicketRequest(subject: "Broken lamp", description: "It flickers", category: .technical))
        try await tmux.waitFor("the ticket is Alex's") { $0.contains("Mine 1") && $0.contains("#\(ticket.id) Broken lamp") }

        try tmux.literal("/snooze 1h")
        try tmux.keys("Enter")
        try await tmux.waitFor("snoozed, in its own section") { $0.contains("Mine 0") && $0.contains("Snoozed 1") && $0.contains("wakes") }
        #expect(
            try await customer.api.ticket(ticket.id).snoozedUntil == nil, "the snooze is the staff's: the customer's view does not show it")

        // An hour later on both sides: back under Mine, and said.
        try shift.move(to: 3605)
        try await tmux.waitFor("back from snooze") {
            $0.contains("Mine 1") && !$0.contains("Snoozed 1") && $0.contains("#\(ticket.id) Broken lamp")
        }
        try tmux.keys("C-q")
        try await tmux.waitFor("exited") { _ in tmux.exitStatus != nil }
    }
}
