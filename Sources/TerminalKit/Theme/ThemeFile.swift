import Foundation

/// The theme file format: one line per role, `role = STYLE`, where STYLE is an optional
/// foreground colour, optionally `on` and a background colour, and any of `bold dim italic
/// underline reverse`. Colours: `default`, the eight names (`black red green yellow blue magenta
/// cyan white`), `bright-` before any of them, `0`–`255`, or `#rrggbb`. `# ` starts a comment;
/// `name = …` names the theme. A role left out keeps its fallback.
///
/// ```
/// name = default
/// selection = black on cyan bold
/// message.note = yellow italic
/// ```
public enum ThemeFile {
    public struct Problem: Error, Equatable, CustomStringConvertible {
        public var file: String
        public var line: Int
        public var message: String

        public var description: String { "\(file):\(line): \(message)" }
    }

    /// Reads a theme's text; `file` names it in problems.
    public static func parse(_ text: String, file: String) throws(Problem) -> Theme {
        var theme = Theme(name: URL(fileURLWithPath: file).deletingPathExtension().lastPathComponent)
        for (index, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = index + 1
            let trimmed = withoutComment(raw).trimmingCharacters(in: .whitespaces)
            if trimmed.isEmpty { continue }
            guard let equals = trimmed.firstIndex(of: "=") else {
                throw Problem(file: file, line: line, message: "expected 'role = style', found '\(trimmed)'")
            }
            let key = trimmed[..<equals].trimmingCharacters(in: .whitespaces)
            let value = trimmed[trimmed.index(after: equals)...].trimmingCharacters(in: .whitespaces)
            if key == "name" {
                guard !value.isEmpty else { throw Problem(file: file, line: line, message: "name: empty") }
                theme.name = value
                continue
            }
            guard let role = Theme.Role(rawValue: key) else {
                throw Problem(
                    file: file, line: line,
                    message: "unknown role '\(key)' (roles: \(Theme.Role.allCases.map(\.rawValue).joined(separator: ", ")))")
            }
            do {
                theme[role] = try style(value)
            } catch {
                throw Problem(file: file, line: line, message: "\(key): \(error.message)")
            }
        }
        return theme
    }

    /// The line up to its comment: a line whose first non-blank is `#` is all comment; later on,
    /// a `#` after a space starts one unless a hex digit follows (`#ff8800` is a colour). Shared
    /// by theme files and the client config.
    public static func withoutComment(_ line: Substring) -> Substring {
        if line.drop(while: \.isWhitespace).first == "#" { return line.prefix(0) }
        var previous: Character = " "
        for index in line.indices {
            let next = line.index(after: index)
            if line[index] == "#", previous.isWhitespace, next == line.endIndex || !line[next].isHexDigit {
                return line[..<index]
            }
            previous = line[index]
        }
        return line
    }

    struct StyleProblem: Error { var message: String }

    static func style(_ text: String) throws(StyleProblem) -> Style {
        var style = Style()
        var words = text.split(separator: " ").map { String($0).lowercased() }[...]
        guard !words.isEmpty else { throw StyleProblem(message: "no style given") }
        if let first = words.first, let colour = try color(first) {
            style.foreground = colour
            words = words.dropFirst()
        }
        if words.first == "on" {
            words = words.dropFirst()
            guard let word = words.first, let colour = try color(word) else {
                throw StyleProblem(message: "'on' needs a background colour")
            }
            style.background = colour
            words = words.dropFirst()
        }
        for word in words {
            switch word {
            case "bold": style.bold = true
            case "dim": style.dim = true
            case "italic": style.italic = true
            case "underline": style.underline = true
            case "reverse": style.reverse = true
            default:
                throw StyleProblem(message: "'\(word)' is not a colour or one of bold, dim, italic, underline, reverse")
            }
        }
        return style
    }

    static let names = ["black", "red", "green", "yellow", "blue", "magenta", "cyan", "white"]

    /// A colour word; nil when the word is an attribute (or `on`), an error when it looks like a
    /// colour but is not one.
    static func color(_ word: String) throws(StyleProblem) -> Color? {
        if word == "default" { return .default }
        if let index = names.firstIndex(of: word) { return .basic(UInt8(index)) }
        if word.hasPrefix("bright-") {
            guard let index = names.firstIndex(of: String(word.dropFirst(7))) else {
                throw StyleProblem(message: "'\(word)': bright- goes before one of \(names.joined(separator: ", "))")
            }
            return .basic(UInt8(index + 8))
        }
        if word.hasPrefix("#") {
            let digits = word.dropFirst()
            guard digits.count == 6, let value = UInt32(digits, radix: 16) else {
                throw StyleProblem(message: "'\(word)': a colour is #rrggbb")
            }
            return .rgb(UInt8(value >> 16), UInt8((value >> 8) & 0xFF), UInt8(value & 0xFF))
        }
        if word.allSatisfy(\.isNumber) {
            guard let value = Int(word), (0...255).contains(value) else {
                throw StyleProblem(message: "'\(word)': palette colours are 0–255")
            }
            return .palette(UInt8(value))
        }
        return nil
    }
}
