import TerminalKit

/// The `/command` line: what a mode's commands are, parsing what was typed, and Tab completion
/// of command names and of their arguments (which the mode supplies: ticket numbers, statuses).
public struct SlashCommand: Equatable, Sendable {
    public var name: String
    /// How the arguments are written in help: `N`, `TEXT`, `[STATUS]`.
    public var arguments: String
    public var help: String

    public init(_ name: String, _ arguments: String = "", _ help: String) {
        self.name = name
        self.arguments = arguments
        self.help = help
    }
}

public struct SlashCommands: Equatable, Sendable {
    public var commands: [SlashCommand]

    public init(_ commands: [SlashCommand]) { self.commands = commands }

    /// `/open 12` → (`open`, `12`); nil for text that is not a command. `//text` is the text `/text`.
    public static func parse(_ line: String) -> (name: String, argument: String)? {
        guard line.hasPrefix("/"), !line.hasPrefix("//") else { return nil }
        let body = line.dropFirst()
        let name = body.prefix { !$0.isWhitespace }
        guard !name.isEmpty else { return nil }
        return (String(name).lowercased(), body.dropFirst(name.count).trimmingCharacters(in: .whitespaces))
    }

    /// A message that starts with `//` is sent with one slash.
    public static func unescape(_ line: String) -> String { line.hasPrefix("//") ? String(line.dropFirst()) : line }

    public func command(named name: String) -> SlashCommand? { commands.first { $0.name == name } }

    /// What Tab may complete `word` to, given the line so far: a command's name while the first
    /// word is typed, else `arguments(command)` for the command's argument.
    public func candidates(line: String, word: String, arguments: (String) -> [String]) -> [String] {
        let beforeWord = line.dropLast(word.count)
        if beforeWord.isEmpty, word.hasPrefix("/") { return commands.map { "/" + $0.name } }
        guard let (name, _) = Self.parse(line), beforeWord.contains(" ") else { return [] }
        return arguments(name)
    }

    public var helpRows: [HelpRow] {
        commands.map { HelpRow(group: "Commands", keys: "/" + $0.name + ($0.arguments.isEmpty ? "" : " " + $0.arguments), help: $0.help) }
    }
}
