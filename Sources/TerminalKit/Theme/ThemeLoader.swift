import Foundation
import SwitchboardThemes

/// Picks the theme: `--theme NAME|PATH`, else `SWITCHBOARD_THEME`, else the config file's
/// `theme`, else `default`. A name is a built-in theme or `NAME.theme` in the user's
/// `$XDG_CONFIG_HOME/switchboard/themes/`; anything with a `/` or ending in `.theme` is a path.
/// `NO_COLOR` (set and not empty) takes the colours out of whichever theme it is. A theme that
/// cannot be used is reported (file, line, problem) and the default is used instead.
public enum ThemeLoader {
    public struct Choice: Sendable {
        public var theme: Theme
        /// Why the requested theme is not the one in use, for the status line.
        public var warning: String?
    }

    public static func choose(
        flag: String? = nil, configured: String? = nil,
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) -> Choice {
        let requested = flag ?? environment["SWITCHBOARD_THEME"].flatMap { $0.isEmpty ? nil : $0 } ?? configured ?? "default"
        var choice: Choice
        do {
            choice = Choice(theme: try load(requested, environment: environment), warning: nil)
        } catch {
            choice = Choice(theme: builtInDefault, warning: "\(error); using the default theme")
        }
        if let noColor = environment["NO_COLOR"], !noColor.isEmpty { choice.theme = choice.theme.withoutColor() }
        return choice
    }

    public enum LoadError: Error, CustomStringConvertible {
        case notFound(String, searched: [String])
        case unreadable(String)
        case malformed(ThemeFile.Problem)

        public var description: String {
            switch self {
            case .notFound(let name, let searched):
                "no theme '\(name)' (built in: \(BuiltInThemes.names.joined(separator: ", ")); looked in \(searched.joined(separator: ", ")))"
            case .unreadable(let path): "cannot read theme file \(path)"
            case .malformed(let problem): problem.description
            }
        }
    }

    /// One theme by name or path.
    public static func load(_ request: String, environment: [String: String]) throws(LoadError) -> Theme {
        if request.contains("/") || request.hasSuffix(".theme") {
            let path = HomeDirectory.expand(request, environment: environment)
            guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { throw .unreadable(path) }
            return try parse(text, file: path)
        }
        let userFile = userThemes(environment: environment).appendingPathComponent("\(request).theme").path
        if let text = try? String(contentsOfFile: userFile, encoding: .utf8) { return try parse(text, file: userFile) }
        if let text = BuiltInThemes.text(named: request) { return try parse(text, file: "Themes/\(request).theme") }
        throw .notFound(request, searched: [userFile])
    }

    /// The user's own themes: `themes/` in the client's config directory.
    public static func userThemes(environment: [String: String]) -> URL {
        ConfigDirectory.url(environment: environment).appendingPathComponent("themes")
    }

    /// The default theme; if even its file is missing or broken, the plain fallbacks.
    public static var builtInDefault: Theme {
        BuiltInThemes.text(named: "default").flatMap { try? ThemeFile.parse($0, file: "Themes/default.theme") }
            ?? Theme(name: "default")
    }

    private static func parse(_ text: String, file: String) throws(LoadError) -> Theme {
        do { return try ThemeFile.parse(text, file: file) } catch { throw .malformed(error) }
    }
}
