/// One key press, as the back end decodes it.
public struct Key: Hashable, Sendable, CustomStringConvertible {
    public enum Code: Hashable, Sendable {
        case character(Character)
        case enter, tab, backspace, delete, escape, insert
        case up, down, left, right, home, end, pageUp, pageDown
        case function(Int)
    }

    public var code: Code
    public var ctrl: Bool
    public var alt: Bool
    public var shift: Bool

    /// A character typed as such (no Ctrl, no Alt): text wherever something is being typed, so a
    /// binding to one acts only where nothing is (the queue, the ticket list).
    public var typesText: Bool {
        if case .character = code { return !ctrl && !alt }
        return false
    }

    public init(_ code: Code, ctrl: Bool = false, alt: Bool = false, shift: Bool = false) {
        self.code = code
        self.ctrl = ctrl
        self.alt = alt
        self.shift = shift
    }

    public static func char(_ c: Character) -> Key { Key(.character(c)) }
    /// Ctrl with a letter (always lower case here: terminals cannot tell C-a from C-A).
    public static func ctrl(_ c: Character) -> Key { Key(.character(Character(c.lowercased())), ctrl: true) }
    public static func alt(_ c: Character) -> Key { Key(.character(c), alt: true) }
    public static let enter = Key(.enter), tab = Key(.tab), backTab = Key(.tab, shift: true), escape = Key(.escape)
    public static let backspace = Key(.backspace), delete = Key(.delete)
    public static let up = Key(.up), down = Key(.down), left = Key(.left), right = Key(.right)
    public static let home = Key(.home), end = Key(.end), pageUp = Key(.pageUp), pageDown = Key(.pageDown)

    /// How help and key-binding files write it: `C-a`, `M-f`, `M-Enter`, `S-Tab`, `PgUp`, `F1`, `x`.
    public var description: String {
        var text = ""
        if ctrl { text += "C-" }
        if alt { text += "M-" }
        if shift { text += "S-" }
        switch code {
        case .character(" "): text += "Space"
        case .character(let c): text.append(c)
        case .enter: text += "Enter"
        case .tab: text += "Tab"
        case .backspace: text += "Backspace"
        case .delete: text += "Delete"
        case .escape: text += "Esc"
        case .insert: text += "Insert"
        case .up: text += "Up"
        case .down: text += "Down"
        case .left: text += "Left"
        case .right: text += "Right"
        case .home: text += "Home"
        case .end: text += "End"
        case .pageUp: text += "PgUp"
        case .pageDown: text += "PgDn"
        case .function(let n): text += "F\(n)"
        }
        return text
    }

    /// Reads the form `description` writes; nil if it is not a key.
    public init?(_ text: String) {
        var rest = Substring(text)
        var ctrl = false, alt = false, shift = false
        while rest.count > 2, rest.dropFirst().first == "-" {
            switch rest.first {
            case "C": ctrl = true
            case "M": alt = true
            case "S": shift = true
            default: return nil
            }
            rest = rest.dropFirst(2)
        }
        let names: [String: Code] = [
            "Enter": .enter, "Tab": .tab, "Backspace": .backspace, "Delete": .delete, "Esc": .escape, "Insert": .insert,
            "Up": .up, "Down": .down, "Left": .left, "Right": .right, "Home": .home, "End": .end,
            "PgUp": .pageUp, "PgDn": .pageDown, "Space": .character(" "),
        ]
        let code: Code
        if let named = names[String(rest)] {
            code = named
        } else if rest.count >= 2, rest.first == "F", let n = Int(rest.dropFirst()), (1...24).contains(n) {
            code = .function(n)
        } else if rest.count == 1, let c = rest.first {
            code = .character(ctrl ? Character(c.lowercased()) : c)
        } else {
            return nil
        }
        self.init(code, ctrl: ctrl, alt: alt, shift: shift)
    }
}

/// A mouse action at a cell.
public struct MouseEvent: Hashable, Sendable {
    public enum Kind: Hashable, Sendable { case press(button: Int), release, wheelUp, wheelDown }
    public var kind: Kind
    public var x: Int
    public var y: Int

    public init(_ kind: Kind, x: Int, y: Int) {
        self.kind = kind
        self.x = x
        self.y = y
    }
}

/// What the terminal reports.
public enum InputEvent: Hashable, Sendable {
    case key(Key)
    /// Bracketed paste: the pasted text in one piece, never taken as keys.
    case paste(String)
    case mouse(MouseEvent)
    case resize(width: Int, height: Int)
    /// The terminal window gained (true) or lost the focus (mode 1004; not every terminal says).
    case focus(Bool)
}
