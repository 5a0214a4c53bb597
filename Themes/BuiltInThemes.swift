import Foundation

/// The theme files in this directory, shipped with the binary as resources.
public enum BuiltInThemes {
    public static let names = ["default", "light", "solarized-dark", "high-contrast", "monochrome"]

    /// The text of a built-in theme, nil if there is none by that name.
    public static func text(named name: String) -> String? {
        guard names.contains(name), let url = Bundle.module.url(forResource: name, withExtension: "theme") else { return nil }
        return try? String(contentsOf: url, encoding: .utf8)
    }
}
