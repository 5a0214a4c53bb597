import Foundation
import SwitchboardClient
import SwitchboardProtocol
import TerminalKit
import Testing

@testable import SwitchboardApp

@Suite struct LauncherTests {
    static func launcher(width: Int = 80, height: Int = 24) -> Launcher {
        Launcher(
            server: "http://127.0.0.1:40123",
            accounts: [
                .init(username: "admin", displayName: "Ada Admin", role: "ADMIN"),
                .init(username: "customer", displayName: "Casey Customer", role: "CUSTOMER"),
            ],
            password: "switchboard", logFile: "/data/server.log", size: (width, height), now: World.start)
    }

    @Test func itShowsTheModesTheServerAndTheDemoLogins() {
        let lines = Self.launcher().view(theme: World.theme).screen.lines
        let text = lines.joined(separator: "\n")
        #expect(text.contains("A support server is running on this machine: http://127.0.0.1:40123"))
        #expect(text.contains("Customers in a browser: http://127.0.0.1:40123/"))
        #expect(text.contains("1  Customer") && text.contains("2  Agent console\n") && text.contains("3  Tester\n"))
        #expect(text.contains("Demo accounts — password 'switchboard':") && text.contains("customer  Casey Customer    customer"))
        #expect(text.contains("switchboard console --user agent"))
        #expect(lines.allSatisfy { TextWidth.of($0) <= 80 })
    }

    @Test func eachModeStartsByItsNumberOrEnter() {
        var launcher = Self.launcher()
        #expect(launcher.update(.key(.char("3"))) == .pick(.tester))
        #expect(launcher.update(.key(.char("2"))) == .pick(.console))
        #expect(launcher.update(.key(.char("1"))) == .pick(.customer))
        #expect(launcher.update(.key(.up)) == .stay)
        #expect(launcher.update(.key(.enter)) == .pick(.customer))
        #expect(launcher.update(.key(.char("q"))) == .quit)
    }

    @Test func itFitsSmallTerminals() {
        let lines = Self.launcher(width: 60, height: 20).view(theme: World.theme).screen.lines
        #expect(lines.count == 20 && lines.allSatisfy { TextWidth.of($0) <= 60 })
        #expect(lines.joined(separator: " ").contains("console --user agent"))
        #expect(lines.joined(separator: " ").contains("Browser: http://127.0.0.1:40123/"))
        #expect(lines.joined().contains("…"), "long summaries end with an ellipsis, not mid-word")
    }
}

@Suite struct SharedPiecesTests {
    @Test func slashCommandsParseAndComplete() {
        #expect(SlashCommands.parse("/open 12")! == ("open", "12"))
        #expect(SlashCommands.parse("/Search  the depot ")! == ("search", "the depot"))
        #expect(SlashCommands.parse("hello") == nil && SlashCommands.parse("//not a command") == nil && SlashCommands.parse("/") == nil)
        #expect(SlashCommands.unescape("//slash") == "/slash")
        let commands = SlashCommands([SlashCommand("open", "N", "open"), SlashCommand("close", "", "close")])
        #expect(commands.candidates(line: "/o", word: "/o") { _ in [] } == ["/open", "/close"])
        #expect(commands.candidates(line: "/open 1", word: "1") { $0 == "open" ? ["12", "13"] : [] } == ["12", "13"])
        var editor = LineEditor()
        for c in "/cl" { _ = editor.handle(.char(c)) }
        guard case .complete(let word) = editor.handle(.tab) else {
            Issue.record("no completion")
            return
        }
        editor.complete(with: commands.candidates(line: editor.text, word: word) { _ in [] })
        #expect(editor.text == "/close ")
    }

    @Test func emojiShortcodesExpandAndComplete() {
        #expect(Emoji.expand("hi :smile: and :nope: :+1:") == "hi 😄 and :nope: 👍")
        #expect(Emoji.expand("a:b:c") == "a:b:c")
        #expect(Emoji.completions(for: ":thu") == [":thumbsdown:", ":thumbsup:"])
        var editor = LineEditor()
        for c in "great :tad" { _ = editor.handle(.char(c)) }
        guard case .complete(let word) = editor.handle(.tab) else {
            Issue.record("no completion")
            return
        }
        editor.complete(with: Emoji.completions(for: word))
        #expect(editor.text == "great :tada: ")
    }

    @Test func configKeyBindingsRebindTheModeAndTheComposeLine() {
        let (config, _) = ClientConfig.parse("[keys]\nsearch = C-s\nyank = C-v\nbogus = C-b\n", file: "config")
        var mode = World.mode(tickets: [World.ticket(1, "Parcel")])
        KeyBindings.apply(config.keys, to: &mode)
        #expect(mode.keys.keys(for: .search) == [.ctrl("s")])
        #expect(mode.editor.keys.keys(for: .yank) == [.ctrl("v")])
        #expect(KeyBindings.problems(config.keys, file: "config") == ["config:4: unknown action 'bogus'"])
        _ = mode.update(.key(.enter))
        _ = mode.update(.key(.ctrl("s")))
        #expect(mode.searchPrompt != nil)
    }

    @Test func keptLoginsAreOwnerOnly() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("logins-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let store = SessionStore(directory: directory)
        let session = AuthResponse(user: World.customer, accessToken: "a", refreshToken: "r", expiresIn: 900)
        store.save(session, server: "http://x", username: "Casey")
        #expect(store.load(server: "http://x", username: "casey") == session)
        let mode = try FileManager.default.attributesOfItem(atPath: store.file.path)[.posixPermissions] as? Int
        #expect(mode == 0o600)
        store.save(nil, server: "http://x", username: "casey")
        #expect(store.load(server: "http://x", username: "casey") == nil)
    }

    @Test func theEmbeddedServersAddressIsReadOnlyWhileItRuns() {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("embedded-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        EmbeddedServerFile.write("http://127.0.0.1:5000", in: directory)
        #expect(EmbeddedServerFile.read(in: directory) == "http://127.0.0.1:5000")
        EmbeddedServerFile.write("http://127.0.0.1:5001", in: directory, pid: 999_999)  // a process that is not there
        #expect(EmbeddedServerFile.read(in: directory) == nil)
    }

    @Test func aListRendersWithoutMovingItsState() {
        var list = ListView(count: 50)
        list.setPageSize(10)
        list.select(30)
        let before = list
        var screen = Screen(width: 20, height: 5)
        list.render(into: &screen, in: Rect(x: 0, y: 0, width: 20, height: 5), theme: World.theme) { [Span("row \($0)")] }
        #expect(list == before)
        #expect(screen.lines.contains { $0.contains("row 30") }, "a shorter rectangle still shows the selection")
    }

    @Test func helpMergesKeysThatDoTheSame() {
        let rows = HelpOverlay.lines(LineEditor.defaultKeys.helpRows)
        #expect(rows.contains { $0.keys == "C-a, Home" && $0.help == "start of line" })
        #expect(rows.first?.heading == true && rows.first?.help == "Compose")
    }

    @Test func theIndicatorCountsDownAndCountsTheQueue() {
        let spans = ConnectionIndicator.spans(
            .reconnecting(
                attempt: 2, nextTryAt: World.start.addingTimeInterval(2.2),
                reason: "connection refused"),
            queued: 3, now: World.start, theme: World.theme)
        #expect(spans.map(\.text).joined() == " ◌ reconnecting in 3s (attempt 2) · 3 queued · F5 retry now · connection refused")
        // The server's own closes are said in few enough words to be read whole at 80 columns.
        for code in [CloseCode.fellBehind, CloseCode.rateLimited, CloseCode.goingAway, CloseCode.tokenExpired, CloseCode.loggedOut] {
            let reason = ReconnectPolicy.reason(.closed(code: code, reason: "whatever the server says"))
            let line = ConnectionIndicator.spans(
                .reconnecting(attempt: 1, nextTryAt: World.start.addingTimeInterval(2), reason: reason),
                queued: 0, now: World.start, theme: World.theme
            ).map(\.text).joined()
            #expect(line.count <= 80, "\(line)")
        }
        // A close reason is the server's text: no escape sequence gets through.
        let closed = ConnectionIndicator.spans(.offline(reason: "closed: \u{1B}[2Jbye"), queued: 0, now: World.start, theme: World.theme)
        #expect(!closed.map(\.text).joined().contains("\u{1B}"))
    }
}

@Suite struct ConversationLayoutTests {
    /// A display name may be 64 characters: in a narrow pane it is the name that gives way, never
    /// the time or the words that mark an internal note.
    @Test func aLongNameIsCutBeforeTheTimeAndTheNoteMark() {
        let long = UserRef(id: 9, displayName: String(repeating: "Maximiliana ", count: 5) + "Long", role: .agent, isOnline: true)
        var conversation = Conversation(ticket: World.ticket(1, "Parcel"), me: World.customer.ref, timeZone: World.utc)
        var note = World.message(1, from: long, "checking the depot")
        note.internal = true
        conversation.timeline.insertLatest(MessagePage(items: [note], hasMore: false))
        let lines = Conversation.layout(conversation, width: 38).map { $0.spans.map(\.text).joined() }
        let opening = lines.first { $0.contains("opened the ticket") } ?? ""
        #expect(opening.hasSuffix("opened the ticket  11:01") || opening.hasPrefix("Casey Customer opened the ticket"), "\(opening)")
        let header = lines.first { $0.contains("internal note") } ?? ""
        #expect(header.hasPrefix("Maximiliana") && header.contains("…  11:02  ✎ internal note"), "\(header)")
        #expect(Conversation.layout(conversation, width: 38).allSatisfy { $0.spans.width <= 38 })
    }

    /// The layout is lines of theme roles, not colours: a chat reads as whole lines, each run in
    /// the role a theme will style — the opening, a group header, a note marked in words, a
    /// system line, the "new messages" rule, a search hit, delivery marks, a message not yet sent.
    @Test func theLayoutIsWholeLinesOfRoles() {
        var conversation = Conversation(
            ticket: World.ticket(1, "Parcel", minutesAgo: 12), me: World.customer.ref,
            timeZone: World.utc)
        var note = World.message(3, "depot is slow today", minutesAgo: 8)
        note.internal = true
        conversation.timeline.insertLatest(
            MessagePage(
                items: [
                    World.message(1, from: World.customer.ref, "Where is my parcel?", minutesAgo: 10),
                    World.message(2, "It is at the depot", minutesAgo: 9), note,
                ], hasMore: false))
        conversation.timeline.apply(.server(.messagesRead(ticketId: 1, userId: 2, upToSeq: 1)))
        conversation.systemLines = [.init(date: World.start.addingTimeInterval(-9.5 * 60), text: "Alex Agent is handling this ticket")]
        conversation.firstUnseenSeq = 2
        conversation.find("depot")
        conversation.timeline.apply(.outgoing(OutgoingMessage(clientMessageId: "q", ticketId: 1, text: "Thanks", createdAt: World.start)))
        let lines = Conversation.layout(conversation, width: 40)
        #expect(
            lines.map(\.spans) == [
                [RoleSpan("────── Wednesday 18 November 2026 ──────", .muted)],
                [RoleSpan("You opened the ticket", .ownMessage, bold: true), RoleSpan("  10:54", .timestamp)],
                [RoleSpan("  "), RoleSpan("d", .text)],
                [RoleSpan("You", .ownMessage, bold: true), RoleSpan("  10:56", .timestamp)],
                [RoleSpan("  "), RoleSpan("Where is my parcel?", .text), RoleSpan("  ✓✓ read", .success)],
                [RoleSpan("  — Alex Agent is handling this ticket · 10:57", .systemMessage)],
                [RoleSpan("───────────── new messages ─────────────", .accent)],
                [RoleSpan("Alex Agent", .otherMessage, bold: true), RoleSpan("  10:57", .timestamp)],
                [RoleSpan("  "), RoleSpan("It is at the ", .text), RoleSpan("depot", .match)],
                [
                    RoleSpan("▶ Alex Agent", .otherMessage, bold: true), RoleSpan("  10:58", .timestamp),
                    RoleSpan("  ✎ internal note", .note, bold: true),
                ],
                [RoleSpan("  "), RoleSpan("depot", .match), RoleSpan(" is slow today", .note)],
                [RoleSpan("You", .ownMessage, bold: true), RoleSpan("  11:06", .timestamp)],
                [RoleSpan("  "), RoleSpan("Thanks", .muted), RoleSpan("  ◷ queued", .muted)],
            ], "\(lines.map(\.text).joined(separator: "\n"))")
        #expect(lines.map(\.seq) == [nil, nil, nil, 1, 1, nil, nil, 2, 2, 3, 3, nil, nil])
    }

    /// Before the first message the hint is under the ticket's description, where the first
    /// message will appear, and wraps in a narrow pane rather than run into the next one.
    @Test func theEmptyHintIsUnderTheDescriptionAndFitsItsPane() {
        var conversation = Conversation(ticket: World.ticket(1, "Parcel"), me: World.customer.ref, timeZone: World.utc)
        conversation.emptyHint = "No messages yet: the first reply is yours."
        var screen = Screen(width: 60, height: 12)
        for y in 0..<12 { _ = screen.put(String(repeating: "#", count: 60), x: 0, y: y) }
        conversation.render(into: &screen, in: Rect(x: 0, y: 0, width: 30, height: 12), theme: World.theme)
        let rows = screen.lines
        let description = rows.firstIndex { $0.hasPrefix("  d ") } ?? -1
        let hint = rows.firstIndex { $0.contains("No messages yet") } ?? -1
        #expect(description >= 0 && hint > description, "\(rows.joined(separator: "\n"))")
        #expect(rows[hint + 1].contains("yours."), "wrapped: \(rows[hint + 1])")
        #expect(rows.allSatisfy { $0.dropFirst(30).allSatisfy { $0 == "#" } }, "nothing drawn past the pane")
    }

    /// Laying out only the end gives exactly the end of the whole layout: same day lines, same
    /// group headers, whatever the window's edge falls on.
    @Test func theTailIsTheEndOfTheWholeLayout() {
        var conversation = Conversation(ticket: World.ticket(1, "Parcel"), me: World.customer.ref, timeZone: World.utc)
        let customer = World.customer.ref
        let items = (1...400).map { seq in
            // Runs of one sender, pauses, and a day and more between seq 149 and 150, and 299 and 300
            // (time moves forward with seq, as the server assigns both together).
            World.message(
                seq, from: seq % 7 < 3 ? customer : World.agent, "message \(seq) " + String(repeating: "word ", count: seq % 13),
                minutesAgo: Double(400 - seq) * 3 + (seq < 150 ? 2_000 : 0) + (seq < 300 ? 2_000 : 0))
        }
        conversation.timeline.insertLatest(MessagePage(items: items, hasMore: false))
        conversation.systemLines = [.init(date: World.start.addingTimeInterval(-3_000), text: "Alex Agent is handling this ticket")]
        let whole = Conversation.layout(conversation, width: 50)
        for tail in [1, 10, 33, 60, 200, 5_000] {
            let (lines, fromStart) = Conversation.tailLayout(conversation, width: 50, tail: tail)
            #expect(lines.count >= min(tail, whole.count))
            let expected = Array(whole.suffix(lines.count))
            let difference = zip(expected, lines).enumerated().first { $0.element.0 != $0.element.1 }
            let wanted = difference.map { $0.element.0.spans.map(\.text).joined() } ?? ""
            let got = difference.map { $0.element.1.spans.map(\.text).joined() } ?? ""
            #expect(difference == nil, "tail \(tail): line \(difference?.offset ?? -1) of \(lines.count): \(wanted) ≠ \(got)")
            #expect(fromStart == (lines.count == whole.count))
        }
    }
}
