import ArgumentParser
import Foundation
import SwitchboardApp
import SwitchboardClient
import TerminalKit

/// `switchboard console`: the agent console against a server (found as `chat` finds it).
struct ConsoleCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "console",
        abstract: "Agent console: the queue, chats in tabs, internal notes, canned responses, assignment.",
        discussion: "Signs in as `chat` does: a kept login, SWITCHBOARD_PASSWORD (or --password-stdin), or the sign-in screen."
    )

    @OptionGroup var client: ClientOptions

    @OptionGroup var screen: ScreenOptions

    func run() async throws {
        try await screen.run("console", client) { server, username, signingIn, size in
            .console(ConsoleMode(server: server, username: username, signingIn: signingIn, size: size, now: Date()))
        }
    }
}
