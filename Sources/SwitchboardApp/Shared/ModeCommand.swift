/// A mode's slash commands as one enum: each case its name, how its arguments are written and
/// what it does. `/help`, F1 and Tab read the `table`; the mode dispatches with one exhaustive
/// `switch` over the enum, so a command cannot be listed and left unhandled, or the reverse.
protocol ModeCommand: RawRepresentable<String>, CaseIterable, Sendable {
    var arguments: String { get }
    var help: String { get }
    /// Other names a command answers to (`exit` for `quit`).
    static var aliases: [String: Self] { get }
}

extension ModeCommand {
    static var aliases: [String: Self] { [:] }

    init?(named name: String) {
        guard let command = Self(rawValue: name) ?? Self.aliases[name] else { return nil }
        self = command
    }

    static var table: SlashCommands { SlashCommands(allCases.map { SlashCommand($0.rawValue, $0.arguments, $0.help) }) }
}
