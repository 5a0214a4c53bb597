import Foundation
import SwitchboardProtocol
import TerminalKit

/// What `/find` found across tickets: the hits as the server ranked them, which one is chosen,
/// and whether more can be paged in. Both chatting modes hold one; `render` draws it as a list
/// of two rows a hit — the ticket, who, when; the snippet with the words found highlighted.
public struct FindResults: Equatable, Sendable {
    public var query: String
    public internal(set) var hits: [SearchHit] = []
    public internal(set) var nextCursor: String?
    /// A page is on its way.
    public internal(set) var loading = true
    public internal(set) var list = ListView()
    /// Shown over the screen (false: hidden, but kept for n / N).
    public var shown = true

    public init(query: String) { self.query = query }

    public var chosen: SearchHit? { hits.indices.contains(list.selected) ? hits[list.selected] : nil }

    /// A page came: added to what is held (the first page replaces).
    mutating func add(_ page: SearchPage, first: Bool) {
        hits = first ? page.items : hits + page.items
        nextCursor = page.nextCursor
        loading = false
        list.resize(to: hits.count)
    }

    mutating func failed() { loading = false }

    /// What a key did in the pane, for the mode to carry out.
    enum Answer: Equatable {
        /// Nothing more to do (the choice moved, or the pane was hidden).
        case done
        case open(SearchHit)
        /// The choice reached the end of what is held: ask for the page at this cursor.
        case more(String)
    }

    /// The pane's keys: ↑↓ and pages move (more hits asked for near the end), Enter opens the
    /// choice, Esc hides the pane, and (`steps`) n / N move too.
    mutating func answer(_ key: Key, pageSize: Int, steps: Bool) -> Answer {
        switch key {
        case .escape:
            shown = false
            return .done
        case .enter:
            guard let hit = chosen else { return .done }
            shown = false
            return .open(hit)
        case .char("n"),
            .char("N") where steps:
            return step(forward: key == .char("n")).map(Answer.more) ?? .done
        default:
            guard list.handle(key, pageSize: pageSize) else { return .done }
            return takeMore().map(Answer.more) ?? .done
        }
    }

    /// Steps to the next (or previous) hit, wrapping; answers the cursor to page in when needed.
    mutating func step(forward: Bool) -> String? {
        guard !hits.isEmpty else { return nil }
        list.select((list.selected + (forward ? 1 : hits.count - 1)) % hits.count)
        return takeMore()
    }

    /// The next page's cursor when the choice is near the end of what is held (marked as asked for).
    private mutating func takeMore() -> String? {
        guard !loading, list.selected >= hits.count - 2, let next = nextCursor else { return nil }
        loading = true
        return next
    }

    /// The first word the server marked in the hit (what the chat highlights when it is opened).
    static func markedWord(_ snippet: String) -> String? {
        guard let open = snippet.firstIndex(of: "«"), let close = snippet[open...].firstIndex(of: "»") else { return nil }
        let word = snippet[snippet.index(after: open)..<close]
        return word.isEmpty ? nil : String(word)
    }

    // MARK: Drawing

    func render(into screen: inout Screen, in rect: Rect, theme: Theme, timeZone: TimeZone, now: Date, hint: String) {
        screen.fill(x: rect.x, y: rect.y, width: rect.width, height: rect.height, style: theme[.text])
        let count =
            loading && hits.isEmpty ? "searching…" : hits.isEmpty ? "nothing found" : "\(hits.count)\(nextCursor != nil ? "+" : "") found"
        screen.fill(x: rect.x, y: rect.y, width: rect.width, height: 1, style: theme[.activeTab])
        screen.put(
            " Find “\(Sanitizer.clean(query))” · \(count)", x: rect.x, y: rect.y, style: theme[.activeTab], limit: rect.width)
        let body = Rect(x: rect.x, y: rect.y + 1, width: rect.width, height: max(0, rect.height - 2))
        screen.put(hint, x: rect.x + 1, y: rect.maxY - 1, style: theme[.muted], limit: rect.width - 1)
        guard !hits.isEmpty else {
            let say =
                loading
                ? "Searching every ticket…"
                : "No message or ticket has that. Try fewer words, a prefix (refund*), or no filters."
            screen.put(say, x: body.x + 2, y: body.y + 1, style: theme[.muted], limit: body.width - 2)
            return
        }
        let rows = max(1, body.height / 2)
        let top = ListView.top(for: list.selected, from: list.top, rows: rows, count: hits.count)
        for (row, index) in (top..<min(hits.count, top + rows)).enumerated() {
            let hit = hits[index]
            let y = body.y + row * 2
            let selected = index == list.selected
            let base = selected ? theme[.selection] : theme[.text]
            screen.fill(x: body.x, y: y, width: body.width, height: 2, style: base)
            let when = ShortMoment.text(hit.timestamp, now: now, timeZone: timeZone, yearIfOther: true)
            let who = hit.sender.shown + (hit.messageId == nil ? " (the ticket)" : "")
            let right = (hit.internal ? "✎ note · " : "") + who + " · " + when + " "
            let rightWidth = min(TextWidth.of(right), max(0, body.width / 2))
            let title = "\(selected ? "▸" : " ")#\(hit.ticketId) "
            screen.put(
                [Span(title, selected ? base : theme[.accent]), Span(Sanitizer.clean(hit.subject), base.with(bold: true))],
                x: body.x, y: y, limit: body.width - rightWidth - 1)
            screen.put(
                TextWrap.truncate(right, width: rightWidth), x: body.maxX - rightWidth, y: y,
                style: selected ? base : theme[hit.internal ? .note : .muted], limit: rightWidth)
            screen.put(
                Self.snippetSpans(hit.snippet, base: selected ? base : theme[hit.internal ? .note : .muted], match: theme[.match]),
                x: body.x + 3, y: y + 1, limit: body.width - 4)
        }
    }

    /// The snippet's words between « » in the match style, the rest in `base`; sanitised.
    static func snippetSpans(_ snippet: String, base: Style, match: Style) -> [Span] {
        var spans: [Span] = [], current = "", inside = false
        for character in snippet {
            if character == "«" || character == "»" {
                if !current.isEmpty { spans.append(Span(Sanitizer.clean(current), inside ? match : base)) }
                current = ""
                inside = character == "«"
            } else {
                current.append(character)
            }
        }
        if !current.isEmpty { spans.append(Span(Sanitizer.clean(current), inside ? match : base)) }
        return spans
    }
}
