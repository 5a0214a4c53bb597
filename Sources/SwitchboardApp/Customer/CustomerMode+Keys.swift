import Foundation
import SwitchboardProtocol
import TerminalKit

extension CustomerMode {
    // MARK: Keys

    mutating func press(signedIn key: Key) -> [Effect] {
        if confirm != nil { return confirmKey(key) }
        if form != nil { return formKey(key) }
        if searchPrompt != nil { return searchKey(key) }
        if let effects = findKey(key) { return effects }
        if rating != nil, let effects = ratingKey(key) { return effects }
        if let action = action(for: key) { return perform(action, key: key) }
        if focus == .list, editor.isEmpty, list.handle(key, pageSize: layout.ticketRows) { return [] }
        if focus == .list, editor.isEmpty, key == .enter {
            let shown = shownTickets
            return shown.indices.contains(list.selected) ? open(ticket: shown[list.selected].id) : []
        }
        if focus == .chat, editor.isEmpty, let open = chat?.search, !open.hits.isEmpty, key == .char("n") || key == .char("N") {
            chat?.nextHit(forward: key == .char("n"))
            return []
        }
        if editor.isEmpty, key == .home || key == .end { return perform(key == .home ? .scrollTop : .scrollBottom, key: key) }
        return edit(key)
    }

    /// The mode's own binding for `key`, if it takes it here: list keys only with the focus on
    /// the list and nothing typed; Tab completes when there is something to complete.
    private func action(for key: Key) -> CustomerAction? {
        guard case .action(let action) = keys.resolve(key) else {
            return key == .backTab ? .switchPane : nil
        }
        if key.typesText && (focus != .list || !editor.isEmpty) { return nil }
        if action == .switchPane && key == .tab && focus == .chat && completable { return nil }
        return action
    }

    /// The word before the cursor is a command or an emoji shortcode.
    private var completable: Bool {
        let word = editor.text.split(separator: " ", omittingEmptySubsequences: false).last.map(String.init) ?? ""
        return word.hasPrefix("/") || word.hasPrefix(":") || editor.text.hasPrefix("/")
    }

    mutating func perform(_ action: CustomerAction, key: Key) -> [Effect] {
        switch action {
        case .quit: return [.quit]
        case .help: helpOffset = 0
        case .launcher: return fromLauncher ? [.backToLauncher] : []
        case .retryConnection:
            toasts.show("Reconnecting…", now: now)
            return [.reconnectNow]
        case .switchPane:
            if chat == nil {
                focus = .list
                toasts.show("Open a ticket first: Enter on the list, or n for a new one", now: now)
            } else {
                focus = focus == .list ? .chat : .list
            }
        case .newTicket: openForm()
        case .back:
            if chat?.search != nil { chat?.search = nil } else if focus == .chat { focus = .list } else { toasts.dismiss() }
        case .scrollUp: return scroll(by: chatPage)
        case .scrollDown: return scroll(by: -chatPage)
        case .scrollTop: return scroll(by: 1_000_000)
        case .scrollBottom: chat?.scrollToBottom()
        case .search:
            guard chat != nil else { return [] }
            searchPrompt = LineEditor()
        case .retryMessage: return (chat?.timeline.failedIds ?? []).map { .retry(clientMessageId: $0) }
        case .discardMessage: return (chat?.timeline.failedIds ?? []).map { .discard(clientMessageId: $0) }
        case .editMessage:
            guard let failed = FailedMessage.takeBack(from: chat?.timeline, into: &editor, toasts: &basics.toasts, now: basics.now) else {
                return []
            }
            focus = .chat
            return [.discard(clientMessageId: failed.clientMessageId)]
        case .filter:
            let order: [TicketStatus?] = [nil, .open, .inProgress, .resolved, .closed]
            let next = order[((order.firstIndex(of: filter) ?? 0) + 1) % order.count]
            filter = next
            list.resize(to: shownTickets.count)
            list.select(0)
        case .refresh:
            return [.loadTickets]
        }
        return []
    }

    private var chatPage: Int { max(1, (chat?.area.height ?? 10) - 2) }

    private mutating func scroll(by lines: Int) -> [Effect] {
        guard chat != nil else { return [] }
        if chat!.scroll(by: lines), let oldest = chat!.timeline.oldestSeq {
            chat!.loadingOlder = true
            return [.loadOlder(ticketId: chat!.ticket.id, beforeSeq: oldest)]
        }
        return []
    }

    private mutating func open(ticket id: Int) -> [Effect] {
        var effects: [Effect] = []
        if let previous = chat?.ticket.id, previous != id, chat?.ticket.status == .closed { effects.append(.leave(ticketId: previous)) }
        let wasOpen = chat?.ticket.id
        effects += openTicketChat(id)
        if wasOpen != id, let ticket = tickets.first(where: { $0.id == id }), ticket.status == .closed {
            effects.append(.join(ticketId: id, sinceSeq: 0))
        }
        return effects
    }

    mutating func openForm() {
        form = NewTicketForm.make(compact: size.height < 26)
    }

    // MARK: The compose line

    private mutating func edit(_ key: Key) -> [Effect] {
        let before = editor.text
        switch editor.handle(key) {
        case .submit(let text):
            return submit(text)
        case .confirmSubmit(let lines):
            confirm = ConfirmDialog("Send these \(lines) pasted lines as one message?", yes: "Send", no: "Keep editing")
            return []
        case .complete(let word):
            // A path after /attach is the file system's to complete: asked for, answered as an event.
            if let typed = FileTransfer.pathToComplete(editor.text) { return [.completePath(typed)] }
            let candidates =
                commands.candidates(line: editor.text, word: word) { name in completions(for: name) }
                + Emoji.completions(for: word)
            let matches = editor.complete(with: candidates)
            if matches.count > 1 { toasts.show(matches.prefix(12).joined(separator: "  "), now: now) }
            return []
        case .openEditor(let text):
            return [.openEditor(text)]
        case .unhandled:
            return []
        case .handled:
            if focus == .list, !editor.isEmpty, chat != nil, !editor.text.hasPrefix("/") { focus = .chat }
            return editor.text != before ? typingAfterEdit() : []
        }
    }

    private func completions(for command: String) -> [String] {
        switch CustomerCommand(named: command) {
        case .open: tickets.map { String($0.id) }
        case .filter: ["all", "open", "in-progress", "resolved", "closed"]
        default: []
        }
    }

    private mutating func submit(_ text: String) -> [Effect] {
        if let (name, argument) = SlashCommands.parse(text) { return command(name, argument, line: text) }
        guard let open = chat else {
            editor.replace(with: text)
            toasts.show("Open a ticket first: Enter on the list, or /new", kind: .error, now: now)
            return []
        }
        let message = Emoji.expand(SlashCommands.unescape(text)).trimmingCharacters(in: .whitespacesAndNewlines)
        if let tooLong = limits.messageTooLong(message) {
            editor.replace(with: text)
            toasts.show(tooLong, kind: .error, now: now)
            return []
        }
        if open.ticket.status == .closed {
            editor.replace(with: text)
            toasts.show("#\(open.ticket.id) is closed; open a new ticket with /new", kind: .error, now: now)
            return []
        }
        typing.sent()
        chat?.scrollToBottom()
        return [.send(ticketId: open.ticket.id, text: message)]
    }

    private mutating func command(_ name: String, _ argument: String, line: String) -> [Effect] {
        guard let command = CustomerCommand(named: name) else {
            editor.replace(with: line)
            toasts.show(
                "Unknown command /\(Sanitizer.clean(String(name.prefix(32)))) — /help lists them (send //\(name) to write it as text)",
                kind: .error, now: now)
            return []
        }
        switch command {
        case .new: openForm()
        case .open:
            guard let id = Int(argument.trimmingCharacters(in: CharacterSet(charactersIn: "# "))) else {
                toasts.show("/open N — the ticket's number, e.g. /open 12", kind: .error, now: now)
                return []
            }
            return open(ticket: id)
        case .close:
            guard let open = chat else { return noTicket() }
            guard open.ticket.status != .closed else {
                toasts.show("#\(open.ticket.id) is already closed", now: now)
                return []
            }
            confirm = ConfirmDialog(
                "Close #\(open.ticket.id) for good? A closed ticket cannot be reopened.", yes: "Close it",
                no: "Keep it open")
        case .reopen:
            guard let open = chat else { return noTicket() }
            guard open.ticket.status == .resolved else {
                let state = open.ticket.status.word
                toasts.show(
                    "#\(open.ticket.id) is \(state); only a resolved ticket is reopened (a closed one: /new)", kind: .error, now: now)
                return []
            }
            return [.setStatus(ticketId: open.ticket.id, .inProgress)]
        case .attach, .save:
            guard let open = chat else { return noTicket() }
            let result =
                command == .attach
                ? FileTransfer.attach(argument, ticketId: open.ticket.id, note: false)
                : FileTransfer.save(argument, in: open)
            switch result {
            case .success(let effect): return [effect]
            case .failure(let refusal): toasts.show(refusal.sentence, kind: .error, now: now)
            }
        case .search:
            guard chat != nil else { return noTicket() }
            guard !argument.isEmpty else {
                searchPrompt = LineEditor()
                return []
            }
            runSearch(argument)
        case .filter:
            let value = argument.trimmingCharacters(in: .whitespaces).lowercased()
            if value.isEmpty || value == "all" {
                filter = nil
            } else if let status = TicketStatus(word: value) {
                filter = status
            } else {
                toasts.show("/filter all, open, in-progress, resolved or closed", kind: .error, now: now)
            }
            list.resize(to: shownTickets.count)
        case .retry: return perform(.retryMessage, key: .escape)
        case .discard: return perform(.discardMessage, key: .escape)
        case .edit: return perform(.editMessage, key: .escape)
        case .refresh: return [.loadTickets]
        case .rate: return rateCommand(argument)
        case .find: return find(argument)
        case .help: helpOffset = 0
        case .logout: return [.signOut]
        case .launcher:
            guard fromLauncher else {
                toasts.show("This session was not started from the launcher", now: now)
                return []
            }
            return [.backToLauncher]
        case .quit: return [.quit]
        }
        return []
    }

    private mutating func noTicket() -> [Effect] {
        toasts.show("Open a ticket first: Enter on the list, or /new", kind: .error, now: now)
        return []
    }

    private mutating func runSearch(_ query: String) {
        chat?.find(query)
        let hits = chat?.search?.hits.count ?? 0
        toasts.show(
            hits == 0 ? "No message here contains “\(query)”" : "\(hits) found — n next, N previous, Esc ends the search",
            kind: hits == 0 ? .error : .info, now: now)
    }

    // MARK: Dialogs

    private mutating func confirmKey(_ key: Key) -> [Effect] {
        guard var dialog = confirm else { return [] }
        let outcome = dialog.handle(key)
        confirm = dialog
        switch outcome {
        case .asking: return []
        case .declined:
            confirm = nil
            return []
        case .confirmed:
            confirm = nil
            if dialog.yes == "Send" { return submit(editor.submitConfirmed()) }
            guard let id = chat?.ticket.id else { return [] }
            return [.setStatus(ticketId: id, .closed)]
        }
    }

    private mutating func formKey(_ key: Key) -> [Effect] {
        let limits = self.limits
        guard let values = fill(\.form, with: key, validate: { NewTicketForm.validate($0, limits: limits) }) else { return [] }
        return [.openTicket(NewTicketForm.request(values))]
    }

    /// The rating prompt's keys; nil for a key it leaves to the screen (moving about, quitting).
    private mutating func ratingKey(_ key: Key) -> [Effect]? {
        guard var prompt = rating else { return nil }
        if case .action(let action) = keys.resolve(key), [.quit, .help, .launcher].contains(action) { return nil }
        let outcome = prompt.handle(key)
        rating = prompt
        switch outcome {
        case .asking: return []
        case .passed: return nil
        case .dismissed:
            rating = nil
            toasts.show("Rate #\(prompt.ticketId) later with /rate while it is open", now: now)
            // A typed character was the start of a message: it goes into the line.
            return key.typesText ? nil : []
        case .rated(let request):
            rating = nil
            ratingSent = prompt.ticketId
            return [.rate(ticketId: prompt.ticketId, request)]
        }
    }

    /// `/rate`, `/rate 4`, `/rate 5 quick and kind`: the open chat's ticket, once it is resolved.
    private mutating func rateCommand(_ argument: String) -> [Effect] {
        guard let open = chat else { return noTicket() }
        let ticket = tickets.first { $0.id == open.ticket.id } ?? open.ticket
        guard !ticket.status.isActive else {
            toasts.show("#\(ticket.id) is \(ticket.status.word); a ticket is rated once it is resolved", kind: .error, now: now)
            return []
        }
        if let given = ticket.rating {
            toasts.show("#\(ticket.id) is rated already (\(given.stars)); each resolution is rated once", now: now)
            return []
        }
        let words = argument.trimmingCharacters(in: .whitespaces)
        guard !words.isEmpty else { return ask(ticket.id) }
        let parts = words.split(separator: " ", maxSplits: 1).map(String.init)
        guard let score = Int(parts[0]), TicketRating.scores.contains(score) else {
            toasts.show("/rate 1–5 [comment] — e.g. /rate 5 quick and kind", kind: .error, now: now)
            return []
        }
        ratingSent = ticket.id
        return [.rate(ticketId: ticket.id, RateTicketRequest(score: score, comment: parts.count > 1 ? parts[1] : nil))]
    }

    private mutating func searchKey(_ key: Key) -> [Effect] {
        guard var prompt = searchPrompt else { return [] }
        if key == .escape {
            searchPrompt = nil
            return []
        }
        let outcome = prompt.handle(key)
        searchPrompt = prompt
        if case .submit(let query) = outcome {
            searchPrompt = nil
            runSearch(query)
        }
        return []
    }

    /// The mode's keys, its commands, and the compose line's keys that the mode leaves to it
    /// (where both bind a key, the mode's wins, so only it is listed; Tab does both, by context).
    var helpRows: [HelpRow] {
        let taken = Set(keys.bindings.filter { $0.keys != [.tab] }.map(\.keys))
        let editing = KeyMap(editor.keys.bindings.filter { !taken.contains($0.keys) })
        return keys.helpRows + commands.helpRows + editing.helpRows
    }

    // MARK: Mouse

    mutating func click(_ mouse: MouseEvent) -> [Effect] {
        guard phase == .main, form == nil, helpOffset == nil else { return [] }
        let layout = self.layout
        switch mouse.kind {
        case .wheelUp where layout.conversation?.contains(x: mouse.x, y: mouse.y) == true: return scroll(by: 3)
        case .wheelDown where layout.conversation?.contains(x: mouse.x, y: mouse.y) == true: return scroll(by: -3)
        case .press:
            if let rect = layout.list, rect.contains(x: mouse.x, y: mouse.y), mouse.y > rect.y {
                let index = list.top + (mouse.y - rect.y - 1) / 2
                let shown = shownTickets
                guard shown.indices.contains(index) else { return [] }
                list.select(index)
                focus = .list
                return open(ticket: shown[index].id)
            }
            if layout.conversation?.contains(x: mouse.x, y: mouse.y) == true || layout.input.contains(x: mouse.x, y: mouse.y) {
                if chat != nil { focus = .chat }
            }
        default:
            break
        }
        return []
    }
}
