import Foundation
import SwitchboardProtocol
import TerminalKit

extension CustomerMode {
    /// The whole screen, from the state alone.
    public func view(theme: Theme) -> (screen: Screen, cursor: (x: Int, y: Int)?) {
        if let signIn = renderSignIn(theme: theme, title: "Customer") { return signIn }
        var screen = Screen(width: size.width, height: size.height, style: theme[.text])
        let layout = self.layout
        renderTitle(into: &screen, in: layout.title, theme: theme)
        if let found, found.shown {
            found.render(
                into: &screen, in: Rect(x: 0, y: 1, width: size.width, height: max(0, layout.typing.y - 1)), theme: theme,
                timeZone: timeZone, now: now, hint: "↑↓ choose · Enter opens it at the message · Esc closes")
            if toasts.current != nil { toasts.render(into: &screen, in: layout.typing, theme: theme) }
            let cursor = renderInput(into: &screen, in: layout.input, theme: theme)
            renderStatus(into: &screen, in: layout.status, theme: theme)
            return (screen, cursor)
        }
        if let rect = layout.list { renderList(into: &screen, in: rect, theme: theme) }
        if let divider = layout.divider {
            for y in divider.y..<divider.maxY { screen.put("│", x: divider.x, y: y, style: theme[.border]) }
        }
        if let header = layout.chatHeader, let chat { renderHeader(chat, into: &screen, in: header, theme: theme) }
        if let rect = layout.conversation, let chat { chat.render(into: &screen, in: rect, theme: theme) }
        if layout.conversation == nil, layout.list != nil, chat == nil, size.width >= CustomerLayout.wideFrom {
            // Wide, and nothing open: say what to do where the chat will be.
            let hint = tickets.isEmpty ? "Press n to open your first ticket." : "Choose a ticket and press Enter to chat."
            let listWidth = CustomerLayout.listWidth(for: size.width)
            screen.put(
                hint, x: listWidth + 1 + max(0, (size.width - listWidth - TextWidth.of(hint)) / 2),
                y: size.height / 2, style: theme[.muted])
        }
        // The line above the input: a toast, or who is typing.
        if toasts.current != nil {
            toasts.render(into: &screen, in: layout.typing, theme: theme)
        } else if let transfer, chatVisible {
            screen.put("  " + transfer.line, x: layout.typing.x, y: layout.typing.y, style: theme[.accent], limit: layout.typing.width)
        } else if let typing = chat?.typingLine, chatVisible {
            screen.put("  " + typing, x: layout.typing.x, y: layout.typing.y, style: theme[.muted], limit: layout.typing.width)
        }
        var cursor = renderInput(into: &screen, in: layout.input, theme: theme)
        renderStatus(into: &screen, in: layout.status, theme: theme)
        if let form {
            cursor = form.render(into: &screen, in: Rect(x: 0, y: 1, width: size.width, height: size.height - 2), theme: theme)
            if let toast = toasts.current, toast.kind == .error { toasts.render(into: &screen, in: layout.typing, theme: theme) }
        }
        if renderDialogs(into: &screen, theme: theme) { cursor = nil }
        return (screen, cursor)
    }

    private func renderTitle(into screen: inout Screen, in rect: Rect, theme: Theme) {
        screen.fill(x: rect.x, y: rect.y, width: rect.width, height: 1, style: theme[.status])
        let name = me.map { $0.shown } ?? ""
        // Staff may use this chat until their console exists; the title says which they are.
        let role = me?.role.isStaff == true ? "Chat as \(me?.role == .admin ? "admin" : "agent")" : "Customer"
        screen.put(
            [Span(" Switchboard", theme[.status].with(bold: true)), Span(" · \(role) · \(name) · \(server)", theme[.status])],
            x: rect.x, y: rect.y, limit: rect.width - 10)
        let help = "F1 help "
        screen.put(help, x: rect.maxX - TextWidth.of(help), y: rect.y, style: theme[.status])
    }

    // MARK: The ticket list

    private func renderList(into screen: inout Screen, in rect: Rect, theme: Theme) {
        let shown = shownTickets
        let focused = focus == .list
        let filterName = filter.map { $0.word } ?? "all"
        let heading = " Your tickets (\(filterName)) · \(shown.count)"
        screen.fill(x: rect.x, y: rect.y, width: rect.width, height: 1, style: focused ? theme[.activeTab] : theme[.tab])
        screen.put(heading, x: rect.x, y: rect.y, style: focused ? theme[.activeTab] : theme[.tab], limit: rect.width)
        let body = Rect(x: rect.x, y: rect.y + 1, width: rect.width, height: rect.height - 1)
        guard !shown.isEmpty else {
            let lines =
                loadingTickets
                ? ["Loading your tickets…"]
                : tickets.isEmpty
                    ? ["No tickets yet.", "", "Press n (or type /new) to open one:", "an agent answers here, live."]
                    : ["No \(filterName) tickets.", "f shows another status."]
            for (index, line) in lines.enumerated() {
                screen.put(line, x: body.x + 2, y: body.y + 1 + index, style: theme[.muted], limit: body.width - 2)
            }
            return
        }
        let rows = max(1, body.height / 2)
        let top = ListView.top(for: list.selected, from: list.top, rows: rows, count: shown.count)
        for (row, index) in (top..<min(shown.count, top + rows)).enumerated() {
            let ticket = shown[index]
            let y = body.y + row * 2
            let selected = index == list.selected
            let base = selected ? (focused ? theme[.selection] : theme[.marked]) : theme[.text]
            screen.fill(x: body.x, y: y, width: body.width, height: 2, style: base)
            let badge = ticket.unreadCount > 0 ? " \(ticket.unreadCount) " : ""
            let badgeWidth = TextWidth.of(badge)
            let open = chat?.ticket.id == ticket.id ? "▸" : " "
            let number = "\(open)#\(ticket.id) "
            let subject = TextWrap.truncate(ticket.subject, width: body.width - badgeWidth - 1 - TextWidth.of(number))
            screen.put(
                [Span(number, selected ? base : theme[.accent]), Span(subject, ticket.unreadCount > 0 ? base.with(bold: true) : base)],
                x: body.x, y: y, limit: body.width - badgeWidth - 1)
            if !badge.isEmpty { screen.put(badge, x: body.maxX - badgeWidth - 1, y: y, style: theme[.badge]) }
            screen.put(
                TextWrap.truncate(detail(of: ticket, width: body.width - 2), width: body.width - 3), x: body.x + 2, y: y + 1,
                style: selected ? base : theme[.muted], limit: body.width - 2)
        }
    }

    /// The second line of a ticket: status, priority, who has it, when, and (with room) the last message.
    private func detail(of ticket: Ticket, width: Int) -> String {
        var parts = [
            ticket.status.word, ticket.priority.word, ticket.category.word,
            ticket.assignedAgent.map { $0.shown } ?? "in the queue", age(of: ticket),
        ]
        if let into = ticket.mergedIntoId {
            parts[0] = "merged into #\(into)"
        } else if let given = ticket.rating {
            parts.insert("rated \(given.score)/5", at: 1)
        }
        if width >= 48, let last = ticket.lastMessage {
            let who = last.sender.id == me?.id ? "you" : last.sender.shown
            parts.append("\(who): \(Sanitizer.clean(last.message))")
        }
        return parts.joined(separator: " · ")
    }

    private func age(of ticket: Ticket) -> String {
        let seconds = now.timeIntervalSince(max(ticket.updatedAt, ticket.lastMessage?.timestamp ?? .distantPast))
        switch seconds {
        case ..<60: return "now"
        case ..<3_600: return "\(Int(seconds / 60))m ago"
        case ..<86_400: return "\(Int(seconds / 3_600))h ago"
        default: return "\(Int(seconds / 86_400))d ago"
        }
    }

    // MARK: The chat

    private func renderHeader(_ chat: Conversation, into screen: inout Screen, in rect: Rect, theme: Theme) {
        let ticket = chat.ticket
        screen.fill(x: rect.x, y: rect.y, width: rect.width, height: rect.height, style: theme[.text])
        screen.put(
            [Span(" #\(ticket.id) ", theme[.accent].with(bold: true)), Span(Sanitizer.clean(ticket.subject), theme[.title])],
            x: rect.x, y: rect.y, limit: rect.width)
        var details: [Span] = [
            Span(
                " \(ticket.status.word) · \(ticket.priority.word) · "
                    + "\(ticket.category.word) · ", theme[.muted])
        ]
        if let agent = ticket.assignedAgent {
            details.append(Span(agent.shown, theme[.text]))
            details.append(agent.isOnline ? Span(" ● online", theme[.success]) : Span(" ○ away", theme[.muted]))
        } else if ticket.status == .open {
            details.append(Span("waiting in the queue for the next agent", theme[.warning]))
        } else {
            details.append(Span("no agent", theme[.muted]))
        }
        if let given = ticket.rating { details.append(Span(" · you rated it \(given.stars)", theme[.muted])) }
        screen.put(details, x: rect.x, y: rect.y + 1, limit: rect.width)
        screen.put(String(repeating: "─", count: rect.width), x: rect.x, y: rect.y + 2, style: theme[.border])
    }

    private func renderInput(into screen: inout Screen, in rect: Rect, theme: Theme) -> (x: Int, y: Int)? {
        if let rating { return rating.render(into: &screen, in: rect, theme: theme) }
        if let prompt = searchPrompt {
            return prompt.render(
                into: &screen, in: rect, style: theme[.input], prompt: [Span("search: ", theme[.accent])],
                placeholder: "type what to find, Enter to search, Esc to stop", placeholderStyle: theme[.placeholder])
        }
        let placeholder: String
        if let chat {
            placeholder =
                chat.ticket.status == .closed
                ? "#\(chat.ticket.id) is closed — /new opens another ticket"
                : "Write to support — Enter sends, M-Enter new line, /help commands"
        } else {
            placeholder = "Type /new for a new ticket, or choose one and press Enter"
        }
        let active = focus == .chat || !editor.isEmpty
        let cursor = editor.render(
            into: &screen, in: rect, style: theme[.input], prompt: [Span("> ", theme[.accent])],
            placeholder: placeholder, placeholderStyle: theme[.placeholder])
        return active ? cursor : nil
    }

    private func renderStatus(into screen: inout Screen, in rect: Rect, theme: Theme) {
        let left = ConnectionIndicator.spans(connection, queued: queued, now: now, theme: theme)
        let hints: String
        if form != nil {
            hints = "Tab next field · C-s send · Esc cancel "
        } else if found?.shown == true {
            hints = "↑↓ choose · Enter open · Esc close "
        } else if let rating {
            hints = rating.score == nil ? "1–5 rate · Esc not now " : "Enter send · Esc change the score "
        } else if chat?.search != nil {
            hints = "n/N next/previous hit · Esc end search "
        } else if focus == .list {
            hints = "↑↓ choose · Enter open · n new · f filter · Tab chat "
        } else {
            hints = "PgUp/PgDn scroll · C-f search · Tab tickets "
        }
        StatusBar.render(into: &screen, in: rect, theme: theme, left: left, right: [Span(hints)])
    }
}
