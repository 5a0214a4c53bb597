/// A run of text in a theme role, before a theme gives it colours: what a layout holds when it
/// is cached, compared or tested apart from any theme. `Screen.put(_:theme:…)` draws it.
public struct RoleSpan: Equatable, Sendable {
    public var text: String
    public var role: Theme.Role
    /// Bold on top of whatever the role looks like (a sender's name).
    public var bold: Bool

    public init(_ text: String, _ role: Theme.Role = .text, bold: Bool = false) {
        self.text = text
        self.role = role
        self.bold = bold
    }
}

extension [RoleSpan] {
    /// The columns these runs take on screen, as drawn (sanitised, as `[Span].width` counts).
    public var width: Int { reduce(0) { $0 + TextWidth.of(Sanitizer.clean($1.text)) } }

    /// The text alone, as a test or a search reads it.
    public var text: String { map(\.text).joined() }
}

extension Screen {
    /// Writes the runs one after another on row `y` in `theme`'s styles, clipped to `limit`
    /// columns (no array of spans made per line drawn); returns the columns used.
    @discardableResult
    public mutating func put(_ runs: [RoleSpan], theme: Theme, x: Int, y: Int, limit: Int) -> Int {
        var used = 0
        for run in runs where used < limit {
            let style = run.bold ? theme[run.role].with(bold: true) : theme[run.role]
            used += put(run.text, x: x + used, y: y, style: style, limit: limit - used)
        }
        return used
    }
}
