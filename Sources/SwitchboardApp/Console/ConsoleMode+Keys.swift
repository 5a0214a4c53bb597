import Foundation
import SwitchboardClient
import SwitchboardProtocol
import TerminalKit

extension ConsoleMode {
    mutating func press(signedIn key: Key) -> [Effect] {
        if confirm != nil { return confirmKey(key) }
        if picker != nil { return pickerKey(key) }
        if cannedForm != nil { return cannedFormKey(key) }
        if searchPrompt != nil { return searchKey(key) }
        if userForm != nil { return userFormKey(key) }
        if let effects = adminKey(key) { return effects }
        let editorEmpty = usesQueueLine ? queueLine.isEmpty : currentTab?.editor.isEmpty ?? true
        if focus == .queue, editorEmpty, key == .char("?") {
            helpOffset = 0
            return []
        }
        if let action = action(for: key, editorEmpty: editorEmpty) { return perform(action) }
        if focus == .queue, editorEmpty {
            if queue.handle(key, pageSize: max(1, ((layout.queue?.height ?? 4) - 2) / 2)) { return [] }
            if key == .enter {
                let shown = shownQueue
                return shown.indices.contains(queue.selected) ? openTab(shown[queue.selected].id) : []
            }
        }
        if focus == .chat, editorEmpty, let hits = currentTab?.conversation.search?.hits, !hits.isEmpty,
           key == .char("n") || key == .char("N"), let index = current {
            tabs[index].conversation.nextHit(forward: key == .char("n"))
            return []
        }
        return edit(key)
    }

    /// The console's binding for `key` here: queue keys only with the focus on the queue and
    /// nothing typed; Tab completes when a command, name or emoji is being typed.
    private func action(for key: Key, editorEmpty: Bool) -> ConsoleAction? {
        guard case .action(let action) = keys.resolve(key) else { return nil }
        if key.typesText && (focus != .queue || !editorEmpty) { return nil }
        if action == .focusNext, completable { return nil }
        return action
    }

    private var completable: Bool {
        guard let text = usesQueueLine ? queueLine.text : currentTab?.editor.text else { return false }
        let word = text.split(separator: " ", omittingEmptySubsequences: false).last.map(String.init) ?? ""
        return text.hasPrefix("/") || word.hasPrefix(":")
    }

    mutating func perform(_ action: ConsoleAction) -> [Effect] {
        switch action {
        case .quit: return [.quit]
        case .help: helpOffset = 0
        case .launcher: return fromLauncher ? [.backToLauncher] : []
        case .retryConnection:
            toasts.show("Reconnecting…", now: now)
            return [.reconnectNow]
        case .focusNext:
            if tabs.isEmpty { toasts.show("No chat open: Enter on a ticket opens one", now: now) } else {
                focus = focus == .queue ? .chat : .queue
                if focus == .chat, current == nil { select(0) }
            }
        case .focusPrevious: focus = .queue
        case .tab1, .tab2, .tab3, .tab4, .tab5, .tab6, .tab7, .tab8, .tab9:
            let index = ConsoleAction.numbered.firstIndex(of: action) ?? 0
            if tabs.indices.contains(index) { select(index) } else { toasts.show("There is no tab \(index + 1)", now: now) }
        case .nextTab: if let at = current, !tabs.isEmpty { select((at + 1) % tabs.count) }
        case .previousTab: if let at = current, !tabs.isEmpty { select((at + tabs.count - 1) % tabs.count) }
        case .closeTab: if let at = current { closeTab(at) }
        case .nextPane, .previousPane: movePane(forward: action == .nextPane)
        case .growPane, .shrinkPane: resizePane(by: action == .growPane ? 5 : -5)
        case .hottestTab:
            // The chat in front of the agent is not "waiting"; the current tab behind the queue may be.
            let inFront = focus == .chat ? current : nil
            if let index = Hotlist.hottest(tabs, besides: inFront) { select(index) } else { toasts.show("Nothing waits for you", now: now) }
        case .noteMode:
            guard let index = current else { return [] }
            tabs[index].noteMode.toggle()
            focus = .chat
        case .canned: return openPicker(matching: "")
        case .panel: panelShown.toggle()
        case .availability:
            let next: AgentStatus = switch availability {
            case .online: .busy
            case .busy: .away
            default: .online
            }
            return setAvailability(next)
        case .back:
            if let index = current, tabs[index].conversation.search != nil { tabs[index].conversation.search = nil }
            else if let index = current, tabs[index].noteMode { tabs[index].noteMode = false }
            else if panelShown { panelShown = false }
            else { focus = .queue }
        case .scrollUp: return scroll(by: chatPage)
        case .scrollDown: return scroll(by: -chatPage)
        case .scrollTop: return scroll(by: 1_000_000)
        case .scrollBottom: if let index = current { tabs[index].conversation.scrollToBottom() }
        case .search: if current != nil { searchPrompt = LineEditor() }
        case .retryMessage: return (currentTab?.conversation.timeline.failedIds ?? []).map { .retry(clientMessageId: $0) }
        case .discardMessage: return (currentTab?.conversation.timeline.failedIds ?? []).map { .discard(clientMessageId: $0) }
        case .editMessage:
            var editor = currentTab?.editor ?? LineEditor()
            guard let message = FailedMessage.takeBack(from: currentTab?.conversation.timeline, into: &editor, toasts: &toasts, now: now),
                  let index = current else { return [] }
            tabs[index].editor = editor
            tabs[index].noteMode = message.isInternal
            focus = .chat
            return [.discard(clientMessageId: message.clientMessageId)]
        case .nextSection, .previousSection:
            let all = QueueSection.allCases
            section = all[(section.rawValue + (action == .nextSection ? 1 : all.count - 1)) % all.count]
            queue.resize(to: shownQueue.count)
            queue.select(0)
        case .claim:
            return run("claim", "", line: "/claim", chat: nil)
        case .refresh: return [.loadQueue, .loadAgents]
        case .dashboard: return admin?.page == .dashboard ? { admin = nil; return [] }() : adminCommand("dashboard", "")
        }
        return []
    }

    private var chatPage: Int { max(1, (currentTab?.conversation.area.height ?? 10) - 2) }

    /// Scrolls the current chat, or tab `index` (a split's pane under the mouse).
    private mutating func scroll(by lines: Int, in index: Int? = nil) -> [Effect] {
        guard let index = index ?? current else { return [] }
        if tabs[index].conversation.scroll(by: lines), let oldest = tabs[index].conversation.timeline.oldestSeq {
            tabs[index].conversation.loadingOlder = true
            return [.loadOlder(ticketId: tabs[index].ticketId, beforeSeq: oldest)]
        }
        return []
    }


    private mutating func claim(_ id: Int) -> [Effect] {
        toasts.show("Claiming #\(id)…", now: now)
        claiming.insert(id)
        return [.claim(ticketId: id), .join(ticketId: id, sinceSeq: 0)] + openTab(id)
    }

    private mutating func setAvailability(_ status: AgentStatus) -> [Effect] {
        availability = status
        toasts.show("You are \(status.rawValue.lowercased()) now", now: now)
        return [.setAvailability(status)]
    }

    // MARK: Writing

    private mutating func edit(_ key: Key) -> [Effect] {
        guard !usesQueueLine, let index = current else { return editQueueLine(key) }
        let before = tabs[index].editor.text
        focus = .chat
        switch tabs[index].editor.handle(key) {
        case .submit(let text): return submit(text, in: index)
        case .confirmSubmit(let lines):
            confirm = ConfirmDialog("Send these \(lines) pasted lines as one message?", yes: "Send", no: "Keep editing")
            return []
        case .complete(let word):
            // A path after /attach is the file system's to complete: asked for, answered as an event.
            if let typed = FileTransfer.pathToComplete(tabs[index].editor.text) { return [.completePath(typed)] }
            complete(word, in: index)
        case .openEditor(let text): return [.openEditor(text)]
        case .unhandled: return []
        case .handled: return tabs[index].editor.text != before ? typingAfterEdit(index) : []
        }
        return []
    }

    // MARK: The queue's command line

    private mutating func editQueueLine(_ key: Key) -> [Effect] {
        switch queueLine.handle(key) {
        case .submit(let text):
            guard let (name, argument) = SlashCommands.parse(text) else {
                queueLine.replace(with: text)
                toasts.show(current == nil ? "Write in a chat: Enter on a ticket opens one" : "Tab goes to the chat to write there",
                            kind: .error, now: now)
                return []
            }
            return run(name, argument, line: text, chat: nil)
        case .complete(let word):
            let line = queueLine.text
            let matches = queueLine.complete(with: commands.candidates(line: line, word: word) { completions(for: $0) })
            if matches.count > 1 { toasts.show(matches.prefix(12).joined(separator: "  "), now: now) }
        case .openEditor(let text): return [.openEditor(text)]
        default: break
        }
        return []
    }

    /// The tickets a queue command acts on: those marked, else the chosen one.
    private var queueTargets: [Ticket] {
        let marked = markedTickets
        if !marked.isEmpty { return marked }
        let shown = shownQueue
        return shown.indices.contains(queue.selected) ? [shown[queue.selected]] : []
    }

    /// A slash command typed on the queue's line (`chat` nil) or in chat tab `chat`: one table
    /// (`ConsoleCommand`), one dispatch.
    mutating func run(_ typed: String, _ argument: String, line: String, chat index: Int?) -> [Effect] {
        guard let command = ConsoleCommand(named: typed) else { return unknown(typed, line: line, chat: index) }
        if command.place == .chat, index == nil {
            // Typed on the queue: it goes to the chat on screen, or says to open one.
            guard let current else {
                queueLine.replace(with: line)
                toasts.show("/\(typed) works in a chat: open one first (Enter on a ticket) — \(Self.onTheQueue)", kind: .error, now: now)
                return []
            }
            queueLine = LineEditor()
            focus = .chat
            return run(typed, argument, line: line, chat: current)
        }
        let number = Int(argument.trimmingCharacters(in: CharacterSet(charactersIn: "# ")))
        switch command {
        // Anywhere
        case .open:
            guard let number else { return usage("/open N") }
            return openTab(number)
        case .filter:
            filter = QueueFilter.parse(argument)
            queue.resize(to: shownQueue.count)
            queue.clearMarks()
            queue.select(0)
            toasts.show(filter.isEmpty ? "No filter" : "Showing \(filter.summary)", now: now)
        case .online: return setAvailability(.online)
        case .busy: return setAvailability(.busy)
        case .away: return setAvailability(.away)
        case .cannedNew, .cannedEdit, .cannedRemove: return cannedCommand(command.rawValue, argument)
        case .refresh: return [.loadQueue, .loadAgents, .loadCanned]
        case .dashboard, .agents, .agentStatus, .capacity, .report, .server, .userAdd: return adminCommand(command.rawValue, argument)
        case .help: helpOffset = 0
        case .logout: return [.signOut]
        case .launcher: return fromLauncher ? [.backToLauncher] : usage("this session was not started from the launcher")
        case .quit: return [.quit]
        // On the queue's tickets, or the chat's
        case .claim:
            if let index {
                if argument.isEmpty { return claim(tabs[index].ticketId) }
                guard let number else { return usage("/claim N") }
                return claim(number)
            }
            if let number { return claim(number) }
            let targets = queueTargets
            if targets.count == 1 { return claim(targets[0].id) }
            guard !targets.isEmpty else { return usage("Choose a ticket, or mark some with Space") }
            toasts.show("Claiming \(targets.count) tickets…", now: now)
            claiming.formUnion(targets.map(\.id))
            queue.clearMarks()
            return targets.map { .claim(ticketId: $0.id) }
        case .priority:
            guard let priority = Priority(word: argument) else { return usage("/priority low, medium, high or urgent") }
            return updateTickets(UpdateTicketRequest(priority: priority), chat: index)
        case .resolve, .close:
            let status: TicketStatus = command == .close ? .closed : .resolved
            if index != nil { return updateTickets(UpdateTicketRequest(status: status), chat: index) }
            let targets = queueTargets
            guard !targets.isEmpty else { return usage("Choose a ticket, or mark some with Space") }
            let what = targets.count == 1 ? "#\(targets[0].id)" : "\(targets.count) tickets"
            confirm = ConfirmDialog("\(command == .close ? "Close" : "Resolve") \(what)? " + (status == .closed ? "A closed ticket cannot be reopened." : ""),
                                    yes: command == .close ? "Close" : "Resolve", no: "Cancel")
            confirmedEffects = targets.map { .updateTicket(ticketId: $0.id, UpdateTicketRequest(status: status)) }
            queue.clearMarks()
        case .split:
            if index != nil { return splitCommand(argument) }
            let shown = shownQueue
            return splitCommand(argument, chosen: shown.indices.contains(queue.selected) ? shown[queue.selected].id : nil)
        // In a chat (`index` is set: see above)
        case .closeTab, .unsplit, .note, .status, .category, .assign, .transfer, .escalate, .canned, .search, .attach, .save,
             .panel, .retry, .edit, .discard:
            guard let index else { return [] }
            return chatCommand(command, argument, line: line, in: index)
        }
        return []
    }

    static let onTheQueue = "on the queue: /claim, /priority, /close, /resolve, /filter, /open — /help lists all"

    /// The chosen (or marked) tickets on the queue, or the chat's ticket, changed alike.
    private mutating func updateTickets(_ request: UpdateTicketRequest, chat index: Int?) -> [Effect] {
        if let index { return [.updateTicket(ticketId: tabs[index].ticketId, request)] }
        let targets = queueTargets
        guard !targets.isEmpty else { return usage("Choose a ticket, or mark some with Space") }
        queue.clearMarks()
        return targets.map { .updateTicket(ticketId: $0.id, request) }
    }

    /// Not a command: in a chat, perhaps a canned response's shortcut (`/refund`).
    private mutating func unknown(_ typed: String, line: String, chat index: Int?) -> [Effect] {
        let name = Sanitizer.clean(String(typed.prefix(32)))
        guard let index else {
            queueLine.replace(with: line)
            toasts.show("Unknown command /\(name) — \(Self.onTheQueue)", kind: .error, now: now)
            return []
        }
        if let response = canned.first(where: { $0.shortcut == typed }) {
            insertCanned(response, in: index)
            return []
        }
        tabs[index].editor.replace(with: line)
        toasts.show("Unknown command /\(name) — /help lists them (send //\(name) to write it as text)", kind: .error, now: now)
        return []
    }

    private mutating func complete(_ word: String, in index: Int) {
        let line = tabs[index].editor.text
        // Tab right after `/SHORTCUT` puts that canned response in.
        if let (name, argument) = SlashCommands.parse(line), argument.isEmpty, commands.command(named: name) == nil,
           let response = canned.first(where: { $0.shortcut == name }) {
            insertCanned(response, in: index)
            return
        }
        let candidates = commands.candidates(line: line, word: word) { command in completions(for: command) }
            + Emoji.completions(for: word) + (line.hasPrefix("/") && !line.contains(" ") ? canned.map { "/" + $0.shortcut } : [])
        let matches = tabs[index].editor.complete(with: candidates)
        if matches.count > 1 { toasts.show(matches.prefix(12).joined(separator: "  "), now: now) }
    }

    /// Arguments Tab completes: agents by username, statuses, priorities, categories, tickets, shortcuts.
    private func completions(for name: String) -> [String] {
        switch ConsoleCommand(named: name) {
        case .assign, .transfer, .escalate: agents.filter { $0.agent.id != me?.id }.map { Self.handle(for: $0.agent, in: agents) }
        case .agentStatus, .capacity:
            (admin?.agents.isEmpty == false ? admin!.agents : agents).map { Self.handle(for: $0.agent, in: agents) }
                + ["online", "busy", "away", "offline"]
        case .status: ["open", "in-progress", "resolved", "closed"]
        case .priority: Priority.allCases.map(\.word)
        case .category: SwitchboardProtocol.Category.allCases.map(\.word)
        case .open, .claim: tickets.map { String($0.id) }
        case .canned, .cannedEdit, .cannedRemove: canned.map(\.shortcut)
        default: []
        }
    }

    /// How an agent is written in commands: their display name without spaces (`AlexAgent`), which
    /// `agent(named:)` reads back, as it reads a username or a display name.
    static func handle(for agent: UserRef, in agents: [AgentLoad]) -> String {
        Sanitizer.clean(agent.displayName).replacingOccurrences(of: " ", with: "")
    }

    func agent(named text: String) -> AgentLoad? {
        let wanted = text.lowercased().replacingOccurrences(of: " ", with: "")
        return agents.first { load in
            Self.handle(for: load.agent, in: agents).lowercased() == wanted || String(load.agent.id) == wanted
        }
    }

    private mutating func submit(_ text: String, in index: Int) -> [Effect] {
        if let (name, argument) = SlashCommands.parse(text) { return run(name, argument, line: text, chat: index) }
        return send(Emoji.expand(SlashCommands.unescape(text)), note: tabs[index].noteMode, in: index, original: text)
    }

    private mutating func send(_ text: String, note: Bool, in index: Int, original: String) -> [Effect] {
        let message = text.trimmingCharacters(in: .whitespacesAndNewlines)
        let ticket = tabs[index].conversation.ticket
        guard !message.isEmpty else { return [] }
        if let tooLong = limits.messageTooLong(message) {
            tabs[index].editor.replace(with: original)
            toasts.show(tooLong, kind: .error, now: now)
            return []
        }
        guard ticket.status != .closed else {
            tabs[index].editor.replace(with: original)
            toasts.show("#\(ticket.id) is closed; nothing more can be written there", kind: .error, now: now)
            return []
        }
        tabs[index].typing.sent()
        tabs[index].conversation.scrollToBottom()
        return [.send(ticketId: ticket.id, text: message, note: note)]
    }

    /// The commands that work on the chat's own ticket and line.
    private mutating func chatCommand(_ command: ConsoleCommand, _ argument: String, line: String, in index: Int) -> [Effect] {
        let ticket = tabs[index].conversation.ticket
        let name = command.rawValue
        func update(_ request: UpdateTicketRequest) -> [Effect] { [.updateTicket(ticketId: ticket.id, request)] }
        switch command {
        case .closeTab: closeTab(index)
        case .unsplit: unsplit()
        case .note:
            guard !argument.isEmpty else {
                tabs[index].noteMode = true
                return []
            }
            return send(Emoji.expand(argument), note: true, in: index, original: line)
        case .status:
            guard let status = TicketStatus(word: argument) else { return usage("/status open, in-progress, resolved or closed") }
            return update(UpdateTicketRequest(status: status))
        case .category:
            guard let category = SwitchboardProtocol.Category(word: argument) else {
                return usage("/category payment, shipping, account, returns, technical or other")
            }
            return update(UpdateTicketRequest(category: category))
        case .assign, .transfer:
            let parts = argument.split(separator: " ", maxSplits: 1)
            guard let first = parts.first else {
                return usage("/\(name) AGENT — Tab completes the names (\(agents.count) agents known)")
            }
            guard let agent = agent(named: String(first)) else {
                return usage("No agent called '\(Sanitizer.clean(String(first.prefix(32))))' — Tab completes the names (\(agents.count) known)")
            }
            var effects: [Effect] = []
            if command == .transfer, parts.count > 1 {
                // The note goes first, so the next agent finds it in the history.
                effects.append(.send(ticketId: ticket.id, text: "Transfer to \(agent.agent.displayName): \(parts[1])", note: true))
            }
            effects.append(command == .assign ? .updateTicket(ticketId: ticket.id, UpdateTicketRequest(assignedAgentId: .set(agent.agent.id)))
                                             : .transfer(ticketId: ticket.id, agentId: agent.agent.id))
            return effects
        case .escalate:
            if argument.isEmpty { return [.escalate(ticketId: ticket.id, EscalateRequest())] }
            guard let agent = agent(named: argument) else {
                return usage("No agent called '\(Sanitizer.clean(String(argument.prefix(32))))' — /escalate alone hands it to the least busy admin")
            }
            return [.escalate(ticketId: ticket.id, EscalateRequest(agentId: agent.agent.id))]
        case .canned:
            // An exact shortcut goes straight into the line, as `/SHORTCUT` Tab does; anything else picks.
            return cannedCommand(argument, in: index)
        case .attach, .save:
            let result = command == .attach ? FileTransfer.attach(argument, ticketId: ticket.id, note: tabs[index].noteMode)
                : FileTransfer.save(argument, in: tabs[index].conversation)
            switch result {
            case .success(let effect): return [effect]
            case .failure(let refusal): return usage(refusal.sentence)
            }
        case .search:
            guard !argument.isEmpty else { searchPrompt = LineEditor(); return [] }
            runSearch(argument, in: index)
        case .panel: panelShown.toggle()
        case .retry: return perform(.retryMessage)
        case .discard: return perform(.discardMessage)
        case .edit: return perform(.editMessage)
        default: break
        }
        return []
    }

    mutating func usage(_ text: String) -> [Effect] {
        toasts.show(text, kind: .error, now: now)
        return []
    }

    private mutating func runSearch(_ query: String, in index: Int) {
        tabs[index].conversation.find(query)
        let hits = tabs[index].conversation.search?.hits.count ?? 0
        toasts.show(hits == 0 ? "No message here contains “\(query)”" : "\(hits) found — n next, N previous, Esc ends the search",
                    kind: hits == 0 ? .error : .info, now: now)
    }

    // MARK: Canned responses

    /// `/canned [SHORTCUT]`: an exact shortcut straight into the line, as `/SHORTCUT` Tab does;
    /// anything else picks. Words no known response matches (one a colleague just made) are
    /// looked up on the server first.
    mutating func cannedCommand(_ argument: String, in index: Int, askServer: Bool = true) -> [Effect] {
        let shortcut = argument.trimmingCharacters(in: CharacterSet(charactersIn: "/ "))
        if let response = cannedResponse(shortcut) {
            insertCanned(response, in: index)
            return []
        }
        let folded = shortcut.lowercased()
        let partlyKnown = canned.contains { $0.shortcut.lowercased().contains(folded) || $0.title.lowercased().contains(folded) }
        if !shortcut.isEmpty, askServer, !partlyKnown {
            cannedWanted = CannedWanted(ticketId: tabs[index].ticketId, text: argument)
            return [.loadCanned]
        }
        return openPicker(matching: argument, askServer: askServer)
    }

    private func cannedResponse(_ shortcut: String) -> CannedResponse? {
        guard !shortcut.isEmpty else { return nil }
        return canned.first { $0.shortcut == shortcut } ?? canned.first { $0.shortcut.lowercased() == shortcut.lowercased() }
    }

    /// The list came from the server: what `/canned` or C-t was waiting for goes on.
    mutating func cannedArrived() -> [Effect] {
        guard let wanted = cannedWanted else { return [] }
        cannedWanted = nil
        guard let index = tabs.firstIndex(where: { $0.ticketId == wanted.ticketId }), index == current else { return [] }
        return cannedCommand(wanted.text, in: index, askServer: false)
    }

    private mutating func openPicker(matching query: String, askServer: Bool = true) -> [Effect] {
        guard let index = current else {
            toasts.show("Open a chat first: canned responses go into its input line", now: now)
            return []
        }
        guard !canned.isEmpty else {
            // Perhaps made since this console started: ask, then say so.
            if askServer {
                cannedWanted = CannedWanted(ticketId: tabs[index].ticketId, text: query)
                return [.loadCanned]
            }
            toasts.show("No canned responses yet — /canned-new makes one", now: now)
            return []
        }
        var picker = FuzzyPicker(items: canned.map { FuzzyPicker.Item("/\($0.shortcut) — \($0.title)", preview: $0.body) })
        for c in query { _ = picker.handle(.char(c)) }
        self.picker = picker
        return []
    }

    private mutating func pickerKey(_ key: Key) -> [Effect] {
        guard var open = picker else { return [] }
        let outcome = open.handle(key)
        picker = open
        switch outcome {
        case .picking: return []
        case .cancelled: picker = nil
        case .picked(let item):
            picker = nil
            if let index = current, canned.indices.contains(item) { insertCanned(canned[item], in: index) }
        }
        return []
    }

    /// The response with its placeholders filled, in the input line to edit before Enter sends it.
    private mutating func insertCanned(_ response: CannedResponse, in index: Int) {
        guard let me else { return }
        tabs[index].editor.replace(with: Placeholders.fill(response.body, ticket: tabs[index].conversation.ticket, agent: me))
        focus = .chat
    }

    // MARK: Managing canned responses

    private mutating func cannedCommand(_ name: String, _ argument: String) -> [Effect] {
        let shortcut = argument.trimmingCharacters(in: CharacterSet(charactersIn: "/ "))
        if name == "canned-new" {
            cannedForm = Self.cannedForm(title: "New canned response", isAdmin: me?.role == .admin)
            editingCanned = nil
            return []
        }
        guard let response = canned.first(where: { $0.shortcut == shortcut }) else {
            return usage("/\(name) SHORTCUT — Tab completes them (\(canned.count) known)")
        }
        guard response.ownerId == me?.id || me?.role == .admin else {
            return usage("/\(shortcut) is shared; only admins change shared responses")
        }
        if name == "canned-rm" {
            confirm = ConfirmDialog("Delete the canned response /\(shortcut)?", yes: "Delete", no: "Keep it")
            confirmedEffects = [.deleteCanned(id: response.id)]
            return []
        }
        var form = Self.cannedForm(title: "Edit /\(shortcut)", isAdmin: me?.role == .admin)
        form.fields[0].editor.replace(with: response.shortcut)
        form.fields[1].editor.replace(with: response.title)
        form.fields[2].editor.replace(with: response.body)
        if form.fields.count > 3 { form.fields[3].choice = response.shared ? 1 : 0 }
        cannedForm = form
        editingCanned = response.id
        return []
    }

    static func cannedForm(title: String, isAdmin: Bool) -> Form {
        var fields = [
            Form.Field("shortcut", label: "Shortcut (a-z 0-9 _ -, typed as /shortcut)"),
            Form.Field("title", label: "Title"),
            Form.Field("body", label: "Text — {customer.name} {agent.name} {ticket.id} {ticket.subject} are filled in",
                       kind: .multiline(rows: 4)),
        ]
        if isAdmin { fields.append(Form.Field("shared", label: "For", kind: .choice(["me", "every agent"]))) }
        return Form(title: title, fields: fields)
    }

    private mutating func cannedFormKey(_ key: Key) -> [Effect] {
        let values = fill(\.cannedForm, with: key) { values in
            var errors: [String: String] = [:]
            let shortcut = values["shortcut", default: ""]
            if !Limits.shortcutRule.admits(shortcut) { errors["shortcut"] = Limits.shortcutRule.brief }
            if values["title", default: ""].trimmingCharacters(in: .whitespaces).isEmpty { errors["title"] = "a few words" }
            if values["body", default: ""].trimmingCharacters(in: .whitespacesAndNewlines).isEmpty { errors["body"] = "the text to send" }
            return errors
        }
        guard let values else { return [] }
        let shared = values["shared"] == "every agent"
        if let id = editingCanned {
            return [.updateCanned(id: id, CannedResponseUpdate(shortcut: values["shortcut"], title: values["title"],
                                                               body: values["body"], shared: me?.role == .admin ? shared : nil))]
        }
        return [.createCanned(CannedResponseRequest(shortcut: values["shortcut", default: ""], title: values["title", default: ""],
                                                    body: values["body", default: ""], shared: shared ? true : nil))]
    }

    // MARK: Dialogs

    private mutating func confirmKey(_ key: Key) -> [Effect] {
        guard var dialog = confirm else { return [] }
        if confirmedEffects == nil, current == nil {
            confirm = nil
            return []
        }
        let index = current ?? 0
        let outcome = dialog.handle(key)
        confirm = dialog
        switch outcome {
        case .asking: return []
        case .declined:
            confirm = nil
            confirmedEffects = nil
            return []
        case .confirmed:
            confirm = nil
            if let effects = confirmedEffects {
                confirmedEffects = nil
                return effects
            }
            return submit(tabs[index].editor.submitConfirmed(), in: index)
        }
    }

    private mutating func searchKey(_ key: Key) -> [Effect] {
        guard var prompt = searchPrompt else { return [] }
        if key == .escape {
            searchPrompt = nil
            return []
        }
        let outcome = prompt.handle(key)
        searchPrompt = prompt
        if case .submit(let query) = outcome, let index = current {
            searchPrompt = nil
            runSearch(query, in: index)
        }
        return []
    }

    var helpRows: [HelpRow] {
        let taken = Set(keys.bindings.filter { $0.keys != [.tab] }.map(\.keys))
        let admin = me?.role == .admin ? [
            HelpRow(group: "Admin pages (F7)", keys: "←, →", help: "Dashboard, Agents, Report, Server"),
            HelpRow(group: "Admin pages (F7)", keys: "↑, ↓", help: "Agents: choose one for /capacity and /agent-status"),
        ] : []
        return keys.helpRows + admin + commands.helpRows + KeyMap(editorKeys.bindings.filter { !taken.contains($0.keys) }).helpRows
    }

    // MARK: Mouse

    mutating func click(_ mouse: MouseEvent) -> [Effect] {
        guard phase == .main, picker == nil, helpOffset == nil else { return [] }
        let layout = self.layout
        let under = layout.panes.first { $0.frame.contains(x: mouse.x, y: mouse.y) }
        switch mouse.kind {
        case .wheelUp where under != nil: return scroll(by: 3, in: under?.tab)
        case .wheelDown where under != nil: return scroll(by: -3, in: under?.tab)
        case .press:
            if let under, under.tab != current {
                select(under.tab)
                return []
            }
            if let rect = layout.queue, rect.contains(x: mouse.x, y: mouse.y), mouse.y > rect.y + 1 {
                let index = queue.top + (mouse.y - rect.y - 2) / 2
                let shown = shownQueue
                guard shown.indices.contains(index) else { return [] }
                queue.select(index)
                return openTab(shown[index].id)
            }
            if let bar = layout.tabBar, bar.contains(x: mouse.x, y: mouse.y),
               let index = TabBar(tabs: tabs.map { TabBar.Tab($0.title) }, active: current ?? 0).tab(atColumn: mouse.x, in: bar) {
                select(index)
            }
        default:
            break
        }
        return []
    }
}
