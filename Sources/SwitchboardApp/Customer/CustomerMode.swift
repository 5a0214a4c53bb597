import Foundation
import SwitchboardClient
import SwitchboardProtocol
import TerminalKit

/// Customer mode: sign in, the list of one's tickets, a new-ticket form, and the chat of the
/// ticket that is open. A value: `update` takes an input and returns effects; `view` draws.
public struct CustomerMode: Equatable, Sendable, ChatScreenMode {
    public enum Focus: Equatable, Sendable { case list, chat }

    public typealias Phase = ModePhase

    public var phase: Phase
    public internal(set) var me: User?
    public internal(set) var tickets: [Ticket] = []
    public internal(set) var list = ListView()
    /// nil: every status.
    public internal(set) var filter: TicketStatus?
    public internal(set) var chat: Conversation?
    public var editor = LineEditor()
    public internal(set) var focus = Focus.list
    public internal(set) var form: Form?
    public internal(set) var confirm: ConfirmDialog?
    /// Ctrl-F: the search being typed (nil when not searching).
    public internal(set) var searchPrompt: LineEditor?
    /// `/find`'s hits over the customer's tickets (nil: none asked for).
    public internal(set) var found: FindResults?
    /// The hit opened last: its message is marked once its page is in.
    var foundHit: SearchHit?
    /// Asking for the rating of a resolved ticket (nil when not asking).
    public internal(set) var rating: RatingPrompt?
    /// Tickets whose rating this run has asked for already (asked again only after a new resolution).
    var askedForRating: Set<Int> = []
    /// The ticket whose rating is on its way to the server.
    var ratingSent: Int?
    /// First line of the help overlay shown (nil: no help).
    public internal(set) var helpOffset: Int?
    /// The server, the clock, the size, the toasts: what every mode holds alike.
    public internal(set) var basics: ModeBasics
    /// The connection, the outbox, a file going up: what the chatting modes hold alike.
    public internal(set) var link = ChatLink()
    public var keys = CustomerAction.defaultKeys
    public var timeZone = TimeZone.current
    var loadingTickets = false
    /// The ticket to open once it is in the list (`/open N` before the list came).
    var pendingOpen: Int?
    var typing = TypingSignal()

    /// The slash commands (`CustomerCommand`), as help and Tab read them.
    public let commands = CustomerCommand.table

    public init(
        server: String, username: String = "", signingIn: Bool = false, fromLauncher: Bool = false,
        size: (width: Int, height: Int), now: Date, limits: Limits = Limits()
    ) {
        phase = .signIn(SignInScreen(server: server, username: username, busy: signingIn))
        basics = ModeBasics(server: server, limits: limits, fromLauncher: fromLauncher, size: size, now: now)
    }

    // MARK: What is shown

    /// Tickets after the filter, newest activity first.
    public var shownTickets: [Ticket] {
        tickets.filter { filter == nil || $0.status == filter }.sorted { activity($0) > activity($1) }
    }

    private func activity(_ ticket: Ticket) -> Date { max(ticket.updatedAt, ticket.lastMessage?.timestamp ?? .distantPast) }

    var layout: CustomerLayout {
        CustomerLayout.compute(
            width: size.width, height: size.height, showChat: chat != nil, focus: focus,
            inputLines: editor.lineCount)
    }

    /// Whether the chat pane is on screen (always when wide; when it has the focus when narrow).
    var chatVisible: Bool { layout.conversation != nil }

    // MARK: Update

    public mutating func update(_ input: ModeInput) -> [Effect] { route(input) }

    var helpTitle: String { "Customer — keys and commands" }

    mutating func paste(signedIn text: String) {
        if form != nil {
            form!.fields[form!.focus].editor.paste(text)
        } else {
            editor.paste(text)
            focus = chat != nil && !chatVisibleWithout(focus: .chat) ? .chat : focus
        }
    }

    mutating func settle() -> [Effect] {
        fitToLayout()
        return readMarks()
    }

    private func chatVisibleWithout(focus: Focus) -> Bool { size.width >= CustomerLayout.wideFrom }

    /// Keeps the list's page and the chat's area as the layout now has them.
    private mutating func fitToLayout() {
        let layout = self.layout
        list.setPageSize(layout.ticketRows)
        list.resize(to: shownTickets.count)
        if let rect = layout.conversation { chat?.area = (rect.width - 1, rect.height) }
    }

    // MARK: Events

    mutating func receive(_ event: AppEvent) -> [Effect] {
        switch event {
        case .signedIn(let user):
            me = user
            phase = .main
            loadingTickets = true
            return [.loadTickets]
        case .signedOut:
            let ended = loginEnded
            self = CustomerMode(
                server: server, username: me?.username ?? "", fromLauncher: fromLauncher, size: size, now: now,
                limits: limits)
            if ended, case .signIn(var screen) = phase {
                screen.refused(SignInScreen.loginEnded)
                phase = .signIn(screen)
            }
            return []
        case .tickets(let all):
            loadingTickets = false
            changeTickets { $0 = all }
            var effects = joinAll()
            if let id = pendingOpen {
                pendingOpen = nil
                effects += openTicketChat(id)
            }
            // A visit: a resolution not rated yet is asked about (once more at most, as the server counts).
            return effects + askForRating(only: nil)
        case .ticketOpened(let ticket):
            // The server masks card numbers (and its own rules' matches) before storing: say so.
            let typed = form.map { NewTicketForm.request($0.values) }
            let masked = typed.map { $0.subject != ticket.subject || $0.description != ticket.description } ?? false
            form = nil
            upsert(ticket)
            let who = ticket.assignedAgent.map { "\($0.shown) has it" } ?? "it waits in the queue for the next agent"
            // (Who has it is in the header too: the masking is the news here.)
            toasts.show(
                "Ticket #\(ticket.id) opened — " + (masked ? "🔒 part of it was masked before it was stored" : who),
                kind: .success, now: now)
            return [.join(ticketId: ticket.id, sinceSeq: 0)] + openTicketChat(ticket.id)
        case .ticketChanged(let ticket):
            upsert(ticket)
            if chat?.ticket.id == ticket.id { chat?.ticket = ticket }
            if ratingSent == ticket.id, let given = ticket.rating {
                ratingSent = nil
                toasts.show("Thank you — #\(ticket.id) rated \(given.stars)", kind: .success, now: now)
            }
            return []
        case .page(let id, let page, let older):
            guard chat?.ticket.id == id else { return [] }
            if older {
                chat?.insertOlder(page)
                return markFoundHit()
            }
            chat?.timeline.insertLatest(page)
            return [.join(ticketId: id, sinceSeq: chat?.timeline.newestSeq ?? 0)] + markFoundHit()
        case .found(let query, let page, let first):
            if found?.query == query { found?.add(page, first: first) }
            return []
        case .connection(let state):
            if state != .connected { chat?.timeline.connectionLost() }
            return connectionChanged(to: state)
        case .outbox(let count):
            queued = count
            return []
        case .realtime(let event):
            return realtime(event)
        case .edited(let text):
            if let text {
                editor.replace(with: text)
            } else {
                toasts.show("the editor failed; the line is as it was", kind: .error, now: now)
            }
            return []
        case .failed(let request, let error):
            return failed(request, error)
        case .notice(let text):
            toasts.show(text, kind: .error, now: now)
            return []
        case .pathCompletions(let typed, let candidates):
            FileTransfer.complete(&editor, typed: typed, with: candidates, toasts: &basics.toasts, now: basics.now)
            return []
        case .fileSaved(let what, let path):
            toasts.show("\(what) is in \(path)", kind: .success, now: now)
            return []
        case .agents, .canned, .tester, .dashboard, .adminAgents, .report, .serverStatistics, .agentChanged, .userCreated, .targets,
            .mentions, .integrations, .deliveries, .integrationChanged:
            return []  // the console's and the tester's
        }
    }

    private mutating func failed(_ request: Request, _ error: APIError) -> [Effect] {
        switch request {
        case .signIn, .register:
            if case .signIn(var screen) = phase {
                screen.refused(error.sentence)
                phase = .signIn(screen)
            }
        case .openTicket:
            if form != nil, let field = NewTicketForm.field(of: error.message),
                let index = form!.fields.firstIndex(where: { $0.name == field })
            {
                form!.fields[index].error = String(error.message.dropFirst(field.count + 1)).trimmingCharacters(in: .whitespaces)
            } else {
                toasts.show("The ticket was not opened: \(error.sentence)", kind: .error, now: now)
            }
        case .tickets:
            loadingTickets = false
            toasts.show("The tickets could not be loaded: \(error.sentence)", kind: .error, now: now)
        case .messages:
            chat?.loadingOlder = false
            toasts.show("The messages could not be loaded: \(error.sentence)", kind: .error, now: now)
        case .setStatus:
            toasts.show(error.sentence, kind: .error, now: now)
        case .find, .fetchTicket:
            found?.failed()
            toasts.show("The search failed: \(error.sentence)", kind: .error, now: now)
        case .rate(let id):
            ratingSent = nil
            toasts.show("The rating of #\(id) was not saved: \(error.sentence)", kind: .error, now: now)
        case .outbox:
            toasts.show("The message was not saved to send: \(error.sentence)", kind: .error, now: now)
        case .upload:
            transfer = nil
            toasts.show(FileTransfer.notSent(error), kind: .error, now: now)
        case .download:
            toasts.show("Not saved: \(error.sentence)", kind: .error, now: now)
        case .agents, .canned, .ticketAction, .claim, .admin, .createUser, .targets, .integrations:
            toasts.show(error.sentence, kind: .error, now: now)
        }
        return []
    }

    private mutating func realtime(_ event: RealtimeEvent) -> [Effect] {
        var effects: [Effect] = []
        unsent.follow(event)
        // Frames about the open ticket, and presence (which names no ticket), go to the chat.
        if let open = chat, Self.ticketId(of: event).map({ $0 == open.ticket.id }) ?? true {
            chat?.apply(event, now: basics.now)
        }
        if let sent = FileTransfer.follow(event, &transfer) { toasts.show("\(Sanitizer.clean(sent)) sent", kind: .success, now: now) }
        if case .movedTo(let next, let from) = event { movedTo(next, from: from) }
        if case .outboxTrouble(let sentence) = event { toasts.show(sentence, kind: .error, now: now) }
        guard case .server(let server) = event else {
            if case .outgoing(let message) = event, case .failed(_, let reason) = message.state {
                toasts.show("Not sent: \(reason)", kind: .error, now: now)
            }
            // Discarded: what said it was not sent is over.
            if case .discarded = event { toasts.dismiss { $0.text.hasPrefix("Not sent: ") } }
            return effects
        }
        switch server {
        case .userOnline(let user), .userOffline(let user):
            let online = if case .userOnline = server { true } else { false }
            for index in tickets.indices where tickets[index].assignedAgent?.id == user.id {
                tickets[index].assignedAgent?.isOnline = online
            }
        case .ticketCreated(let ticket), .ticketUpdated(let ticket):
            upsert(ticket)
        case .agentAssigned(let id, let agent, _):
            changeTickets { tickets in if let index = tickets.firstIndex(where: { $0.id == id }) { tickets[index].assignedAgent = agent } }
            if chat?.ticket.id != id { toasts.show("#\(id): \(agent.shown) is handling it", now: now) }
        case .ticketStatusChanged(let id, let status, let previous, _):
            changeTickets { tickets in
                guard let index = tickets.firstIndex(where: { $0.id == id }) else { return }
                tickets[index].status = status
                // A new resolution: rated afresh, asked afresh.
                if previous.isActive && !status.isActive { (tickets[index].rating, tickets[index].ratingAsks) = (nil, 0) }
            }
            if status.isActive {
                askedForRating.remove(id)
                if rating?.ticketId == id { rating = nil }
            } else if previous.isActive {
                effects += askForRating(only: id)
            }
        case .ticketMerged(let id, let into):
            effects += merged(id, into: into)
        case .receiveMessage(let id, let message):
            guard tickets.contains(where: { $0.id == id }) else { break }
            let fromOthers = message.sender.id != me?.id
            // What a merge brought over was news when it was written, not now.
            let news = fromOthers && message.mergedFromTicketId == nil
            // Someone looking at the chat sees the reply; anyone else is told of it.
            let watching = focused && chat?.ticket.id == id && chatVisible && chat?.isAtBottom == true
            changeTickets { tickets in
                guard let index = tickets.firstIndex(where: { $0.id == id }) else { return }
                if tickets[index].lastMessage.map({ $0.seq < message.seq }) ?? true { tickets[index].lastMessage = message }
                if fromOthers && !watching { tickets[index].unreadCount += 1 }
            }
            if news && !watching {
                effects.append(.notify(title: "\(message.sender.displayName) on #\(id)", body: message.message))
            }
        case .ticketDeleted(let id):
            changeTickets { $0.removeAll { $0.id == id } }
            if chat?.ticket.id == id {
                chat = nil
                focus = .list
            }
            toasts.show("Ticket #\(id) was deleted by support", now: now)
        default:
            break
        }
        return effects
    }

    // MARK: Ratings and merges

    /// Asks for a rating where one is due: `only` that ticket (its resolution was just seen), or
    /// (a visit) the latest resolution of the last two weeks not yet rated. One at a time; each
    /// ask is counted by the server, which stops the asking after the second.
    mutating func askForRating(only id: Int?) -> [Effect] {
        guard rating == nil, form == nil, confirm == nil, me?.role == .customer else { return [] }
        let recent = now.addingTimeInterval(-14 * 86_400)
        let due = tickets.filter { ticket in
            ticket.wantsRating && !askedForRating.contains(ticket.id) && (id.map { $0 == ticket.id } ?? true)
                && (ticket.resolvedAt ?? ticket.updatedAt) >= recent
        }
        guard let ticket = due.max(by: { ($0.resolvedAt ?? $0.updatedAt) < ($1.resolvedAt ?? $1.updatedAt) }) else { return [] }
        return ask(ticket.id)
    }

    /// Shows the prompt for the ticket and has the ask counted.
    mutating func ask(_ id: Int) -> [Effect] {
        rating = RatingPrompt(ticketId: id)
        guard askedForRating.insert(id).inserted else { return [] }
        changeTickets { tickets in
            if let index = tickets.firstIndex(where: { $0.id == id }) { tickets[index].ratingAsks = (tickets[index].ratingAsks ?? 0) + 1 }
        }
        return [.ratingAsked(ticketId: id)]
    }

    /// Ticket `id` was merged into `into`: the conversation goes on there, on screen too.
    private mutating func merged(_ id: Int, into: Int) -> [Effect] {
        guard tickets.contains(where: { $0.id == id }) else { return [] }
        changeTickets { tickets in
            if let index = tickets.firstIndex(where: { $0.id == id }) {
                tickets[index].mergedIntoId = into
                tickets[index].status = .closed
            }
        }
        if rating?.ticketId == id { rating = nil }
        toasts.show("#\(id) was merged into #\(into) — the conversation goes on there", now: now)
        guard chat?.ticket.id == id else { return [] }
        var effects: [Effect] = [.join(ticketId: into, sinceSeq: tickets.first(where: { $0.id == into })?.lastMessage?.seq ?? 0)]
        chat = nil
        effects += openTicketChat(into)
        return effects
    }

    static func ticketId(of event: RealtimeEvent) -> Int? {
        switch event {
        case .server(let server): server.ticketId
        case .outgoing(let message), .uploading(let message, _): message.ticketId
        case .discarded(_, let ticketId): ticketId
        case .undecodable, .movedTo, .outboxTrouble: nil
        }
    }

    mutating func upsert(_ ticket: Ticket) {
        // A customer hears only of their own tickets; staff using this chat (until the console) of all.
        guard me == nil || me?.role.isStaff == true || ticket.customer.id == me?.id else { return }
        var ticket = ticket
        // The server may have counted before our latest read mark reached it; for the open chat
        // this client knows what has been read.
        if let open = chat, open.ticket.id == ticket.id { ticket.unreadCount = open.unreadFromOthers }
        changeTickets { tickets in
            if let index = tickets.firstIndex(where: { $0.id == ticket.id }) { tickets[index] = ticket } else { tickets.append(ticket) }
        }
    }

    /// Changes the tickets (which may reorder the list) with the selection staying on the same ticket.
    mutating func changeTickets(_ change: (inout [Ticket]) -> Void) {
        let shown = shownTickets
        let selected = shown.indices.contains(list.selected) ? shown[list.selected].id : nil
        change(&tickets)
        let now = shownTickets
        list.resize(to: now.count)
        if let selected, let index = now.firstIndex(where: { $0.id == selected }) { list.select(index) }
    }

    /// Live news of every ticket not closed: its room, from the last message held.
    private func joinAll() -> [Effect] {
        tickets.filter { $0.status != .closed }.map { .join(ticketId: $0.id, sinceSeq: $0.lastMessage?.seq ?? 0) }
    }

    // MARK: Opening a chat

    mutating func openTicketChat(_ id: Int) -> [Effect] {
        guard let ticket = tickets.first(where: { $0.id == id }), let me else {
            if loadingTickets || tickets.isEmpty {
                pendingOpen = id
                return []
            }
            toasts.show("You have no ticket #\(id)", kind: .error, now: now)
            return []
        }
        focus = .chat
        if chat?.ticket.id == id { return [] }
        var conversation = Conversation(ticket: ticket, me: me.ref, timeZone: timeZone)
        conversation.failureHint = Conversation.failureHint(
            edit: keys.keys(for: .editMessage), retry: keys.keys(for: .retryMessage),
            discard: keys.keys(for: .discardMessage))
        if ticket.unreadCount > 0, let last = ticket.lastMessage?.seq {
            conversation.firstUnseenSeq = max(1, last - ticket.unreadCount + 1)
        }
        unsent.seed(&conversation, now: now)
        chat = conversation
        if let index = shownTickets.firstIndex(where: { $0.id == id }) { list.select(index) }
        return [.loadLatest(ticketId: id)]
    }

    // MARK: Read marks and typing

    /// What is on screen in the open chat is read.
    mutating func readMarks() -> [Effect] {
        // Read means on screen, in a window someone is looking at.
        guard phase == .main, focused, let open = chat, chatVisible, helpOffset == nil, form == nil else { return [] }
        guard let newest = open.newestToMarkRead else { return [] }
        chat?.readSent = newest
        if open.isAtBottom { chat?.seen() }
        if let index = tickets.firstIndex(where: { $0.id == open.ticket.id }) {
            tickets[index].unreadCount = chat?.unreadFromOthers ?? 0
        }
        return [.markRead(ticketId: open.ticket.id, upToSeq: newest)]
    }

    /// Stops "typing" a few seconds after the last key.
    mutating func typingTimeout() -> [Effect] {
        guard let id = chat?.ticket.id, typing.timedOut(now: now, lastKeystroke: lastKeystroke) else { return [] }
        return [.typing(ticketId: id, active: false)]
    }

    /// After an edit of the line: start typing (refreshed every 3 s), or stop when it is emptied.
    mutating func typingAfterEdit() -> [Effect] {
        guard let id = chat?.ticket.id, let active = typing.edited(editor.text, now: now) else { return [] }
        return [.typing(ticketId: id, active: active)]
    }
}
