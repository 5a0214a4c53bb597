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

    @OptionGroup var screen: ScreenOptions

    func run() async throws {
        try await screen.run("chat", client) { server, username, signingIn, size in
            .customer(CustomerMode(server: server, username: username, signingIn: signingIn, size: size, now: Date()))
        }
    }
}
