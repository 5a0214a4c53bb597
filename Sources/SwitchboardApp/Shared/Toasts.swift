import Foundation
import TerminalKit

/// Short messages over the bottom of the screen — a refusal, an event — that go away by
/// themselves. The newest shows; errors stay longer.
public struct Toasts: Equatable, Sendable {
    public enum Kind: Equatable, Sendable { case info, success, warning, error }

    public struct Toast: Equatable, Sendable {
        public var text: String
        public var kind: Kind
        public var until: Date
    }

    public private(set) var items: [Toast] = []

    public init() {}

    public mutating func show(_ text: String, kind: Kind = .info, now: Date) {
        items.append(Toast(text: text, kind: kind, until: now.addingTimeInterval(kind == .error || kind == .warning ? 8 : 4)))
        if items.count > 5 { items.removeFirst(items.count - 5) }
    }

    public mutating func expire(now: Date) { items.removeAll { $0.until <= now } }

    /// Toasts about something that is over (a refused message the user discarded) go at once.
    public mutating func dismiss(where isOver: (Toast) -> Bool) { items.removeAll(where: isOver) }

    public mutating func dismiss() { items.removeAll() }

    public var current: Toast? { items.last }

    /// At `row`, in the style of its kind; a toast too long for one line wraps upward, over
    /// what is above it, on at most three lines (it is gone in seconds; clipped, it would be lost).
    public func render(into screen: inout Screen, in row: Rect, theme: Theme) {
        // A window too small to have the toast's row (it would sit above the screen): not shown.
        guard let toast = current, !row.isEmpty, row.y >= 0 else { return }
        let style: Style =
            switch toast.kind {
            case .error: theme[.error]
            case .warning: theme[.warning]
            case .success: theme[.success]
            case .info: theme[.accent]
            }
        let mark = toast.kind == .error ? " ⚠ " : toast.kind == .warning ? " ⏱ " : " • "
        var lines = TextWrap.lines(toast.text.replacingOccurrences(of: "\n", with: " "), width: max(1, row.width - 3))
        let room = min(3, row.y + 1)
        if lines.count > room {
            lines = Array(lines.prefix(room))
            lines[room - 1] = String(lines[room - 1].prefix(max(0, row.width - 4))) + "…"
        }
        for (index, line) in lines.enumerated() {
            let y = row.y - (lines.count - 1) + index
            screen.fill(x: row.x, y: y, width: row.width, height: 1, style: theme[.dialog])
            screen.put((index == 0 ? mark : "   ") + line, x: row.x, y: y, style: style, limit: row.width)
        }
    }
}
