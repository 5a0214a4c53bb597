/// A yes/no question; No is the default, so Enter alone never confirms something destructive.
public struct ConfirmDialog: Equatable, Sendable {
    public var question: String
    public var yes: String
    public var no: String
    public private(set) var yesFocused = false

    public init(_ question: String, yes: String = "Yes", no: String = "No") {
        self.question = question
        self.yes = yes
        self.no = no
    }

    public enum Outcome: Equatable, Sendable { case asking, confirmed, declined }

    public mutating func handle(_ key: Key) -> Outcome {
        switch key {
        case .char("y"), .char("Y"): return .confirmed
        case .char("n"), .char("N"), .escape: return .declined
        case .left, .right, .tab, .backTab: yesFocused.toggle()
        case .enter: return yesFocused ? .confirmed : .declined
        default: break
        }
        return .asking
    }

    public func render(into screen: inout Screen, in area: Rect, theme: Theme) {
        let lines = TextWrap.lines(question, width: min(60, max(10, area.width - 6)))
        let box = area.centered(width: (lines.map { TextWidth.of($0) }.max() ?? 0) + 6, height: lines.count + 5)
        screen.fill(x: box.x, y: box.y, width: box.width, height: box.height, style: theme[.dialog])
        screen.box(box, style: theme[.dialogBorder])
        for (offset, line) in lines.enumerated() { screen.put(line, x: box.x + 3, y: box.y + 1 + offset, style: theme[.dialog]) }
        let buttons = [Span("[ \(yes) ]", yesFocused ? theme[.fieldFocused] : theme[.field]), Span("  ", theme[.dialog]),
                       Span("[ \(no) ]", yesFocused ? theme[.field] : theme[.fieldFocused])]
        let width = buttons.width
        screen.put(buttons, x: box.x + (box.width - width) / 2, y: box.maxY - 2, limit: width)
    }
}

/// The key help, made from key maps (and any other rows, like commands): grouped, with keys that
/// do the same thing on one line ("C-a, Home  start of line"). Longer than the screen, it scrolls:
/// `offset` is the first line shown, kept in the mode's state.
public enum HelpOverlay {
    public static func render<Action>(_ keyMap: KeyMap<Action>, into screen: inout Screen, in area: Rect, theme: Theme,
                                      title: String = "Keys") {
        render(keyMap.helpRows, into: &screen, in: area, theme: theme, title: title)
    }

    /// The lines the help has: group headings and one line per distinct help text.
    public static func lines(_ rows: [HelpRow]) -> [(heading: Bool, keys: String, help: String)] {
        var groups: [(String, [HelpRow])] = []
        for row in rows {
            if let index = groups.firstIndex(where: { $0.0 == row.group }) {
                if let same = groups[index].1.firstIndex(where: { $0.help == row.help }) {
                    groups[index].1[same].keys += ", " + row.keys
                } else {
                    groups[index].1.append(row)
                }
            } else {
                groups.append((row.group, [row]))
            }
        }
        return groups.flatMap { group, rows in
            (group.isEmpty ? [] : [(true, "", group)]) + rows.map { (false, $0.keys, $0.help) }
        }
    }

    public static func render(_ rows: [HelpRow], into screen: inout Screen, in area: Rect, theme: Theme,
                              title: String = "Keys", offset: Int = 0) {
        let all = lines(rows)
        let keyWidth = min(22, all.filter { !$0.heading }.map { TextWidth.of($0.keys) }.max() ?? 0)
        let width = min(area.width, 80)
        // A help text longer than its column goes on below, under itself, instead of being cut.
        let helpWidth = max(10, width - 2 - 1 - keyWidth - 2 - 1)
        let lines = all.flatMap { line -> [(heading: Bool, keys: String, help: String)] in
            guard !line.heading else { return [line] }
            return TextWrap.lines(line.help, width: helpWidth).enumerated().map { index, part in (false, index == 0 ? line.keys : "", part) }
        }
        let box = area.centered(width: width, height: min(area.height, lines.count + 2))
        screen.fill(x: box.x, y: box.y, width: box.width, height: box.height, style: theme[.dialog])
        let more = lines.count > box.height - 2 ? " — ↑↓ scroll" : ""
        screen.box(box, style: theme[.dialogBorder], title: title + " (Esc closes\(more))", titleStyle: theme[.title])
        let inner = box.inset(by: 1)
        let first = max(0, min(offset, lines.count - inner.height))
        for (row, line) in lines.dropFirst(first).prefix(inner.height).enumerated() {
            let y = inner.y + row
            if line.heading {
                screen.put(line.help, x: inner.x + 1, y: y, style: theme[.title], limit: inner.width - 1)
                continue
            }
            let keys = TextWidth.of(line.keys) > keyWidth ? TextWrap.truncate(line.keys, width: keyWidth) : line.keys
            screen.put([Span(keys + String(repeating: " ", count: max(1, keyWidth + 2 - TextWidth.of(keys))), theme[.key]),
                        Span(line.help, theme[.dialog])], x: inner.x + 1, y: y, limit: inner.width - 1)
        }
    }
}

extension HelpOverlay {
    /// A key while the help is shown: arrows and pages scroll it (`offset`, the first line shown,
    /// kept within `lines`); any other key closes it (nil).
    public static func scroll(_ offset: Int?, by key: Key, lines: Int) -> Int? {
        let current = offset ?? 0
        let next: Int? = switch key {
        case .up, .ctrl("p"): current - 1
        case .down, .ctrl("n"): current + 1
        case .pageUp: current - 10
        case .pageDown: current + 10
        default: nil
        }
        return next.map { min(max(0, $0), max(0, lines)) }
    }
}
