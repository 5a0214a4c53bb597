import Foundation
import SwitchboardClient
import SwitchboardProtocol
import TerminalKit

extension Conversation {
    // MARK: Drawing

    /// The lines that fit in `rect` at the current scroll position, bottom-aligned, with "more
    /// above/below" hints.
    public func render(into screen: inout Screen, in whole: Rect, theme: Theme) {
        guard !whole.isEmpty else { return }
        screen.fill(x: whole.x, y: whole.y, width: whole.width, height: whole.height, style: theme[.text])
        // Before the first message the hint sits under the ticket's opening lines, where that
        // message will appear, with a blank line between.
        let empty = timeline.messages.isEmpty && timeline.outgoing.isEmpty && !loadingOlder
        let hint = empty ? TextWrap.lines(emptyHint, width: max(1, whole.width - 2)) : []
        let hintRows = !hint.isEmpty && whole.height > hint.count + 2 ? hint.count + 1 : 0
        let rect = Rect(x: whole.x, y: whole.y, width: whole.width, height: whole.height - hintRows)
        let (lines, fromStart) = Self.tailLayout(self, width: rect.width - 1, tail: offset + rect.height + 1)
        let end = max(0, lines.count - offset), start = max(0, end - rect.height)
        let shown = lines[start..<end]
        var y = rect.maxY - shown.count
        for line in shown {
            screen.put(line.spans, theme: theme, x: rect.x, y: y, limit: rect.width - 1)
            y += 1
        }
        if start == 0 && fromStart && (timeline.hasOlder || loadingOlder) {
            let hint = loadingOlder ? " ↑ loading older messages… " : " ↑ PgUp for older messages "
            screen.put(
                hint, x: rect.x + max(0, (rect.width - TextWidth.of(hint)) / 2),
                y: rect.maxY - shown.count - (shown.count < rect.height ? 1 : 0),
                style: theme[.muted], limit: rect.width)
        }
        if offset > 0 {
            let hint = unseen > 0 ? " ↓ \(unseen) new — End jumps to them " : " ↓ more below — End jumps to the newest "
            screen.put(
                hint, x: rect.x + max(0, rect.width - TextWidth.of(hint) - 1), y: rect.maxY - 1, style: theme[.badge], limit: rect.width)
        }
        if hintRows > 0 {
            for (row, line) in hint.enumerated() {
                screen.put(
                    line, x: rect.x + max(0, (rect.width - TextWidth.of(line)) / 2), y: whole.maxY - hint.count + row,
                    style: theme[.muted], limit: rect.width)
            }
        }
    }

    /// "Alice is typing…" for whoever is typing now.
    public var typingLine: String? {
        let names = timeline.typing.map(\.shown)
        switch names.count {
        case 0: return nil
        case 1: return "\(names[0]) is typing…"
        case 2: return "\(names[0]) and \(names[1]) are typing…"
        default: return "\(names.count) people are typing…"
        }
    }
}
