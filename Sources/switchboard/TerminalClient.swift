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
