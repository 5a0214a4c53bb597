import ArgumentParser
import Foundation
import SwitchboardApp
import SwitchboardClient

/// `switchboard raw`: the tester mode — frames in and out by hand, as several users — or, with
/// `--script`, a script of sends and expectations run without a screen.
struct RawCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "raw",
        abstract: "Tester mode: WebSocket frames and REST calls by hand, as several users at once; or a script without a screen.",
        discussion: """
            With --script FILE, runs the script (docs/tester-guide.md), prints each step, and exits 1 at the first \
            expectation not met (printing what was expected and what came), 2 if the script cannot be read. \
            SWITCHBOARD_PASSWORD is the password of `connect NAME as USER` lines that give none.
            """
    )

    @OptionGroup var client: ClientOptions
    @OptionGroup var screen: ScreenOptions

    @Option(help: ArgumentHelp("Run this script without a screen.", valueName: "FILE"))
    var script: String?

    @Option(help: ArgumentHelp("Save what is sent and received as a script to FILE when the tester quits.", valueName: "FILE"))
    var record: String?

    func validate() throws {
        if script != nil, record != nil {
            throw ValidationError("--script runs a script; --record writes one from a session: one or the other")
        }
    }

    func run() async throws {
        let environment = ProcessInfo.processInfo.environment
        guard let script else {
            let session = try TerminalSession(program: "raw", client: client, theme: screen.theme, environment: environment)
            await session.runTester(record: record)
            return
        }
        let text: String
        do {
            text = try String(contentsOfFile: script, encoding: .utf8)
        } catch {
            FileHandle.standardError.write(Data("\(script): cannot be read (\(error.localizedDescription))\n".utf8))
            throw ExitCode(2)
        }
        let parsed: TesterScript
        do {
            parsed = try TesterScript(text)
        } catch {
            FileHandle.standardError.write(Data("\(script):\(error.line): \(error.message)\n".utf8))
            throw ExitCode(2)
        }
        let server = try client.serverURL(environment: environment)
        let runner = ScriptRunner(server: server, security: client.security, defaultPassword: environment["SWITCHBOARD_PASSWORD"]) { line in
            FileHandle.standardOutput.write(Data((line + "\n").utf8))
        }
        FileHandle.standardOutput.write(Data("\(script): \(parsed.lines.count) steps against \(server.absoluteString)\n".utf8))
        guard await runner.run(parsed) else { throw ExitCode(1) }
    }
}
