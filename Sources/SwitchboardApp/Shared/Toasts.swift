import Foundation
import TerminalKit

/// Short messages over the bottom of the screen — a refusal, an event — that go away by
/// themselves. The newest shows; errors stay longer.
public struct Toasts: Equatable, Sendable {
    public enum Kind: Equatable, Sendable { case info, success, error }

    public struct Toast: Equatable, Sendable {
        public var text: String
        public var kind: Kind
        public var until: Date
    }

    public private(set) var items: [Toast] = []

    public init() {}

    public mutating func show(_ text: String, kind: Kind = .info, now: Date) {
        items.append(Toast(text: text, kind: kind, until: now.addingTimeInterval(kind == .error ? 8 : 4)))
        if items.count > 5 { items.removeFirst(items.count - 5) }
    }

    public mutating func expire(now: Date) { items.removeAll { $0.until <= now } }

    public mutating func dismiss() { items.removeAll() }

    public var current: Toast? { items.last }

    /// One line at `row`, in the style of its kind.
    public func render(into screen: inout Screen, in row: Rect, theme: Theme) {
        guard let toast = current, !row.isEmpty else { return }
        let style: Style = switch toast.kind {
        case .error: theme[.error]
        case .success: theme[.success]
        case .info: theme[.accent]
        }
        let mark = toast.kind == .error ? " ⚠ " : " • "
        screen.fill(x: row.x, y: row.y, width: row.width, height: 1, style: theme[.dialog])
        screen.put(mark + toast.text, x: row.x, y: row.y, style: style, limit: row.width)
    }
}
