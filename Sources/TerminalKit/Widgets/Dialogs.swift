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
        let buttons = [
            Span("[ \(yes) ]", yesFocused ? theme[.fieldFocused] : theme[.field]), Span("  ", theme[.dialog]),
            Span("[ \(no) ]", yesFocused ? theme[.field] : theme[.fieldFocused]),
        ]
        let width = buttons.width
        screen.put(buttons, x: box.x + (box.width - width) / 2, y: box.maxY - 2, limit: width)
    }
}

/// The key help, made from key maps (and any other rows, like commands): grouped, with keys that
/// do the same thing on one line ("C-a, Home  start of line"). Longer than the screen, it scrolls:
/// `offset` is the first line shown, kept in the mode's state.
public enum HelpOverlay {
    public static func render<Action>(
        _ keyMap: KeyMap<Action>, into screen: inout Screen, in area: Rect, theme: Theme,
        title: String = "Keys"
    ) {
        render(keyMap.helpRows, into: &screen, in: area, theme: theme, title: title)
    }

    /// The lines the help has: group headings and one line per distinct help text; a numbered
    /// run ("M-1 tab 1" … "M-9 tab 9") is one line, "M-1 … M-9  tab 1 … 9".
    public static func lines(_ rows: [HelpRow]) -> [(heading: Bool, keys: String, help: String)] {
        var groups: [(String, [HelpRow])] = []
        for row in foldingNumberedRuns(rows) {
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

    /// Three or more rows in a row whose keys and help both end in consecutive numbers, in one
    /// row. Such a run is a key per number (a tab, a pane): nine lines of it say nothing more.
    static func foldingNumberedRuns(_ rows: [HelpRow]) -> [HelpRow] {
        var folded: [HelpRow] = []
        var start = 0
        while start < rows.count {
            var end = start
            while end + 1 < rows.count, follows(rows[end + 1], rows[end]) { end += 1 }
            if end - start >= 2, let last = numbered(rows[end].help) {
                folded.append(
                    HelpRow(
                        group: rows[start].group, keys: rows[start].keys + " … " + rows[end].keys,
                        help: rows[start].help + " … \(last.number)"))
            } else {
                folded.append(contentsOf: rows[start...end])
            }
            start = end + 1
        }
        return folded
    }

    private static func follows(_ next: HelpRow, _ row: HelpRow) -> Bool {
        guard next.group == row.group,
            let help = numbered(row.help), let nextHelp = numbered(next.help),
            let keys = numbered(row.keys), let nextKeys = numbered(next.keys)
        else { return false }
        return nextHelp.stem == help.stem && nextHelp.number == help.number + 1
            && nextKeys.stem == keys.stem && nextKeys.number == keys.number + 1
    }

    /// "tab 12" → ("tab ", 12); nil without a number at the end.
    private static func numbered(_ text: String) -> (stem: Substring, number: Int)? {
        let digits = text.reversed().prefix { $0.isASCII && $0.isNumber }.count
        guard digits > 0, digits < 6, let number = Int(text.suffix(digits)) else { return nil }
        return (text.dropLast(digits), number)
    }

    /// The help's box in `area` and its lines as shown: long help texts wrapped in their column.
    private static func layout(
        _ rows: [HelpRow], in area: Rect
    )
        -> (box: Rect, keyWidth: Int, lines: [(heading: Bool, keys: String, help: String)])
    {
        let all = lines(rows)
        let keyWidth = min(22, all.filter { !$0.heading }.map { TextWidth.of($0.keys) }.max() ?? 0)
        let width = min(area.width, 80)
        // A help text longer than its column goes on below, under itself, instead of being cut.
        let helpWidth = max(10, width - 2 - 1 - keyWidth - 2 - 1)
        let lines = all.flatMap { line -> [(heading: Bool, keys: String, help: String)] in
            guard !line.heading else { return [line] }
            return TextWrap.lines(line.help, width: helpWidth).enumerated().map { index, part in (false, index == 0 ? line.keys : "", part)
            }
        }
        return (area.centered(width: width, height: min(area.height, lines.count + 2)), keyWidth, lines)
    }

    /// The first line shown when the help is scrolled to its end in `area` (0 when it all fits).
    public static func lastOffset(_ rows: [HelpRow], in area: Rect) -> Int {
        let (box, _, lines) = layout(rows, in: area)
        return max(0, lines.count - (box.height - 2))
    }

    public static func render(
        _ rows: [HelpRow], into screen: inout Screen, in area: Rect, theme: Theme,
        title: String = "Keys", offset: Int = 0
    ) {
        let (box, keyWidth, lines) = layout(rows, in: area)
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
            screen.put(
                [
                    Span(keys + String(repeating: " ", count: max(1, keyWidth + 2 - TextWidth.of(keys))), theme[.key]),
                    Span(line.help, theme[.dialog]),
                ], x: inner.x + 1, y: y, limit: inner.width - 1)
        }
    }
}

extension HelpOverlay {
    /// A key while the help is shown: arrows and pages scroll it (`offset`, the first line shown,
    /// kept within 0…`last`, from `lastOffset`); any other key closes it (nil).
    public static func scroll(_ offset: Int?, by key: Key, last: Int) -> Int? {
        let current = offset ?? 0
        let next: Int? =
            switch key {
            case .up, .ctrl("p"): current - 1
            case .down, .ctrl("n"): current + 1
            case .pageUp: current - 10
            case .pageDown: current + 10
            default: nil
            }
        return next.map { min(max(0, $0), max(0, last)) }
    }
}
