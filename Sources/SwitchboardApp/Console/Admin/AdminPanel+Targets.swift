import Foundation
import SwitchboardProtocol
import TerminalKit

extension AdminPanel {
    /// "12-07 10:45", local time.
    static func moment(_ date: Date) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = .current
        let p = calendar.dateComponents([.month, .day, .hour, .minute], from: date)
        return String(format: "%02d-%02d %02d:%02d", p.month ?? 0, p.day ?? 0, p.hour ?? 0, p.minute ?? 0)
    }

    /// "75% of 4", "—" when no target was decided.
    static func met(_ figures: [String: TargetFigures]) -> String {
        let met = figures.values.reduce(0) { $0 + $1.met }, all = figures.values.reduce(0) { $0 + $1.met + $1.breached }
        guard all > 0 else { return "—" }
        return "\(Int((Double(met) * 100 / Double(all)).rounded()))% of \(all)"
    }

    /// The report's targets: met and missed per target and per priority, and the misses. Answers
    /// the rows used (none when nothing was decided in the period).
    func renderTargetFigures(_ report: SupportReport, into screen: inout Screen, in rect: Rect, theme: Theme) -> Int {
        guard !report.sla.isEmpty, rect.height > 3 else { return 0 }
        var y = rect.y
        screen.put("Targets        Met  Missed  % met   By priority", x: rect.x, y: y, style: theme[.title], limit: rect.width)
        y += 1
        let byPriority = Priority.allCases.reversed().compactMap { priority -> String? in
            report.slaByPriority[priority.rawValue].map { "\(priority.word) \(Self.met($0))" }
        }
        for (index, target) in SLATarget.allCases.enumerated() where y < rect.maxY {
            let figures = report.sla[target.rawValue] ?? TargetFigures(met: 0, breached: 0)
            let percent = figures.percentMet.map { "\(Int($0.rounded()))%" } ?? "—"
            let name = target.word.prefix(1).uppercased() + target.word.dropFirst()
            let right = { (text: String, width: Int) in String(repeating: " ", count: max(0, width - text.count)) + text }
            let line =
                name.padding(toLength: 13, withPad: " ", startingAt: 0) + right(String(figures.met), 5) + right(String(figures.breached), 8)
                + right(percent, 7)
            screen.put(line, x: rect.x, y: y, style: theme[figures.breached > 0 ? .warning : .text], limit: rect.width)
            if index < byPriority.count {
                screen.put(byPriority[index], x: rect.x + 36, y: y, style: theme[.muted], limit: rect.width - 36)
            }
            y += 1
        }
        if !report.slaBreaches.isEmpty, y < rect.maxY {
            let misses = report.slaBreaches.suffix(6).map { breach in
                "#\(breach.ticketId) \(breach.target.word) \(Self.moment(breach.at))"
                    + (breach.agent.map { " (\($0.shown))" } ?? "")
            }
            let more = report.slaBreaches.count > 6 ? " · and \(report.slaBreaches.count - 6) more (in the CSV)" : ""
            screen.put("Missed: " + misses.joined(separator: " · ") + more, x: rect.x, y: y, style: theme[.muted], limit: rect.width)
            y += 1
        }
        return y - rect.y + 1
    }

    /// Business hours and the targets per priority, with the commands that change them.
    func renderTargets(into screen: inout Screen, in rect: Rect, theme: Theme, now: Date) {
        guard let targets else {
            screen.put("Reading the business hours and targets…", x: rect.x, y: rect.y, style: theme[.muted], limit: rect.width)
            return
        }
        var y = rect.y
        let hours = targets.hours, calendar = targets.calendar
        let open = calendar.isOpen(at: now)
        let state =
            hours == .alwaysOpen
            ? "always open (no hours set)"
            : open
                ? "open now" : calendar.nextOpening(at: now).map { "closed now — back \(calendar.describe($0, from: now))" } ?? "never open"
        screen.put(
            [
                Span("Business hours", theme[.title]), Span("  \(hours.timeZone) · ", theme[.muted]),
                Span(state, theme[open ? .success : .warning]),
            ],
            x: rect.x, y: y, limit: rect.width)
        y += 1
        if hours != .alwaysOpen {
            let names = ["MON": "Mon", "TUE": "Tue", "WED": "Wed", "THU": "Thu", "FRI": "Fri", "SAT": "Sat", "SUN": "Sun"]
            // Two columns of days when the page is wide.
            let perRow = rect.width >= 70 ? 2 : 1
            let columnWidth = perRow == 2 ? min(44, rect.width / 2) : rect.width
            for (index, day) in TargetEdits.weekOrder.enumerated() {
                let ranges = hours.week[day] ?? []
                let text = ranges.isEmpty ? "closed" : ranges.map { "\($0[0])–\($0[1])" }.joined(separator: ", ")
                let x = rect.x + 2 + (index % perRow) * columnWidth, row = y + index / perRow
                screen.put(names[day] ?? day, x: x, y: row, style: theme[.muted], limit: 4)
                screen.put(
                    text, x: x + 5, y: row, style: theme[ranges.isEmpty ? .muted : .text], limit: min(columnWidth - 7, rect.maxX - x - 5))
            }
            y += (7 + perRow - 1) / perRow
            let holidays = hours.holidays.isEmpty ? "none" : hours.holidays.joined(separator: ", ")
            screen.put(
                [Span("  Holidays ", theme[.muted]), Span(holidays, theme[.text])], x: rect.x, y: y, limit: rect.width)
            y += 1
        }
        y += 1
        guard y < rect.maxY - 3 else { return }
        let settings = targets.settings
        let share = Int((settings.warnAtShare * 100).rounded())
        let rounds = settings.reassignRounds == 1 ? "1 reassignment" : "\(settings.reassignRounds) reassignments"
        let about = "in business minutes · warned with \(share)% left · to the admins after \(rounds)"
        let aboutLines = TextWrap.lines(about, width: max(10, rect.width - 9))
        for (offset, line) in aboutLines.enumerated() {
            screen.put(
                [Span(offset == 0 ? "Targets  " : "         ", theme[.title]), Span(line, theme[.muted])], x: rect.x, y: y + offset,
                limit: rect.width)
        }
        y += aboutLines.count - 1
        y += 1
        if settings.policies.isEmpty {
            screen.put(
                "  No targets: tickets have no clock. /target high first=30 sets one.", x: rect.x, y: y, style: theme[.muted],
                limit: rect.width)
            y += 1
        } else {
            let columns: [(String, Int)] = [
                ("Priority", 10), ("Category", 11), ("First reply", 13), ("Next reply", 12), ("Resolution", 12), ("Reassign after", 14),
            ]
            var x = rect.x + 2
            for (title, width) in columns {
                screen.put(title, x: x, y: y, style: theme[.muted], limit: min(width, max(0, rect.maxX - x)))
                x += width
            }
            y += 1
            let sorted = settings.policies.sorted { a, b in
                a.priority.rank != b.priority.rank
                    ? a.priority.rank > b.priority.rank : (a.category?.rawValue ?? "") < (b.category?.rawValue ?? "")
            }
            for policy in sorted where y < rect.maxY - 3 {
                let cells = [
                    policy.priority.word, policy.category?.word ?? "any", TargetEdits.written(policy.firstResponseMinutes),
                    TargetEdits.written(policy.nextResponseMinutes), TargetEdits.written(policy.resolutionMinutes),
                    TargetEdits.written(policy.reassignAfterMinutes),
                ]
                x = rect.x + 2
                for (cell, (_, width)) in zip(cells, columns) {
                    screen.put(cell, x: x, y: y, style: theme[cell == "—" ? .muted : .text], limit: min(width, max(0, rect.maxX - x)))
                    x += width
                }
                y += 1
            }
        }
        if y < rect.maxY - 4 {
            let notice = "Away line: “" + Sanitizer.clean(settings.afterHoursNotice) + "”"
            screen.put(TextWrap.truncate(notice, width: rect.width - 2), x: rect.x + 2, y: y, style: theme[.muted], limit: rect.width - 2)
            y += 1
        }
        let help = [
            "/hours mon-fri 09:00-17:30 · /hours sat closed · /hours zone Europe/Berlin · /hours holiday 2026-12-25 · /hours always",
            "/target high [payment] first=30 next=15 resolve=8h reassign=10 · /target high off · /target warn 25% · /target rounds 2"
                + " · /target notice TEXT",
        ]
        let lines = help.flatMap { TextWrap.lines($0, width: rect.width) }
        for (offset, line) in lines.suffix(max(0, rect.maxY - y - 1)).enumerated() {
            screen.put(
                line, x: rect.x, y: rect.maxY - min(lines.count, rect.maxY - y - 1) + offset, style: theme[.muted], limit: rect.width)
        }
    }
}
