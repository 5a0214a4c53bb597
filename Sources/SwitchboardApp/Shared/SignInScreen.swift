import SwitchboardProtocol
import TerminalKit

/// Signing in, or opening an account: username and hidden password (and a display name for a
/// new account), checked against the contract's limits before anything is sent; the server's
/// refusal shown as a sentence. F2 switches between the two.
public struct SignInScreen: Equatable, Sendable {
    public enum Purpose: Equatable, Sendable { case signIn, register }

    public private(set) var purpose: Purpose
    public private(set) var form: Form
    /// The server, as the screen names it.
    public var server: String
    public var busy = false
    public var error: String?

    /// `busy`: signing in already (with the demo account's password, from the launcher).
    public init(server: String, username: String = "", purpose: Purpose = .signIn, busy: Bool = false) {
        self.server = server
        self.purpose = purpose
        self.busy = busy
        form = Self.form(for: purpose, username: username)
    }

    static func form(for purpose: Purpose, username: String) -> Form {
        switch purpose {
        case .signIn:
            var form = Form(
                title: "Sign in",
                fields: [
                    Form.Field("username", label: "Username", value: username),
                    Form.Field("password", label: "Password", kind: .secret),
                ])
            if !username.isEmpty { _ = form.handle(.tab) { _ in [:] } }
            return form
        case .register:
            return Form(
                title: "New account",
                fields: [
                    Form.Field("username", label: "Username (\(Limits().usernameRule.brief))", value: username),
                    Form.Field("password", label: "Password (at least 8 characters)", kind: .secret),
                    Form.Field("displayName", label: "Your name, as agents will see it"),
                ])
        }
    }

    public enum Outcome: Equatable, Sendable {
        case editing
        case submit(Effect)
        case cancelled
    }

    public mutating func handle(_ key: Key, limits: Limits = Limits()) -> Outcome {
        guard !busy else { return key == .escape ? .cancelled : .editing }
        if key == Key(.function(2)) {
            purpose = purpose == .signIn ? .register : .signIn
            form = Self.form(for: purpose, username: form.values["username"] ?? "")
            error = nil
            return .editing
        }
        switch form.handle(key, validate: { Self.validate($0, purpose: purpose, limits: limits) }) {
        case .editing:
            return .editing
        case .cancelled:
            return .cancelled
        case .submitted(let values):
            busy = true
            error = nil
            let username = values["username", default: ""].trimmingCharacters(in: .whitespaces)
            let password = values["password", default: ""]
            switch purpose {
            case .signIn:
                return .submit(.signIn(username: username, password: password))
            case .register:
                return .submit(
                    .register(
                        RegisterRequest(
                            username: username, password: password,
                            displayName: values["displayName", default: ""].trimmingCharacters(in: .whitespaces))))
            }
        }
    }

    public mutating func paste(_ text: String) {
        guard let field = form.fields.indices.contains(form.focus) ? form.focus : nil else { return }
        form.fields[field].editor.paste(text.replacingOccurrences(of: "\n", with: ""))
    }

    /// Said after the server refused a login it had taken (the reasons come in several
    /// wordings; to the user they are all one of these).
    static let loginEnded = "This login has ended — signed out elsewhere, expired, or its password or role changed. Sign in again."

    /// The server said no: back to editing, with its sentence.
    public mutating func refused(_ sentence: String) {
        busy = false
        error = sentence
    }

    /// The contract's limits, checked before sending.
    static func validate(_ values: [String: String], purpose: Purpose, limits: Limits) -> [String: String] {
        var errors: [String: String] = [:]
        let username = values["username", default: ""].trimmingCharacters(in: .whitespaces)
        let password = values["password", default: ""]
        if username.isEmpty {
            errors["username"] = "enter your username"
        } else if purpose == .register, !limits.usernameRule.admits(username) {
            errors["username"] = limits.usernameRule.brief
        }
        if password.isEmpty {
            errors["password"] = "enter your password"
        } else if purpose == .register, !limits.passwordRule.admits(password) {
            errors["password"] = limits.passwordRule.brief
        }
        if purpose == .register {
            let name = values["displayName", default: ""].trimmingCharacters(in: .whitespaces)
            if name.isEmpty {
                errors["displayName"] = "how should agents call you?"
            } else if name.count > limits.displayNameMaxLength {
                errors["displayName"] = "at most \(limits.displayNameMaxLength) characters"
            }
        }
        return errors
    }

    public func render(into screen: inout Screen, in area: Rect, theme: Theme) -> (x: Int, y: Int)? {
        screen.fill(x: area.x, y: area.y, width: area.width, height: area.height, style: theme[.text])
        let title = "Switchboard — \(server)"
        screen.put(
            title, x: area.x + max(0, (area.width - TextWidth.of(title)) / 2), y: area.y + 1, style: theme[.title], limit: area.width)
        let body = Rect(x: area.x, y: area.y + 2, width: area.width, height: area.height - 5)
        let cursor = form.render(into: &screen, in: body, theme: theme)
        let other = purpose == .signIn ? "F2 new account" : "F2 sign in instead"
        var hint = "Tab next field · Enter \(purpose == .signIn ? "sign in" : "create the account") · \(other) · Esc back"
        if busy { hint = purpose == .signIn ? "Signing in…" : "Creating your account…" }
        screen.put(
            hint, x: area.x + max(0, (area.width - TextWidth.of(hint)) / 2), y: area.maxY - 2, style: theme[.muted], limit: area.width)
        if let error {
            // Wrapped upwards from above the hint: a sentence is read whole, not cut at the edge.
            let lines = TextWrap.lines("⚠ " + error, width: max(1, area.width - 2)).prefix(3)
            for (row, line) in lines.enumerated() {
                screen.put(
                    line, x: area.x + max(0, (area.width - TextWidth.of(line)) / 2), y: area.maxY - 2 - lines.count + row,
                    style: theme[.error], limit: area.width)
            }
        }
        return busy ? nil : cursor
    }
}

extension SignInScreen {
    /// A key on the sign-in screen, as every mode takes it: C-c / C-q quit, Esc goes back (to the
    /// launcher when the mode came from it), the rest edits the form.
    public mutating func key(_ key: Key, limits: Limits, fromLauncher: Bool) -> [Effect] {
        if key == .ctrl("c") || key == .ctrl("q") { return [.quit] }
        switch handle(key, limits: limits) {
        case .editing: return []
        case .submit(let effect): return [effect]
        case .cancelled: return fromLauncher ? [.backToLauncher] : [.quit]
        }
    }
}
