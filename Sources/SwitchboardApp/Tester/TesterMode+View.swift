import Foundation
import TerminalKit

extension TesterMode {
    /// Title, connections, the log, the composer (with its check), the status bar.
    public func view(theme: Theme) -> (screen: Screen, cursor: (x: Int, y: Int)?) {
        var screen = Screen(width: size.width, height: size.height, style: theme[.text])
        let layout = self.layout
        screen.fill(x: 0, y: 0, width: size.width, height: 1, style: theme[.status])
        screen.put(
            [Span(" Switchboard", theme[.status].with(bold: true)), Span(" · Tester · \(server)", theme[.status])],
            x: 0, y: 0, limit: size.width - 9)
        screen.put("F1 help ", x: size.width - 8, y: 0, style: theme[.status])
        renderConnections(into: &screen, y: 1, theme: theme)
        renderLog(into: &screen, in: layout.log, theme: theme)
        if toasts.current != nil {
            toasts.render(into: &screen, in: layout.check, theme: theme)
        } else if let problem = composerProblem {
            screen.put(" ✗ " + problem, x: 0, y: layout.check.y, style: theme[.warning], limit: size.width)
        } else if !composer.isEmpty, !composer.text.hasPrefix("/") {
            screen.put(
                raw ? " raw: sent exactly as typed" : " ✓ JSON — Enter sends it", x: 0, y: layout.check.y,
                style: raw ? theme[.warning] : theme[.success], limit: size.width)
        }
        let name = currentConnection?.name ?? "no connection"
        let prompt = [Span(raw ? "\(name) raw> " : "\(name)> ", raw ? theme[.warning].with(bold: true) : theme[.accent])]
        var cursor: (x: Int, y: Int)? = composer.render(
            into: &screen, in: layout.composer, style: theme[.input], prompt: prompt,
            placeholder: "a JSON frame (SEND, then Tab: a template), /get /api/me, /help",
            placeholderStyle: theme[.placeholder])
        renderStatus(into: &screen, in: layout.status, theme: theme)
        if let form {
            cursor = form.render(into: &screen, in: Rect(x: 0, y: 1, width: size.width, height: size.height - 2), theme: theme)
        }
        if renderDialogs(into: &screen, theme: theme) { cursor = nil }
        return (screen, cursor)
    }

    struct Layout {
        var log: Rect
        var check: Rect
        var composer: Rect
        var status: Rect
    }

    var layout: Layout {
        let lines = min(8, max(1, composer.lineCount))
        let status = Rect(x: 0, y: size.height - 1, width: size.width, height: 1)
        let composer = Rect(x: 0, y: status.y - lines, width: size.width, height: lines)
        let check = Rect(x: 0, y: composer.y - 1, width: size.width, height: 1)
        let log = Rect(x: 0, y: 2, width: size.width, height: max(0, check.y - 2))
        return Layout(log: log, check: check, composer: composer, status: status)
    }

    var logHeight: Int { layout.log.height }
    var totalLines: Int { shown.reduce(0) { $0 + lines(of: log[$1]) } }

    /// The rows an entry takes: its heading, then its JSON laid out (or its text wrapped).
    func lines(of entry: Entry) -> Int { rendered(entry, chosen: false, theme: Theme(name: "layout"), width: size.width).count }

    /// A row of spans cut into rows of at most `width` columns (a long string value goes on below).
    static func wrap(_ spans: [Span], width: Int) -> [[Span]] {
        guard spans.reduce(0, { $0 + TextWidth.of($1.text) }) > width else { return [spans] }
        var rows: [[Span]] = [[]], used = 0
        for span in spans {
            var piece = ""
            for character in span.text {
                let columns = TextWidth.of(character)
                if used + columns > width {
                    if !piece.isEmpty { rows[rows.count - 1].append(Span(piece, span.style)) }
                    rows.append([Span("  ")])
                    piece = ""
                    used = 2
                }
                piece.append(character)
                used += columns
            }
            if !piece.isEmpty { rows[rows.count - 1].append(Span(piece, span.style)) }
        }
        return rows
    }

    private func renderConnections(into screen: inout Screen, y: Int, theme: Theme) {
        guard !connections.isEmpty else {
            screen.put(" No connection — C-n or /connect NAME as USER", x: 0, y: y, style: theme[.muted], limit: size.width)
            return
        }
        var x = 0
        for (index, connection) in connections.enumerated() {
            let (mark, role): (String, Theme.Role) =
                switch connection.state {
                case .open: ("●", .statusConnected)
                case .opening: ("◌", .statusReconnecting)
                case .refused(let status): ("✗ \(status)", .error)
                case .closed(let code, _): ("○" + (code.map { " \($0)" } ?? ""), .statusOffline)
                case .failed: ("✗", .error)
                }
            let who = connection.who == connection.name ? "" : " " + Sanitizer.clean(connection.who)
            let label = " \(index + 1):\(Sanitizer.clean(connection.name))\(who) "
            let style = index == current ? theme[.activeTab] : theme[.tab]
            x += screen.put(label, x: x, y: y, style: style, limit: size.width - x)
            x += screen.put(mark + (connection.autoReconnect ? " ↻" : "") + " ", x: x, y: y, style: theme[role], limit: size.width - x)
            x += 1
            if x >= size.width { break }
        }
    }

    private func renderLog(into screen: inout Screen, in rect: Rect, theme: Theme) {
        guard rect.height > 0 else { return }
        guard !shown.isEmpty else {
            let hint =
                log.isEmpty
                ? "Frames in and out appear here. Type SEND and press Tab for a frame to fill in."
                : "No frame matches the filter (/filter clears it)."
            screen.put(
                hint, x: max(0, (rect.width - TextWidth.of(hint)) / 2), y: rect.y + rect.height / 2, style: theme[.muted],
                limit: rect.width)
            return
        }
        // From the newest entry back, as many rows as the view holds plus those scrolled past.
        var rows: [[Span]] = [], y = 0
        var index = shown.count - 1
        let wanted = rect.height + scroll
        while index >= 0, rows.count < wanted {
            let entry = log[shown[index]]
            rows.insert(contentsOf: rendered(entry, chosen: chosen == index, theme: theme, width: rect.width), at: 0)
            index -= 1
        }
        let end = max(0, rows.count - scroll), start = max(0, end - rect.height)
        for row in rows[start..<end] {
            screen.put(row, x: rect.x, y: rect.y + y, limit: rect.width)
            y += 1
        }
        if scroll > 0 {
            let hint = " ↓ \(scroll) lines below — M-End follows again "
            screen.put(hint, x: rect.maxX - TextWidth.of(hint) - 1, y: rect.maxY - 1, style: theme[.badge], limit: rect.width)
        }
    }

    /// An entry's rows: `12:01:02.345 → alex SEND_MESSAGE`, then the JSON, coloured.
    func rendered(_ entry: Entry, chosen: Bool, theme: Theme, width: Int) -> [[Span]] {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = .current
        let parts = calendar.dateComponents([.hour, .minute, .second, .nanosecond], from: entry.time)
        let time = String(
            format: "%02d:%02d:%02d.%03d", parts.hour ?? 0, parts.minute ?? 0, parts.second ?? 0, (parts.nanosecond ?? 0) / 1_000_000)
        let role: Theme.Role =
            switch entry.direction {
            case .incoming: .otherMessage
            case .outgoing: .ownMessage
            case .event: entry.type.hasPrefix("REFUSED") || entry.type.hasPrefix("FAILED") ? .error : .systemMessage
            }
        var heading = [
            Span(time + " ", theme[.timestamp]), Span(entry.direction.rawValue + " ", theme[role].with(bold: true)),
            Span(Sanitizer.clean(entry.connection) + " ", theme[.accent]), Span(Sanitizer.clean(entry.type), theme[role].with(bold: true)),
        ]
        if chosen { heading = heading.map { Span($0.text, theme[.selection]) } + [Span("  ◀ C-y copies it", theme[.selection])] }
        if compact {
            let one = JSONText.compact(entry.text) ?? entry.text.replacingOccurrences(of: "\n", with: " ")
            return Self.wrap(heading + [Span("  " + Sanitizer.clean(one), theme[.text])], width: width)
        }
        var rows = [heading]
        if let pretty = entry.pretty {
            for line in pretty {
                rows += Self.wrap(
                    line.map { token in
                        switch token {
                        case .key(let text): Span(Sanitizer.clean(text), theme[.accent])
                        case .string(let text): Span(Sanitizer.clean(text), theme[.text])
                        case .number(let text): Span(text, theme[.warning])
                        case .literal(let text): Span(text, theme[.success])
                        case .punctuation(let text): Span(text, theme[.muted])
                        }
                    }, width: max(10, width - 4)
                ).map { [Span("    ")] + $0 }
            }
        } else if !entry.text.isEmpty {
            for line in TextWrap.lines(entry.text, width: max(10, width - 4)) { rows.append([Span("    " + line, theme[.text])]) }
        }
        return rows
    }

    private func renderStatus(into screen: inout Screen, in rect: Rect, theme: Theme) {
        var left: [Span] = []
        if let connection = currentConnection {
            left.append(Span(" \(connection.name): \(Self.describe(connection.state))", theme[.status]))
        } else {
            left.append(Span(" no connection", theme[.status]))
        }
        left.append(
            Span(
                " · \(shown.count)/\(log.count) frames" + (filter.isEmpty ? "" : " · filter: \(filter)")
                    + (scroll > 0 ? " · paused" : " · following") + (recordPath != nil ? " · recording" : ""), theme[.status]))
        StatusBar.render(
            into: &screen, in: rect, theme: theme, left: left,
            right: [Span("Tab template · C-r raw · M-↑ choose · C-n connect ")])
    }
}
