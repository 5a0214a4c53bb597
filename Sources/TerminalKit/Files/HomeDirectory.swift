import Foundation

/// `~` as the user's shell reads it: `$HOME` when set (Foundation on Linux reads the password
/// database instead, so `HOME=/elsewhere switchboard` would not be obeyed).
public enum HomeDirectory {
    public static func path(environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        environment["HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? NSHomeDirectory()
    }

    /// `~` and `~/…` become the home directory; `~user/…` is looked up; anything else is as given.
    public static func expand(_ path: String, environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        if path == "~" { return Self.path(environment: environment) }
        if path.hasPrefix("~/") { return Self.path(environment: environment) + path.dropFirst() }
        return path.hasPrefix("~") ? (path as NSString).expandingTildeInPath : path
    }

    /// Paths under the home directory written with `~` again, for shorter sentences.
    public static func abbreviate(_ text: String, environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        let home = path(environment: environment)
        guard home.count > 1 else { return text }
        return text.replacingOccurrences(of: home + "/", with: "~/")
    }
}
