/// A run of text in a theme role, before a theme gives it colours: what a layout holds when it
/// is cached, compared or tested apart from any theme. `Theme.spans` resolves it for drawing.
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

extension Theme {
    /// The runs in this theme's styles.
    public func spans(_ runs: [RoleSpan]) -> [Span] {
        runs.map { Span($0.text, $0.bold ? self[$0.role].with(bold: true) : self[$0.role]) }
    }
}
