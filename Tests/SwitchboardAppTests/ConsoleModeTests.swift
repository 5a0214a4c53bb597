import Foundation
import SwitchboardClient
import SwitchboardProtocol
import TerminalKit
import Testing

@testable import SwitchboardApp

@Suite struct ConsoleModeTests {
    static let me = User(
        id: 2, username: "alex", displayName: "Alex Agent", role: .agent, isOnline: true, lastSeenAt: nil,
        agentStatus: .online, capacity: 5, email: nil)
    static let sam = UserRef(id: 7, displayName: "Sam Second", role: .agent, isOnline: true)

    static func ticket(
        _ id: Int, _ subject: String, priority: Priority = .medium, agent: UserRef? = nil, minutesAgo: Double,
        customer: String = "Casey Customer"
    ) -> Ticket {
        let date = World.start.addingTimeInterval(-minutesAgo * 60)
        return Ticket(
            id: id, subject: subject, description: "d", status: .open, priority: priority, category: .payment,
            customer: UserRef(id: 100 + id, displayName: customer, role: .customer, isOnline: true), assignedAgent: agent,
            messageCount: 0, unreadCount: 0, lastMessage: nil, createdAt: date, updatedAt: date, resolvedAt: nil)
    }

    static func console(width: Int = 120, height: Int = 30, tickets: [Ticket]) -> ConsoleMode {
        var mode = ConsoleMode(server: "http://127.0.0.1:8080", username: "alex", signingIn: true, size: (width, height), now: World.start)
        mode.timeZone = World.utc
        #expect(mode.update(.event(.signedIn(me))) == [.loadQueue, .loadAgents, .loadCanned, .loadTargets])
        _ = mode.update(.event(.tickets(tickets)))
        _ = mode.update(
            .event(
                .agents([
                    AgentLoad(agent: me.ref, status: .online, activeChats: 1, capacity: 5),
                    AgentLoad(agent: sam, status: .online, activeChats: 0, capacity: 5),
                ])))
        _ = mode.update(.event(.connection(.connected)))
        return mode
    }

    static func lines(_ mode: ConsoleMode) -> [String] { mode.view(theme: World.theme).screen.lines }

    /// The server ends the login (a new password set by an operator, say): the console signs
    /// out and the sign-in screen says why, instead of a queue that can no longer do anything.
    @Test func aLoginEndedByTheServerGoesBackToSigningIn() {
        var mode = Self.console(tickets: [Self.ticket(1, "Parcel", minutesAgo: 3)])
        #expect(mode.update(.event(.connection(.reconnecting(attempt: 1, nextTryAt: World.start, reason: "connection lost")))) == [])
        #expect(mode.update(.event(.connection(.authFailed(reason: "this login was signed out")))) == [.signOut])
        _ = mode.update(.event(.signedOut))
        guard case .signIn(let screen) = mode.phase else {
            Issue.record("not signing in: \(mode.phase)")
            return
        }
        #expect(screen.error == SignInScreen.loginEnded && screen.form.values["username"] == "alex")
        let text = Self.lines(mode).joined(separator: "\n")
        #expect(text.contains("This login has ended"), "\(text)")
        // A sign-out the user asked for says nothing of the kind.
        var asked = Self.console(tickets: [])
        _ = asked.update(.event(.signedOut))
        if case .signIn(let screen) = asked.phase { #expect(screen.error == nil) } else { Issue.record("not signing in") }
    }

    @Test func theQueueHasSectionsSortedByPriorityThenWaiting() {
        var mode = Self.console(tickets: [
            Self.ticket(1, "Old and low", priority: .low, minutesAgo: 90),
            Self.ticket(2, "Urgent!", priority: .urgent, minutesAgo: 2),
            Self.ticket(3, "Waiting longer", minutesAgo: 30),
            Self.ticket(4, "Waiting less", minutesAgo: 5),
            Self.ticket(5, "Mine", agent: Self.me.ref, minutesAgo: 10),
        ])
        #expect(mode.shownQueue.map(\.id) == [2, 3, 4, 1])
        let text = Self.lines(mode).joined(separator: "\n")
        #expect(text.contains(" Unassigned 4  Mine 1  All open 5"))
        #expect(text.contains("‼ #2 Urgent!") && text.contains("· #3 Waiting longer") && text.contains("30m"))
        _ = mode.update(.key(.char("]")))
        #expect(mode.section == .mine && mode.shownQueue.map(\.id) == [5])
        _ = mode.update(.key(.char("]")))
        #expect(mode.shownQueue.count == 5)
    }

    /// Auto-assignment gave every waiting ticket to the agent just after the console opened: it
    /// stayed on an empty "Unassigned" ("Nobody is waiting") and said nothing.
    @Test func anEmptiedUnassignedSectionTurnsToMineAndSaysWhy() {
        var mode = Self.console(tickets: [Self.ticket(1, "First", minutesAgo: 3), Self.ticket(2, "Second", minutesAgo: 2)])
        #expect(mode.section == .unassigned && mode.shownQueue.count == 2)
        _ = mode.update(.event(.realtime(.server(.agentAssigned(ticketId: 1, agent: Self.me.ref, previousAgent: nil)))))
        #expect(mode.section == .unassigned)
        _ = mode.update(.event(.realtime(.server(.agentAssigned(ticketId: 2, agent: Self.me.ref, previousAgent: nil)))))
        #expect(mode.section == .mine && mode.shownQueue.map(\.id).sorted() == [1, 2] && mode.queue.selected == 0)
        #expect(Self.lines(mode).joined(separator: "\n").contains("2 tickets were assigned to you — showing Mine"))
        // Given to a colleague instead: nothing to turn to.
        var other = Self.console(tickets: [Self.ticket(1, "First", minutesAgo: 3)])
        _ = other.update(.event(.realtime(.server(.agentAssigned(ticketId: 1, agent: Self.sam, previousAgent: nil)))))
        #expect(other.section == .unassigned)
        // Claimed here, the last waiting one: the queue stays on Unassigned, where the next one comes.
        var claimer = Self.console(tickets: [Self.ticket(1, "First", minutesAgo: 3)])
        #expect(claimer.update(.key(.char("c"))).contains(.claim(ticketId: 1)))
        _ = claimer.update(.event(.realtime(.server(.agentAssigned(ticketId: 1, agent: Self.me.ref, previousAgent: nil)))))
        #expect(claimer.section == .unassigned)
        // A claim that failed (a colleague was quicker) is not ours: the assigner's later gift is news.
        var late = Self.console(tickets: [Self.ticket(1, "First", minutesAgo: 3)])
        _ = late.update(.key(.char("c")))
        _ = late.update(.event(.failed(.claim(ticketId: 1), APIError(code: .conflict, message: "already assigned", status: 409))))
        #expect(late.claiming.isEmpty)
        _ = late.update(.event(.realtime(.server(.agentAssigned(ticketId: 1, agent: Self.me.ref, previousAgent: nil)))))
        #expect(late.section == .mine && Self.lines(late).joined().contains("1 ticket was assigned to you"))
        // Opened with nobody waiting and work of one's own: Mine, with a sentence.
        let opened = Self.console(tickets: [Self.ticket(3, "Mine", agent: Self.me.ref, minutesAgo: 3)])
        #expect(opened.section == .mine && Self.lines(opened).joined().contains("Nobody is waiting — 1 ticket is yours, under Mine"))
    }

    @Test func tabsKeepTheirDraftsAndTheHotlistFindsTheWaitingCustomer() {
        var mode = Self.console(tickets: (1...3).map { Self.ticket($0, "T\($0)", agent: Self.me.ref, minutesAgo: Double(10 * $0)) })
        for id in 1...3 { mode = Self.open(mode, id) }
        #expect(mode.tabs.map(\.ticketId) == [1, 2, 3] && mode.current == 2)
        _ = mode.update(.key(.alt("1")))
        for c in "draft one" { _ = mode.update(.key(.char(c))) }
        _ = mode.update(.key(.alt("2")))
        #expect(mode.currentTab?.editor.text.isEmpty == true)
        _ = mode.update(.key(.alt("1")))
        #expect(mode.currentTab?.editor.text == "draft one")
        // Elsewhere, an agent's message on #2 and a customer's on #3.
        let agentSays = Message(
            id: 1, ticketId: 2, seq: 1, clientMessageId: nil, sender: Self.sam, senderType: .agent, message: "fyi",
            messageType: .text, internal: true, isRead: false, timestamp: World.start, attachment: nil)
        let customerSays = World.message(
            1, ticket: 3, from: UserRef(id: 103, displayName: "Casey", role: .customer, isOnline: true),
            "hello?", minutesAgo: 0)
        _ = mode.update(.event(.realtime(.server(.receiveMessage(ticketId: 2, message: agentSays)))))
        let effects = mode.update(.event(.realtime(.server(.receiveMessage(ticketId: 3, message: customerSays)))))
        #expect(effects.contains(.notify(title: "Casey on #3", body: "hello?")))
        #expect(mode.tabs[1].unread == 1 && mode.tabs[2].unread == 1 && mode.tabs[2].activity == .waiting)
        let bar = Self.lines(mode)[1]
        #expect(bar.contains("1:#1 Casey Customer") && bar.contains("2:#2 Casey Customer 1") && bar.contains("3:#3 Casey Customer 1"))
        _ = mode.update(.key(.alt("a")))
        #expect(mode.current == 2, "the customer waiting comes first")
        _ = mode.update(.key(.alt("a")))
        #expect(mode.current == 1)
        _ = mode.update(.key(.ctrl("w")))
        #expect(mode.tabs.map(\.ticketId) == [1, 3])
    }

    /// Opens ticket `id` as an agent would: from the queue for the first tab, with `/open N` after.
    static func open(_ mode: ConsoleMode, _ id: Int) -> ConsoleMode {
        var mode = mode
        if mode.tabs.isEmpty, let index = mode.shownQueue.firstIndex(where: { $0.id == id }) {
            mode.queue.select(index)
            _ = mode.update(.key(.enter))
        } else {
            for c in "/open \(id)" { _ = mode.update(.key(.char(c))) }
            _ = mode.update(.key(.enter))
        }
        return mode
    }

    @Test func notesAreSentAsNotesAndShownAsNotes() {
        var mode = Self.console(tickets: [Self.ticket(1, "Parcel", agent: Self.me.ref, minutesAgo: 5)])
        _ = mode.update(.key(.enter))
        #expect(mode.current == 0)
        for c in "/note checked the depot" { _ = mode.update(.key(.char(c))) }
        #expect(mode.update(.key(.enter)) == [.send(ticketId: 1, text: "checked the depot", note: true)])
        _ = mode.update(.key(.ctrl("o")))
        #expect(Self.lines(mode).contains { $0.contains("note> Internal note — only agents see it") })
        for c in "also this" { _ = mode.update(.key(.char(c))) }
        #expect(mode.update(.key(.enter)).contains(.send(ticketId: 1, text: "also this", note: true)))
        let note = Message(
            id: 9, ticketId: 1, seq: 1, clientMessageId: nil, sender: Self.me.ref, senderType: .agent, message: "checked the depot",
            messageType: .text, internal: true, isRead: false, timestamp: World.start, attachment: nil)
        _ = mode.update(.event(.page(ticketId: 1, MessagePage(items: [note], hasMore: false), older: false)))
        #expect(Self.lines(mode).joined(separator: "\n").contains("You  11:06  ✎ internal note\n"))
        // The customer's read mark covers the note's seq, but they never see notes: no mark on it.
        _ = mode.update(.event(.realtime(.server(.messagesRead(ticketId: 1, userId: 101, upToSeq: 1)))))
        #expect(Self.lines(mode).contains { $0.hasSuffix("│   checked the depot") })
    }

    @Test func aFailedNoteGoesBackInTheLineAsANoteWithSlashEdit() {
        var mode = Self.console(tickets: [Self.ticket(1, "Parcel", agent: Self.me.ref, minutesAgo: 5)])
        // Left failed by an earlier run: reported before its tab is open, shown once it is.
        let blocked = OutgoingMessage(
            clientMessageId: "n", ticketId: 1, text: "their pass = letmein", isInternal: true,
            createdAt: World.start, state: .failed(code: .invalid, reason: "blocked"))
        _ = mode.update(.event(.realtime(.outgoing(blocked))))
        _ = mode.update(.key(.enter))
        #expect(Self.lines(mode).joined(separator: "\n").contains("✗ not sent: blocked — M-e edit, M-r retry, M-x discard"))
        for c in "/edit" { _ = mode.update(.key(.char(c))) }
        #expect(mode.update(.key(.enter)) == [.discard(clientMessageId: "n")])
        #expect(mode.tabs[0].editor.text == "their pass = letmein" && mode.tabs[0].noteMode)
    }

    @Test func cannedResponsesFillTheirPlaceholdersIntoTheLine() {
        var mode = Self.console(tickets: [Self.ticket(4, "Refund please", agent: Self.me.ref, minutesAgo: 5, customer: "Dana Doe")])
        _ = mode.update(
            .event(
                .canned([
                    CannedResponse(
                        id: 1, shortcut: "refund", title: "Refund started",
                        body: "Hi {customer.name}, {agent.name} here: refund for #{ticket.id} ({ticket.subject}) started.",
                        shared: true, ownerId: 1)
                ])))
        _ = mode.update(.key(.enter))
        _ = mode.update(.key(.ctrl("t")))
        #expect(Self.lines(mode).joined().contains("Canned responses"))
        for c in "ref" { _ = mode.update(.key(.char(c))) }
        _ = mode.update(.key(.enter))
        #expect(mode.currentTab?.editor.text == "Hi Dana Doe, Alex Agent here: refund for #4 (Refund please) started.")
        // Tab after /SHORTCUT does the same.
        mode.tabs[0].editor = LineEditor()
        for c in "/refund" { _ = mode.update(.key(.char(c))) }
        _ = mode.update(.key(.tab))
        #expect(mode.currentTab?.editor.text.hasPrefix("Hi Dana Doe") == true)
        // So does `/canned SHORTCUT` with an exact shortcut (it opened the picker again); a part of one picks.
        mode.tabs[0].editor = LineEditor()
        for c in "/canned refund" { _ = mode.update(.key(.char(c))) }
        _ = mode.update(.key(.enter))
        #expect(mode.picker == nil && mode.currentTab?.editor.text.hasPrefix("Hi Dana Doe") == true)
        mode.tabs[0].editor = LineEditor()
        for c in "/canned ref" { _ = mode.update(.key(.char(c))) }
        _ = mode.update(.key(.enter))
        #expect(mode.picker != nil && mode.currentTab?.editor.text == "")
    }

    /// A response made elsewhere after the console started (a colleague, the API) is looked up
    /// on the server, not answered with "No canned responses yet".
    @Test func aCannedResponseMadeElsewhereIsLookedUp() {
        var mode = Self.console(tickets: [Self.ticket(4, "Refund please", agent: Self.me.ref, minutesAgo: 5, customer: "Dana Doe")])
        _ = mode.update(.key(.enter))
        for c in "/canned thanks" { _ = mode.update(.key(.char(c))) }
        #expect(mode.update(.key(.enter)) == [.loadCanned])
        _ = mode.update(
            .event(
                .canned([
                    CannedResponse(
                        id: 2, shortcut: "thanks", title: "Thanks", body: "Thanks {customer.name}",
                        shared: true, ownerId: 1)
                ])))
        #expect(mode.currentTab?.editor.text == "Thanks Dana Doe")
        // Still unknown after asking: the picker, with what was typed.
        mode.tabs[0].editor = LineEditor()
        for c in "/canned nothing-like-it" { _ = mode.update(.key(.char(c))) }
        #expect(mode.update(.key(.enter)) == [.loadCanned])
        #expect(mode.update(.event(.canned([]))).isEmpty)
        #expect(mode.picker == nil && mode.toasts.current?.text == "No canned responses yet — /canned-new makes one")
        // C-t with none known asks too.
        #expect(mode.update(.key(.ctrl("t"))) == [.loadCanned])
    }

    /// The event loop draws only when the state compares unequal: everything the view draws is
    /// compared (the hand-written `==` left out the server and the file being sent, so a change
    /// to either could leave the screen stale).
    @Test func everythingTheScreenShowsIsPartOfTheStatesEquality() {
        let mode = Self.console(tickets: [Self.ticket(1, "Parcel", agent: Self.me.ref, minutesAgo: 5)])
        var moved = mode
        moved.server = "http://127.0.0.1:9999"
        #expect(moved != mode && Self.lines(moved).joined() != Self.lines(mode).joined())
        var sending = mode
        sending.toasts.dismiss()
        let idle = sending
        sending.transfer = FileTransfer(clientMessageId: "c", ticketId: 1, name: "receipt.pdf", sent: 10, total: 100)
        #expect(sending != idle && Self.lines(sending).joined() != Self.lines(idle).joined())
        var resized = mode
        _ = resized.update(.resize(width: 100, height: 30))
        #expect(resized != mode)
    }

    /// One table of commands: help and Tab list every one of them, each is dispatched (none falls
    /// through to "unknown"), and where it applies comes from the table — `/filter` typed in a
    /// chat filters the queue beside it (it was "Unknown command" there).
    @Test func everyCommandComesFromTheOneTable() {
        let mode = Self.console(tickets: [
            Self.ticket(1, "Parcel", agent: Self.me.ref, minutesAgo: 5),
            Self.ticket(2, "Lamp", priority: .urgent, minutesAgo: 3),
        ])
        #expect(mode.commands.commands.map(\.name) == ConsoleCommand.allCases.map(\.rawValue))
        for command in ConsoleCommand.allCases where ![.quit, .logout, .launcher].contains(command) {
            var chat = Self.open(mode, 1)
            for c in "/\(command.rawValue)" { _ = chat.update(.key(.char(c))) }
            _ = chat.update(.key(.enter))
            #expect(chat.toasts.current?.text.hasPrefix("Unknown command") != true, "/\(command.rawValue)")
        }
        var chat = Self.open(mode, 1)
        for c in "/filter urgent" { _ = chat.update(.key(.char(c))) }
        _ = chat.update(.key(.enter))
        #expect(chat.filter.priorities == [.urgent] && chat.toasts.current?.text == "Showing urgent")
    }

    /// A refused message's toast goes when the message is discarded (it stayed, saying "not sent"
    /// of a message no longer there).
    @Test func discardingARefusedMessageTakesItsToastAway() {
        var mode = Self.open(Self.console(tickets: [Self.ticket(1, "Parcel", agent: Self.me.ref, minutesAgo: 5)]), 1)
        let refused = OutgoingMessage(
            clientMessageId: "m1", ticketId: 1, text: "BLOCKME", createdAt: World.start,
            state: .failed(code: .invalid, reason: "Blocked by this server's 'forbidden' rule."))
        _ = mode.update(.event(.realtime(.outgoing(refused))))
        #expect(mode.toasts.current?.text.hasPrefix("#1: not sent: Blocked") == true)
        _ = mode.update(.event(.realtime(.discarded(clientMessageId: "m1", ticketId: 1))))
        #expect(mode.toasts.items.allSatisfy { !$0.text.contains("not sent") })
        var customer = World.mode(tickets: [World.ticket(1, "Parcel")])
        _ = customer.update(.event(.realtime(.outgoing(refused))))
        #expect(customer.toasts.current?.text.hasPrefix("Not sent: ") == true)
        _ = customer.update(.event(.realtime(.discarded(clientMessageId: "m1", ticketId: 1))))
        #expect(customer.toasts.items.allSatisfy { !$0.text.hasPrefix("Not sent: ") })
    }

    /// The outbox file refusing a write is said on screen, not dropped.
    @Test func anOutboxThatCannotWriteIsSaid() {
        var mode = Self.console(tickets: [Self.ticket(1, "Parcel", agent: Self.me.ref, minutesAgo: 5)])
        _ = mode.update(
            .event(.realtime(.outboxTrouble("The outbox file could not mark a refused message (disk I/O error) — is the disk full?"))))
        #expect(mode.toasts.current?.kind == .error && mode.toasts.current?.text.hasPrefix("The outbox file could not mark") == true)
        var customer = World.mode(tickets: [World.ticket(1, "Parcel")])
        _ = customer.update(.event(.realtime(.outboxTrouble("The outbox file could not forget a message the server has (full)"))))
        #expect(customer.toasts.current?.text.hasPrefix("The outbox file could not forget") == true)
    }

    @Test func transferTakesANameWithTabAndLeavesTheNoteFirst() {
        var mode = Self.console(tickets: [Self.ticket(1, "Parcel", agent: Self.me.ref, minutesAgo: 5)])
        _ = mode.update(.key(.enter))
        // Tab after the command's space offers every name (here one: the agent is not among them).
        for c in "/transfer " { _ = mode.update(.key(.char(c))) }
        _ = mode.update(.key(.tab))
        #expect(mode.currentTab?.editor.text == "/transfer SamSecond ")
        mode.tabs[0].editor = LineEditor()
        for c in "/transfer Sa" { _ = mode.update(.key(.char(c))) }
        _ = mode.update(.key(.tab))
        #expect(mode.currentTab?.editor.text == "/transfer SamSecond ")
        for c in "customer wants a callback" { _ = mode.update(.key(.char(c))) }
        #expect(
            mode.update(.key(.enter)) == [
                .send(ticketId: 1, text: "Transfer to Sam Second: customer wants a callback", note: true),
                .transfer(ticketId: 1, agentId: 7),
            ])
        for c in "/priority urgent" { _ = mode.update(.key(.char(c))) }
        #expect(mode.update(.key(.enter)) == [.updateTicket(ticketId: 1, UpdateTicketRequest(priority: .urgent))])
        for c in "/assign nobody" { _ = mode.update(.key(.char(c))) }
        #expect(mode.update(.key(.enter)).isEmpty)
        #expect(mode.toasts.current?.text == "No agent called 'nobody' — Tab completes the names (2 known)")
    }

    @Test func aTicketAssignedToMeOpensItsOwnTabAndSaysSo() {
        var mode = Self.console(tickets: [Self.ticket(1, "Parcel", minutesAgo: 5), Self.ticket(2, "Other", minutesAgo: 3)])
        _ = mode.update(.key(.enter))  // #2 (newer, same priority: #1 waited longer and is first)
        let before = mode.current
        let effects = mode.update(.event(.realtime(.server(.agentAssigned(ticketId: 2, agent: Self.me.ref, previousAgent: nil)))))
        #expect(effects.contains(.notify(title: "#2 assigned to you", body: "Other")))
        #expect(mode.tabs.contains { $0.ticketId == 2 } && mode.current == before)
    }

    /// The toast of a new assignment says M-a shows it: it does, from the queue, also when that
    /// tab is the only one (so the current one, behind the queue) — a new ticket's customer waits.
    @Test func theHotlistFindsANewlyAssignedTicketFromTheQueue() {
        var mode = Self.console(width: 80, height: 24, tickets: [Self.ticket(1, "Parcel", minutesAgo: 5)])
        _ = mode.update(.event(.realtime(.server(.agentAssigned(ticketId: 1, agent: Self.me.ref, previousAgent: nil)))))
        #expect(mode.toasts.current?.text.contains("M-a") == true)
        #expect(mode.focus == .queue && mode.current == 0 && mode.tabs[0].activity == .waiting)
        _ = mode.update(.key(.alt("a")))
        #expect(mode.focus == .chat && mode.current == 0 && mode.tabs[0].activity == .none)
        // In front of the agent now: nothing else waits.
        _ = mode.update(.key(.alt("a")))
        #expect(mode.toasts.current?.text == "Nothing waits for you")
    }

    @Test func aTicketAssignedWhileTypingInTheQueueLineDoesNotTakeTheFocus() {
        var mode = Self.console(width: 100, height: 30, tickets: [Self.ticket(1, "Parcel", minutesAgo: 5)])
        #expect(mode.current == nil && mode.focus == .queue)
        for c in "/agen" { _ = mode.update(.key(.char(c))) }
        _ = mode.update(.event(.realtime(.server(.agentAssigned(ticketId: 1, agent: Self.me.ref, previousAgent: nil)))))
        #expect(mode.tabs.contains { $0.ticketId == 1 })
        #expect(mode.focus == .queue && mode.usesQueueLine)
        _ = mode.update(.key(.char("t")))
        #expect(Self.lines(mode).joined().contains("/agent"))
    }

    @Test func theHeaderShowsWhetherTheCustomerIsThere() {
        var mode = Self.console(tickets: [Self.ticket(1, "Parcel", agent: Self.me.ref, minutesAgo: 5)])
        _ = mode.update(.key(.enter))
        _ = mode.update(
            .event(.realtime(.server(.userOffline(UserRef(id: 101, displayName: "Casey Customer", role: .customer, isOnline: false))))))
        #expect(Self.lines(mode)[3].contains("Casey Customer ○"))
        _ = mode.update(
            .event(.realtime(.server(.userOnline(UserRef(id: 101, displayName: "Casey Customer", role: .customer, isOnline: true))))))
        #expect(Self.lines(mode)[3].contains("Casey Customer ●"))
    }

    @Test func narrowShowsOnePaneAtATime() {
        var mode = Self.console(width: 80, height: 24, tickets: [Self.ticket(1, "Parcel", agent: Self.me.ref, minutesAgo: 5)])
        #expect(Self.lines(mode)[1].contains("Unassigned 0  Mine 1"))
        _ = mode.update(.key(.enter))
        #expect(!Self.lines(mode)[1].contains("Unassigned") && Self.lines(mode)[1].contains("1:#1 Casey Customer"))
        _ = mode.update(.key(.backTab))
        #expect(Self.lines(mode)[1].contains("Unassigned"))
        #expect(Self.lines(mode).allSatisfy { TextWidth.of($0) <= 80 })
    }

    @Test func availabilityIsOneKeyAndShownInTheStatusBar() {
        var mode = Self.console(tickets: [])
        #expect(Self.lines(mode)[29].contains("● online · mine 0 · unassigned 0 · tabs 0"))
        #expect(mode.update(.key(Key(.function(6)))) == [.setAvailability(.busy)])
        #expect(Self.lines(mode)[29].contains("◐ busy"))
        _ = mode.update(.event(.realtime(.server(.agentStatusChanged(agent: Self.me.ref, status: .away)))))
        #expect(Self.lines(mode)[29].contains("○ away"))
    }

    /// Signed in while offline (this console is the first connection): the server makes the agent
    /// online as it connects, so F6 pressed before it says so goes to busy, not back to online.
    @Test func f6RightAfterSigningInStepsFromOnline() {
        var mode = ConsoleMode(server: "http://127.0.0.1:8080", username: "alex", signingIn: true, size: (120, 30), now: World.start)
        var offline = Self.me
        offline.agentStatus = .offline
        _ = mode.update(.event(.signedIn(offline)))
        _ = mode.update(.event(.agents([AgentLoad(agent: offline.ref, status: .offline, activeChats: 0, capacity: 5)])))
        #expect(mode.update(.key(Key(.function(6)))) == [.setAvailability(.busy)])
    }
}

@Suite struct ConsoleQueueTests {
    @Test func filtersNarrowTheQueue() {
        var mode = ConsoleModeTests.console(tickets: [
            ConsoleModeTests.ticket(1, "Broken lamp", priority: .high, minutesAgo: 9),
            ConsoleModeTests.ticket(2, "Invoice copy", minutesAgo: 5),
            ConsoleModeTests.ticket(3, "Lamp again", priority: .high, minutesAgo: 3),
        ])
        for c in "/filter high lamp" { _ = mode.update(.key(.char(c))) }
        _ = mode.update(.key(.enter))
        #expect(mode.shownQueue.map(\.id) == [1, 3])
        #expect(ConsoleModeTests.lines(mode)[2].contains("filter: high · “lamp”"))
        for c in "/filter" { _ = mode.update(.key(.char(c))) }
        _ = mode.update(.key(.enter))
        #expect(mode.shownQueue.count == 3)
    }

    @Test func markedTicketsAreClosedTogetherAfterAskingOnce() {
        var mode = ConsoleModeTests.console(tickets: (1...4).map { ConsoleModeTests.ticket($0, "T\($0)", minutesAgo: Double(10 - $0)) })
        for _ in 0..<3 { _ = mode.update(.key(.char(" "))) }  // marks three, moving down
        #expect(mode.markedTickets.map(\.id) == [1, 2, 3])
        #expect(ConsoleModeTests.lines(mode)[2].contains("3 marked"))
        for c in "/close" { _ = mode.update(.key(.char(c))) }
        #expect(mode.update(.key(.enter)).isEmpty)
        #expect(ConsoleModeTests.lines(mode).joined().contains("Close 3 tickets?"))
        _ = mode.update(.key(.char("y")))
        // (The effects come with the confirming key.)
        var again = ConsoleModeTests.console(tickets: (1...4).map { ConsoleModeTests.ticket($0, "T\($0)", minutesAgo: Double(10 - $0)) })
        for _ in 0..<3 { _ = again.update(.key(.char(" "))) }
        for c in "/close" { _ = again.update(.key(.char(c))) }
        _ = again.update(.key(.enter))
        #expect(again.update(.key(.char("y"))) == (1...3).map { .updateTicket(ticketId: $0, UpdateTicketRequest(status: .closed)) })
        #expect(again.markedTickets.isEmpty)
    }

    @Test func claimingMarkedTicketsClaimsEachOne() {
        var mode = ConsoleModeTests.console(tickets: (1...3).map { ConsoleModeTests.ticket($0, "T\($0)", minutesAgo: Double(10 - $0)) })
        _ = mode.update(.key(.char(" ")))
        _ = mode.update(.key(.char(" ")))
        #expect(mode.update(.key(.char("c"))) == [.claim(ticketId: 1), .claim(ticketId: 2)])
        for c in "/priority urgent" { _ = mode.update(.key(.char(c))) }
        // The marks were used; now the chosen one (Space moved down to #3).
        #expect(mode.update(.key(.enter)) == [.updateTicket(ticketId: 3, UpdateTicketRequest(priority: .urgent))])
    }
}

@Suite struct ConsoleCannedTests {
    @Test func cannedResponsesAreMadeEditedAndDeletedFromTheConsole() {
        var mode = ConsoleModeTests.console(tickets: [])
        _ = mode.update(
            .event(
                .canned([
                    CannedResponse(id: 5, shortcut: "mine", title: "Mine", body: "old", shared: false, ownerId: 2),
                    CannedResponse(id: 6, shortcut: "shared", title: "Shared", body: "x", shared: true, ownerId: 1),
                ])))
        for c in "/canned-new" { _ = mode.update(.key(.char(c))) }
        _ = mode.update(.key(.enter))
        #expect(ConsoleModeTests.lines(mode).joined().contains("New canned response"))
        for c in "Bad Name" { _ = mode.update(.key(.char(c))) }
        _ = mode.update(.key(.ctrl("s")))
        #expect(ConsoleModeTests.lines(mode).joined().contains("⚠ 1–32 of a-z 0-9 _ -"))
        _ = mode.update(.key(.ctrl("u")))
        for c in "thanks" { _ = mode.update(.key(.char(c))) }
        _ = mode.update(.key(.tab))
        for c in "Thanks" { _ = mode.update(.key(.char(c))) }
        _ = mode.update(.key(.tab))
        for c in "Thank you, {customer.name}!" { _ = mode.update(.key(.char(c))) }
        #expect(
            mode.update(.key(.ctrl("s"))) == [
                .createCanned(
                    CannedResponseRequest(
                        shortcut: "thanks", title: "Thanks",
                        body: "Thank you, {customer.name}!"))
            ])
        _ = mode.update(.event(.canned(mode.canned)))
        #expect(mode.cannedForm == nil)
        for c in "/canned-edit shared" { _ = mode.update(.key(.char(c))) }
        _ = mode.update(.key(.enter))
        #expect(mode.toasts.current?.text == "/shared is shared; only admins change shared responses")
        for c in "/canned-rm mine" { _ = mode.update(.key(.char(c))) }
        _ = mode.update(.key(.enter))
        #expect(mode.update(.key(.char("y"))) == [.deleteCanned(id: 5)])
    }
}
