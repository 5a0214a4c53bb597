import Foundation
import SwitchboardClient
import SwitchboardProtocol
import TerminalKit

/// The console's slash commands carried out (`ConsoleCommand` says which there are), and the
/// chat line's sending.
extension ConsoleMode {
    /// The queue in `wanted` order, the first ticket chosen.
    mutating func sort(_ wanted: QueueOrder) -> [Effect] {
        order = wanted
        queue.resize(to: shownQueue.count)
        queue.select(0)
        let note = wanted == .due && targets?.settings.policies.isEmpty != false ? " — no targets are set, so no ticket has a due time" : ""
        toasts.show("The queue is ordered \(wanted.title)\(note)", now: now)
        return []
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
        case .find:
            return find(argument)
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
        case .sort:
            guard let wanted = QueueOrder(rawValue: argument.trimmingCharacters(in: .whitespaces).lowercased()) else {
                return usage("/sort due (the soonest due target first) or /sort urgency (the most urgent first)")
            }
            return sort(wanted)
        case .refresh: return [.loadQueue, .loadAgents, .loadCanned, .loadTargets]
        case .dashboard, .agents, .agentStatus, .capacity, .report, .server, .userAdd, .targets, .hours, .target, .integrations,
            .webhook, .redeliver, .token:
            return adminCommand(command.rawValue, argument)
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
        case .snooze:
            switch SnoozeTime.parse(argument, now: now, calendar: targets?.calendar, timeZone: timeZone) {
            case .success(let request): return updateTickets(request, chat: index)
            case .failure(let problem): return usage(problem.sentence)
            }
        case .priority:
            guard let priority = Priority(word: argument) else { return usage("/priority low, medium, high or urgent") }
            return updateTickets(UpdateTicketRequest(priority: priority), chat: index)
        case .resolve, .close:
            let status: TicketStatus = command == .close ? .closed : .resolved
            if index != nil { return updateTickets(UpdateTicketRequest(status: status), chat: index) }
            let targets = queueTargets
            guard !targets.isEmpty else { return usage("Choose a ticket, or mark some with Space") }
            let what = targets.count == 1 ? "#\(targets[0].id)" : "\(targets.count) tickets"
            confirm = ConfirmDialog(
                "\(command == .close ? "Close" : "Resolve") \(what)? " + (status == .closed ? "A closed ticket cannot be reopened." : ""),
                yes: command == .close ? "Close" : "Resolve", no: "Cancel")
            confirmedEffects = targets.map { .updateTicket(ticketId: $0.id, UpdateTicketRequest(status: status)) }
            queue.clearMarks()
        case .split:
            if index != nil { return splitCommand(argument) }
            let shown = shownQueue
            return splitCommand(argument, chosen: shown.indices.contains(queue.selected) ? shown[queue.selected].id : nil)
        // In a chat (`index` is set: see above)
        case .closeTab, .unsplit, .note, .status, .category, .assign, .transfer, .escalate, .merge, .canned, .search, .attach, .save,
            .panel, .retry, .edit, .discard:
            guard let index else { return [] }
            return chatCommand(command, argument, line: line, in: index)
        }
        return []
    }

    static let onTheQueue = "on the queue: /claim, /priority, /close, /resolve, /filter, /open — /help lists all"

    /// The chosen (or marked) tickets on the queue, or the chat's ticket, changed alike.
    mutating func updateTickets(_ request: UpdateTicketRequest, chat index: Int?) -> [Effect] {
        if let index { return [.updateTicket(ticketId: tabs[index].ticketId, request)] }
        let targets = queueTargets
        guard !targets.isEmpty else { return usage("Choose a ticket, or mark some with Space") }
        queue.clearMarks()
        return targets.map { .updateTicket(ticketId: $0.id, request) }
    }

    /// Not a command: in a chat, perhaps a canned response's shortcut (`/refund`).
    mutating func unknown(_ typed: String, line: String, chat index: Int?) -> [Effect] {
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

    mutating func complete(_ word: String, in index: Int) {
        let line = tabs[index].editor.text
        // Tab right after `/SHORTCUT` puts that canned response in.
        if let (name, argument) = SlashCommands.parse(line), argument.isEmpty, commands.command(named: name) == nil,
            let response = canned.first(where: { $0.shortcut == name })
        {
            insertCanned(response, in: index)
            return
        }
        let candidates =
            commands.candidates(line: line, word: word) { command in completions(for: command) }
            + Emoji.completions(for: word) + (line.hasPrefix("/") && !line.contains(" ") ? canned.map { "/" + $0.shortcut } : [])
            // @name in a note calls a colleague in: Tab completes their handles.
            + (word.hasPrefix("@") && (tabs[index].noteMode || line.hasPrefix("/note "))
                ? agents.filter { $0.agent.id != me?.id }.map { "@" + Self.handle(for: $0.agent, in: agents) } : [])
        let matches = tabs[index].editor.complete(with: candidates)
        if matches.count > 1 { toasts.show(matches.prefix(12).joined(separator: "  "), now: now) }
    }

    /// Arguments Tab completes: agents by username, statuses, priorities, categories, tickets, shortcuts.
    func completions(for name: String) -> [String] {
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

    mutating func submit(_ text: String, in index: Int) -> [Effect] {
        if let (name, argument) = SlashCommands.parse(text) { return run(name, argument, line: text, chat: index) }
        return send(Emoji.expand(SlashCommands.unescape(text)), note: tabs[index].noteMode, in: index, original: text)
    }

    mutating func send(_ text: String, note: Bool, in index: Int, original: String) -> [Effect] {
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

    /// `/merge N`: asks first (a merge is not undone), saying why not where the console can tell.
    private mutating func merge(_ argument: String, into ticket: Ticket) -> [Effect] {
        guard let id = Int(argument.trimmingCharacters(in: CharacterSet(charactersIn: "# "))), id > 0 else {
            return usage("/merge N — the number of the same customer's other ticket, e.g. /merge 12")
        }
        guard id != ticket.id else { return usage("#\(id) is this ticket; /merge names the other one") }
        let other = tickets.first { $0.id == id }
        if let other, other.customer.id != ticket.customer.id {
            return usage(
                "#\(id) is \(other.customer.shown)'s and this one \(ticket.customer.shown)'s: "
                    + "only one customer's tickets are merged")
        }
        let what = other.map { " “\(Sanitizer.clean($0.subject))”" } ?? ""
        confirm = ConfirmDialog(
            "Merge #\(id)\(what) into #\(ticket.id)? Its messages follow here and #\(id) is closed.", yes: "Merge",
            no: "Keep both")
        confirmedEffects = [.merge(ticketId: id, intoTicketId: ticket.id)]
        return []
    }

    /// The commands that work on the chat's own ticket and line.
    mutating func chatCommand(_ command: ConsoleCommand, _ argument: String, line: String, in index: Int) -> [Effect] {
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
                return usage(
                    "No agent called '\(Sanitizer.clean(String(first.prefix(32))))' — Tab completes the names (\(agents.count) known)")
            }
            var effects: [Effect] = []
            if command == .transfer, parts.count > 1 {
                // The note goes first, so the next agent finds it in the history.
                effects.append(.send(ticketId: ticket.id, text: "Transfer to \(agent.agent.displayName): \(parts[1])", note: true))
            }
            effects.append(
                command == .assign
                    ? .updateTicket(ticketId: ticket.id, UpdateTicketRequest(assignedAgentId: .set(agent.agent.id)))
                    : .transfer(ticketId: ticket.id, agentId: agent.agent.id))
            return effects
        case .escalate:
            if argument.isEmpty { return [.escalate(ticketId: ticket.id, EscalateRequest())] }
            guard let agent = agent(named: argument) else {
                return usage(
                    "No agent called '\(Sanitizer.clean(String(argument.prefix(32))))' — /escalate alone hands it to the least busy admin")
            }
            return [.escalate(ticketId: ticket.id, EscalateRequest(agentId: agent.agent.id))]
        case .merge:
            return merge(argument, into: ticket)
        case .canned:
            // An exact shortcut goes straight into the line, as `/SHORTCUT` Tab does; anything else picks.
            return useCanned(argument, in: index)
        case .attach, .save:
            let result =
                command == .attach
                ? FileTransfer.attach(argument, ticketId: ticket.id, note: tabs[index].noteMode)
                : FileTransfer.save(argument, in: tabs[index].conversation)
            switch result {
            case .success(let effect): return [effect]
            case .failure(let refusal): return usage(refusal.sentence)
            }
        case .search:
            guard !argument.isEmpty else {
                searchPrompt = LineEditor()
                return []
            }
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

    mutating func runSearch(_ query: String, in index: Int) {
        tabs[index].conversation.find(query)
        let hits = tabs[index].conversation.search?.hits.count ?? 0
        toasts.show(
            hits == 0 ? "No message here contains “\(query)”" : "\(hits) found — n next, N previous, Esc ends the search",
            kind: hits == 0 ? .error : .info, now: now)
    }
}
