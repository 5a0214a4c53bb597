import Foundation
import TerminalKit

/// The terminal client's settings, in `$XDG_CONFIG_HOME/switchboard/config` (else
/// `~/.config/switchboard/config`), a file made with comments on first run. Lines are
/// `key = value`; `[keys]` starts the key bindings (`action = C-x C-e`). A line that cannot be
/// read is reported (file, line, problem) and skipped; the rest still applies.
public struct ClientConfig: Equatable, Sendable {
    public var server: String?
    public var user: String?
    public var theme: String?
    public var notifications = Notifications()
    /// Key bindings by action name, in file order; the modes check the names.
    public var keys: [KeyBinding] = []

    public struct KeyBinding: Equatable, Sendable {
        public var action: String
        public var keys: [Key]
        /// Where it is in the file, for problems the modes find (an unknown action).
        public var line: Int
    }

    public struct Notifications: Equatable, Sendable {
        public enum Desktop: String, Equatable, Sendable { case off, osc9, osc777 }
        /// Minutes after midnight, local time; `start` after `end` runs across midnight.
        public struct QuietHours: Equatable, Sendable {
            public var start: Int
            public var end: Int

            public init(start: Int, end: Int) {
                self.start = start
                self.end = end
            }
        }

        public var bell = true
        public var desktop = Desktop.off
        /// Nil: no quiet hours.
        public var quietHours: QuietHours?

        public init() {}
    }

    public init() {}

    /// The config file's folder (shared with user themes, see `ConfigDirectory`).
    public static func directory(environment: [String: String]) -> URL { ConfigDirectory.url(environment: environment) }

    public static func file(environment: [String: String]) -> URL {
        directory(environment: environment).appendingPathComponent("config")
    }

    /// Reads the config file, making it (with comments) if there is none.
    public static func loadOrCreate(
        environment: [String: String] = ProcessInfo.processInfo.environment
    )
        -> (config: ClientConfig, problems: [String])
    {
        let url = file(environment: environment)
        if !FileManager.default.fileExists(atPath: url.path) {
            try? FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            _ = FileManager.default.createFile(atPath: url.path, contents: Data(template.utf8), attributes: [.posixPermissions: 0o600])
        }
        guard let text = try? String(contentsOf: url, encoding: .utf8) else {
            return (ClientConfig(), ["cannot read \(url.path); using the defaults"])
        }
        return parse(text, file: url.path)
    }

    /// Keeps the server and username last used (`server = …`, `user = …`) in the config file,
    /// replacing the lines that set them or adding them; the rest of the file stays as it is.
    public static func remember(server: String?, user: String?, environment: [String: String] = ProcessInfo.processInfo.environment) {
        guard server != nil || user != nil else { return }
        let url = file(environment: environment)
        _ = loadOrCreate(environment: environment)
        guard let text = try? String(contentsOf: url, encoding: .utf8) else { return }
        var lines = text.components(separatedBy: "\n")
        for (key, value) in [("server", server), ("user", user)] {
            guard let value, !value.contains("\n") else { continue }
            let line = "\(key) = \(value)"
            if let index = lines.firstIndex(where: {
                $0.trimmingCharacters(in: .whitespaces).hasPrefix(key + " ") || $0.hasPrefix(key + "=")
            }) {
                lines[index] = line
            } else if let keys = lines.firstIndex(of: "[keys]") {
                lines.insert(line, at: keys)
            } else {
                lines.append(line)
            }
        }
        try? Data(lines.joined(separator: "\n").utf8).write(to: url, options: .atomic)
        try? FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: url.path)
    }

    public static func parse(_ text: String, file: String) -> (config: ClientConfig, problems: [String]) {
        var config = ClientConfig(), problems: [String] = [], section = ""
        for (index, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = index + 1
            let content = ThemeFile.withoutComment(raw).trimmingCharacters(in: .whitespaces)
            if content.isEmpty { continue }
            if content.hasPrefix("[") && content.hasSuffix("]") {
                section = String(content.dropFirst().dropLast())
                if section != "keys" { problems.append("\(file):\(line): unknown section [\(section)] (there is [keys])") }
                continue
            }
            guard let equals = content.firstIndex(of: "=") else {
                problems.append("\(file):\(line): expected 'key = value', found '\(content)'")
                continue
            }
            let key = content[..<equals].trimmingCharacters(in: .whitespaces)
            let value = content[content.index(after: equals)...].trimmingCharacters(in: .whitespaces)
            if section == "keys" {
                let keys = value.split(separator: " ").map { Key(String($0)) }
                guard !keys.isEmpty, keys.allSatisfy({ $0 != nil }) else {
                    problems.append("\(file):\(line): '\(value)' is not a key (write keys like C-x, M-Enter, F2, S-Tab)")
                    continue
                }
                config.keys.append(KeyBinding(action: key, keys: keys.compactMap { $0 }, line: line))
                continue
            }
            switch key {
            case "server": config.server = value
            case "user": config.user = value
            case "theme": config.theme = value
            case "notify.bell":
                guard let on = onOff(value) else {
                    problems.append("\(file):\(line): notify.bell: on or off")
                    continue
                }
                config.notifications.bell = on
            case "notify.desktop":
                guard let desktop = Notifications.Desktop(rawValue: value) else {
                    problems.append("\(file):\(line): notify.desktop: off, osc9 or osc777")
                    continue
                }
                config.notifications.desktop = desktop
            case "notify.quiet-hours":
                if value == "off" {
                    config.notifications.quietHours = nil
                    continue
                }
                guard let hours = quietHours(value) else {
                    problems.append("\(file):\(line): notify.quiet-hours: off, or HH:MM-HH:MM (e.g. 22:00-07:00)")
                    continue
                }
                config.notifications.quietHours = hours
            default:
                problems.append("\(file):\(line): unknown setting '\(key)'")
            }
        }
        return (config, problems)
    }

    private static func onOff(_ value: String) -> Bool? {
        switch value {
        case "on", "yes", "true": true
        case "off", "no", "false": false
        default: nil
        }
    }

    private static func quietHours(_ value: String) -> Notifications.QuietHours? {
        let parts = value.split(separator: "-")
        guard parts.count == 2 else { return nil }
        func minutes(_ text: Substring) -> Int? {
            let hm = text.split(separator: ":")
            guard hm.count == 2, let h = Int(hm[0]), let m = Int(hm[1]), (0..<24).contains(h), (0..<60).contains(m) else { return nil }
            return h * 60 + m
        }
        guard let start = minutes(parts[0]), let end = minutes(parts[1]), start != end else { return nil }
        return Notifications.QuietHours(start: start, end: end)
    }

    /// What a new config file says.
    public static let template = """
        # Switchboard terminal client settings. Lines are `key = value`; `#` starts a comment.
        # Flags and environment variables (SWITCHBOARD_SERVER, SWITCHBOARD_USER,
        # SWITCHBOARD_THEME) win over this file.

        # The server to connect to, and who to sign in as (the password is asked for, never kept here).
        # server = https://support.example.com
        # user = alex

        # Colours: default, light, solarized-dark, high-contrast, monochrome, or a file's path.
        # Your own themes go in themes/NAME.theme next to this file. NO_COLOR turns colours off.
        # theme = default

        # Notifications for new messages and assignments while you look elsewhere.
        # notify.bell: the terminal bell (on or off).
        # notify.desktop: a desktop notification through the terminal: off, osc9 (iTerm2, kitty,
        #   WezTerm, foot) or osc777 (urxvt, Konsole, GNOME Terminal).
        # notify.quiet-hours: off, or a local time range with neither, e.g. 22:00-07:00.
        notify.bell = on
        notify.desktop = off
        notify.quiet-hours = off

        # Key bindings: `action = KEYS`, keys written as in `switchboard keys` (C-x C-e, M-Enter, F2).
        # The actions of each mode are listed in its help (F1).
        [keys]
        # quit = C-q

        """
}

/// Whether to ring or notify for something, given the settings and the local time.
public enum NotificationPolicy {
    public enum Signal: Equatable, Sendable {
        case bell
        case desktop(ClientConfig.Notifications.Desktop, title: String, body: String)
    }

    public static func signals(
        for title: String, body: String, settings: ClientConfig.Notifications,
        at now: Date, calendar: Calendar = .current
    ) -> [Signal] {
        if let quiet = settings.quietHours {
            let parts = calendar.dateComponents([.hour, .minute], from: now)
            let minute = (parts.hour ?? 0) * 60 + (parts.minute ?? 0)
            let inside =
                quiet.start < quiet.end
                ? (quiet.start..<quiet.end).contains(minute)
                : minute >= quiet.start || minute < quiet.end  // across midnight
            if inside { return [] }
        }
        var signals: [Signal] = []
        if settings.bell { signals.append(.bell) }
        if settings.desktop != .off { signals.append(.desktop(settings.desktop, title: title, body: body)) }
        return signals
    }
}
