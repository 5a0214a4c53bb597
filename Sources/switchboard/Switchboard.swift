import ArgumentParser
import Logging

@main
struct Switchboard: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "switchboard",
        abstract: "Real-time customer support from the terminal.",
        discussion: """
            With no command, starts an embedded server on this machine (SQLite in the data directory, \
            demo accounts and sample tickets on first run) and, in a terminal, the launcher of the \
            modes. `switchboard chat` from a second terminal joins that server.
            """,
        subcommands: [
            LocalCommand.self, ServeCommand.self, ChatCommand.self, ConsoleCommand.self, RawCommand.self, UsersCommand.self,
            MigrateCommand.self, SendCommand.self, KeysCommand.self, BenchCommand.self, RenderBenchCommand.self,
        ],
        defaultSubcommand: LocalCommand.self
    )

    /// Logs go to standard error, so standard output stays for what scripts read (`listening on …`).
    static func bootstrapLogging() {
        LoggingSystem.bootstrap { label in StreamLogHandler.standardError(label: label) }
    }
}
