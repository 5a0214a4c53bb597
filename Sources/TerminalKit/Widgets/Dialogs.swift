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
        let width = buttons.reduce(0) { $0 + TextWidth.of($1.text) }
        screen.put(buttons, x: box.x + (box.width - width) / 2, y: box.maxY - 2, limit: width)
    }
}

/// The key help, made from a key map: every binding, grouped, with its keys and what it does.
public enum HelpOverlay {
    public static func render<Action>(_ keyMap: KeyMap<Action>, into screen: inout Screen, in area: Rect, theme: Theme,
                                      title: String = "Keys") {
        var groups: [(String, [KeyMap<Action>.Binding])] = []
        for binding in keyMap.bindings {
            if let index = groups.firstIndex(where: { $0.0 == binding.group }) { groups[index].1.append(binding) }
            else { groups.append((binding.group, [binding])) }
        }
        let keyWidth = min(16, keyMap.bindings.map { TextWidth.of($0.keysDescription) }.max() ?? 0)
        let rows = groups.reduce(0) { $0 + $1.1.count + ($1.0.isEmpty ? 0 : 1) }
        let box = area.centered(width: min(area.width, 72), height: min(area.height, rows + 4))
        screen.fill(x: box.x, y: box.y, width: box.width, height: box.height, style: theme[.dialog])
        screen.box(box, style: theme[.dialogBorder], title: title + " (Esc closes)", titleStyle: theme[.title])
        let inner = box.inset(by: 1)
        var y = inner.y
        for (group, bindings) in groups {
            if !group.isEmpty, y < inner.maxY {
                screen.put(group, x: inner.x + 1, y: y, style: theme[.title], limit: inner.width - 1)
                y += 1
            }
            for binding in bindings where y < inner.maxY {
                let keys = binding.keysDescription
                screen.put([Span(keys + String(repeating: " ", count: max(1, keyWidth + 2 - TextWidth.of(keys))), theme[.key]),
                            Span(binding.help, theme[.dialog])], x: inner.x + 1, y: y, limit: inner.width - 1)
                y += 1
            }
        }
    }
}
