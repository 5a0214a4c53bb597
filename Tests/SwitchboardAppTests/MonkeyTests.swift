import Foundation
import SwitchboardClient
import SwitchboardProtocol
import TerminalKit
import Testing

@testable import SwitchboardApp

/// Thousands of random keys, pastes, clicks, resizes and clock ticks into each mode, the screen
/// drawn after each: whatever a person (or a cat on the keyboard) does, nothing stops the
/// program. Seeded, so a failure comes back the same way. One case at a time: in parallel they
/// took both cores for half a minute, and the end-to-end tests' servers beside them could not
/// start within their bound.
@Suite(.serialized) struct MonkeyTests {
    struct SplitMix: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    static let characters: [Character] =
        Array("abcdefghijklmnopqrstuvwxyz0123456789 /:#-_.,?!@[]{}\"'\\n") + ["é", "😀", "中", "e\u{301}", "\u{202E}", "\u{7}"]
    static let codes: [Key.Code] =
        [
            .enter, .tab, .backspace, .delete, .escape, .insert, .up, .down, .left, .right, .home, .end,
            .pageUp, .pageDown,
        ] + (1...12).map { .function($0) }
    static let pastes = [
        "", "hello world", "line one\nline two\n", "\u{1B}[31mred\u{1B}[0m", "/status closed", "{\"type\":\"PING\"}",
        String(repeating: "long ", count: 400), "😀😀😀 中文 e\u{301}", "\t\r\n\0",
    ]

    static func input(_ random: inout SplitMix, size: inout (Int, Int), now: inout Date) -> ModeInput {
        let roll = Int.random(in: 0..<100, using: &random)
        switch roll {
        case 0..<55:
            var key = Key(.character(characters.randomElement(using: &random)!))
            if Int.random(in: 0..<10, using: &random) == 0 { key.alt = true }
            if Int.random(in: 0..<12, using: &random) == 0, let letter = "abcdefghijklmnopqrstuvwxyz".randomElement(using: &random) {
                key = .ctrl(letter)
            }
            return .key(key)
        case 55..<85:
            var key = Key(codes.randomElement(using: &random)!)
            key.alt = Int.random(in: 0..<6, using: &random) == 0
            key.ctrl = Int.random(in: 0..<8, using: &random) == 0
            return .key(key)
        case 85..<89: return .paste(pastes.randomElement(using: &random)!)
        case 89..<93:
            size = (Int.random(in: 1...130, using: &random), Int.random(in: 1...45, using: &random))
            return .resize(width: size.0, height: size.1)
        case 93..<97:
            let kinds: [MouseEvent.Kind] = [.press(button: 1), .release, .wheelUp, .wheelDown]
            return .mouse(
                MouseEvent(
                    kinds.randomElement(using: &random)!, x: Int.random(in: -1...size.0, using: &random),
                    y: Int.random(in: -1...size.1, using: &random)))
        default:
            now = now.addingTimeInterval(Double.random(in: 0...3, using: &random))
            return .tick(now)
        }
    }

    static let texts = [
        "hi", "", " ", "\u{1B}]0;owned\u{7}\u{1B}[2J", "line\nline\n\n", String(repeating: "x", count: 9000),
        String(repeating: "😀", count: 500), "\u{202E}evil", "e\u{301}\u{301}\u{301}\u{301}", "\t\r\u{0}\u{85}",
        (0..<80).map { "BLOCKME line \($0)" }.joined(separator: "\n"),
    ]

    /// What the server might send, odd on purpose: unknown and negative tickets and seqs,
    /// hostile names and texts, other people typing, tickets changing under the screen.
    static func serverEvent(_ random: inout SplitMix, now: Date) -> ModeInput {
        let ticket = [1, 2, 3, 99, -1, 0].randomElement(using: &random)!
        let seq = Int.random(in: -2...40, using: &random)
        let person = UserRef(
            id: Int.random(in: 1...5, using: &random), displayName: texts.randomElement(using: &random)!,
            role: [.customer, .agent, .admin].randomElement(using: &random)!, isOnline: Bool.random(using: &random))
        let message = Message(
            id: Int.random(in: 1...500, using: &random), ticketId: ticket, seq: seq, clientMessageId: nil,
            sender: person, senderType: person.role == .customer ? .customer : .agent,
            message: texts.randomElement(using: &random)!, messageType: .text, internal: Bool.random(using: &random),
            isRead: false, timestamp: now.addingTimeInterval(Double.random(in: -90_000...60, using: &random)),
            attachment: nil)
        var changed = ConsoleModeTests.ticket(ticket, texts.randomElement(using: &random)!, minutesAgo: 3)
        changed.status = TicketStatus.allCases.randomElement(using: &random)!
        let events: [ServerEvent] = [
            .receiveMessage(ticketId: ticket, message: message),
            .typingStart(ticketId: ticket, user: person, internal: Bool.random(using: &random)),
            .typingStop(ticketId: ticket, user: person, internal: false),
            .messagesRead(ticketId: ticket, userId: person.id, upToSeq: seq),
            .messagesDelivered(ticketId: ticket, userId: person.id, upToSeq: seq),
            .userOffline(person), .presence(users: [person]),
            .agentAssigned(ticketId: ticket, agent: person, previousAgent: nil),
            .ticketStatusChanged(ticketId: ticket, status: changed.status, previousStatus: .open, changedBy: person),
            .ticketUpdated(changed), .ticketCreated(changed), .ticketDeleted(ticketId: ticket),
            .roomJoined(ticketId: ticket, lastSeq: seq, participants: [person]),
            .error(code: .invalid, message: texts.randomElement(using: &random)!, ref: nil),
        ]
        return .event(.realtime(.server(events.randomElement(using: &random)!)))
    }

    /// What the client itself reports, odd on purpose too: this user's own messages queued, sent,
    /// refused and discarded (a few ids, so they meet again), pages of history for any ticket, the
    /// ticket list replaced, the connection coming and going, requests failing. Each of these adds
    /// or removes lines under the screen — a refused 80-line paste discarded while scrolled up
    /// trapped the console (issue 37).
    static func clientEvent(_ random: inout SplitMix, now: Date) -> ModeInput {
        let ticket = [1, 2, 3, 99, -1].randomElement(using: &random)!
        let text = texts.randomElement(using: &random)!
        let clientId = "c\(Int.random(in: 0..<5, using: &random))"
        let seq = Int.random(in: -2...40, using: &random)
        let states: [OutgoingMessage.State] = [
            .queued, .sent(messageId: Int.random(in: 1...500, using: &random), seq: seq, timestamp: now),
            .failed(code: .invalid, reason: "message: blocked by the rule forbidden"), .failed(code: .rateLimited, reason: text),
        ]
        let outgoing = OutgoingMessage(
            clientMessageId: clientId, ticketId: ticket, text: text, isInternal: Bool.random(using: &random),
            createdAt: now, state: states.randomElement(using: &random)!)
        let page = MessagePage(
            items: (0..<Int.random(in: 0...30, using: &random)).map { index in
                Message(
                    id: 1000 + index, ticketId: ticket, seq: seq + index, clientMessageId: index == 0 ? clientId : nil,
                    sender: ConsoleModeTests.me.ref, senderType: Bool.random(using: &random) ? .customer : .agent,
                    message: texts.randomElement(using: &random)!, messageType: .text, internal: Bool.random(using: &random),
                    isRead: Bool.random(using: &random), timestamp: now.addingTimeInterval(Double(index - 30) * 60), attachment: nil)
            }, hasMore: Bool.random(using: &random))
        var changed = ConsoleModeTests.ticket(ticket, text, minutesAgo: Double.random(in: 0...3000, using: &random))
        changed.status = TicketStatus.allCases.randomElement(using: &random)!
        let events: [AppEvent] = [
            .realtime(.outgoing(outgoing)), .realtime(.outgoing(outgoing)), .realtime(.outgoing(outgoing)),
            .realtime(.discarded(clientMessageId: clientId, ticketId: ticket)), .realtime(.uploading(outgoing, sent: seq)),
            .page(ticketId: ticket, page, older: Bool.random(using: &random)), .ticketChanged(changed), .ticketOpened(changed),
            .tickets(
                [1, 2, 3].filter { _ in Bool.random(using: &random) }.map { ConsoleModeTests.ticket($0, text, minutesAgo: Double($0)) }),
            .connection(
                [
                    .connected, .connecting, .offline(reason: text),
                    .reconnecting(attempt: 2, nextTryAt: now.addingTimeInterval(3), reason: text),
                ].randomElement(using: &random)!),
            .outbox(queued: Int.random(in: 0...3, using: &random)),
            .failed(
                [
                    .messages(ticketId: ticket), .setStatus(ticketId: ticket), .ticketAction(ticketId: ticket), .claim(ticketId: ticket),
                    .tickets, .outbox,
                ]
                .randomElement(using: &random)!, APIError(code: .notFound, message: text, status: 404)),
        ]
        return .event(events.randomElement(using: &random)!)
    }

    /// Nothing drawn can drive the terminal: no C0/C1 control, no bidirectional override.
    static func harmless(_ screen: Screen) -> Bool {
        screen.lines.allSatisfy { line in
            !line.unicodeScalars.contains {
                $0.value < 0x20 || (0x7F...0x9F).contains($0.value) || (0x202A...0x202E).contains($0.value)
                    || (0x2066...0x2069).contains($0.value)
            }
        }
    }

    /// The seeds and the inputs per seed: a few in every test run; as many as asked for with
    /// `SWITCHBOARD_MONKEY_SEEDS=FIRST-LAST` and `SWITCHBOARD_MONKEY_INPUTS=N` (the long hunts
    /// recorded in `Tests/NOTES.md`).
    static let seeds: [UInt64] = {
        let bounds = ProcessInfo.processInfo.environment["SWITCHBOARD_MONKEY_SEEDS"]?.split(separator: "-").compactMap { UInt64($0) } ?? []
        return bounds.count == 2 && bounds[0] <= bounds[1] ? Array(bounds[0]...bounds[1]) : Array(1...4)
    }()
    static let inputs = ProcessInfo.processInfo.environment["SWITCHBOARD_MONKEY_INPUTS"].flatMap { Int($0) } ?? 1500

    /// Feeds `count` inputs to a mode through `update`, drawing after each; with `events`, one in
    /// five is something from the server or the client's own connection.
    static func run(seed: UInt64, count: Int = inputs, events: Bool = false, update: (ModeInput) -> Void, draw: () -> Void) {
        var random = SplitMix(state: seed)
        var size = (80, 24), now = World.start
        for _ in 0..<count {
            if events, Int.random(in: 0..<5, using: &random) == 0 {
                update(Bool.random(using: &random) ? serverEvent(&random, now: now) : clientEvent(&random, now: now))
            } else {
                update(input(&random, size: &size, now: &now))
            }
            draw()
        }
    }

    @Test(arguments: seeds) func customerMode(seed: UInt64) {
        var mode = World.mode(tickets: [World.ticket(1, "Parcel"), World.ticket(2, "Refund", status: .resolved, agent: nil)])
        Self.run(
            seed: seed, events: true, update: { _ = mode.update($0) },
            draw: { #expect(Self.harmless(mode.view(theme: World.theme).screen)) })
    }

    @Test(arguments: seeds) func theConsole(seed: UInt64) {
        var mode = ConsoleAdminTests.admin()
        _ = mode.update(
            .event(
                .tickets([
                    ConsoleModeTests.ticket(1, "Parcel", minutesAgo: 5),
                    ConsoleModeTests.ticket(2, "Card", agent: ConsoleModeTests.me.ref, minutesAgo: 3),
                    ConsoleModeTests.ticket(3, "Lamp", priority: .urgent, minutesAgo: 1),
                ])))
        Self.run(
            seed: seed, events: true, update: { _ = mode.update($0) },
            draw: { #expect(Self.harmless(mode.view(theme: World.theme).screen)) })
    }

    @Test(arguments: seeds) func theTester(seed: UInt64) {
        var mode = TesterModeTests.tester()
        _ = mode.update(
            .event(
                .tester(
                    .socket(
                        name: "alex", .received(#"{"type":"ROOM_JOINED","ticketId":7,"lastSeq":3,"participants":[]}"#),
                        at: World.start))))
        Self.run(seed: seed, update: { _ = mode.update($0) }, draw: { #expect(Self.harmless(mode.view(theme: World.theme).screen)) })
    }

    @Test(arguments: seeds) func theLauncher(seed: UInt64) {
        var launcher = LauncherTests.launcher()
        Self.run(
            seed: seed, update: { _ = launcher.update($0) }, draw: { #expect(Self.harmless(launcher.view(theme: World.theme).screen)) })
    }
}
