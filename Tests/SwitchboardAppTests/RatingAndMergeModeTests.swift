import Foundation
import SwitchboardClient
import SwitchboardProtocol
import TerminalKit
import Testing

@testable import SwitchboardApp

/// The rating prompt of the customer mode and the merge of both modes, headless.
@Suite struct RatingAndMergeModeTests {
    typealias C = ConsoleModeTests

    static func type(_ text: String, _ mode: inout CustomerMode) {
        for c in text { _ = mode.update(.key(.char(c))) }
    }

    static func resolved(_ id: Int, asks: Int = 0, daysAgo: Double = 0) -> Ticket {
        var ticket = World.ticket(id, "Parcel lost", status: .resolved, minutesAgo: 30)
        ticket.resolvedAt = World.start.addingTimeInterval(-daysAgo * 86_400)
        ticket.ratingAsks = asks
        return ticket
    }

    @Test func aResolutionSeenLiveIsRatedWithAKeyAndAComment() {
        var mode = World.mode(tickets: [World.ticket(1, "Parcel lost", minutesAgo: 30)])
        _ = mode.update(.key(.enter))
        let effects = mode.update(
            .event(
                .realtime(
                    .server(.ticketStatusChanged(ticketId: 1, status: .resolved, previousStatus: .inProgress, changedBy: World.agent)))))
        #expect(effects.contains(.ratingAsked(ticketId: 1)))
        #expect(
            World.lines(mode)[22].contains("How did we do on #1? 1 poor · 2 · 3 · 4 · 5 great — press 1–5, Esc not now"),
            "\(World.lines(mode)[22])")
        #expect(World.lines(mode)[23].contains("1–5 rate · Esc not now"))
        _ = mode.update(.key(.down))  // moving about leaves the question
        #expect(mode.rating != nil && mode.rating?.score == nil)
        _ = mode.update(.key(.char("4")))
        #expect(World.lines(mode)[22].contains("★★★★☆ 4/5") && World.lines(mode)[22].contains("a comment if you like"))
        Self.type("So quick", &mode)
        #expect(mode.update(.key(.enter)) == [.rate(ticketId: 1, RateTicketRequest(score: 4, comment: "So quick"))])
        #expect(mode.rating == nil)
        var rated = Self.resolved(1)
        rated.rating = TicketRating(score: 4, comment: "So quick", at: World.start)
        _ = mode.update(.event(.ticketChanged(rated)))
        let screen = World.lines(mode).joined(separator: "\n")
        #expect(screen.contains("Thank you — #1 rated ★★★★☆ 4/5"))
        #expect(screen.contains("you rated it ★★★★☆ 4/5"))
        // Once rated, /rate says so.
        for c in "/rate 5" { _ = mode.update(.key(.char(c))) }
        #expect(mode.update(.key(.enter)) == [])
        #expect(World.lines(mode).joined().contains("rated already"))
    }

    @Test func aVisitAsksOnceMoreAndThenNotAgain() {
        func visit(_ tickets: [Ticket]) -> (CustomerMode, [Effect]) {
            var mode = CustomerMode(server: "http://127.0.0.1:8080", username: "casey", signingIn: true, size: (80, 24), now: World.start)
            _ = mode.update(.event(.signedIn(World.customer)))
            let effects = mode.update(.event(.tickets(tickets)))
            return (mode, effects)
        }
        let (asked, effects) = visit([Self.resolved(1, asks: 1)])
        #expect(effects.contains(.ratingAsked(ticketId: 1)) && asked.rating?.ticketId == 1)
        var dismissed = asked
        _ = dismissed.update(.key(.escape))
        #expect(dismissed.rating == nil && World.lines(dismissed).joined().contains("Rate #1 later with /rate"))
        // Typing a message instead: the line is the customer's, the letter in it.
        var typing = asked
        _ = typing.update(.key(.char("H")))
        #expect(typing.rating == nil && typing.editor.text == "H")
        #expect(visit([Self.resolved(1, asks: 2)]).1.allSatisfy { $0 != .ratingAsked(ticketId: 1) }, "asked twice: not again")
        #expect(visit([Self.resolved(1, daysAgo: 30)]).0.rating == nil, "a resolution of long ago is not asked about")
        var merged = Self.resolved(1)
        merged.mergedIntoId = 2
        #expect(visit([merged]).0.rating == nil, "a merged ticket is not rated")
        // The newest of several, one at a time.
        let (several, _) = visit([Self.resolved(1, daysAgo: 3), Self.resolved(2, daysAgo: 1)])
        #expect(several.rating?.ticketId == 2)
    }

    @Test func theCustomersChatMovesWithAMerge() {
        var mode = World.mode(
            width: 100, tickets: [World.ticket(1, "Card declined", minutesAgo: 30), World.ticket(2, "Charged twice", minutesAgo: 5)])
        _ = mode.update(.key(.enter))  // #2, the newest
        #expect(mode.chat?.ticket.id == 2)
        let effects = mode.update(.event(.realtime(.server(.ticketMerged(ticketId: 2, intoTicketId: 1)))))
        #expect(mode.chat?.ticket.id == 1)
        #expect(effects.contains(.loadLatest(ticketId: 1)) && effects.contains { if case .join(1, _) = $0 { true } else { false } })
        let screen = World.lines(mode).joined(separator: "\n")
        #expect(screen.contains("#2 was merged into #1 — the conversation goes on there"))
        #expect(screen.contains("merged into #1"), "the list says where #2 went")
        // What the merge brought over is no news: no notification for it.
        var moved = World.message(7, ticket: 1, "I see two charges.")
        moved.mergedFromTicketId = 2
        _ = mode.update(.key(.tab))
        #expect(
            !mode.update(.event(.realtime(.server(.receiveMessage(ticketId: 1, message: moved))))).contains {
                if case .notify = $0 { true } else { false }
            })
    }

    @Test func theConsoleAsksBeforeAMergeAndFollowsIt() {
        var one = C.ticket(1, "Card declined", agent: C.me.ref, minutesAgo: 30)
        var two = C.ticket(2, "Charged twice", agent: C.me.ref, minutesAgo: 5)
        let stranger = C.ticket(3, "Other person", minutesAgo: 5, customer: "Dana Other")
        two.customer = one.customer
        one.customer.isOnline = true
        var mode = C.console(tickets: [one, two, stranger])
        _ = mode.update(.event(.realtime(.server(.ticketUpdated(one)))))
        _ = ConsoleAdminTests.command("/open 1", &mode)
        _ = ConsoleAdminTests.command("/open 2", &mode)
        #expect(ConsoleAdminTests.command("/merge 3", &mode) == [])
        #expect(C.lines(mode).joined().contains("only one customer's tickets are merged"))
        #expect(ConsoleAdminTests.command("/merge 2", &mode) == [])
        #expect(C.lines(mode).joined().contains("#2 is this ticket"))
        // In #2's tab: join #1 into it — asked first.
        _ = mode.update(.key(.escape))
        _ = ConsoleAdminTests.command("/open 1", &mode)
        #expect(ConsoleAdminTests.command("/merge 2", &mode) == [])
        #expect(C.lines(mode).joined().contains("Merge #2 “Charged twice” into #1?"))
        #expect(mode.update(.key(.char("y"))) == [.merge(ticketId: 2, intoTicketId: 1)])
        // The server says it happened: #2's tab gives way to #1's.
        _ = mode.update(.event(.realtime(.server(.ticketMerged(ticketId: 2, intoTicketId: 1)))))
        #expect(!mode.tabs.contains { $0.ticketId == 2 } && mode.tabs.contains { $0.ticketId == 1 })
        #expect(C.lines(mode).joined().contains("#2 was merged into #1"))
        // A rating reaches the console as a toast.
        _ = mode.update(
            .event(.realtime(.server(.ticketRated(ticketId: 1, rating: TicketRating(score: 5, comment: nil, at: World.start))))))
        #expect(C.lines(mode).joined().contains("#1 (Card declined) rated ★★★★★ 5/5"))
    }
}
