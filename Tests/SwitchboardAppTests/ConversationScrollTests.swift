import Foundation
import SwitchboardClient
import SwitchboardProtocol
import TerminalKit
import Testing

@testable import SwitchboardApp

/// A scrolled conversation under random appends, removals, state changes, older pages, searches
/// and resizes: after every step the offset is within the lines, every frame draws, and every
/// read mark names a message on screen. (Discarding a failed 80-line message while scrolled up
/// once made the offset negative, and the next read mark sliced past the end and trapped.)
@Suite struct ConversationScrollTests {
    typealias Random = MonkeyTests.SplitMix

    /// A text of `lines` lines (so one message can take most of a screen, or more).
    static func text(_ random: inout Random, lines: Int) -> String {
        (0..<lines).map { "BLOCKME line \($0)" + String(repeating: " word", count: Int.random(in: 0...8, using: &random)) }
            .joined(separator: "\n")
    }

    /// One random change; `seq` is the next stored message's seq, `pending` the client's messages.
    static func step(
        _ conversation: inout Conversation, _ random: inout Random, seq: inout Int, oldest: inout Int,
        pending: inout [OutgoingMessage], now: Date
    ) {
        let me = conversation.timeline.me
        switch Int.random(in: 0..<100, using: &random) {
        case 0..<14:
            let from = Bool.random(using: &random) ? World.agent : World.customer.ref
            let message = World.message(seq, from: from, text(&random, lines: Int.random(in: 1...12, using: &random)))
            conversation.apply(.server(.receiveMessage(ticketId: 1, message: message)), now: now)
            seq += 1
        case 14..<24:
            let message = OutgoingMessage(ticketId: 1, text: text(&random, lines: Int.random(in: 1...40, using: &random)), createdAt: now)
            pending.append(message)
            conversation.apply(.outgoing(message), now: now)
        case 24..<34:
            // A pending message refused, sent, put back to queued (M-r) or discarded (M-x).
            guard let index = pending.indices.randomElement(using: &random) else { return }
            var message = pending[index]
            switch Int.random(in: 0..<4, using: &random) {
            case 0:
                message.state = .failed(code: .invalid, reason: "refused by this server's 'forbidden' rule")
                pending[index] = message
                conversation.apply(.outgoing(message), now: now)
            case 1:
                message.state = .sent(messageId: 10_000 + seq, seq: seq, timestamp: now)
                seq += 1
                pending.remove(at: index)
                conversation.apply(.outgoing(message), now: now)
            case 2:
                message.state = .queued
                pending[index] = message
                conversation.apply(.outgoing(message), now: now)
            default:
                pending.remove(at: index)
                conversation.apply(.discarded(clientMessageId: message.clientMessageId, ticketId: 1), now: now)
            }
        case 34..<40:
            let status: TicketStatus = [.open, .inProgress, .resolved, .closed].randomElement(using: &random)!
            conversation.apply(
                .server(.ticketStatusChanged(ticketId: 1, status: status, previousStatus: .open, changedBy: World.agent)),
                now: now)
        case 40..<44:
            conversation.apply(.server(.typingStart(ticketId: 1, user: World.agent, internal: false)), now: now)
        case 44..<48:
            // Older history paged in above.
            guard oldest > 1 else { return }
            let count = min(oldest - 1, Int.random(in: 1...10, using: &random))
            let items = (oldest - count..<oldest).map { World.message($0, from: me, text(&random, lines: 2), minutesAgo: 60) }
            oldest -= count
            conversation.insertOlder(MessagePage(items: items, hasMore: oldest > 1))
        case 48..<58:
            conversation.area = (Int.random(in: 8...200, using: &random), Int.random(in: 1...60, using: &random))
        case 58..<62:
            conversation.find(["line 1", "word", "nothing here"].randomElement(using: &random)!)
        case 62..<64:
            conversation.search = nil
        case 64..<66:
            conversation.scrollToBottom()
        default:
            _ = conversation.scroll(by: Int.random(in: -40...40, using: &random))
        }
    }

    /// What must hold after every step.
    @discardableResult
    static func check(_ conversation: Conversation, step: Int, seed: UInt64) -> Bool {
        let lines = Conversation.layout(conversation, width: conversation.area.width)
        let maxOffset = max(0, lines.count - conversation.area.height)
        guard (0...maxOffset).contains(conversation.offset) else {
            Issue.record("seed \(seed) step \(step): offset \(conversation.offset) of 0…\(maxOffset)")
            return false
        }
        // The frame draws, inside its width.
        let area = conversation.area
        var screen = Screen(width: area.width + 1, height: area.height)
        conversation.render(into: &screen, in: Rect(x: 0, y: 0, width: area.width + 1, height: area.height), theme: World.theme)
        #expect(screen.lines.allSatisfy { TextWidth.of($0) <= area.width + 1 })
        // What is on screen is what the whole layout shows at that offset; a read mark goes no further.
        let end = lines.count - conversation.offset, start = max(0, end - area.height)
        let expected = Set(lines[start..<end].compactMap(\.seq))
        let visible = conversation.visibleSeqs
        #expect(Set(visible) == expected, "seed \(seed) step \(step)")
        if let mark = conversation.newestToMarkRead {
            #expect(conversation.timeline.messages.contains { $0.seq == mark && $0.sender.id != conversation.timeline.me.id })
            if !conversation.isAtBottom { #expect(visible.contains(mark), "seed \(seed) step \(step): read mark \(mark) not on screen") }
        }
        return true
    }

    @Test(arguments: Array(1...8) as [UInt64]) func aScrolledConversationStaysInRange(seed: UInt64) {
        var random = Random(state: seed)
        var conversation = Conversation(ticket: World.ticket(1, "Parcel"), me: World.customer.ref, timeZone: World.utc)
        conversation.area = (80, 20)
        var seq = 101, oldest = 101
        var pending: [OutgoingMessage] = []
        var now = World.start
        for step in 0..<250 {
            // Scroll up often, so most steps happen away from the bottom.
            if Int.random(in: 0..<4, using: &random) == 0 { _ = conversation.scroll(by: Int.random(in: 1...60, using: &random)) }
            Self.step(&conversation, &random, seq: &seq, oldest: &oldest, pending: &pending, now: now)
            if Bool.random(using: &random) { conversation.readSent = conversation.newestToMarkRead ?? conversation.readSent }
            guard Self.check(conversation, step: step, seed: seed) else { return }
            now.addTimeInterval(Double.random(in: 1...400, using: &random))
        }
    }

    /// The steps of the report, headless: a failed 80-line message, PgUp, discard.
    @Test func discardingALongFailedMessageWhileScrolledUp() throws {
        var conversation = Conversation(ticket: World.ticket(1, "Parcel"), me: World.customer.ref, timeZone: World.utc)
        conversation.area = (199, 50)
        conversation.apply(.server(.receiveMessage(ticketId: 1, message: World.message(1, "How can I help?"))), now: World.start)
        var message = OutgoingMessage(
            ticketId: 1, text: (0..<80).map { "BLOCKME line \($0)" }.joined(separator: "\n"), createdAt: World.start)
        conversation.apply(.outgoing(message), now: World.start)
        message.state = .failed(code: .invalid, reason: "refused")
        conversation.apply(.outgoing(message), now: World.start)
        _ = conversation.scroll(by: 49)
        #expect(conversation.offset > 0)
        conversation.apply(.discarded(clientMessageId: message.clientMessageId, ticketId: 1), now: World.start)
        try #require(conversation.offset == 0)
        #expect(Set(conversation.visibleSeqs) == [1])
        #expect(conversation.newestToMarkRead == 1)
    }
}
