import Foundation
import Synchronization
import Testing

@testable import SwitchboardClient
@testable import SwitchboardProtocol

/// `switchboard raw --script`'s runner against a real server on 127.0.0.1.
@Suite struct ScriptRunnerTests {
    /// Runs `script` as the registered customer `casey` (and the admin), answering whether it
    /// passed and everything it printed.
    static func run(_ script: String) async throws -> (passed: Bool, output: String) {
        let server = try LiveServer()
        let outcome = Mutex((passed: false, output: ""))
        try await server.run { url in
            _ = try await APIClient(server: url).register(
                RegisterRequest(
                    username: "casey", password: LiveServer.password,
                    displayName: "Casey"))
            let printed = Mutex<[String]>([])
            let runner = ScriptRunner(server: url, defaultPassword: LiveServer.password) { line in printed.withLock { $0.append(line) } }
            let passed = await runner.run(try TesterScript(script))
            let output = printed.withLock { $0.joined(separator: "\n") }
            outcome.withLock { $0 = (passed, output) }
        }
        return outcome.withLock { $0 }
    }

    static let opening = """
        # a customer opens a ticket over REST and writes over the socket; the admin watches the room
        connect anon
        expect-refused anon 401
        connect casey as casey
        rest casey POST /api/tickets {"subject": "Lamp", "description": "It flickers", "category": "TECHNICAL"}
        expect-status 201 status="OPEN" subject="Lamp" capture ticket=id
        connect boss as admin
        send boss {"type": "JOIN_ROOM", "ticketId": ${ticket}}
        expect boss ROOM_JOINED ticketId=${ticket} within 15s
        send casey {"type": "JOIN_ROOM", "ticketId": ${ticket}}
        expect casey ROOM_JOINED ticketId=${ticket} lastSeq=0
        send casey {"type": "SEND_MESSAGE", "ticketId": ${ticket}, "clientMessageId": "${uuid}", "message": "hello there"}
        expect casey ACK ticketId=${ticket} capture seq=seq
        """

    @Test func aPassingScriptPrintsEachStep() async throws {
        let (passed, output) = try await Self.run(
            Self.opening + """

                expect boss RECEIVE_MESSAGE message.message="hello there" message.seq=${seq}
                send casey {"type": "NOT_A_FRAME"}
                expect casey ERROR code="INVALID"
                rest boss GET /api/tickets/${ticket}
                expect-status 200 customer.displayName="Casey"
                close casey
                expect-closed casey 1000
                """)
        #expect(passed, "\(output)")
        #expect(output.contains("✓ 3: expect-refused anon 401 — 401"))
        #expect(output.contains("✓ 6: expect-status 201"))
        #expect(output.contains("all 19 steps passed"))
    }

    /// `KEY=VALUE` words on `connect` go on the upgrade: batched presence arrives as PRESENCE
    /// frames, and a value the server does not know is refused with the choices.
    @Test func connectionsCanAskForTheContractsAdditions() async throws {
        let (passed, output) = try await Self.run(
            """
            connect bad as admin presence=sometimes
            expect-refused bad 400
            connect boss as admin presence=batched tickets=queue
            connect casey as casey
            expect boss PRESENCE within 15s
            """)
        #expect(passed, "\(output)")
        #expect(output.contains("presence: 'single' or 'batched'"), "\(output)")
    }

    @Test func aMismatchSaysWhatWasExpectedAndWhatCame() async throws {
        let (passed, output) = try await Self.run(
            Self.opening + """

                expect boss RECEIVE_MESSAGE message.message="goodbye" within 1s
                close casey
                """)
        #expect(!passed)
        #expect(output.contains("✗ 14: expect boss RECEIVE_MESSAGE message.message=\"goodbye\" within 1s"), "\(output)")
        #expect(output.contains("expected within 1 s: RECEIVE_MESSAGE message.message = \"goodbye\""))
        #expect(output.contains("came: RECEIVE_MESSAGE message.message = \"hello there\""))
        #expect(!output.contains("close casey"), "it stops at the first mismatch")
    }

    @Test func anExpectationThatNothingAnswersTimesOut() async throws {
        let (passed, output) = try await Self.run(
            """
            connect casey as casey
            expect casey TYPING_START within 300ms
            """)
        #expect(!passed)
        #expect(output.contains("expected within 300 ms: TYPING_START"), "\(output)")
        #expect(output.contains("came: nothing"))
    }

    @Test func badScriptsAreRefusedWithTheirLine() {
        #expect(
            throws: TesterScript.ParseError(
                line: 2,
                message: "unknown step `sned`: connect, send, expect, expect-refused, expect-closed, rest, expect-status, close, sleep")
        ) {
            try TesterScript("connect a\nsned a {}")
        }
        #expect(throws: TesterScript.ParseError(line: 1, message: "within 2s, within 500ms")) {
            try TesterScript("expect a ACK within soon")
        }
        #expect(throws: TesterScript.ParseError(line: 1, message: "a quote is not closed")) { try TesterScript("expect a ACK x=\"open") }
        let script = try? TesterScript("  # comment\n\nconnect b as casey secret token abc\nsleep 250ms")
        #expect(
            script?.lines.map(\.step) == [.connect(name: "b", user: "casey", password: "secret", token: "abc"), .sleep(.milliseconds(250))])
        let options = try? TesterScript("connect b as casey presence=batched tickets=queue")
        #expect(
            options?.lines.map(\.step) == [
                .connect(
                    name: "b", user: "casey", password: nil, token: nil,
                    options: ["presence=batched", "tickets=queue"])
            ])
    }
}
