import Foundation
import SwitchboardProtocol
import TerminalKit

extension AdminPanel {
    /// The page in `rect`: a heading row, then its figures; two columns when there is room.
    func render(into screen: inout Screen, in rect: Rect, theme: Theme, me: Int?, now: Date) {
        screen.fill(x: rect.x, y: rect.y, width: rect.width, height: rect.height, style: theme[.text])
        let titles: [(Page, String)] = [
            (.dashboard, "Dashboard"), (.agents, "Agents"), (.report, "Report"), (.server, "Server"), (.targets, "Targets"),
            (.integrations, "Integrations"),
        ]
        var x = rect.x + 1
        for (page, title) in titles {
            x +=
                screen.put(" \(title) ", x: x, y: rect.y, style: page == self.page ? theme[.activeTab] : theme[.tab], limit: rect.maxX - x)
                + 1
        }
        // Right of the tabs, as much of it as there is room for (the tabs win at 80 columns).
        let updated = updatedAt.map { "updated " + Self.clock($0) } ?? "loading…"
        if let corner = [updated + " · Esc closes ", updated + " ", updatedAt.map { Self.clock($0) + " " } ?? ""]
            .first(where: { !$0.isEmpty && x + 1 + TextWidth.of($0) <= rect.maxX })
        {
            screen.put(corner, x: rect.maxX - TextWidth.of(corner), y: rect.y, style: theme[.muted], limit: rect.width)
        }
        let body = Rect(x: rect.x + 2, y: rect.y + 2, width: rect.width - 3, height: rect.height - 2)
        guard body.width > 10, body.height > 2 else { return }
        switch page {
        case .dashboard: renderDashboard(into: &screen, in: body, theme: theme)
        case .agents: renderAgents(into: &screen, in: body, theme: theme, me: me)
        case .report: renderReport(into: &screen, in: body, theme: theme)
        case .server: renderServer(into: &screen, in: body, theme: theme)
        case .targets: renderTargets(into: &screen, in: body, theme: theme, now: now)
        case .integrations: integrations.render(into: &screen, in: body, theme: theme, now: now)
        }
    }

    static func clock(_ date: Date) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = .current
        let p = calendar.dateComponents([.hour, .minute, .second], from: date)
        return String(format: "%02d:%02d:%02d", p.hour ?? 0, p.minute ?? 0, p.second ?? 0)
    }

    /// `label  value` pairs in columns of `columnWidth`, as many a row as fit.
    private func figures(_ items: [(String, String)], into screen: inout Screen, in rect: Rect, theme: Theme) -> Int {
        let labelWidth = items.map { TextWidth.of($0.0) }.max() ?? 0
        let valueWidth = items.map { TextWidth.of($0.1) }.max() ?? 0
        let column = labelWidth + valueWidth + 5
        let perRow = max(1, min(3, (rect.width + 3) / column))
        for (index, item) in items.enumerated() {
            let x = rect.x + (index % perRow) * column, y = rect.y + index / perRow
            guard y < rect.maxY else { break }
            screen.put(item.0, x: x, y: y, style: theme[.muted], limit: labelWidth)
            screen.put(item.1, x: x + labelWidth + 2 + valueWidth - TextWidth.of(item.1), y: y, style: theme[.title], limit: valueWidth)
        }
        return (items.count + perRow - 1) / perRow
    }

    private func renderDashboard(into screen: inout Screen, in rect: Rect, theme: Theme) {
        guard let dashboard else {
            screen.put("Loading the dashboard…", x: rect.x, y: rect.y, style: theme[.muted], limit: rect.width)
            return
        }
        let rows = figures(
            [
                ("Open", String(dashboard.openTickets)), ("In progress", String(dashboard.inProgressTickets)),
                ("Resolved today", String(dashboard.resolvedToday)), ("Unassigned", String(dashboard.unassignedTickets)),
                ("Active sessions", String(dashboard.activeSessions)), ("Agents online", String(dashboard.agentsOnline)),
                ("First response", Self.span(dashboard.avgFirstResponseSeconds)),
                ("Resolution", Self.span(dashboard.avgResolutionSeconds)),
                ("Satisfied (7 days)", Self.satisfaction(dashboard.csat)),
            ],
            into: &screen, in: rect, theme: theme)
        let categories = SwitchboardProtocol.Category.allCases.map {
            ($0.rawValue.lowercased(), dashboard.ticketsByCategory[$0.rawValue] ?? 0)
        }
        let priorities = Priority.allCases.reversed().map { ($0.rawValue.lowercased(), dashboard.ticketsByPriority[$0.rawValue] ?? 0) }
        let top = rect.y + rows + 1
        // Side by side when each chart gets 30 columns, else one under the other.
        if rect.width >= 64 {
            // Bars longer than this read no better on a wide screen.
            let half = min(64, (rect.width - 4) / 2)
            chart("Tickets by category", categories, into: &screen, x: rect.x, y: top, width: half, theme: theme)
            chart("Tickets by priority", priorities, into: &screen, x: rect.x + half + 4, y: top, width: half, theme: theme)
        } else {
            chart("Tickets by category", categories, into: &screen, x: rect.x, y: top, width: rect.width, theme: theme)
            chart(
                "Tickets by priority", priorities, into: &screen, x: rect.x, y: top + categories.count + 2, width: rect.width, theme: theme)
        }
    }

    private func chart(_ title: String, _ items: [(String, Int)], into screen: inout Screen, x: Int, y: Int, width: Int, theme: Theme) {
        screen.put(title, x: x, y: y, style: theme[.title], limit: width)
        BarChart.render(
            items.map { (label: $0.0, value: $0.1) }, into: &screen, x: x, y: y + 1, width: width,
            labelStyle: theme[.text], barStyle: theme[.accent], numberStyle: theme[.muted])
    }

    private func renderAgents(into screen: inout Screen, in rect: Rect, theme: Theme, me: Int?) {
        guard !agents.isEmpty else {
            screen.put(
                updatedAt == nil ? "Loading the agents…" : "No agents yet — /user-add makes one", x: rect.x, y: rect.y,
                style: theme[.muted], limit: rect.width)
            return
        }
        let nameWidth = min(24, max(6, agents.map { TextWidth.of($0.agent.shown) }.max() ?? 6))
        let header = "  " + "Agent".padding(toLength: nameWidth + 2, withPad: " ", startingAt: 0) + "Status    Chats         Online"
        screen.put(header, x: rect.x, y: rect.y, style: theme[.muted], limit: rect.width)
        for (index, load) in agents.enumerated() {
            let y = rect.y + 1 + index
            guard y < rect.maxY - 2 else { break }
            let selected = index == chosen.selected
            let base = selected ? theme[.selection] : theme[.text]
            screen.fill(x: rect.x, y: y, width: rect.width, height: 1, style: base)
            var name = TextWrap.truncate(load.agent.shown, width: nameWidth)
            name += String(repeating: " ", count: max(0, nameWidth - TextWidth.of(name)))
            let status = load.status.rawValue.lowercased().padding(toLength: 10, withPad: " ", startingAt: 0)
            let statusRole: Theme.Role =
                switch load.status {
                case .online: .statusConnected
                case .busy: .statusReconnecting
                default: .statusOffline
                }
            let load5 = BarChart.gauge(load.activeChats, of: load.capacity) + " \(load.activeChats)/\(load.capacity)"
            screen.put(
                [
                    Span(selected ? "▸ " : "  ", base), Span(name + "  ", base.with(bold: load.agent.id == me)),
                    Span(status, selected ? base : theme[statusRole]),
                    Span(
                        load5.padding(toLength: 14, withPad: " ", startingAt: 0),
                        selected ? base : theme[load.activeChats >= load.capacity ? .warning : .accent]),
                    Span(load.agent.isOnline ? "●" : "○", selected ? base : theme[load.agent.isOnline ? .success : .muted]),
                ],
                x: rect.x, y: y, limit: rect.width)
        }
        let hint = "↑↓ choose · /agent-status [AGENT] online|busy|away|offline · /capacity [AGENT] N (Tab completes names)"
        for (offset, line) in TextWrap.lines(hint, width: rect.width).prefix(2).enumerated() {
            screen.put(line, x: rect.x, y: rect.maxY - 2 + offset, style: theme[.muted], limit: rect.width)
        }
    }

    private func renderReport(into screen: inout Screen, in rect: Rect, theme: Theme) {
        screen.put(
            "\(reportFrom) to \(reportTo), not included · /report FROM [TO] · --csv FILE", x: rect.x, y: rect.y,
            style: theme[.muted], limit: rect.width)
        guard let report else {
            screen.put("Loading the report…", x: rect.x, y: rect.y + 2, style: theme[.muted], limit: rect.width)
            return
        }
        var y = rect.y + 2
        let nameWidth = min(20, max(5, report.agents.map { TextWidth.of($0.agent.shown) }.max() ?? 5))
        let columns = ["Handled", "Messages", "Notes", "First reply", "Resolution", "On target"]
        let widths = columns.map { max(TextWidth.of($0), 7) }
        var header = "Agent".padding(toLength: nameWidth, withPad: " ", startingAt: 0)
        for (column, width) in zip(columns, widths) {
            header += "  " + String(repeating: " ", count: width - TextWidth.of(column)) + column
        }
        screen.put(header, x: rect.x, y: y, style: theme[.muted], limit: rect.width)
        y += 1
        if report.agents.isEmpty {
            screen.put("No agent wrote in this period.", x: rect.x, y: y, style: theme[.muted], limit: rect.width)
            y += 1
        }
        for figures in report.agents where y < rect.maxY {
            var name = TextWrap.truncate(figures.agent.shown, width: nameWidth)
            name += String(repeating: " ", count: max(0, nameWidth - TextWidth.of(name)))
            let values = [
                String(figures.ticketsHandled), String(figures.messagesSent), String(figures.notesWritten),
                Self.span(figures.avgFirstResponseSeconds), Self.span(figures.avgResolutionSeconds), Self.met(figures.sla),
            ]
            var line = name
            for (value, width) in zip(values, widths) {
                line += "  " + String(repeating: " ", count: max(0, width - TextWidth.of(value))) + value
            }
            screen.put(line, x: rect.x, y: y, style: theme[.text], limit: rect.width)
            y += 1
        }
        y += 1
        y += renderTargetFigures(report, into: &screen, in: Rect(x: rect.x, y: y, width: rect.width, height: rect.maxY - y), theme: theme)
        y += renderSatisfaction(report, into: &screen, in: Rect(x: rect.x, y: y, width: rect.width, height: rect.maxY - y), theme: theme)
        guard y + 2 < rect.maxY else { return }
        screen.put(
            [Span("Per day  ", theme[.title]), Span("█ opened", theme[.accent]), Span("  "), Span("█ resolved", theme[.success])],
            x: rect.x, y: y, limit: rect.width)
        y += 1
        let largest = Double(report.days.map { max($0.ticketsOpened, $0.ticketsResolved) }.max() ?? 0)
        // Two rows a day when they fit, else the day on one row: opened | resolved.
        let twoRows = rect.maxY - y >= report.days.count * 2
        let room = min(64, max(4, twoRows ? rect.width - 13 : (rect.width - 16) / 2))
        // Short of rows, the latest days: the ones a reader looks for first.
        for day in report.days.suffix(twoRows ? report.days.count : max(0, rect.maxY - y)) where y < rect.maxY {
            screen.put(String(day.date.dropFirst(5)), x: rect.x, y: y, style: theme[.text], limit: 6)  // MM-DD
            let opened = BarChart.bar(Double(day.ticketsOpened), of: largest, width: room) + " \(day.ticketsOpened)"
            let resolved = BarChart.bar(Double(day.ticketsResolved), of: largest, width: room) + " \(day.ticketsResolved)"
            screen.put(opened, x: rect.x + 7, y: y, style: theme[.accent], limit: rect.width - 7)
            if twoRows {
                screen.put(resolved, x: rect.x + 7, y: y + 1, style: theme[.success], limit: rect.width - 7)
                y += 2
            } else {
                let x = rect.x + 7 + room + 5
                screen.put("│", x: x - 2, y: y, style: theme[.border])
                screen.put(resolved, x: x, y: y, style: theme[.success], limit: rect.maxX - x)
                y += 1
            }
        }
    }

    private func renderServer(into screen: inout Screen, in rect: Rect, theme: Theme) {
        guard let server else {
            screen.put("Asking the server…", x: rect.x, y: rect.y, style: theme[.muted], limit: rect.width)
            return
        }
        let rate = messagesPerSecond.map { String(format: "%.1f", $0) } ?? "— (two readings needed)"
        let rows = figures(
            [
                ("Connections", String(server.connections)), ("Users connected", String(server.users)),
                ("Rooms", String(server.rooms)), ("Memory", String(format: "%.1f MB", Double(server.rssBytes) / 1_048_576)),
                ("Up for", Self.span(server.uptimeSeconds)), ("Messages/s", rate),
            ],
            into: &screen, in: rect, theme: theme)
        var y = rect.y + rows + 1
        guard y < rect.maxY - 2 else { return }
        if server.slowRules.isEmpty {
            screen.put("Content rules: none has run past its time bound.", x: rect.x, y: y, style: theme[.muted], limit: rect.width)
        } else {
            screen.put(
                "Slow content rules — their texts were refused; simplify them:",
                x: rect.x, y: y, style: theme[.warning], limit: rect.width)
            for slow in server.slowRules where y < rect.maxY - 3 {
                y += 1
                let times = slow.count == 1 ? "1 text" : "\(slow.count) texts"
                screen.put(
                    "  \(Sanitizer.clean(slow.rule)) — \(times), last at \(Self.clock(slow.lastAt))",
                    x: rect.x, y: y, style: theme[.text], limit: rect.width)
            }
        }
        screen.put("Refreshed every \(Int(Self.serverEvery)) s.", x: rect.x, y: rect.maxY - 1, style: theme[.muted], limit: rect.width)
    }
}
