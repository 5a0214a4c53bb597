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

    @OptionGroup var client: ClientOptions

    @Option(help: ArgumentHelp("A theme name or file. Env: SWITCHBOARD_THEME.", valueName: "NAME|PATH"))
    var theme: String?

    func run() async throws {
        let environment = ProcessInfo.processInfo.environment
        let data = client.dataDirectory(environment: environment)
        let (config, colours, problems) = TerminalClient.settings(themeFlag: theme)
        let url = try client.serverURL(environment: environment, configured: config.server)
        let username = client.user ?? environment["SWITCHBOARD_USER"] ?? config.user ?? ""
        let password: String? = client.passwordStdin ? readLine(strippingNewline: true) : environment["SWITCHBOARD_PASSWORD"]
        ClientConfig.remember(server: client.server ?? environment["SWITCHBOARD_SERVER"], user: username.isEmpty ? nil : username)

        let terminal = try TerminalClient.start()
        let loop = EventLoop<AppEvent>()
        var settings = EffectRunner.Settings(server: url, dataDirectory: data)
        settings.security = client.security
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
