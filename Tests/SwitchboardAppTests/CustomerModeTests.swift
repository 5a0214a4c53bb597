import Foundation
import SwitchboardClient
import SwitchboardProtocol
import TerminalKit
import Testing

@testable import SwitchboardApp

@Suite struct CustomerModeTests {
    @Test func theListShowsEachTicketNewestFirstWithItsDetails() {
        let mode = World.mode(tickets: [
            World.ticket(1, "Where is my parcel?", unread: 2, last: World.message(3, "It is at the depot"), minutesAgo: 30),
            World.ticket(2, "Charged twice", status: .open, agent: nil, minutesAgo: 1),
        ])
        let lines = World.lines(mode)
        #expect(lines[1].contains("Your tickets (all) · 2"))
        #expect(lines[2].contains("#2 Charged twice"))
        #expect(lines[3].contains("open · high · shipping · in the queue · 1m ago"))
        #expect(lines[4].contains("#1 Where is my parcel?") && lines[4].hasSuffix(" 2"))
        #expect(lines[5].contains("in progress · high · shipping · Alex Agent · 4m ago · Alex Agent: It is at t…"))
        #expect(lines[23].hasPrefix(" ● connected"))
    }

    /// The server ends the login: back to signing in, with the sentence that says why.
    @Test func aLoginEndedByTheServerGoesBackToSigningIn() {
        var mode = World.mode(tickets: [World.ticket(1, "Parcel", minutesAgo: 30)])
        #expect(mode.update(.event(.connection(.authFailed(reason: "this login was signed out")))) == [.signOut])
        _ = mode.update(.event(.signedOut))
        guard case .signIn(let screen) = mode.phase else {
            Issue.record("not signing in")
            return
        }
        #expect(screen.error == SignInScreen.loginEnded && screen.form.values["username"] == "casey")
        #expect(World.lines(mode).joined(separator: "\n").contains("This login has ended"))
    }

    /// What every mode holds alike is one compared value: a move to another node or a file going
    /// up makes the state unequal and the screen different (the loop draws what changed).
    @Test func theServerAndAFileGoingUpArePartOfTheStatesEquality() {
        var mode = World.mode(width: 100, tickets: [World.ticket(1, "Parcel", minutesAgo: 30)])
        _ = mode.update(.key(.enter))
        _ = mode.update(
            .event(
                .page(
                    ticketId: 1, MessagePage(items: [World.message(1, "Hello", minutesAgo: 1)], hasMore: false),
                    older: false)))
        mode.toasts.dismiss()
        var moved = mode
        moved.server = "http://127.0.0.1:9999"
        #expect(moved != mode && World.lines(moved)[0] != World.lines(mode)[0])
        var sending = mode
        sending.transfer = FileTransfer(clientMessageId: "c", ticketId: 1, name: "receipt.pdf", sent: 10, total: 100)
        #expect(
            sending != mode && World.lines(sending).joined().contains("receipt.pdf")
                && !World.lines(mode).joined().contains("receipt.pdf"))
    }

    @Test func enterOpensTheChosenTicketEvenAfterTheListReorders() {
        var mode = World.mode(tickets: [World.ticket(1, "Parcel", minutesAgo: 30), World.ticket(2, "Payment", minutesAgo: 1)])
        _ = mode.update(.key(.down))  // #1, the older one
        // A message on #1 makes it the newest: it moves to the top, and stays selected.
        _ = mode.update(.event(.realtime(.server(.receiveMessage(ticketId: 1, message: World.message(1, "Hello", minutesAgo: 0))))))
        #expect(mode.shownTickets.first?.id == 1)
        let effects = mode.update(.key(.enter))
        #expect(effects == [.loadLatest(ticketId: 1)])
        #expect(mode.chat?.ticket.id == 1)
    }

    @Test func aChatShowsGroupsDaySeparatorsAndEachMessageState() {
        var mode = World.mode(tickets: [World.ticket(1, "Where is my parcel?")])
        _ = mode.update(.key(.enter))
        let page = MessagePage(
            items: [
                World.message(1, from: World.customer.ref, "Hi, my parcel has not come", minutesAgo: 10),
                World.message(2, "Looking at it now", minutesAgo: 9),
                World.message(3, "It is at the depot", minutesAgo: 8),
                World.message(4, from: World.customer.ref, "Thanks!", minutesAgo: 7),
            ], hasMore: false)
        #expect(
            mode.update(.event(.page(ticketId: 1, page, older: false))) == [.join(ticketId: 1, sinceSeq: 4)]
                + [.markRead(ticketId: 1, upToSeq: 3)])
        _ = mode.update(.event(.realtime(.server(.messagesDelivered(ticketId: 1, userId: 2, upToSeq: 4)))))
        _ = mode.update(.event(.realtime(.server(.messagesRead(ticketId: 1, userId: 2, upToSeq: 1)))))
        _ = mode.update(
            .event(
                .realtime(
                    .outgoing(
                        OutgoingMessage(
                            clientMessageId: "q", ticketId: 1, text: "Still there?",
                            createdAt: World.start)))))
        _ = mode.update(
            .event(
                .realtime(
                    .outgoing(
                        OutgoingMessage(
                            clientMessageId: "f", ticketId: 1, text: "Hello?",
                            createdAt: World.start,
                            state: .failed(code: .conflict, reason: "ticket #1 is closed"))))))
        let text = World.lines(mode).joined(separator: "\n")
        // The whole screen, line by line (the fragments below say what each part is for).
        #expect(
            World.lines(mode) == [
                " Switchboard · Customer · Casey Customer · http://127.0.0.1:8080        F1 help",
                " #1 Where is my parcel?",
                " in progress · high · shipping · Alex Agent ● online",
                String(repeating: "─", count: 80),
                "", "", "",
                " ───────────────────────── Wednesday 18 November 2026 ─────────────────────────",
                " You  10:56",
                "   Hi, my parcel has not come  ✓✓ read",
                " Alex Agent  10:57",
                "   Looking at it now",
                "   It is at the depot",
                " You  10:59",
                "   Thanks!  ✓✓",
                " You opened the ticket  11:01",
                "   d",
                " You  11:06",
                "   Still there?  ◷ queued",
                "   Hello?",
                "   ✗ not sent: ticket #1 is closed — M-e edit, M-r retry, M-x discard",
                " ⚠ Not sent: ticket #1 is closed",
                "> Write to support — Enter sends, M-Enter new line, /help commands",
                " ● connected                        PgUp/PgDn scroll · C-f search · Tab tickets",
            ])
        #expect(text.contains("Wednesday 18 November 2026"))
        #expect(text.contains(" You  10:56\n   Hi, my parcel has not come  ✓✓ read"))
        #expect(text.contains(" Alex Agent  10:57\n   Looking at it now\n   It is at the depot"))
        #expect(text.contains("   Thanks!  ✓✓\n"))
        #expect(text.contains("   Still there?  ◷ queued"))
        #expect(text.contains("✗ not sent: ticket #1 is closed — M-e edit, M-r retry, M-x discard"))
        #expect(text.contains("#1 Where is my parcel?") && text.contains("in progress · high · shipping · Alex Agent ● online"))
    }

    @Test func theHeaderFollowsTheAgentsPresence() {
        var mode = World.mode(tickets: [
            World.ticket(
                1, "Parcel",
                agent: UserRef(
                    id: 2, displayName: "Alex Agent", role: .agent,
                    isOnline: false))
        ])
        _ = mode.update(.key(.enter))
        #expect(World.lines(mode)[2].contains("Alex Agent ○ away"))
        _ = mode.update(.event(.realtime(.server(.userOnline(World.agent)))))
        #expect(World.lines(mode)[2].contains("Alex Agent ● online"))
    }

    /// A reply while the window is in the background rings (and is not marked read); back in
    /// front, what is on screen is read.
    @Test func anUnfocusedWindowIsToldAndReadsNothing() {
        var mode = World.mode(tickets: [World.ticket(1, "Parcel")])
        _ = mode.update(.key(.enter))
        _ = mode.update(.event(.page(ticketId: 1, MessagePage(items: [], hasMore: false), older: false)))
        _ = mode.update(.focus(false))
        let reply = World.message(1, "Your parcel is here", minutesAgo: 0)
        let effects = mode.update(.event(.realtime(.server(.receiveMessage(ticketId: 1, message: reply)))))
        #expect(effects == [.notify(title: "Alex Agent on #1", body: "Your parcel is here")])
        #expect(mode.update(.focus(true)) == [.markRead(ticketId: 1, upToSeq: 1)])
    }

    /// A ticket update the server counted before our read mark reached it leaves no unread badge
    /// on the open chat (seen at 200 columns: "1" beside a ticket read on screen).
    @Test func aLateTicketUpdateDoesNotBringBackReadMessages() {
        var mode = World.mode(tickets: [World.ticket(1, "Parcel")])
        _ = mode.update(.key(.enter))
        _ = mode.update(.event(.page(ticketId: 1, MessagePage(items: [], hasMore: false), older: false)))
        let reply = World.message(1, "Your parcel is here", minutesAgo: 0)
        #expect(
            mode.update(.event(.realtime(.server(.receiveMessage(ticketId: 1, message: reply))))) == [.markRead(ticketId: 1, upToSeq: 1)])
        _ = mode.update(.event(.realtime(.server(.ticketUpdated(World.ticket(1, "Parcel", unread: 1, last: reply))))))
        #expect(mode.tickets.first?.unreadCount == 0)
        // Another ticket's count is the server's.
        _ = mode.update(.event(.realtime(.server(.ticketCreated(World.ticket(2, "Refund", unread: 2))))))
        #expect(mode.tickets.first { $0.id == 2 }?.unreadCount == 2)
    }

    @Test func aMaskedMessageShowsTheStoredTextAndAHintOnBothSides() {
        var mode = World.mode(tickets: [World.ticket(1, "Card declined")])
        _ = mode.update(.key(.enter))
        var fromAgent = World.message(1, "Your key sk_live_•••• is revoked", minutesAgo: 3)
        fromAgent.redactions = [Redaction(rule: "api\u{1B}[31m-key", count: 2)]
        _ = mode.update(.event(.page(ticketId: 1, MessagePage(items: [fromAgent], hasMore: false), older: false)))
        // My own message: the optimistic copy while it is on its way, the stored text once acknowledged.
        var mine = OutgoingMessage(clientMessageId: "c", ticketId: 1, text: "It is 4111 1111 1111 1111", createdAt: World.start)
        _ = mode.update(.event(.realtime(.outgoing(mine))))
        #expect(World.lines(mode).joined(separator: "\n").contains("It is 4111 1111 1111 1111  ◷ queued"))
        mine.state = .sent(messageId: 9, seq: 2, timestamp: World.start)
        mine.text = "It is •••• •••• •••• 1111"
        mine.redactions = [Redaction(rule: "card", count: 1)]
        _ = mode.update(.event(.realtime(.outgoing(mine))))
        let text = World.lines(mode).joined(separator: "\n")
        #expect(!text.contains("4111 1111"))
        #expect(text.contains("   It is •••• •••• •••• 1111  ✓\n   🔒 card number masked"))
        // A rule name is the server's text: sanitised like any other.
        #expect(text.contains("   🔒 api␛[31m-key masked 2×") && !text.contains("\u{1B}"))
    }

    @Test func aBlockedMessageGoesBackInTheLineToBeChanged() {
        var mode = World.mode(tickets: [World.ticket(1, "Login")])
        // Reported before its chat is open, as the outbox reports an earlier run's failures at start.
        let blocked = OutgoingMessage(
            clientMessageId: "b", ticketId: 1, text: "my password: hunter2", createdAt: World.start,
            state: .failed(code: .invalid, reason: "Please check: message: blocked by this server's 'password' rule."))
        _ = mode.update(.event(.realtime(.outgoing(blocked))))
        _ = mode.update(.key(.enter))
        #expect(World.lines(mode).joined(separator: "\n").contains("   my password: hunter2\n"))
        #expect(World.lines(mode).joined(separator: "\n").contains("M-e edit, M-r retry, M-x discard"))
        // With something half-written, nothing is overwritten.
        _ = mode.update(.key(.char("x")))
        #expect(mode.update(.key(.alt("e"))).isEmpty && mode.editor.text == "x")
        _ = mode.update(.key(.backspace))
        #expect(mode.update(.key(.alt("e"))) == [.discard(clientMessageId: "b")])
        #expect(mode.editor.text == "my password: hunter2")
    }

    @Test func peerTextCannotReachTheTerminalRaw() {
        var mode = World.mode(tickets: [World.ticket(1, "Parcel \u{1B}[2J")])
        _ = mode.update(.key(.enter))
        _ = mode.update(
            .event(
                .page(
                    ticketId: 1, MessagePage(items: [World.message(1, "\u{1B}]0;pwned\u{07}evil\u{202E}txt")], hasMore: false),
                    older: false)))
        let screen = mode.view(theme: World.theme).screen
        let all = screen.lines.joined()
        #expect(!all.contains("\u{1B}") && !all.contains("\u{07}") && !all.contains("\u{202E}"))
        #expect(all.contains("evil"))
    }

    @Test func sendingGoesThroughTheEffectsAndTypingIsThrottled() {
        var mode = World.mode(tickets: [World.ticket(1, "Parcel")])
        _ = mode.update(.key(.enter))
        #expect(mode.update(.key(.char("h"))) == [.typing(ticketId: 1, active: true)])
        #expect(mode.update(.key(.char("i"))) == [])  // refreshed at most every 3 s
        _ = mode.update(.key(.char(" ")))
        for c in ":smile:" { _ = mode.update(.key(.char(c))) }
        #expect(mode.update(.key(.enter)) == [.send(ticketId: 1, text: "hi 😄")])
        // Idle typing stops by itself.
        _ = mode.update(.key(.char("x")))
        #expect(mode.update(.tick(World.start.addingTimeInterval(10))) == [.typing(ticketId: 1, active: false)])
    }

    @Test func refusalsAreSentencesNotSilence() {
        var mode = World.mode(tickets: [World.ticket(1, "Parcel", status: .closed)])
        _ = mode.update(.key(.enter))
        for c in "hello" { _ = mode.update(.key(.char(c))) }
        #expect(mode.update(.key(.enter)).isEmpty)
        #expect(mode.toasts.current?.text == "#1 is closed; open a new ticket with /new")
        #expect(mode.editor.text == "hello", "the text is kept")
        _ = mode.update(.event(.failed(.tickets, APIError(code: .internal, message: "connection refused", status: 0))))
        #expect(mode.toasts.current?.text == "The tickets could not be loaded: Cannot reach the server: connection refused.")
        mode.editor = LineEditor()
        for c in "/frobnicate" { _ = mode.update(.key(.char(c))) }
        _ = mode.update(.key(.enter))
        #expect(mode.toasts.current?.text.hasPrefix("Unknown command /frobnicate") == true)
    }

    @Test func theNewTicketFormChecksLimitsAndShowsServerErrorsAtTheirField() {
        var mode = World.mode(tickets: [])
        #expect(World.lines(mode).joined(separator: "\n").contains("No tickets yet."))
        _ = mode.update(.key(.char("n")))
        #expect(mode.form != nil)
        _ = mode.update(.key(.ctrl("s")))
        var text = World.lines(mode).joined(separator: "\n")
        #expect(text.contains("⚠ a few words on what it is about") && text.contains("⚠ tell us what happened"))
        for c in "Broken lamp" { _ = mode.update(.key(.char(c))) }
        _ = mode.update(.key(.tab))
        for c in "It flickers" { _ = mode.update(.key(.char(c))) }
        // Category and priority read as the ticket list writes them, and go as the contract's constants.
        #expect(World.lines(mode).joined().contains("◀ payment ▶") && World.lines(mode).joined().contains("◉ medium"))
        let effects = mode.update(.key(.ctrl("s")))
        #expect(
            effects == [
                .openTicket(
                    CreateTicketRequest(
                        subject: "Broken lamp", description: "It flickers", category: .payment,
                        priority: .medium))
            ])
        _ = mode.update(.event(.failed(.openTicket, APIError(code: .invalid, message: "subject: at most 200 characters", status: 400))))
        text = World.lines(mode).joined(separator: "\n")
        #expect(text.contains("⚠ at most 200 characters"))
        var opened = World.ticket(9, "Broken lamp", status: .open, agent: nil)
        opened.description = "It flickers"
        #expect(mode.update(.event(.ticketOpened(opened))) == [.join(ticketId: 9, sinceSeq: 0), .loadLatest(ticketId: 9)])
        #expect(mode.form == nil && mode.chat?.ticket.id == 9)
        #expect(mode.toasts.current?.text == "Ticket #9 opened — it waits in the queue for the next agent")
        #expect(World.lines(mode).joined(separator: "\n").contains("waiting in the queue for the next agent"))
        // The server stored something else than was typed (a card number masked): the customer is told.
        _ = mode.update(.key(Key(.function(3))))
        #expect(mode.form != nil)
        for c in "Card 4111111111111111" { _ = mode.update(.key(.char(c))) }
        _ = mode.update(.key(.tab))
        for c in "Declined" { _ = mode.update(.key(.char(c))) }
        _ = mode.update(.key(.ctrl("s")))
        var masked = World.ticket(10, "Card •••• •••• •••• 1111", status: .open, agent: nil)
        masked.description = "Declined"
        _ = mode.update(.event(.ticketOpened(masked)))
        #expect(mode.toasts.current?.text == "Ticket #10 opened — 🔒 part of it was masked before it was stored")
    }

    @Test func narrowShowsOnePaneAndWideShowsBoth() {
        var narrow = World.mode(width: 60, height: 20, tickets: [World.ticket(1, "Parcel")])
        _ = narrow.update(.key(.enter))
        #expect(!World.lines(narrow).joined().contains("Your tickets"))
        _ = narrow.update(.key(.backTab))
        #expect(World.lines(narrow).joined().contains("Your tickets"))
        var wide = World.mode(width: 120, height: 30, tickets: [World.ticket(1, "Parcel")])
        _ = wide.update(.key(.enter))
        let lines = World.lines(wide)
        #expect(lines[1].contains("Your tickets") && lines[1].contains("#1 Parcel"))
        // Resized down, it falls back to one pane.
        _ = wide.update(.resize(width: 70, height: 20))
        #expect(World.lines(wide).count == 20 && !World.lines(wide)[1].contains("│"))
    }

    @Test func theConnectionIndicatorSaysWhatIsGoingOn() {
        var mode = World.mode(tickets: [])
        _ = mode.update(.event(.connection(.reconnecting(attempt: 3, nextTryAt: World.start.addingTimeInterval(4), reason: "refused"))))
        _ = mode.update(.event(.outbox(queued: 2)))
        #expect(World.lines(mode)[23].hasPrefix(" ◌ reconnecting in 4s (attempt 3) · 2 queued · F5 retry now · refused"))
        #expect(mode.update(.key(Key(.function(5)))) == [.reconnectNow])
        _ = mode.update(.event(.connection(.offline(reason: "stopped"))))
        #expect(World.lines(mode)[23].hasPrefix(" ○ offline: stopped · 2 queued · F5 retry"))
    }

    @Test func searchFindsAndHighlightsAndScrollsToHits() {
        var mode = World.mode(width: 80, height: 12, tickets: [World.ticket(1, "Parcel")])
        _ = mode.update(.key(.enter))
        let items = (1...30).map { World.message($0, $0 == 3 ? "the depot called" : "message \($0)", minutesAgo: Double(40 - $0)) }
        _ = mode.update(.event(.page(ticketId: 1, MessagePage(items: items, hasMore: true), older: false)))
        _ = mode.update(.key(.ctrl("f")))
        for c in "depot" { _ = mode.update(.key(.char(c))) }
        _ = mode.update(.key(.enter))
        #expect(mode.chat?.search?.hits == [3])
        #expect(World.lines(mode).joined(separator: "\n").contains("the depot called"))
        // Scrolling to the top of what is held pages older history in.
        let effects = mode.update(.key(Key(.home, alt: true)))
        #expect(effects == [.loadOlder(ticketId: 1, beforeSeq: 1)])
        #expect(World.lines(mode).joined().contains("loading older messages"))
    }

    @Test func signInChecksFieldsAndShowsTheRefusal() {
        var mode = CustomerMode(server: "http://127.0.0.1:8080", size: (80, 24), now: World.start)
        var lines = World.lines(mode).joined(separator: "\n")
        #expect(lines.contains("Sign in") && lines.contains("Username") && lines.contains("Password"))
        _ = mode.update(.key(.enter))
        for c in "casey" { _ = mode.update(.key(.char(c))) }
        _ = mode.update(.key(.tab))
        for c in "secret pass" { _ = mode.update(.key(.char(c))) }
        lines = World.lines(mode).joined(separator: "\n")
        #expect(lines.contains("•••••••••••") && !lines.contains("secret pass"))
        #expect(mode.update(.key(.enter)) == [.signIn(username: "casey", password: "secret pass")])
        _ = mode.update(.event(.failed(.signIn, APIError(code: .unauthorized, message: "wrong username or password", status: 401))))
        #expect(World.lines(mode).joined().contains("⚠ Not signed in: wrong username or password."))
        _ = mode.update(.key(Key(.function(2))))
        #expect(World.lines(mode).joined().contains("New account"))
    }
}
