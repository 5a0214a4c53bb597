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
        if let effects = findKey(key) { return effects }
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
        if focus == .chat, editorEmpty, key == .char("n") || key == .char("N"), let effects = stepFound(forward: key == .char("n")) {
            return effects
        }
        if focus == .chat, editorEmpty, let hits = currentTab?.conversation.search?.hits, !hits.isEmpty,
            key == .char("n") || key == .char("N"), let index = current
        {
            tabs[index].conversation.nextHit(forward: key == .char("n"))
            return []
        }
        return edit(key)
    }

    /// The console's binding for `key` here: queue keys only with the focus on the queue and
    /// nothing typed; Tab completes when a command, name or emoji is being typed.
    func action(for key: Key, editorEmpty: Bool) -> ConsoleAction? {
        guard case .action(let action) = keys.resolve(key) else { return nil }
        if key.typesText && (focus != .queue || !editorEmpty) { return nil }
        if action == .focusNext, completable { return nil }
        return action
    }

    var completable: Bool {
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
            if tabs.isEmpty {
                toasts.show("No chat open: Enter on a ticket opens one", now: now)
            } else {
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
            let next: AgentStatus =
                switch availability {
                case .online: .busy
                case .busy: .away
                default: .online
                }
            return setAvailability(next)
        case .back:
            if let index = current, tabs[index].conversation.search != nil {
                tabs[index].conversation.search = nil
            } else if let index = current, tabs[index].noteMode {
                tabs[index].noteMode = false
            } else if panelShown {
                panelShown = false
            } else {
                focus = .queue
            }
        case .scrollUp: return scroll(by: chatPage)
        case .scrollDown: return scroll(by: -chatPage)
        case .scrollTop: return scroll(by: 1_000_000)
        case .scrollBottom: if let index = current { tabs[index].conversation.scrollToBottom() }
        case .search:
            if current != nil { searchPrompt = LineEditor() }
            foundHit = nil  // n / N step through this chat's hits now
        case .find: return showFind()
        case .retryMessage: return (currentTab?.conversation.timeline.failedIds ?? []).map { .retry(clientMessageId: $0) }
        case .discardMessage: return (currentTab?.conversation.timeline.failedIds ?? []).map { .discard(clientMessageId: $0) }
        case .editMessage:
            var editor = currentTab?.editor ?? LineEditor()
            guard let message = FailedMessage.takeBack(from: currentTab?.conversation.timeline, into: &editor, toasts: &toasts, now: now),
                let index = current
            else { return [] }
            tabs[index].editor = editor
            tabs[index].noteMode = message.isInternal
            focus = .chat
            return [.discard(clientMessageId: message.clientMessageId)]
        case .nextSection, .previousSection:
            // The sections the tab strip shows: Snoozed and Mentions only while they hold something.
            let all = visibleSections
            let here = all.firstIndex(of: section) ?? 0
            section = all[(here + (action == .nextSection ? 1 : all.count - 1)) % all.count]
            queue.resize(to: shownQueue.count)
            queue.select(0)
        case .claim:
            return run("claim", "", line: "/claim", chat: nil)
        case .refresh: return [.loadQueue, .loadAgents, .loadTargets]
        case .sortOrder: return sort(order == .urgency ? .due : .urgency)
        case .dashboard:
            return admin?.page == .dashboard
                ? {
                    admin = nil
                    return []
                }() : adminCommand("dashboard", "")
        }
        return []
    }

    var chatPage: Int { max(1, (currentTab?.conversation.area.height ?? 10) - 2) }

    /// Scrolls the current chat, or tab `index` (a split's pane under the mouse).
    mutating func scroll(by lines: Int, in index: Int? = nil) -> [Effect] {
        guard let index = index ?? current else { return [] }
        if tabs[index].conversation.scroll(by: lines), let oldest = tabs[index].conversation.timeline.oldestSeq {
            tabs[index].conversation.loadingOlder = true
            return [.loadOlder(ticketId: tabs[index].ticketId, beforeSeq: oldest)]
        }
        return []
    }

    mutating func claim(_ id: Int) -> [Effect] {
        toasts.show("Claiming #\(id)…", now: now)
        claiming.insert(id)
        return [.claim(ticketId: id), .join(ticketId: id, sinceSeq: 0)] + openTab(id)
    }

    mutating func setAvailability(_ status: AgentStatus) -> [Effect] {
        availability = status
        toasts.show("You are \(status.rawValue.lowercased()) now", now: now)
        return [.setAvailability(status)]
    }

    // MARK: Writing

    mutating func edit(_ key: Key) -> [Effect] {
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

    mutating func editQueueLine(_ key: Key) -> [Effect] {
        switch queueLine.handle(key) {
        case .submit(let text):
            guard let (name, argument) = SlashCommands.parse(text) else {
                queueLine.replace(with: text)
                toasts.show(
                    current == nil ? "Write in a chat: Enter on a ticket opens one" : "Tab goes to the chat to write there",
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
    var queueTargets: [Ticket] {
        let marked = markedTickets
        if !marked.isEmpty { return marked }
        let shown = shownQueue
        return shown.indices.contains(queue.selected) ? [shown[queue.selected]] : []
    }

    // MARK: Dialogs

    mutating func confirmKey(_ key: Key) -> [Effect] {
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

    mutating func searchKey(_ key: Key) -> [Effect] {
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
        let admin =
            me?.role == .admin
            ? [
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
                let index = TabBar(tabs: tabs.map { TabBar.Tab($0.title) }, active: current ?? 0).tab(atColumn: mouse.x, in: bar)
            {
                select(index)
            }
        default:
            break
        }
        return []
    }
}
