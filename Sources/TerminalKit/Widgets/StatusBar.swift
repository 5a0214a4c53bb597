/// The bottom line: segments on the left (mode, connection, counts) and on the right (hints).
/// When both do not fit, the right side gives way first.
public enum StatusBar {
    public static func render(into screen: inout Screen, in rect: Rect, theme: Theme, left: [Span], right: [Span]) {
        guard !rect.isEmpty else { return }
        screen.fill(x: rect.x, y: rect.y, width: rect.width, height: 1, style: theme[.status])
        // Too long for the line: cut with an ellipsis, so the reader knows there was more.
        let cut = left.width > rect.width
        var used = screen.put(left, x: rect.x, y: rect.y, limit: cut ? rect.width - 1 : rect.width)
        if cut { used += screen.put("…", x: rect.x + used, y: rect.y, style: theme[.status], limit: 1) }
        let rightWidth = right.width
        if used + 1 + rightWidth <= rect.width {
            screen.put(right, x: rect.maxX - rightWidth, y: rect.y, limit: rightWidth)
        }
    }
}
