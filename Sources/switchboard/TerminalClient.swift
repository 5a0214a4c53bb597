import ArgumentParser
import CursesTerminal
import Foundation
import SwitchboardApp
import SwitchboardClient
import TerminalKit

extension CursesTerminal: TerminalServices {}

/// Runs the terminal client: takes the terminal, runs the program until it ends, gives the
/// terminal back and stops the runner. Shared by the launcher and `switchboard chat`.
enum TerminalClient {
    static func start() throws -> CursesTerminal {
        do {
            return try CursesTerminal.start()
        } catch {
            throw CleanExit.message("switchboard: \(error)")
        }
    }

    static func run(_ program: inout AppProgram, loop: EventLoop<AppEvent>, on terminal: CursesTerminal, runner: EffectRunner) async {
        await loop.run(&program, on: terminal)
        terminal.stop()
        await runner.stop()
    }

    /// The config file, the theme it (or the flag, or the environment) names, and every problem
    /// with either, to show once the screen is up.
    static func settings(themeFlag: String?) -> (config: ClientConfig, theme: Theme, problems: [String]) {
        let (config, problems) = ClientConfig.loadOrCreate()
        let choice = ThemeLoader.choose(flag: themeFlag, configured: config.theme)
        let file = ClientConfig.file(environment: ProcessInfo.processInfo.environment).path
        return (config, choice.theme, problems + KeyBindings.problems(config.keys, file: file) + [choice.warning].compactMap { $0 })
    }
}

/// What `chat` and `console` set up alike: settings, server, who signs in, the terminal, the
/// event loop and the runner.
struct TerminalSession {
    let config: ClientConfig
    let theme: Theme
    let server: URL
    let username: String
    let password: String?
    let terminal: CursesTerminal
    let loop = EventLoop<AppEvent>()
    let runner: EffectRunner
    private let problems: [String]
    private let crashes: CrashCapture.Run

    /// `program` names the run's crash files (`chat`, `console`, `raw`).
    init(program: String, client: ClientOptions, theme themeFlag: String?, environment: [String: String]) throws {
        let dataDirectory = client.dataDirectory(environment: environment)
        CrashCapture.arm(dataDirectory: dataDirectory)
        let (config, theme, problems) = TerminalClient.settings(themeFlag: themeFlag)
        self.config = config
        self.theme = theme
        let addresses = try client.serverURLs(environment: environment, configured: config.server)
        server = addresses.server
        username = client.user ?? environment["SWITCHBOARD_USER"] ?? config.user ?? ""
        password = client.passwordStdin ? readLine(strippingNewline: true) : environment["SWITCHBOARD_PASSWORD"]
        ClientConfig.remember(server: client.server ?? environment["SWITCHBOARD_SERVER"], user: username.isEmpty ? nil : username)
        terminal = try TerminalClient.start()
        let (crashes, notice) = CrashCapture.begin(dataDirectory: dataDirectory, program: program)
        self.crashes = crashes
        self.problems = [notice].compactMap { $0 } + problems
        var settings = EffectRunner.Settings(server: server, dataDirectory: dataDirectory)
        settings.security = client.security
        settings.fallbacks = addresses.fallbacks
        settings.notifications = config.notifications
        let loop = self.loop
        runner = EffectRunner(settings: settings, terminal: terminal, post: { loop.post($0) })
    }

    /// Signs in (a kept login, or the password given) and runs the mode `makeMode` makes for this
    /// server, user and terminal size — `chat` and `console` differ only in that mode.
    func run(
        _ makeMode: (_ server: String, _ username: String, _ signingIn: Bool, _ size: (width: Int, height: Int)) -> AppProgram.Current
    ) async {
        let signingIn = !username.isEmpty ? await runner.resume(username: username, password: password) : false
        var program = AppProgram(
            current: makeMode(server.absoluteString, username, signingIn, terminal.size), theme: theme,
            runner: runner, config: config)
        await run(&program)
    }

    /// The tester: its own connections, the first as the user given (with the password given).
    func runTester(record: String?) async {
        var mode = TesterMode(server: server.absoluteString, record: record, size: terminal.size, now: Date())
        let effects = mode.start(as: username.isEmpty ? [] : [(username, password)])
        var program = AppProgram(current: .tester(mode), theme: theme, runner: runner, config: config)
        runner.perform(effects)
        await run(&program)
    }

    /// Runs the program until it ends, with the config's problems shown first.
    func run(_ program: inout AppProgram) async {
        for problem in problems { loop.post(.notice(problem)) }
        await TerminalClient.run(&program, loop: loop, on: terminal, runner: runner)
        crashes.end()
    }
}
