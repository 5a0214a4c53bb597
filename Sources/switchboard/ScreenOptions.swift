import ArgumentParser
import Foundation
import SwitchboardApp

/// What a command that opens a screen takes besides the server and user (`ClientOptions`): the
/// theme. `run` signs in and runs the mode `makeMode` starts with.
struct ScreenOptions: ParsableArguments {
    @Option(help: ArgumentHelp("A theme name or file. Env: SWITCHBOARD_THEME.", valueName: "NAME|PATH"))
    var theme: String?

    func run(
        _ program: String, _ client: ClientOptions,
        _ makeMode: (_ server: String, _ username: String, _ signingIn: Bool, _ size: (width: Int, height: Int)) -> AppProgram.Current
    )
        async throws
    {
        let session = try TerminalSession(program: program, client: client, theme: theme, environment: ProcessInfo.processInfo.environment)
        await session.run(makeMode)
    }
}
