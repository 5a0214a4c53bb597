/// What each part of the screen looks like. Views ask for a role (`theme[.selection]`), never
/// for a colour, so a theme file can restyle everything.
public struct Theme: Equatable, Sendable {
    /// The parts of the screen a theme styles.
    public enum Role: String, CaseIterable, Sendable {
        case text, muted, accent, border, title
        case selection, marked, cursor
        case tab = "tab", activeTab = "tab.active", tabActivity = "tab.activity", badge
        case status, statusConnected = "status.connected", statusReconnecting = "status.reconnecting",
            statusOffline = "status.offline"
        case ownMessage = "message.own", otherMessage = "message.other", note = "message.note",
            systemMessage = "message.system", timestamp
        case input, placeholder, error, warning, success
        case dialog, dialogBorder = "dialog.border", field, fieldFocused = "field.focused"
        case match, key
    }

    public var name: String
    private var styles: [Role: Style]

    public init(name: String, styles: [Role: Style] = [:]) {
        self.name = name
        self.styles = styles
    }

    public subscript(role: Role) -> Style {
        get { styles[role] ?? Theme.fallback(role) }
        set { styles[role] = newValue }
    }

    /// The same theme with every colour taken out (`NO_COLOR`, or a terminal without colours):
    /// bold, underline and reverse still tell things apart.
    public func withoutColor() -> Theme {
        var plain = Theme(name: name)
        for role in Role.allCases {
            var style = self[role]
            style.foreground = .default
            style.background = .default
            plain[role] = style
        }
        return plain
    }

    /// What a role looks like when a theme says nothing of it: readable on any terminal.
    static func fallback(_ role: Role) -> Style {
        switch role {
        case .muted, .timestamp, .placeholder, .border, .systemMessage: Style(dim: true)
        case .accent, .title, .key, .match: Style(bold: true)
        case .selection, .cursor, .activeTab, .status, .badge, .fieldFocused: Style(reverse: true)
        case .marked, .tabActivity, .warning: Style(underline: true)
        case .note: Style(italic: true)
        case .error: Style(bold: true, underline: true)
        default: .plain
        }
    }
}
