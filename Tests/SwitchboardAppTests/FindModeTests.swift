import Foundation
import SwitchboardClient
import SwitchboardProtocol
import TerminalKit
import Testing

@testable import SwitchboardApp

/// `/find` in the console and the customer mode, headless: the pane, paging history back to a
/// hit, the hit marked, a closed ticket fetched first.
@Suite struct FindModeTests {
    typealias C = ConsoleModeTests

    static func hit(_ ticket: Int, seq: Int, _ snippet: String, subject: String = "Card declined") -> SearchHit {
        SearchHit(
            ticketId: ticket, seq: seq, messageId: 100 + seq, snippet: snippet, sender: World.agent, timestamp: World.start,
            internal: false, subject: subject)
    }

    static func page(_ ticket: Int, _ seqs: ClosedRange<Int>, hasMore: Bool) -> MessagePage {
        MessagePage(
            items: seqs.map { World.message($0, ticket: ticket, seq($0)) }, hasMore: hasMore)
    }

    static func seq(_ n: Int) -> String { n == 5 ? "the refund is on its way" : "message \(n)" }

    @Test func aHitOpensItsTicketAtTheMessage() {
        var mode = C.console(tickets: [C.ticket(1, "Parcel", agent: C.me.ref, minutesAgo: 3), C.ticket(2, "Card declined", minutesAgo: 9)])
        #expect(ConsoleAdminTests.command("/find refund", &mode) == [.find(query: "refund", cursor: nil)])
        #expect(C.lines(mode)[1].contains("Find “refund” · searching…"))
        _ = mode.update(
            .event(
                .found(
                    query: "refund", SearchPage(items: [Self.hit(2, seq: 5, "…the «refund» is on its way")], nextCursor: nil), first: true))
        )
        let lines = C.lines(mode)
        #expect(lines[1].contains("Find “refund” · 1 found"))
        #expect(lines[2].contains("▸#2 Card declined") && lines[2].contains("Alex Agent"))
        #expect(lines[3].contains("…the refund is on its way"))
        #expect(lines.contains { $0.contains("Enter opens it at the message") })
        // Enter: the tab, the newest page (seq 10 on), then older until seq 5 is held.
        #expect(mode.update(.key(.enter)) == [.loadLatest(ticketId: 2)])
        let more = mode.update(.event(.page(ticketId: 2, Self.page(2, 10...20, hasMore: true), older: false)))
        #expect(more.contains(.loadOlder(ticketId: 2, beforeSeq: 10)))
        _ = mode.update(.event(.page(ticketId: 2, Self.page(2, 1...9, hasMore: false), older: true)))
        #expect(mode.currentTab?.conversation.search?.hits == [5])
        #expect(C.lines(mode).contains { $0.contains("▶ You  11:02") }, "\(C.lines(mode).joined(separator: "\n"))")
        // Esc hid the pane; F8 shows the hits again.
        _ = mode.update(.key(Key(.function(8))))
        #expect(mode.found?.shown == true && C.lines(mode)[1].contains("Find “refund”"))
    }

    @Test func aHitOnATicketNotInTheQueueIsFetchedFirst() {
        var mode = C.console(tickets: [C.ticket(1, "Parcel", agent: C.me.ref, minutesAgo: 3)])
        _ = ConsoleAdminTests.command("/find invoice", &mode)
        _ = mode.update(
            .event(
                .found(
                    query: "invoice", SearchPage(items: [Self.hit(9, seq: 2, "«invoice» attached", subject: "Old")], nextCursor: nil),
                    first: true)))
        #expect(mode.update(.key(.enter)) == [.fetchTicket(ticketId: 9)])
        var closed = C.ticket(9, "Old", minutesAgo: 900)
        closed.status = .closed
        #expect(mode.update(.event(.ticketChanged(closed))) == [.loadLatest(ticketId: 9)])
        #expect(mode.currentTab?.ticketId == 9)
        // No query at all is a sentence.
        #expect(ConsoleAdminTests.command("/find", &mode) == [])
        #expect(C.lines(mode).joined().contains("/find WORDS"))
    }

    @Test func theCustomerFindsInTheirOwnTickets() {
        var mode = World.mode(tickets: [World.ticket(1, "Parcel", minutesAgo: 30), World.ticket(2, "Refund", minutesAgo: 5)])
        for c in "/find refund" { _ = mode.update(.key(.char(c))) }
        #expect(mode.update(.key(.enter)) == [.find(query: "refund", cursor: nil)])
        _ = mode.update(
            .event(
                .found(
                    query: "refund",
                    SearchPage(items: [Self.hit(1, seq: 5, "the «refund» is on its way", subject: "Parcel")], nextCursor: nil), first: true)
            ))
        #expect(World.lines(mode).joined(separator: "\n").contains("#1 Parcel"))
        let effects = mode.update(.key(.enter))
        #expect(effects == [.loadLatest(ticketId: 1)] && mode.chat?.ticket.id == 1)
        _ = mode.update(.event(.page(ticketId: 1, Self.page(1, 1...9, hasMore: false), older: false)))
        #expect(mode.chat?.search?.hits == [5])
    }
}
