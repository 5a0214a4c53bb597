import Foundation
import SwitchboardProtocol
import TerminalKit

extension ConsoleMode {
    public func view(theme: Theme) -> (screen: Screen, cursor: (x: Int, y: Int)?) {
        if let signIn = renderSignIn(theme: theme, title: "Agent console") { return signIn }
        var screen = Screen(width: size.width, height: size.height, style: theme[.text])
        let area = Rect(x: 0, y: 0, width: size.width, height: size.height)
        let layout = self.layout
        screen.fill(x: 0, y: 0, width: size.width, height: 1, style: theme[.status])
        let name = me.map { $0.shown } ?? ""
        screen.put(
            [Span(" Switchboard", theme[.status].with(bold: true)), Span(" · Agent console · \(name) · \(server)", theme[.status])],
            x: 0, y: 0, limit: size.width - 10)
        screen.put("F1 help ", x: size.width - 8, y: 0, style: theme[.status])
        var cursor: (x: Int, y: Int)?
        if let admin {
            // An admin page takes the queue's and the chats' place; the bottom line types its commands.
            admin.render(
                into: &screen, in: Rect(x: 0, y: 1, width: size.width, height: max(0, layout.typing.y - 1)), theme: theme, me: me?.id,
                now: now)
            toasts.render(into: &screen, in: layout.typing, theme: theme)
            cursor = renderInput(into: &screen, in: layout.input, split: false, theme: theme)
        } else if let found, found.shown {
            // The hits take the queue's and the chats' place until Esc or Enter.
            found.render(
                into: &screen, in: Rect(x: 0, y: 1, width: size.width, height: max(0, layout.typing.y - 1)), theme: theme,
                timeZone: timeZone, now: now, hint: Self.findHint)
            toasts.render(into: &screen, in: layout.typing, theme: theme)
            cursor = renderInput(into: &screen, in: layout.input, split: false, theme: theme)
        } else {
            cursor = renderWork(into: &screen, layout: layout, theme: theme)
        }
        renderStatus(into: &screen, in: layout.status, theme: theme)
        if let cannedForm {
            cursor = cannedForm.render(into: &screen, in: Rect(x: 0, y: 1, width: size.width, height: size.height - 2), theme: theme)
        }
        if let picker {
            picker.render(into: &screen, in: area, theme: theme, title: "Canned responses — Enter puts it in the line, Esc cancels")
            cursor = nil
        }
        if let userForm {
            cursor = userForm.render(into: &screen, in: Rect(x: 0, y: 1, width: size.width, height: size.height - 2), theme: theme)
        }
        if renderDialogs(into: &screen, theme: theme) { cursor = nil }
        return (screen, cursor)
    }

    /// The queue, the tabs and the chats on screen, the line above the input and the input; the cursor.
    private func renderWork(into screen: inout Screen, layout: ConsoleLayout, theme: Theme) -> (x: Int, y: Int)? {
        if let rect = layout.queue { renderQueue(into: &screen, in: rect, theme: theme) }
        for divider in layout.dividers {
            for y in divider.y..<divider.maxY { screen.put("│", x: divider.x, y: y, style: theme[.border]) }
        }
        if let bar = layout.tabBar {
            TabBar(
                tabs: tabs.map { TabBar.Tab($0.title + ($0.noteMode ? " ✎" : ""), unread: $0.unread, activity: $0.activity != .none) },
                active: current ?? 0
            ).render(into: &screen, in: bar, theme: theme)
        }
        var paneCursor: (x: Int, y: Int)?
        for pane in layout.panes {
            let tab = tabs[pane.tab], focusedPane = pane.tab == current
            if layout.isSplit {
                renderPaneHeader(tab, focused: focusedPane, into: &screen, in: pane.header, theme: theme)
            } else {
                renderHeader(tab, into: &screen, in: pane.header, theme: theme)
            }
            tab.conversation.render(into: &screen, in: pane.conversation, theme: theme)
            if let rect = pane.typing, let typing = tab.conversation.typingLine {
                screen.put("  " + typing, x: rect.x, y: rect.y, style: theme[.muted], limit: rect.width)
            }
            if let rect = pane.input {
                let cursor = renderEditor(tab, into: &screen, in: rect, theme: theme, compact: true)
                if focusedPane, focus == .chat { paneCursor = cursor }
            }
        }
        if let rect = layout.panel { renderPanel(into: &screen, in: rect, theme: theme) }
        if layout.conversation == nil, tabs.isEmpty, size.width >= ConsoleLayout.wideFrom {
            let hint = "Enter on a ticket opens its chat in a tab; c claims it."
            screen.put(
                hint, x: ConsoleLayout.queueWidth + 1 + max(0, (size.width - ConsoleLayout.queueWidth - TextWidth.of(hint)) / 2),
                y: size.height / 2, style: theme[.muted])
        }
        if toasts.current != nil {
            toasts.render(into: &screen, in: layout.typing, theme: theme)
        } else if let transfer {
            screen.put(
                "  " + transfer.line + " (#\(transfer.ticketId))", x: layout.typing.x, y: layout.typing.y, style: theme[.accent],
                limit: layout.typing.width)
        } else if let typing = currentTab?.conversation.typingLine, layout.conversation != nil, !layout.isSplit {
            screen.put("  " + typing, x: layout.typing.x, y: layout.typing.y, style: theme[.muted], limit: layout.typing.width)
        }
        return renderInput(into: &screen, in: layout.input, split: layout.isSplit, theme: theme) ?? paneCursor
    }

    // MARK: The queue

    /// The queue's sections on its tab strip (and in `]`/`[`'s cycle): Snoozed and Mentions only
    /// while they hold something or are the one shown.
    var visibleSections: [QueueSection] {
        QueueSection.allCases.filter { candidate in
            (candidate != .snoozed && candidate != .mentions) || sectionCounts[candidate, default: 0] > 0 || section == candidate
        }
    }

    private func renderQueue(into screen: inout Screen, in rect: Rect, theme: Theme) {
        let focused = focus == .queue
        var x = rect.x
        // Snoozed shows when it holds something (or is shown); when the titles do not fit, short ones.
        let sections = visibleSections
        let full = sections.map { " \($0.title) \(sectionCounts[$0, default: 0]) " }
        let fits = full.reduce(0) { $0 + TextWidth.of($1) } <= rect.width
        for (index, section) in sections.enumerated() {
            let label = fits ? full[index] : " \(section.shortTitle) \(sectionCounts[section, default: 0]) "
            let style = section == self.section ? (focused ? theme[.activeTab] : theme[.selection]) : theme[.tab]
            x += screen.put(label, x: x, y: rect.y, style: style, limit: rect.maxX - x)
        }
        let marked = queue.marked.count
        let second =
            !filter.isEmpty
            ? "filter: \(filter.summary)"
            : marked > 0
                ? "\(marked) marked — /claim /priority /close"
                : order == .due ? "by due time (o) · [ ] section" : "[ ] section · Space marks"
        screen.put(
            TextWrap.truncate(second, width: rect.width - 2), x: rect.x + 1, y: rect.y + 1,
            style: filter.isEmpty && marked == 0 ? theme[.muted] : theme[.accent], limit: rect.width - 1)
        let body = Rect(x: rect.x, y: rect.y + 2, width: rect.width, height: rect.height - 2)
        let shown = shownQueue
        guard !shown.isEmpty else {
            let elsewhere = QueueSection.allCases.filter { $0 != section }.map { ($0, sectionCounts[$0, default: 0]) }
                .first { $0.1 > 0 }.map { "] shows \($0.0.title) (\($0.1))." }
            let text =
                loading
                ? ["Loading the queue…"]
                : !filter.isEmpty
                    ? ["Nothing matches the filter (/filter clears it)."]
                    : [section == .unassigned ? "Nobody is waiting. ✓" : "Nothing here."] + (elsewhere.map { [$0] } ?? [])
            for (offset, line) in text.flatMap({ TextWrap.lines($0, width: body.width - 3) }).enumerated() {
                screen.put(line, x: body.x + 2, y: body.y + 1 + offset, style: theme[.muted], limit: body.width - 2)
            }
            return
        }
        let rows = max(1, body.height / 2)
        let top = ListView.top(for: queue.selected, from: queue.top, rows: rows, count: shown.count)
        for (row, index) in (top..<min(shown.count, top + rows)).enumerated() {
            let ticket = shown[index], y = body.y + row * 2
            let selected = index == queue.selected
            let base = selected ? (focused ? theme[.selection] : theme[.marked]) : theme[.text]
            screen.fill(x: body.x, y: y, width: body.width, height: 2, style: base)
            let mark = Self.priorityMark(ticket.priority)
            let open = queue.marked.contains(index) ? "●" : tabs.contains { $0.ticketId == ticket.id } ? "▸" : " "
            let wait = Self.duration(now.timeIntervalSince(QueueSection.waitingSince(ticket)))
            // The ticket's clock, when a target runs, takes the wait's place; the wait goes below.
            let standing = ticket.snoozedUntil == nil ? targets?.standing(ticket, now: now) : nil
            let right = ticket.snoozedUntil.map { SnoozeTime.wakeText($0, now: now, timeZone: timeZone) } ?? standing?.rowText ?? wait
            let left = "\(open)\(mark) #\(ticket.id) "
            let subject = TextWrap.truncate(ticket.subject, width: max(1, body.width - TextWidth.of(left) - TextWidth.of(right) - 2))
            screen.put(
                [Span(left, selected ? base : Self.priorityStyle(ticket.priority, theme)), Span(subject, base)],
                x: body.x, y: y, limit: body.width)
            var rightStyle = selected ? base : theme[.muted]
            if let standing {
                // The clock keeps its colour on the chosen row, over the row's background.
                rightStyle = Self.clockStyle(standing, theme)
                rightStyle.background = base.background
                if standing.level != .running { rightStyle.bold = true }
            }
            screen.put(right, x: body.maxX - TextWidth.of(right) - 1, y: y, style: rightStyle)
            let who = ticket.assignedAgent.map { $0.id == me?.id ? "you" : $0.shown } ?? "unassigned"
            let detail = "\(ticket.customer.shown) · \(ticket.category.word) · \(who)"
            let below = standing == nil ? "" : wait
            screen.put(
                TextWrap.truncate(detail, width: body.width - 6 - TextWidth.of(below)), x: body.x + 4, y: y + 1,
                style: selected ? base : theme[.muted], limit: body.width - 4)
            if !below.isEmpty {
                screen.put(below, x: body.maxX - TextWidth.of(below) - 1, y: y + 1, style: selected ? base : theme[.muted])
            }
        }
    }

    /// A clock's colour: the theme's warning under the warning share, its error once missed.
    static func clockStyle(_ standing: SLAStanding, _ theme: Theme) -> Style {
        switch standing.level {
        case .breached: theme[.error]
        case .warning: theme[.warning]
        case .running: standing.paused ? theme[.muted] : theme[.accent]
        }
    }

    static func priorityMark(_ priority: Priority) -> String {
        switch priority {
        case .urgent: "‼"
        case .high: "!"
        case .medium: "·"
        case .low: " "
        }
    }

    static func priorityStyle(_ priority: Priority, _ theme: Theme) -> Style {
        switch priority {
        case .urgent: theme[.error]
        case .high: theme[.warning]
        default: theme[.accent]
        }
    }

    /// "4m", "2h 5m", "3d".
    static func duration(_ seconds: TimeInterval) -> String {
        let s = max(0, Int(seconds))
        if s < 60 { return "\(s)s" }
        if s < 3_600 { return "\(s / 60)m" }
        if s < 86_400 { return "\(s / 3_600)h \(s % 3_600 / 60)m" }
        return "\(s / 86_400)d"
    }

    // MARK: The chat

    private func renderHeader(_ tab: ChatTab, into screen: inout Screen, in rect: Rect, theme: Theme) {
        let ticket = tab.conversation.ticket
        screen.put(
            [Span(" #\(ticket.id) ", theme[.accent].with(bold: true)), Span(Sanitizer.clean(ticket.subject), theme[.title])],
            x: rect.x, y: rect.y, limit: rect.width)
        // The running clock first, where a narrow pane still shows it.
        let live = tickets.first { $0.id == ticket.id } ?? ticket
        let standing = targets?.standing(live, now: now)
        var details = standing.map { [Span(" \($0.mark) \($0.sentence) ·", Self.clockStyle($0, theme))] } ?? []
        if let until = live.snoozedUntil {
            let when = SnoozeTime.wakeText(until, now: now, timeZone: timeZone)
            details = [
                Span(" snoozed — \(when)" + (live.snoozeThroughReplies ? ", through replies" : "") + " · /snooze off ·", theme[.accent])
            ]
        }
        details += [
            Span(
                " \(ticket.status.word) · \(ticket.priority.word) · "
                    + "\(ticket.category.word) · \(ticket.customer.shown)", theme[.muted]),
            ticket.customer.isOnline ? Span(" ●", theme[.success]) : Span(" ○", theme[.muted]),
        ]
        let others = (members[ticket.id] ?? []).filter { $0.role.isStaff && $0.id != me?.id }
        if !others.isEmpty {
            details.append(Span(" · also here: " + others.map { $0.shown }.joined(separator: ", "), theme[.accent]))
        }
        let owner =
            ticket.assignedAgent.map { $0.id == me?.id ? "yours" : "with \($0.shown)" } ?? "unassigned — /claim"
        details.append(Span(" · " + owner, theme[.muted]))
        if let given = live.rating { details.append(Span(" · rated \(given.stars)", given.score >= 4 ? theme[.success] : theme[.warning])) }

        screen.put(details, x: rect.x, y: rect.y + 1, limit: rect.width)
        screen.put(String(repeating: "─", count: rect.width), x: rect.x, y: rect.y + 2, style: theme[.border])
    }

    /// The bottom line: a search prompt, the queue's command line, or the chat's input (a split's
    /// chats have their own, so there it is the queue's line).
    private func renderInput(into screen: inout Screen, in rect: Rect, split: Bool, theme: Theme) -> (x: Int, y: Int)? {
        if let prompt = searchPrompt {
            return prompt.render(
                into: &screen, in: rect, style: theme[.input], prompt: [Span("search: ", theme[.accent])],
                placeholder: "what to find; Enter searches, Esc stops", placeholderStyle: theme[.placeholder])
        }
        guard !usesQueueLine, !split, let tab = currentTab else {
            let placeholder =
                admin.map(Self.adminHint)
                ?? (usesQueueLine
                    ? "Enter opens the chosen ticket · /claim /priority /close /filter"
                    : "Shift-Tab: the queue · /split N adds #N · /unsplit: one chat")
            let cursor = queueLine.render(
                into: &screen, in: rect, style: theme[.input], prompt: [Span(admin != nil ? "admin> " : "queue> ", theme[.accent])],
                placeholder: placeholder, placeholderStyle: theme[.placeholder])
            return usesQueueLine && !queueLine.isEmpty ? cursor : nil
        }
        let cursor = renderEditor(tab, into: &screen, in: rect, theme: theme, compact: false)
        return focus == .chat ? cursor : nil
    }

    static let findHint = "↑↓ choose · Enter opens it at the message · n/N next/previous · Esc hides"

    /// The admin line's hint for the page shown (within 80 columns with its prompt).
    static func adminHint(_ panel: AdminPanel) -> String {
        switch panel.page {
        case .agents: "←→ pages · ↑↓ agent · /capacity N · /agent-status S · Esc: the queue"
        case .report: "←→ pages · /report FROM TO · /report --csv FILE · Esc: the queue"
        case .dashboard, .server: "←→ pages · /report [FROM [TO]] · /user-add · Esc: back to the queue"
        case .targets: "←→ pages · /hours … · /target … (the lines above) · Esc: the queue"
        case .integrations: "←→ pages · ↑↓ webhook · /webhook · /redeliver D · /token · Esc: the queue"
        }
    }

    /// A chat's input; `compact` in a split's pane, where the hints would not fit.
    private func renderEditor(_ tab: ChatTab, into screen: inout Screen, in rect: Rect, theme: Theme, compact: Bool) -> (x: Int, y: Int) {
        let note = tab.noteMode
        let prompt = note ? [Span("note> ", theme[.note].with(bold: true))] : [Span("> ", theme[.accent])]
        let customer = tab.conversation.ticket.customer.shown
        let placeholder =
            switch (note, compact) {
            case (true, false): "Internal note — only agents see it (C-o back to replies)"
            case (true, true): "Internal note — agents only"
            case (false, false): "Reply to \(customer) — /note for a note, C-t canned, /help"
            case (false, true): "Reply to \(customer)"
            }
        return tab.editor.render(
            into: &screen, in: rect, style: note ? theme[.note] : theme[.input], prompt: prompt,
            placeholder: placeholder, placeholderStyle: theme[.placeholder])
    }

    /// A split pane's one-row header: the focused one stands out.
    private func renderPaneHeader(_ tab: ChatTab, focused: Bool, into screen: inout Screen, in rect: Rect, theme: Theme) {
        let ticket = tab.conversation.ticket
        let style = focused ? theme[.activeTab] : theme[.tab]
        screen.fill(x: rect.x, y: rect.y, width: rect.width, height: 1, style: style)
        let online = ticket.customer.isOnline ? "●" : "○"
        let right =
            " \(ticket.status.word) · \(ticket.priority.word) · "
            + "\(ticket.customer.shown) \(online) "
        let title =
            " #\(ticket.id) \(Sanitizer.clean(ticket.subject))" + (tab.noteMode ? " ✎" : "") + (tab.unread > 0 ? " (\(tab.unread))" : "")
        // The subject first; the details take what is left, or nothing when that is too little to read.
        let left = rect.width - TextWidth.of(title) - 1
        let rightWidth = left >= 12 ? min(TextWidth.of(right), left) : 0
        screen.put(
            TextWrap.truncate(title, width: rect.width - rightWidth), x: rect.x, y: rect.y,
            style: style.with(bold: focused), limit: rect.width - rightWidth)
        screen.put(TextWrap.truncate(right, width: rightWidth), x: rect.maxX - rightWidth, y: rect.y, style: style, limit: rightWidth)
    }

    private func renderStatus(into screen: inout Screen, in rect: Rect, theme: Theme) {
        var left = ConnectionIndicator.spans(connection, queued: queued, now: now, theme: theme)
        let mark: (String, Theme.Role) =
            switch availability {
            case .online: ("● online", .statusConnected)
            case .busy: ("◐ busy", .statusReconnecting)
            case .away, .offline: ("○ \(availability.rawValue.lowercased())", .statusOffline)
            }
        left.append(Span(" · ", theme[.status]))
        left.append(Span(mark.0, theme[mark.1]))
        let mine = sectionCounts[.mine, default: 0]
        let waiting = sectionCounts[.unassigned, default: 0]
        left.append(Span(" · mine \(mine) · unassigned \(waiting) · tabs \(tabs.count)", theme[.status]))
        let hints =
            admin != nil && focus == .queue
            ? "←→ pages · Esc the queue "
            : focus == .queue
                ? "↑↓ Enter open · c claim · [ ] section "
                : split != nil ? "M-←→ chats · M-= M-- size · /unsplit " : "M-1…9 tabs · C-o note · C-t canned "
        StatusBar.render(into: &screen, in: rect, theme: theme, left: left, right: [Span(hints)])
    }

    // MARK: The customer panel

    private func renderPanel(into screen: inout Screen, in rect: Rect, theme: Theme) {
        screen.fill(x: rect.x, y: rect.y, width: rect.width, height: rect.height, style: theme[.text])
        guard let tab = currentTab else { return }
        let ticket = tab.conversation.ticket, customer = ticket.customer
        var lines: [(String, Style)] = [
            (" Customer", theme[.title]),
            ("  " + customer.shown, theme[.text].with(bold: true)),
            (customer.isOnline ? "  ● online" : "  ○ away", customer.isOnline ? theme[.success] : theme[.muted]),
            ("", theme[.text]),
            (" This ticket", theme[.title]),
            ("  open for \(Self.duration(now.timeIntervalSince(ticket.createdAt)))", theme[.text]),
        ]
        let agentReplies = tab.conversation.timeline.messages.filter { $0.senderType == .agent && !$0.internal }
        if let first = agentReplies.first {
            lines.append(("  first reply after \(Self.duration(first.timestamp.timeIntervalSince(ticket.createdAt)))", theme[.text]))
        } else {
            lines.append(("  no reply yet", theme[.warning]))
        }
        lines.append(("  \(tab.conversation.timeline.messages.count) messages held", theme[.muted]))
        let others = tickets.filter { $0.customer.id == customer.id && $0.id != ticket.id }
        lines.append(("", theme[.text]))
        lines.append((" Other tickets (\(others.count))", theme[.title]))
        for other in others.prefix(8) {
            lines.append(("  #\(other.id) \(other.status.word) · \(Sanitizer.clean(other.subject))", theme[.muted]))
        }
        for (offset, line) in lines.prefix(rect.height).enumerated() {
            screen.put(
                TextWrap.truncate(line.0, width: rect.width - 1), x: rect.x, y: rect.y + offset, style: line.1, limit: rect.width - 1)
        }
    }
}
