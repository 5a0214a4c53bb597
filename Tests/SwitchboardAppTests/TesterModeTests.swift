import Foundation
import SwitchboardClient
import SwitchboardProtocol
import TerminalKit
import Testing

@testable import SwitchboardApp

@Suite struct TesterModeTests {
    /// A tester with connection `alex` open.
    static func tester(width: Int = 100, height: Int = 30, record: String? = nil) -> TesterMode {
        var mode = TesterMode(server: "http://127.0.0.1:8080", record: record, size: (width, height), now: World.start)
        let effects = mode.start(as: [("alex", "secret")])
        #expect(effects == [.tester(.loadHistory), .tester(.connect(name: "alex", user: "alex", password: "secret", token: nil))])
        _ = mode.update(.event(.tester(.socket(name: "alex", .opened, at: World.start))))
        return mode
    }

    static func type(_ text: String, into mode: inout TesterMode) -> [Effect] {
        var effects: [Effect] = []
        for c in text { effects += mode.update(.key(c == "\n" ? Key(.enter, alt: true) : .char(c))) }
        return effects
    }

    static func screen(_ mode: TesterMode) -> String { mode.view(theme: World.theme).screen.lines.joined(separator: "\n") }

    /// A sign-in, a failed connect and a failed REST call are logged at the time they happened,
    /// not at the mode's last clock tick (two sign-ins showed the same stale time, out of order).
    @Test func eventsAreLoggedAtTheirOwnTime() {
        var mode = Self.tester()
        let user = User(
            id: 5, username: "sam", displayName: "Sam", role: .agent, isOnline: true, lastSeenAt: nil,
            agentStatus: .online, capacity: 5, email: nil)
        _ = mode.update(.event(.tester(.signedIn(name: "sam", user, at: World.start.addingTimeInterval(0.25)))))
        _ = mode.update(.event(.tester(.connectFailed(name: "lee", "lee could not sign in", at: World.start.addingTimeInterval(0.5)))))
        _ = mode.update(.event(.tester(.restFailed(name: "alex", "the server did not answer", at: World.start.addingTimeInterval(0.75)))))
        let times = mode.log.suffix(3).map { $0.time.timeIntervalSince(World.start) }
        #expect(times == [0.25, 0.5, 0.75])
        #expect(mode.log.suffix(3).map(\.type) == ["SIGNED IN", "FAILED", "REST FAILED"])
    }

    @Test func templatesAreFilledFromWhatWasSeen() {
        var mode = Self.tester()
        _ = mode.update(
            .event(
                .tester(
                    .socket(
                        name: "alex", .received(#"{"type":"ROOM_JOINED","ticketId":7,"lastSeq":3,"participants":[]}"#),
                        at: World.start))))
        _ = Self.type("mark_r", into: &mode)
        _ = mode.update(.key(.tab))
        #expect(mode.composer.text == "{\n  \"type\": \"MARK_READ\",\n  \"ticketId\": 7,\n  \"upToSeq\": 3\n}")
        mode.composer = LineEditor()
        _ = Self.type("send", into: &mode)
        _ = mode.update(.key(.tab))
        #expect(mode.composer.text.hasPrefix("{\n  \"type\": \"SEND_MESSAGE\",\n  \"ticketId\": 7,\n  \"clientMessageId\": \""))
        #expect(JSONText.check(mode.composer.text) == nil)
        // The cursor waits inside the message's quotes.
        _ = Self.type("hi", into: &mode)
        #expect(mode.composer.text.hasSuffix("\"message\": \"hi\"\n}"))
        mode.composer = LineEditor()
        _ = Self.type("typing", into: &mode)
        _ = mode.update(.key(.tab))
        #expect(mode.composer.text == "typing", "two types start so: both are named")
        #expect(Self.screen(mode).contains("TYPING_START  TYPING_STOP"))
    }

    @Test func enterSendsOneCompleteValueAndAddsALineOtherwise() {
        var mode = Self.tester()
        _ = Self.type(#"{"type": "JOIN_ROOM","#, into: &mode)
        #expect(mode.update(.key(.enter)).isEmpty)
        #expect(mode.composer.lineCount == 2, "incomplete: Enter added a line")
        #expect(Self.screen(mode).contains("✗ line 2, column 1: a key in quotes") || Self.screen(mode).contains("line 2, column 1"))
        _ = Self.type(#""ticketId" 4}"#, into: &mode)
        #expect(mode.update(.key(.enter)).isEmpty, "a mistake is not sent")
        #expect(Self.screen(mode).contains("Line 2, column 12: expected ':' after the key, found '4'"))
        _ = mode.update(.key(.ctrl("u")))
        _ = Self.type(#""ticketId": 4}"#, into: &mode)
        #expect(Self.screen(mode).contains("✓ JSON — Enter sends it"))
        let effects = mode.update(.key(.enter))
        #expect(effects.contains(.tester(.send(name: "alex", text: #"{"type":"JOIN_ROOM","ticketId":4}"#))))
        #expect(
            effects.contains {
                if case .tester(.saveHistory(let lines)) = $0 { lines.last?.hasSuffix("\"ticketId\": 4}") == true } else { false }
            })
        #expect(mode.composer.isEmpty)
    }

    @Test func rawModeSendsExactlyWhatWasTyped() {
        var mode = Self.tester()
        _ = mode.update(.key(.ctrl("r")))
        _ = Self.type("{not json", into: &mode)
        #expect(
            Self.screen(mode).contains("alex raw> {not json") && Self.screen(mode).contains("raw: sent exactly as typed"),
            "the toast about raw mode went with the first key; the line says it")
        #expect(mode.update(.key(.enter)).contains(.tester(.send(name: "alex", text: "{not json"))))
    }

    @Test func theLogShowsFramesPrettyAndFilters() {
        var mode = Self.tester()
        _ = mode.update(.event(.tester(.socket(name: "alex", .sent(#"{"type":"JOIN_ROOM","ticketId":4}"#), at: World.start))))
        _ = mode.update(
            .event(
                .tester(
                    .socket(
                        name: "alex", .received(#"{"type":"ERROR","code":"FORBIDDEN","message":"not yours \u001b[2J"}"#),
                        at: World.start.addingTimeInterval(0.25)))))
        let text = Self.screen(mode)
        #expect(text.contains("11:00:00.000 → alex JOIN_ROOM") || text.contains("→ alex JOIN_ROOM"))
        #expect(text.contains("← alex ERROR"))
        #expect(text.contains(#"      "code": "FORBIDDEN","#), "pretty, keys in the order they came")
        #expect(!text.contains("\u{1B}"))
        _ = Self.type("/filter ERROR", into: &mode)
        _ = mode.update(.key(.enter))
        #expect(mode.shown.count == 1 && !Self.screen(mode).contains("→ alex JOIN_ROOM"))
        _ = mode.update(.key(Key(.up, alt: true)))
        #expect(Self.screen(mode).contains("◀ C-y copies it"))
        _ = mode.update(.key(.ctrl("y")))
        #expect(mode.composer.text.hasPrefix("{\n  \"type\": \"ERROR\","))
        // A long value goes on below instead of being cut at the edge.
        let long = String(repeating: "lorem ipsum ", count: 12) + "THE END"
        _ = Self.type("/filter", into: &mode)
        _ = mode.update(.key(.enter))
        _ = mode.update(.event(.tester(.socket(name: "alex", .received(#"{"type":"ERROR","message":"\#(long)"}"#), at: World.start))))
        #expect(Self.screen(mode).contains("THE END\""))
        #expect(mode.view(theme: World.theme).screen.lines.allSatisfy { TextWidth.of($0) <= 100 })
    }

    @Test func compactShowsAFrameALine() {
        var mode = Self.tester()
        _ = mode.update(.event(.tester(.socket(name: "alex", .received(#"{"type": "ACK", "seq": 3}"#), at: World.start))))
        _ = Self.type("/compact", into: &mode)
        _ = mode.update(.key(.enter))
        #expect(Self.screen(mode).contains(#"← alex ACK  {"type":"ACK","seq":3}"#))
        #expect(!Self.screen(mode).contains(#"  "seq": 3"#))
    }

    @Test func refusalsAndClosesAreShownWithTheirStatusAndReason() {
        var mode = Self.tester(width: 80, height: 24)
        _ = Self.type("/connect anon", into: &mode)
        #expect(mode.update(.key(.enter)).contains(.tester(.connect(name: "anon", user: nil, password: nil, token: nil))))
        // Upgrade options go with it, and show on the connection's line.
        _ = Self.type("/connect batch token none presence=batched", into: &mode)
        #expect(
            mode.update(.key(.enter)).contains(
                .tester(
                    .connect(
                        name: "batch", user: nil, password: nil, token: nil,
                        options: ["presence=batched"]))))
        #expect(mode.connections.last?.who == "no token presence=batched")
        _ = mode.update(
            .event(
                .tester(
                    .socket(
                        name: "anon",
                        .refused(
                            RawResponse(
                                status: 401, headers: [],
                                body: #"{"error":{"code":"UNAUTHORIZED","message":"no token"}}"#)),
                        at: World.start))))
        _ = mode.update(.event(.tester(.socket(name: "alex", .closed(code: 4001, reason: "token expired"), at: World.start))))
        let text = Self.screen(mode)
        #expect(text.contains("1:alex ○ 4001") && text.contains("2:anon no token ✗ 401"))
        #expect(text.contains("• anon REFUSED 401") && text.contains(#""message": "no token""#))
        #expect(text.contains("• alex CLOSED 4001") && text.contains("token expired"))
        #expect(mode.view(theme: World.theme).screen.lines.allSatisfy { TextWidth.of($0) <= 80 })
        // Sending on a closed connection says so instead.
        _ = mode.update(.key(.alt("1")))
        _ = Self.type("{}", into: &mode)
        #expect(mode.update(.key(.enter)).isEmpty)
        #expect(Self.screen(mode).contains("alex is not open (closed 4001: token expired) — F5 opens it again"))
    }

    @Test func restCallsUseTheConnectionAndShowTheAnswer() {
        var mode = Self.tester()
        _ = Self.type("/post /api/tickets {\"subject\": \"Lamp\"}", into: &mode)
        #expect(
            mode.update(.key(.enter)).contains(
                .tester(.rest(name: "alex", method: "POST", path: "/api/tickets", body: "{\"subject\": \"Lamp\"}"))))
        _ = mode.update(
            .event(
                .tester(
                    .answered(
                        name: "alex", method: "POST", path: "/api/tickets",
                        RawResponse(
                            status: 400, headers: [.init(name: "Content-Type", value: "application/json")],
                            body: #"{"error":{"code":"INVALID","message":"description is missing"}}"#),
                        at: World.start))))
        let text = Self.screen(mode)
        #expect(
            text.contains("← alex POST /api/tickets → 400") && text.contains("description is missing")
                && text.contains("Content-Type: application/json"))
    }

    @Test func aRecordedSessionIsAScriptTheRunnerReads() throws {
        var mode = Self.tester(record: "/tmp/session.script")
        _ = Self.type(#"{"type":"JOIN_ROOM","ticketId":4}"#, into: &mode)
        var effects = mode.update(.key(.enter))
        effects += mode.update(
            .event(.tester(.socket(name: "alex", .received(#"{"type":"ROOM_JOINED","ticketId":4,"lastSeq":0}"#), at: World.start))))
        guard case .saveFile(let path, let text, _) = effects.last(where: { if case .saveFile = $0 { true } else { false } }) else {
            Issue.record("no script written: \(effects)")
            return
        }
        #expect(path == "/tmp/session.script")
        #expect(
            text.contains("connect alex as alex\nsend alex {\"type\":\"JOIN_ROOM\",\"ticketId\":4}\nexpect alex ROOM_JOINED ticketId=4"))
        #expect(try TesterScript(text).lines.count == 3)
    }

    @Test func jsonIsCheckedWhereItGoesWrong() {
        #expect(JSONText.check(#"{"a": [1, true, null, "x\"y"]}"#) == nil)
        #expect(
            JSONText.check("{\"a\": 1,\n  \"b\" 2}")
                == JSONText.Problem(
                    line: 2, column: 7, message: "expected ':' after the key, found '2'",
                    incomplete: false))
        #expect(JSONText.check(#"{"a": "unclosed"#)?.incomplete == true)
        #expect(JSONText.check(#"{"a": tru"#)?.incomplete == true)
        #expect(JSONText.check("{} {}")?.message == "more after the value: one value at a time")
        #expect(
            JSONText.pretty(#"{"z":1,"a":{"b":[]}}"#).map { $0.map { $0.map(\.text).joined() } } == [
                "{", "  \"z\": 1,", "  \"a\": {", "    \"b\": []", "  }", "}",
            ])
    }
}
