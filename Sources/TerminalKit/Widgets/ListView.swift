/// A scrolling list with a selected row and rows marked for a bulk action (Space marks).
/// Keeps only positions; the rows' text comes from the caller at render time. The scroll
/// offset is state, moved by `update` (keys, `select`, `setPageSize`); `render` only reads it.
public struct ListView: Equatable, Sendable {
    public private(set) var count = 0
    public private(set) var selected = 0
    /// The first row shown.
    public private(set) var top = 0
    public private(set) var marked: Set<Int> = []
    /// Rows the list has room for, as the mode last laid it out.
    public private(set) var pageSize = 10

    public init(count: Int = 0) {
        self.count = max(0, count)
    }

    /// The list changed length: the selection and marks stay within it.
    public mutating func resize(to count: Int) {
        self.count = max(0, count)
        selected = min(selected, max(0, count - 1))
        marked = marked.filter { $0 < count }
        scrollToSelection()
    }

    public mutating func select(_ index: Int) {
        selected = min(max(0, index), max(0, count - 1))
        scrollToSelection()
    }

    /// The list's height changed (a resize, a new layout): the selection stays in view.
    public mutating func setPageSize(_ rows: Int) {
        pageSize = max(1, rows)
        scrollToSelection()
    }

    private mutating func scrollToSelection() {
        top = Self.top(for: selected, from: top, rows: pageSize, count: count)
    }

    /// The first row to show so that `selected` is in view, moving as little as possible from `top`.
    public static func top(for selected: Int, from top: Int, rows: Int, count: Int) -> Int {
        var top = top
        if selected < top { top = selected }
        if selected >= top + rows { top = selected - rows + 1 }
        return max(0, min(top, max(0, count - rows)))
    }

    /// Up/Down/PgUp/PgDn/Home/End move, Space marks; false for other keys.
    public mutating func handle(_ key: Key, pageSize: Int) -> Bool {
        if pageSize != self.pageSize { setPageSize(pageSize) }
        switch key {
        case .up, .ctrl("p"), .char("k"): select(selected - 1)
        case .down, .ctrl("n"), .char("j"): select(selected + 1)
        case .pageUp: select(selected - max(1, pageSize - 1))
        case .pageDown: select(selected + max(1, pageSize - 1))
        case .home, .char("g"): select(0)
        case .end, .char("G"): select(count - 1)
        case .char(" "):
            guard count > 0 else { return true }
            if marked.contains(selected) { marked.remove(selected) } else { marked.insert(selected) }
            select(selected + 1)
        default: return false
        }
        return true
    }

    /// The mouse wheel scrolls by three rows; a click selects the row under it.
    public mutating func handle(_ mouse: MouseEvent, in rect: Rect) -> Bool {
        switch mouse.kind {
        case .wheelUp: select(selected - 3)
        case .wheelDown: select(selected + 3)
        case .press where rect.contains(x: mouse.x, y: mouse.y): select(top + mouse.y - rect.y)
        default: return false
        }
        return true
    }

    public mutating func clearMarks() { marked = [] }

    /// Draws the visible rows (`row(index)` gives each one's spans) from `top`. Drawn in a
    /// rectangle of another height than `pageSize`, it still shows the selection, without
    /// changing the state.
    public func render(into screen: inout Screen, in rect: Rect, theme: Theme, row: (Int) -> [Span]) {
        guard !rect.isEmpty else { return }
        let top = Self.top(for: selected, from: top, rows: rect.height, count: count)
        screen.fill(x: rect.x, y: rect.y, width: rect.width, height: rect.height, style: theme[.text])
        for line in 0..<min(rect.height, count - top) {
            let index = top + line
            var spans = row(index)
            let mark = marked.contains(index)
            spans.insert(Span(mark ? "● " : "  ", theme[.marked]), at: 0)
            if index == selected {
                spans = spans.map { Span($0.text, theme[.selection]) }
                screen.fill(x: rect.x, y: rect.y + line, width: rect.width, height: 1, style: theme[.selection])
            }
            screen.put(spans, x: rect.x, y: rect.y + line, limit: rect.width)
        }
    }
}
