import ArgumentParser
import Foundation
import SwitchboardApp
import SwitchboardClient
import SwitchboardServer
import TerminalKit

/// `switchboard chat`: customer mode against a server — the one given, else the embedded server
/// running on this machine, else the config's, else 127.0.0.1:8080.
struct ChatCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "chat",
        abstract: "Customer mode: your tickets and a live chat with support.",
        discussion: """
            Signs in with a login kept from before, else with SWITCHBOARD_PASSWORD (or --password-stdin), \
            else asks. The server and username are remembered in the config file.
            """
    )

    @Option(help: ArgumentHelp("The server. Default: the embedded server if one runs here, else the config's. Env: SWITCHBOARD_SERVER.",
                               valueName: "URL"))
    var server: String?

    @Option(help: ArgumentHelp("Sign in as this user. Env: SWITCHBOARD_USER.", valueName: "NAME"))
    var user: String?

    @Flag(help: "Read the password from standard input (one line).")
    var passwordStdin = false

    @Option(name: .customLong("ca-file"), help: ArgumentHelp("Also trust the CA certificates in this PEM file.", valueName: "FILE"))
    var caFile: String?

    @Flag(help: "Accept any TLS certificate: for test servers only.")
    var insecure = false

    @Option(help: ArgumentHelp("A theme name or file. Env: SWITCHBOARD_THEME.", valueName: "NAME|PATH"))
    var theme: String?

    func run() async throws {
        let environment = ProcessInfo.processInfo.environment
        let data = DataDirectory.default(environment: environment)
        let (config, colours, problems) = TerminalClient.settings(themeFlag: theme)
        let text = server ?? environment["SWITCHBOARD_SERVER"] ?? EmbeddedServerFile.read(in: data) ?? config.server
            ?? "http://127.0.0.1:8080"
        guard let url = URL(string: text), ["http", "https"].contains(url.scheme ?? ""), url.host != nil else {
            throw ValidationError("--server: an http:// or https:// address (got '\(text)')")
        }
        let username = user ?? environment["SWITCHBOARD_USER"] ?? config.user ?? ""
        let password: String? = passwordStdin ? readLine(strippingNewline: true) : environment["SWITCHBOARD_PASSWORD"]
        ClientConfig.remember(server: server ?? environment["SWITCHBOARD_SERVER"], user: username.isEmpty ? nil : username)

        let terminal = try TerminalClient.start()
        let loop = EventLoop<AppEvent>()
        var settings = EffectRunner.Settings(server: url, dataDirectory: data)
        settings.security = TransportSecurity(caFile: caFile, insecure: insecure)
        settings.notifications = config.notifications
        let runner = EffectRunner(settings: settings, terminal: terminal, post: { loop.post($0) })
        let signingIn = !username.isEmpty ? await runner.resume(username: username, password: password) : false
        let mode = CustomerMode(server: url.absoluteString, username: username, signingIn: signingIn,
                                size: terminal.size, now: Date())
        var program = AppProgram(current: .customer(mode), theme: colours, runner: runner, config: config)
        for problem in problems { loop.post(.notice(problem)) }
        await TerminalClient.run(&program, loop: loop, on: terminal, runner: runner)
    }
}
