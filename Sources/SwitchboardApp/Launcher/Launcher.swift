import Foundation
import TerminalKit

/// The first screen of plain `switchboard`: the three modes, the embedded server's address and
/// its customer web page, the demo accounts with their password, and how to join from a second
/// terminal.
public struct Launcher: Equatable, Sendable {
    public enum Choice: Int, CaseIterable, Equatable, Sendable { case customer, console, tester }

    public struct Account: Equatable, Sendable {
        public var username: String
        public var displayName: String
        public var role: String

        public init(username: String, displayName: String, role: String) {
            self.username = username
            self.displayName = displayName
            self.role = role
        }
    }

    public enum Outcome: Equatable, Sendable { case stay, pick(Choice), quit }

    public let server: String
    public let accounts: [Account]
    public let password: String
    public let logFile: String
    public private(set) var list = ListView(count: Choice.allCases.count)
    public private(set) var toasts = Toasts()
    public private(set) var now: Date
    public private(set) var size: (width: Int, height: Int) {
        get { terminalSize.pair }
        set { terminalSize = TerminalSize(newValue) }
    }
    /// The size as a value (so the state compares with a synthesised `==`).
    private var terminalSize: TerminalSize
    public var helpShown = false

    public init(server: String, accounts: [Account], password: String, logFile: String, size: (width: Int, height: Int), now: Date) {
        self.server = server
        self.accounts = accounts
        self.password = password
        self.logFile = logFile
        terminalSize = TerminalSize(size)
        self.now = now
    }

    static func title(_ choice: Choice) -> String {
        switch choice {
        case .customer: "Customer"
        case .console: "Agent console"
        case .tester: "Tester"
        }
    }

    static func summary(_ choice: Choice) -> String {
        switch choice {
        case .customer: "open tickets and chat with support, as the demo customer"
        case .console: "the queue, chats in tabs, notes and canned responses, as the demo agent"
        case .tester: "frames and REST calls by hand, as the demo customer and agent at once"
        }
    }

    public static let keys = KeyMap<String>([
        .init([.up], "move", help: "choose", group: "Launcher"),
        .init([.enter], "pick", help: "start the chosen mode", group: "Launcher"),
        .init([.char("1")], "pick", help: "Customer (2, 3: the others)", group: "Launcher"),
        .init([.char("q")], "quit", help: "quit (stops the embedded server)", group: "Launcher"),
        .init([Key(.function(1))], "help", help: "these keys", group: "Launcher"),
    ])

    public mutating func update(_ input: ModeInput) -> Outcome {
        switch input {
        case .tick(let time):
            now = time
            toasts.expire(now: time)
        case .resize(let width, let height):
            size = (width, height)
        case .key(let key):
            if helpShown {
                helpShown = false
                return .stay
            }
            switch key {
            case .char("q"), .ctrl("q"), .ctrl("c"), .escape: return .quit
            case Key(.function(1)), .char("?"): helpShown = true
            case .enter: return pick(Choice(rawValue: list.selected) ?? .customer)
            case .char("1"), .char("2"), .char("3"):
                if case .character(let c) = key.code, let digit = c.wholeNumberValue, let choice = Choice(rawValue: digit - 1) {
                    list.select(choice.rawValue)
                    return pick(choice)
                }
            default:
                _ = list.handle(key, pageSize: Choice.allCases.count)
            }
        case .mouse(let mouse):
            if case .press = mouse.kind, let row = menuRow(at: mouse.y) {
                list.select(row)
                return pick(Choice(rawValue: row) ?? .customer)
            }
        case .event(.notice(let text)):
            toasts.show(text, kind: .error, now: now)
        case .paste, .event, .focus:
            break
        }
        return .stay
    }

    private mutating func pick(_ choice: Choice) -> Outcome { .pick(choice) }

    /// The launcher's block (about 20 rows) sits in the middle of a tall terminal.
    private var blockTop: Int { max(2, (size.height - 22) / 2) }
    /// The top row of the menu on screen (it is drawn from here down, two rows each).
    private var menuTop: Int { blockTop + 3 }

    private func menuRow(at y: Int) -> Int? {
        let offset = y - menuTop
        guard offset >= 0 else { return nil }
        let row = offset / 2
        return Choice.allCases.indices.contains(row) ? row : nil
    }

    public func view(theme: Theme) -> (screen: Screen, cursor: (x: Int, y: Int)?) {
        var screen = Screen(width: size.width, height: size.height, style: theme[.text])
        let area = Rect(x: 0, y: 0, width: size.width, height: size.height)
        screen.fill(x: 0, y: 0, width: size.width, height: 1, style: theme[.status])
        screen.put(
            [
                Span(" Switchboard", theme[.status].with(bold: true)),
                Span(" · real-time customer support from the terminal", theme[.status]),
            ],
            x: 0, y: 0, limit: size.width)
        let width = min(size.width - 4, 76), left = max(2, (size.width - width) / 2)
        let running = width >= 60 ? "A support server is running on this machine: \(server)" : "Server: \(server)"
        screen.put(running, x: left, y: blockTop, style: theme[.muted], limit: width)
        // The customer web page is on the same server: a browser beside this terminal can chat too.
        let page = server.hasSuffix("/") ? server : server + "/"
        screen.put(
            [Span(width >= 60 ? "Customers in a browser: " : "Browser: ", theme[.muted]), Span(page, theme[.accent])],
            x: left, y: blockTop + 1, limit: width)
        var y = menuTop
        for choice in Choice.allCases {
            let selected = list.selected == choice.rawValue
            let style = selected ? theme[.selection] : theme[.text]
            screen.fill(x: left, y: y, width: width, height: 1, style: selected ? theme[.selection] : theme[.text])
            screen.put(
                [
                    Span(" \(choice.rawValue + 1)  ", selected ? style : theme[.key]), Span(Self.title(choice), style.with(bold: true)),
                ], x: left, y: y, limit: width)
            screen.put(
                TextWrap.truncate("    " + Self.summary(choice), width: width), x: left, y: y + 1, style: theme[.muted], limit: width)
            y += 2
        }
        y += 1
        screen.put("Demo accounts — password '\(password)':", x: left, y: y, style: theme[.title], limit: width)
        y += 1
        for account in accounts where y < size.height - 4 {
            screen.put(
                [
                    Span("  " + account.username.padding(toLength: 10, withPad: " ", startingAt: 0), theme[.accent]),
                    Span(account.displayName.padding(toLength: 18, withPad: " ", startingAt: 0), theme[.text]),
                    Span(account.role.lowercased(), theme[.muted]),
                ], x: left, y: y, limit: width)
            y += 1
        }
        // The tip whole, or a short one where the whole does not fit; the log's place if there is room.
        let tip = TextWrap.lines(
            "A second terminal joins this server: `switchboard console --user agent` answers as the "
                + "agent, `switchboard chat --user customer` writes as the customer.", width: width)
        let room = size.height - 2 - (y + 1)
        let lines =
            room >= tip.count + 1
            ? tip + ["Server log: \(logFile)"]
            : room >= tip.count
                ? tip
                : ["Second terminal: switchboard console --user agent"]
        for (offset, line) in lines.prefix(max(0, room)).enumerated() {
            screen.put(line, x: left, y: y + 1 + offset, style: theme[.muted], limit: width)
        }
        toasts.render(into: &screen, in: Rect(x: 0, y: size.height - 2, width: size.width, height: 1), theme: theme)
        StatusBar.render(
            into: &screen, in: Rect(x: 0, y: size.height - 1, width: size.width, height: 1), theme: theme,
            left: [Span(" ↑↓ choose · Enter start · 1–3 pick · q quit")], right: [Span("F1 help ")])
        if helpShown { HelpOverlay.render(Self.keys, into: &screen, in: area, theme: theme, title: "Launcher") }
        return (screen, nil)
    }
}
