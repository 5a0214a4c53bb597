/// Type to narrow a list (letters in order, not necessarily together: "rfd" finds "refund"),
/// best matches first, with a preview of the selected item beside the list.
public struct FuzzyPicker: Equatable, Sendable {
    public struct Item: Equatable, Sendable {
        public var title: String
        public var preview: String

        public init(_ title: String, preview: String = "") {
            self.title = title
            self.preview = preview
        }
    }

    public var items: [Item]
    public private(set) var query = ""
    public private(set) var list = ListView()
    /// Indexes into `items` of the matches, best first.
    public private(set) var matches: [Int] = []

    public init(items: [Item]) {
        self.items = items
        refilter()
    }

    public enum Outcome: Equatable, Sendable { case picking, picked(Int), cancelled }

    public var selectedItem: Int? { matches.indices.contains(list.selected) ? matches[list.selected] : nil }

    public mutating func handle(_ key: Key) -> Outcome {
        switch key {
        case .escape, .ctrl("g"): return .cancelled
        case .enter: return selectedItem.map { .picked($0) } ?? .picking
        case .backspace:
            if !query.isEmpty {
                query.removeLast()
                refilter()
            }
        case .up, .down, .pageUp, .pageDown, .ctrl("p"), .ctrl("n"):
            _ = list.handle(key, pageSize: 10)
        default:
            if case .character(let c) = key.code, !key.ctrl, !key.alt {
                query.append(c)
                refilter()
            }
        }
        return .picking
    }

    private mutating func refilter() {
        let scored = items.indices.compactMap { index in Self.score(query, in: items[index].title).map { (index, $0) } }
        matches = scored.sorted { $0.1 != $1.1 ? $0.1 > $1.1 : $0.0 < $1.0 }.map(\.0)
        list.resize(to: matches.count)
        list.select(0)
    }

    /// Higher is better; nil when the letters are not all there in order. Runs of adjacent
    /// letters and letters at word starts count extra, as in fzf.
    public static func score(_ query: String, in text: String) -> Int? {
        guard !query.isEmpty else { return 0 }
        let needle = Array(query.lowercased()), hay = Array(text.lowercased())
        var score = 0, run = 0, position = 0
        for letter in needle {
            guard let found = hay[position...].firstIndex(of: letter) else { return nil }
            run = found == position && position > 0 ? run + 1 : 0
            let wordStart = found == 0 || !(hay[found - 1].isLetter || hay[found - 1].isNumber)
            score += 1 + run * 5 + (wordStart ? 8 : 0) - min(found - position, 5)
            position = found + 1
        }
        return score
    }

    /// The positions in `text` the query's letters matched, for highlighting.
    public static func matchedPositions(_ query: String, in text: String) -> Set<Int> {
        var positions: Set<Int> = [], position = 0
        let hay = Array(text.lowercased())
        for letter in query.lowercased() {
            guard let found = hay[position...].firstIndex(of: letter) else { return [] }
            positions.insert(found)
            position = found + 1
        }
        return positions
    }

    public func render(into screen: inout Screen, in area: Rect, theme: Theme, title: String) {
        let box = area.centered(width: min(area.width, 100), height: min(area.height, 20))
        screen.fill(x: box.x, y: box.y, width: box.width, height: box.height, style: theme[.dialog])
        screen.box(box, style: theme[.dialogBorder], title: title, titleStyle: theme[.title])
        let inner = box.inset(by: 1)
        let (prompt, body) = inner.splitTop(1)
        screen.put(
            [
                Span("> ", theme[.accent]), Span(query, theme[.input]),
                Span("  \(matches.count)/\(items.count)", theme[.muted]),
            ], x: prompt.x, y: prompt.y, limit: prompt.width)
        let split = SplitPane(.horizontal, percent: 45).layout(body)
        let query = query, items = items, matches = matches
        list.render(into: &screen, in: split.first, theme: theme) { row in
            let title = items[matches[row]].title
            let hits = Self.matchedPositions(query, in: title)
            return title.enumerated().map { i, c in Span(String(c), hits.contains(i) ? theme[.match] : theme[.dialog]) }
        }
        for y in split.divider.y..<split.divider.maxY { screen.put("│", x: split.divider.x, y: y, style: theme[.border]) }
        if let selected = selectedItem {
            for (offset, line) in TextWrap.lines(items[selected].preview, width: split.second.width).prefix(split.second.height)
                .enumerated()
            {
                screen.put(line, x: split.second.x, y: split.second.y + offset, style: theme[.dialog])
            }
        }
    }
}
