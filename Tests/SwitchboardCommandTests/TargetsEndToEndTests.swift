import Foundation
import SwitchboardClient
import SwitchboardProtocol
import Testing

/// A ticket's clock on screen: the agent console in tmux against a real server whose targets are
/// set in its config file. Time is moved for both processes through `WallClock`'s shift file —
/// the test sets the clock, it never waits for one. (In the console's suite, which runs one test
/// at a time: another server and tmux beside it made starting slow on a loaded machine.)
extension ConsoleEndToEndTests {
    static let targetsConfig = #"""
        {"sla": {"policies": [{"priority": "URGENT", "firstResponseMinutes": 10, "reassignAfterMinutes": 9}],
                 "warnAtShare": 0.25, "reassignRounds": 1}}
        """#

    /// The foreground colour (its SGR number, "39" for the default) in force at `marker` on the
    /// first line of `styled` that holds `text`: tmux writes only what changes, so every escape
    /// from the line's start is followed.
    static func colour(at marker: String, onLineWith text: String, in styled: String) -> String {
        guard let line = styled.split(separator: "\n").first(where: { $0.contains(text) && $0.contains(marker) }),
            let at = line.range(of: marker)
        else { return "none" }
        var foreground = "39"
        let before = String(line[..<at.lowerBound])
        for escape in before.split(separator: "\u{1B}").dropFirst() where escape.hasPrefix("[") {
            guard let end = escape.firstIndex(of: "m") else { continue }
            for code in escape[escape.index(after: escape.startIndex)..<end].split(separator: ";") {
                if code == "0" || code == "39" { foreground = "39" }
                if let n = Int(code), (30...37).contains(n) || (90...97).contains(n) { foreground = String(n) }
            }
        }
        return foreground
    }

    @Test(.enabled(if: TerminalEndToEndTests.hasTmux, "tmux is installed by .ci/run"))
    func aTargetRunsDownTurnsColourWarnsAndAnUnansweredTicketMovesOn() async throws {
        let shift = try ClockShift()
        let environment = shift.environment
        let server = try await ServerUnderTest(
            agents: [("alex", "Alex Agent"), ("sam", "Sam Second")], prefix: "targets", config: Self.targetsConfig, environment: environment
        )
        defer { server.close() }
        let url = server.url, directory = server.directory
        // Colours on: `swift test` sets NO_COLOR for what it runs.
        let tmux = try await TmuxSession.console(
            url, user: "alex", name: "Alex Agent", width: 120, height: 30, environment: environment.merging(["NO_COLOR": ""]) { $1 })
        defer { tmux.close() }

        // Alex is the only agent online: the urgent ticket is his, with ten minutes to a first reply.
        let customer = try await Party.register(server: url, username: "dana", name: "Dana Doe", directory: directory)
        defer { Task { await customer.stop() } }
        let ticket = try await customer.api.openTicket(
            CreateTicketRequest(subject: "Card declined", description: "Twice at checkout", category: .payment, priority: .urgent))
        await customer.connection.join(ticket.id, sinceSeq: 0)
        try await tmux.waitFor("the ticket with its clock") { $0.contains("#\(ticket.id) Card declined") && $0.contains("⏱ 10m") }
        #expect(Self.colour(at: "⏱", onLineWith: "Card declined", in: tmux.styledScreen) == "36", "the accent colour")
        let sam = try await Party.signIn(server: url, username: "sam", password: "agent-password", directory: directory)
        defer { Task { await sam.stop() } }

        // Seven and a half minutes on: a quarter is left — the warning colour, and the warning.
        try shift.move(to: 452)
        // The warning: a toast, and a line kept in the open chat.
        try await tmux.waitFor("the warning") { $0.contains("⏱ the first reply is due at") }
        try await tmux.waitFor("the warning colour") { _ in Self.colour(at: "⏱", onLineWith: "Card declined", in: tmux.styledScreen) == "33"
        }

        // Nine minutes and no reply: the ticket moves on to Sam, who is told, with a line for both sides.
        try shift.move(to: 545)
        try await tmux.waitFor("the ticket went to Sam") { $0.contains("went from you to Sam Second: no public reply in time") }
        try await waitUntil("Sam has it") {
            sam.saw { if case .agentAssigned(ticket.id, let agent, _) = $0 { agent.displayName == "Sam Second" } else { false } }
        }
        try await waitUntil("the customer is told") {
            customer.saw { if case .receiveMessage(_, let m) = $0 { m.message == "Sam Second is taking over this chat." } else { false } }
        }

        // Past the ten minutes: the target is missed, in the error colour, under All open.
        try shift.move(to: 620)
        // From Mine (now empty) to All open, where the ticket is.
        for _ in 0..<3 where !tmux.screen.contains("‼ #\(ticket.id) Card declined") {
            try tmux.keys("]")
            try await Task.sleep(for: .milliseconds(300))
        }
        try await tmux.waitFor("the missed target") { $0.contains("‼ #\(ticket.id) Card declined") && $0.contains("⏱ -") }
        try await tmux.waitFor("the error colour") { _ in Self.colour(at: "⏱ -", onLineWith: "Card declined", in: tmux.styledScreen) == "91"
        }
        // The breach is told to its assignee (and the admins), not to Alex any more.
        try await waitUntil("Sam hears of the breach") {
            sam.saw { if case .slaBreached(ticket.id, .firstResponse, _) = $0 { true } else { false } }
        }

        try tmux.keys("C-q")
        try await tmux.waitFor("exited") { _ in tmux.exitStatus != nil }
        #expect(tmux.exitStatus == 0)
    }
}
