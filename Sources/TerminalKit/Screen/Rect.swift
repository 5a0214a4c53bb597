/// A rectangle of cells on the screen.
public struct Rect: Equatable, Hashable, Sendable {
    public var x: Int
    public var y: Int
    public var width: Int
    public var height: Int

    public init(x: Int, y: Int, width: Int, height: Int) {
        self.x = x
        self.y = y
        self.width = max(0, width)
        self.height = max(0, height)
    }

    public var isEmpty: Bool { width == 0 || height == 0 }
    public var maxX: Int { x + width }
    public var maxY: Int { y + height }

    public func contains(x px: Int, y py: Int) -> Bool { (x..<maxX).contains(px) && (y..<maxY).contains(py) }

    /// The rectangle less `n` cells on every side.
    public func inset(by n: Int) -> Rect { Rect(x: x + n, y: y + n, width: width - 2 * n, height: height - 2 * n) }

    /// The top `n` rows, and the rest.
    public func splitTop(_ n: Int) -> (Rect, Rect) {
        let top = min(max(0, n), height)
        return (Rect(x: x, y: y, width: width, height: top), Rect(x: x, y: y + top, width: width, height: height - top))
    }

    /// The rest, and the bottom `n` rows.
    public func splitBottom(_ n: Int) -> (Rect, Rect) {
        let bottom = min(max(0, n), height)
        return (Rect(x: x, y: y, width: width, height: height - bottom), Rect(x: x, y: maxY - bottom, width: width, height: bottom))
    }

    /// A rectangle of at most `w`×`h` in the middle of this one.
    public func centered(width w: Int, height h: Int) -> Rect {
        let cw = min(w, width), ch = min(h, height)
        return Rect(x: x + (width - cw) / 2, y: y + (height - ch) / 2, width: cw, height: ch)
    }
}

/// A run of text in one style.
public struct Span: Equatable, Sendable {
    public var text: String
    public var style: Style

    public init(_ text: String, _ style: Style = .plain) {
        self.text = text
        self.style = style
    }
}

extension [Span] {
    /// The columns these spans take on screen, as drawn (sanitised: a control character shows as one symbol).
    public var width: Int { reduce(0) { $0 + TextWidth.of(Sanitizer.clean($1.text)) } }
}

extension Screen {
    /// Writes spans one after another on row `y`, clipped to `limit` columns; returns the columns used.
    @discardableResult
    public mutating func put(_ spans: [Span], x: Int, y: Int, limit: Int) -> Int {
        var used = 0
        for span in spans where used < limit {
            used += put(span.text, x: x + used, y: y, style: span.style, limit: limit - used)
        }
        return used
    }

    /// A box border around `rect`, with an optional title in the top edge.
    public mutating func box(_ rect: Rect, style: Style, title: String? = nil, titleStyle: Style? = nil) {
        guard rect.width >= 2, rect.height >= 2 else { return }
        for column in rect.x + 1..<rect.maxX - 1 {
            put("─", x: column, y: rect.y, style: style)
            put("─", x: column, y: rect.maxY - 1, style: style)
        }
        for row in rect.y + 1..<rect.maxY - 1 {
            put("│", x: rect.x, y: row, style: style)
            put("│", x: rect.maxX - 1, y: row, style: style)
        }
        put("┌", x: rect.x, y: rect.y, style: style)
        put("┐", x: rect.maxX - 1, y: rect.y, style: style)
        put("└", x: rect.x, y: rect.maxY - 1, style: style)
        put("┘", x: rect.maxX - 1, y: rect.maxY - 1, style: style)
        if let title, rect.width > 4 {
            put(" \(title) ", x: rect.x + 1, y: rect.y, style: titleStyle ?? style, limit: rect.width - 2)
        }
    }
}
