import Foundation
import SwitchboardClient
import SwitchboardProtocol
import Testing

/// The tester in tmux against a real server: frames typed and answered, a template filled in,
/// REST by hand, a refused connection, and the session recorded as a script.
@Suite(.serialized) struct TesterEndToEndTests {
    @Test(.enabled(if: TerminalEndToEndTests.hasTmux, "tmux is installed by .ci/run"))
    func aTesterTypesFramesAndSeesTheAnswers() async throws {
        let server = try await ServerUnderTest(agents: [("alex", "Alex Agent")], prefix: "tester")
        defer { server.close() }
        let customer = try await Party.register(server: server.url, username: "dana", name: "Dana Doe", directory: server.directory)
        defer { Task { await customer.stop() } }
        let ticket = try await customer.api.openTicket(
            CreateTicketRequest(
                subject: "Broken lamp", description: "It flickers",
                category: .technical))
        await customer.connection.join(ticket.id, sinceSeq: 0)
        let script = server.directory.appendingPathComponent("session.script")

        let tmux = try TmuxSession()
        defer { tmux.close() }
        try tmux.start(
            [Command.binary.path, "raw", "--server", server.url, "--user", "alex", "--record", script.path],
            environment: ["SWITCHBOARD_PASSWORD": "agent-password"], width: 100, height: 50)
        try await tmux.waitFor("connected as alex") { $0.contains("Tester") && $0.contains("1:alex ●") }

        // A frame typed by hand, checked, sent; the answer pretty-printed.
        try tmux.literal(#"{"type": "JOIN_ROOM", "ticketId": \#(ticket.id)}"#)
        try await tmux.waitFor("the frame is valid JSON") { $0.contains("✓ JSON — Enter sends it") }
        try tmux.keys("Enter")
        try await tmux.waitFor("the room joined") {
            $0.contains(#""type": "ROOM_JOINED""#) && $0.contains(#""ticketId": \#(ticket.id)"#)
        }

        // A template: `send` and Tab fill in the ticket and a fresh clientMessageId; the text goes between the quotes.
        try tmux.literal("send")
        try tmux.keys("Tab")
        try await tmux.waitFor("the template, a field a line") {
            $0.contains(#""type": "SEND_MESSAGE","#) && $0.contains(#""ticketId": \#(ticket.id),"#) && $0.contains(#""message": """#)
        }
        try tmux.literal("hello from the tester")
        try tmux.keys("Enter")
        try await waitUntil("the customer gets it") {
            customer.saw { if case .receiveMessage(_, let m) = $0 { m.message == "hello from the tester" } else { false } }
        }
        // The ACK, found with the filter (frames that came after it may have pushed it up).
        try tmux.literal("/filter ACK")
        try tmux.keys("Enter")
        try await tmux.waitFor("acknowledged") { $0.contains("← alex ACK") && $0.contains(#""seq": 1"#) && !$0.contains("ROOM_JOINED") }
        try tmux.literal("/filter")
        try tmux.keys("Enter")

        // REST with alex's token; a connection without one is refused, and the screen says how.
        try tmux.literal("/get /api/me")
        try tmux.keys("Enter")
        try await tmux.waitFor("the REST answer") { $0.contains("GET /api/me → 200") && $0.contains(#""username": "alex""#) }
        try tmux.literal("/connect anon")
        try tmux.keys("Enter")
        try await tmux.waitFor("refused") { $0.contains("2:anon no token ✗ 401") && $0.contains("REFUSED 401") }

        try tmux.keys("C-q")
        try await tmux.waitFor("exited") { _ in tmux.exitStatus != nil }
        #expect(tmux.exitStatus == 0)
        let recorded = try String(contentsOf: script, encoding: .utf8)
        #expect(recorded.contains("connect alex as alex\n"))
        #expect(recorded.contains(#"send alex {"type":"JOIN_ROOM","ticketId":\#(ticket.id)}"#))
        #expect(recorded.contains("expect alex ROOM_JOINED ticketId=\(ticket.id)"))
        // Frames alex's socket got meanwhile are recorded as they came (a delivery receipt came
        // between a request and its answer once), so an answer follows its request, and the
        // refusal its connect, but not always on the next line.
        let answer = recorded.range(of: "rest alex GET /api/me\n").flatMap { recorded[$0.upperBound...].range(of: "expect-status 200") }
        #expect(answer != nil)
        let refusal = recorded.range(of: "connect anon\n").flatMap { recorded[$0.upperBound...].range(of: "expect-refused anon 401") }
        #expect(refusal != nil)
        #expect(try TesterScript(recorded).lines.count > 6)
    }

    /// A script run without a screen, as CI would: it passes, then one that does not stops with the reason.
    @Test func aScriptRunsWithoutAScreen() async throws {
        let server = try await ServerUnderTest(agents: [("alex", "Alex Agent")], prefix: "script")
        defer { server.close() }
        let file = server.directory.appendingPathComponent("check.script")
        try """
        connect alex as alex
        rest alex GET /api/agents
        expect-status 200 capture me=0.agent.id
        send alex {"type": "SET_STATUS", "status": "BUSY"}
        expect alex AGENT_STATUS_CHANGED status="BUSY" agent.id=${me}
        """.write(to: file, atomically: true, encoding: .utf8)
        let run = try Command.run(
            ["raw", "--server", server.url, "--script", file.path], in: server.directory,
            environment: ["SWITCHBOARD_PASSWORD": "agent-password"])
        try run.waitForExit()
        #expect(run.process.terminationStatus == 0, "\(run.output)")
        #expect(run.output.contains("all 5 steps passed"))

        try "connect alex as alex\nexpect alex TICKET_CREATED within 200ms\n".write(to: file, atomically: true, encoding: .utf8)
        let failing = try Command.run(
            ["raw", "--server", server.url, "--script", file.path], in: server.directory,
            environment: ["SWITCHBOARD_PASSWORD": "agent-password"])
        try failing.waitForExit()
        #expect(failing.process.terminationStatus == 1)
        #expect(failing.output.contains("✗ 2: expect alex TICKET_CREATED within 200ms") && failing.output.contains("came: nothing"))
    }
}
