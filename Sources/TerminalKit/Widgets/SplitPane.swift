/// Two panes side by side or one above the other, with a divider the user moves with keys
/// (`grow`/`shrink`) or by dragging it with the mouse.
public struct SplitPane: Equatable, Sendable {
    public enum Axis: Equatable, Sendable { case horizontal, vertical }

    /// `.horizontal`: left | right. `.vertical`: top over bottom.
    public var axis: Axis
    /// The first pane's share, in percent.
    public private(set) var percent: Int
    public var minimum = 3

    public init(_ axis: Axis, percent: Int = 50) {
        self.axis = axis
        self.percent = min(90, max(10, percent))
    }

    /// The two panes and the one-cell divider between them.
    public func layout(_ rect: Rect) -> (first: Rect, divider: Rect, second: Rect) {
        switch axis {
        case .horizontal:
            let first = clamp(rect.width * percent / 100, total: rect.width)
            return (
                Rect(x: rect.x, y: rect.y, width: first, height: rect.height),
                Rect(x: rect.x + first, y: rect.y, width: min(1, rect.width - first), height: rect.height),
                Rect(x: rect.x + first + 1, y: rect.y, width: rect.width - first - 1, height: rect.height)
            )
        case .vertical:
            let first = clamp(rect.height * percent / 100, total: rect.height)
            return (
                Rect(x: rect.x, y: rect.y, width: rect.width, height: first),
                Rect(x: rect.x, y: rect.y + first, width: rect.width, height: min(1, rect.height - first)),
                Rect(x: rect.x, y: rect.y + first + 1, width: rect.width, height: rect.height - first - 1)
            )
        }
    }

    private func clamp(_ size: Int, total: Int) -> Int {
        guard total > 2 * minimum + 1 else { return max(0, (total - 1) / 2) }
        return min(max(size, minimum), total - minimum - 1)
    }

    public mutating func grow(by step: Int = 5) { percent = min(90, percent + step) }
    public mutating func shrink(by step: Int = 5) { percent = max(10, percent - step) }

    /// Puts the divider under a mouse press or drag at (x, y), if it is in `rect`.
    public mutating func drag(to mouse: MouseEvent, in rect: Rect) {
        guard rect.contains(x: mouse.x, y: mouse.y) else { return }
        let (offset, total) = axis == .horizontal ? (mouse.x - rect.x, rect.width) : (mouse.y - rect.y, rect.height)
        guard total > 0 else { return }
        percent = min(90, max(10, offset * 100 / total))
    }

    public func renderDivider(into screen: inout Screen, in rect: Rect, theme: Theme) {
        let divider = layout(rect).divider
        for y in divider.y..<divider.maxY {
            for x in divider.x..<divider.maxX { screen.put(axis == .horizontal ? "│" : "─", x: x, y: y, style: theme[.border]) }
        }
    }
}
