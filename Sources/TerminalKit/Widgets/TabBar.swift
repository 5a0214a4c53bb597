/// One row of tabs: the active one stands out, others show unread badges and activity.
public struct TabBar: Equatable, Sendable {
    public struct Tab: Equatable, Sendable {
        public var title: String
        public var unread: Int
        /// Something happened there since it was last looked at (not only messages).
        public var activity: Bool

        public init(_ title: String, unread: Int = 0, activity: Bool = false) {
            self.title = title
            self.unread = unread
            self.activity = activity
        }
    }

    public var tabs: [Tab]
    public var active: Int

    public init(tabs: [Tab], active: Int = 0) {
        self.tabs = tabs
        self.active = active
    }

    /// Tab `index` as drawn: its number and title, its unread badge (not on the active tab), a space.
    private func label(_ index: Int, theme: Theme) -> [Span] {
        let tab = tabs[index], isActive = index == active
        var spans = [
            Span(
                " \(index + 1):\(TextWrap.truncate(tab.title, width: 20))",
                isActive ? theme[.activeTab] : tab.activity ? theme[.tabActivity] : theme[.tab])
        ]
        if tab.unread > 0 && !isActive { spans.append(Span(" \(tab.unread > 99 ? "99+" : String(tab.unread))", theme[.badge])) }
        spans.append(Span(" ", isActive ? theme[.activeTab] : theme[.tab]))
        return spans
    }

    /// Draws the tabs, numbered (Alt-1…9 jump to them); when they do not all fit, the active
    /// one is kept in view and `‹`/`›` say more lie beyond.
    public func render(into screen: inout Screen, in rect: Rect, theme: Theme) {
        guard !rect.isEmpty else { return }
        screen.fill(x: rect.x, y: rect.y, width: rect.width, height: 1, style: theme[.tab])
        let labels = tabs.indices.map { label($0, theme: theme) }
        let widths = labels.map(\.width)
        // The first tab shown: as far left as possible with the active tab still in view.
        var first = 0
        while first < active, widths[first...active].reduce(0, +) + (first > 0 ? 1 : 0) > rect.width - 1 { first += 1 }
        var x = rect.x
        if first > 0 {
            screen.put("‹", x: x, y: rect.y, style: theme[.tabActivity])
            x += 1
        }
        for index in first..<labels.count {
            let room = rect.maxX - x - (index < labels.count - 1 ? 1 : 0)
            guard widths[index] <= room else {
                screen.put("›", x: rect.maxX - 1, y: rect.y, style: theme[.tabActivity])
                break
            }
            x += screen.put(labels[index], x: x, y: rect.y, limit: room)
        }
    }

    /// The tab under column `x` of the bar, for a mouse click (with every tab shown from the left).
    public func tab(atColumn x: Int, in rect: Rect) -> Int? {
        var start = rect.x
        for index in tabs.indices {
            let end = start + label(index, theme: Theme(name: "")).width
            if (start..<end).contains(x) { return index }
            start = end
        }
        return nil
    }
}
