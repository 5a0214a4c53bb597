import ArgumentParser
import Foundation
import Hummingbird
import Logging
import ServiceLifecycle
import SwitchboardApp
import SwitchboardServer
import TerminalKit

/// `switchboard` with no command: a server on loopback over the SQLite file in the data directory
/// (demo accounts, canned responses and sample tickets on first run) and, on a terminal, the
/// launcher of the three modes in the same terminal. Its address is kept in the data directory,
/// so `switchboard chat` from a second terminal joins it. Without a terminal it is the server
/// alone, printing its address and the demo logins.
struct LocalCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "local",
        abstract: "Start an embedded server on this machine with demo accounts, and the launcher (the default)."
    )

    @OptionGroup var database: DatabaseOptions

    @Option(help: ArgumentHelp("Port on 127.0.0.1; 0 picks a free one.", valueName: "P"))
    var port: Int = 0

    @Option(help: ArgumentHelp("A theme name or file. Env: SWITCHBOARD_THEME.", valueName: "NAME|PATH"))
    var theme: String?

    func run() async throws {
        let interactive = isatty(STDIN_FILENO) == 1 && isatty(STDOUT_FILENO) == 1
        var configuration = try database.configuration(environment: ProcessInfo.processInfo.environment)
        configuration.host = "127.0.0.1"
        configuration.port = port
        configuration.seedDemoAccounts = true
        configuration.logLevel = interactive ? .info : .warning
        let logFile = configuration.dataDirectory.appendingPathComponent("server.log")
        if interactive { CrashCapture.arm(dataDirectory: configuration.dataDirectory) }
        if interactive {
            // The server's log goes to a file, never onto the launcher's screen.
            try FileManager.default.createDirectory(at: configuration.dataDirectory, withIntermediateDirectories: true)
            let log = open(logFile.path, O_WRONLY | O_CREAT | O_APPEND, 0o600)
            guard log >= 0, dup2(log, STDERR_FILENO) >= 0 else { throw ValidationError("cannot write the server log to \(logFile.path)") }
            close(log)
        }
        Switchboard.bootstrapLogging()
        let database = configuration.database, data = configuration.dataDirectory
        let (listening, announce) = AsyncStream<Int>.makeStream()
        let app = try await buildApplication(configuration) { host, port in
            EmbeddedServerFile.write("http://\(host):\(port)", in: data)
            announce.yield(port)
            guard !interactive else { return }
            announceListening(host: host, port: port)
            let accounts = DemoAccounts.accounts.map { "  \($0.username) (\($0.role.rawValue.lowercased()))" }.joined(separator: "\n")
            say(
                """
                database: \(database)
                demo accounts, password '\(DemoAccounts.password)':
                \(accounts)
                Press Ctrl-C to stop.
                """)
        }
        defer { EmbeddedServerFile.remove(in: data) }
        guard interactive else {
            try await app.runService()
            return
        }
        // With a terminal, the launcher decides when to stop: signals reach the terminal, not the server.
        let group = ServiceGroup(configuration: .init(services: [app], gracefulShutdownSignals: [], logger: Logger(label: "switchboard")))
        let server = Task { try await group.run() }
        var ports = listening.makeAsyncIterator()
        guard let port = await ports.next() else { throw CleanExit.message("the embedded server did not start (see \(logFile.path))") }
        try await runLauncher(server: "http://127.0.0.1:\(port)", data: data, logFile: logFile.path)
        await group.triggerGracefulShutdown()
        try await server.value
    }

    private func runLauncher(server: String, data: URL, logFile: String) async throws {
        let (config, colours, problems) = TerminalClient.settings(themeFlag: theme)
        let terminal = try TerminalClient.start()
        // Standard error is the server log already: a fatal error's message is kept there.
        let (crashes, notice) = CrashCapture.begin(dataDirectory: data, program: "launcher", keepStandardError: true)
        let loop = EventLoop<AppEvent>()
        var settings = EffectRunner.Settings(server: URL(string: server)!, dataDirectory: data)
        settings.notifications = config.notifications
        let runner = EffectRunner(settings: settings, terminal: terminal, post: { loop.post($0) })
        let accounts = DemoAccounts.accounts.map {
            Launcher.Account(username: $0.username, displayName: $0.displayName, role: $0.role.rawValue)
        }
        let launcher = Launcher(
            server: server, accounts: accounts, password: DemoAccounts.password, logFile: logFile,
            size: terminal.size, now: Date())
        var program = AppProgram(current: .launcher(launcher), theme: colours, runner: runner, config: config)
        for problem in [notice].compactMap({ $0 }) + problems { loop.post(.notice(problem)) }
        await TerminalClient.run(&program, loop: loop, on: terminal, runner: runner)
        crashes.end()
    }
}
