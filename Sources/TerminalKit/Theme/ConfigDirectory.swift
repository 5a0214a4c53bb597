import Foundation

/// `$XDG_CONFIG_HOME/switchboard` (else `~/.config/switchboard`): the client's config file, and
/// the user's own themes in `themes/`.
public enum ConfigDirectory {
    public static func url(environment: [String: String]) -> URL {
        let base =
            environment["XDG_CONFIG_HOME"].flatMap { $0.isEmpty ? nil : URL(fileURLWithPath: $0) }
            ?? URL(fileURLWithPath: HomeDirectory.path(environment: environment)).appendingPathComponent(".config")
        return base.appendingPathComponent("switchboard")
    }
}
