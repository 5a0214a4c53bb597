import ArgumentParser
import Foundation
import Hummingbird
import SwitchboardServer

/// `switchboard` with no command: a server on loopback over the SQLite file in the data directory,
/// with demo accounts on first run, so one command shows the product.
struct LocalCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "local",
        abstract: "Start an embedded server on this machine with demo accounts (the default)."
    )

    @OptionGroup var database: DatabaseOptions

    @Option(help: ArgumentHelp("Port on 127.0.0.1; 0 picks a free one.", valueName: "P"))
    var port: Int = 0

    func run() async throws {
        Switchboard.bootstrapLogging()
        var configuration = try database.configuration(environment: ProcessInfo.processInfo.environment)
        configuration.host = "127.0.0.1"
        configuration.port = port
        configuration.seedDemoAccounts = true
        configuration.logLevel = .warning
        let database = configuration.database
        let app = try await buildApplication(configuration) { host, port in
            announceListening(host: host, port: port)
            let accounts = DemoAccounts.accounts.map { "  \($0.username) (\($0.role.rawValue.lowercased()))" }
                .joined(separator: "\n")
            say("""
                database: \(database)
                demo accounts, password '\(DemoAccounts.password)':
                \(accounts)
                Press Ctrl-C to stop.
                """)
        }
        try await app.runService()
    }
}
