import Foundation
import SwitchboardProtocol
import TerminalKit

/// Before signing in, every mode is its sign-in screen; after, the mode's own screen.
public enum ModePhase: Equatable, Sendable {
    case signIn(SignInScreen)
    case main
}

/// What every mode shares: the clock, the size, the terminal's
/// focus, toasts, the sign-in screen first, and the help and confirm dialogs over the screen.
/// `route` takes every input through them in one order; a mode supplies its own parts.
protocol ScreenMode {
    var phase: ModePhase { get set }
    /// The server, the clock, the size, the toasts (`ModeBasics` reads them out one by one).
    var basics: ModeBasics { get set }
    var helpOffset: Int? { get set }
    var confirm: ConfirmDialog? { get }
    var helpRows: [HelpRow] { get }
    /// The help overlay's title.
    var helpTitle: String { get }

    mutating func receive(_ event: AppEvent) -> [Effect]
    /// A key once signed in, with no help open.
    mutating func press(signedIn key: Key) -> [Effect]
    /// A bracketed paste once signed in.
    mutating func paste(signedIn text: String)
    mutating func click(_ mouse: MouseEvent) -> [Effect]
    /// Typing indicators that have run out.
    mutating func typingTimeout() -> [Effect]
    /// After every input: the layout's sizes kept in the state, read marks owed.
    mutating func settle() -> [Effect]
}

extension ScreenMode {
    mutating func route(_ input: ModeInput) -> [Effect] {
        var effects: [Effect] = []
        switch input {
        case .tick(let time):
            now = time
            toasts.expire(now: time)
            effects += typingTimeout()
        case .resize(let width, let height):
            size = (width, height)
        case .focus(let gained):
            focused = gained
        case .event(let event):
            effects += receive(event)
        case .key(let key):
            lastKeystroke = now
            effects += routeKey(key)
        case .paste(let text):
            if case .signIn(var screen) = phase {
                screen.paste(text)
                phase = .signIn(screen)
            } else {
                paste(signedIn: text)
            }
        case .mouse(let mouse):
            effects += click(mouse)
        }
        return effects + settle()
    }

    private mutating func routeKey(_ key: Key) -> [Effect] {
        if case .signIn(var screen) = phase {
            let effects = screen.key(key, limits: limits, fromLauncher: fromLauncher)
            phase = .signIn(screen)
            return effects
        }
        if helpOffset != nil {
            let area = Rect(x: 0, y: 0, width: size.width, height: size.height)
            helpOffset = HelpOverlay.scroll(helpOffset, by: key, last: HelpOverlay.lastOffset(helpRows, in: area))
            return []
        }
        return press(signedIn: key)
    }

    /// A key for the form at `path`: the values when it is submitted (the form stays, for the
    /// answer to close it or show errors at its fields), nil while editing; Esc closes it.
    mutating func fill(
        _ path: WritableKeyPath<Self, Form?>, with key: Key,
        validate: ([String: String]) -> [String: String]
    ) -> [String: String]? {
        guard var form = self[keyPath: path] else { return nil }
        let outcome = form.handle(key, validate: validate)
        self[keyPath: path] = form
        switch outcome {
        case .editing: return nil
        case .cancelled:
            self[keyPath: path] = nil
            return nil
        case .submitted(let values): return values
        }
    }

    /// The sign-in screen, whole, with a status line naming the mode: nil once signed in.
    func renderSignIn(theme: Theme, title: String) -> (screen: Screen, cursor: (x: Int, y: Int)?)? {
        guard case .signIn(let signIn) = phase else { return nil }
        var screen = Screen(width: size.width, height: size.height, style: theme[.text])
        let (body, status) = Rect(x: 0, y: 0, width: size.width, height: size.height).splitBottom(1)
        let cursor = signIn.render(into: &screen, in: body, theme: theme)
        StatusBar.render(into: &screen, in: status, theme: theme, left: [Span(" \(title) · not signed in")], right: [Span("C-q quit ")])
        return (screen, cursor)
    }

    /// The dialogs over everything, the help last; answers whether one is open (the cursor is then hidden).
    func renderDialogs(into screen: inout Screen, theme: Theme) -> Bool {
        let area = Rect(x: 0, y: 0, width: size.width, height: size.height)
        if let confirm { confirm.render(into: &screen, in: area, theme: theme) }
        if let offset = helpOffset { HelpOverlay.render(helpRows, into: &screen, in: area, theme: theme, title: helpTitle, offset: offset) }
        return confirm != nil || helpOffset != nil
    }
}

extension ScreenMode {
    /// The connection moved to the next node: the title says where it is now, and a line says why.
    mutating func movedTo(_ next: String, from previous: String) {
        server = next
        toasts.show("\(Sanitizer.clean(previous)) is not answering: now on \(Sanitizer.clean(next))", now: now)
    }
}
