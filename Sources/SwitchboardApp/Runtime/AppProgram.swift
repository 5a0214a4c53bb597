import Foundation
import SwitchboardProtocol
import TerminalKit

/// The terminal client as one `TerminalProgram`: the launcher or a mode on screen, input and the
/// runner's events fed to it, its effects handed to the runner. The only place that reads the
/// clock (for ticks) and owns the runner; modes stay pure values.
public struct AppProgram: TerminalProgram {
    public typealias Message = AppEvent

    public enum Current: Equatable, Sendable {
        case launcher(Launcher)
        case customer(CustomerMode)
        case console(ConsoleMode)
        case tester(TesterMode)
    }

    public private(set) var current: Current
    let theme: Theme
    let runner: EffectRunner
    /// The launcher to go back to, when the session began there.
    private let launcher: Launcher?
    private let editorBindings: [ClientConfig.KeyBinding]

    public init(current: Current, theme: Theme, runner: EffectRunner, config: ClientConfig = ClientConfig()) {
        self.theme = theme
        self.runner = runner
        editorBindings = config.keys
        if case .launcher(let launcher) = current { self.launcher = launcher } else { launcher = nil }
        self.current = current
        if case .customer(var mode) = current {
            KeyBindings.apply(config.keys, to: &mode)
            self.current = .customer(mode)
        }
        if case .console(var mode) = current {
            KeyBindings.apply(config.keys, to: &mode)
            self.current = .console(mode)
        }
        if case .tester(var mode) = current {
            KeyBindings.apply(config.keys, to: &mode)
            self.current = .tester(mode)
        }
    }

    public mutating func update(_ event: LoopEvent<AppEvent>, post: EventLoop<AppEvent>) -> Bool {
        let input: ModeInput =
            switch event {
            case .tick: .tick(WallClock.now())
            case .message(let event): .event(event)
            case .input(.key(let key)): .key(key)
            case .input(.paste(let text)): .paste(text)
            case .input(.mouse(let mouse)): .mouse(mouse)
            case .input(.resize(let width, let height)): .resize(width: width, height: height)
            case .input(.focus(let gained)): .focus(gained)
            }
        switch current {
        case .launcher(var screen):
            let outcome = screen.update(input)
            current = .launcher(screen)
            switch outcome {
            case .stay: return true
            case .quit: return false
            case .pick(let choice):
                let username: String
                switch choice {
                case .customer:
                    username = "customer"
                    var mode = CustomerMode(
                        server: screen.server, username: username, signingIn: true, fromLauncher: true,
                        size: screen.size, now: screen.now)
                    KeyBindings.apply(editorBindings, to: &mode)
                    current = .customer(mode)
                case .console:
                    username = "agent"
                    var mode = ConsoleMode(
                        server: screen.server, username: username, signingIn: true, fromLauncher: true,
                        size: screen.size, now: screen.now)
                    KeyBindings.apply(editorBindings, to: &mode)
                    current = .console(mode)
                case .tester:
                    // Both demo accounts at once, each its own connection.
                    var mode = TesterMode(server: screen.server, fromLauncher: true, size: screen.size, now: screen.now)
                    KeyBindings.apply(editorBindings, to: &mode)
                    let effects = mode.start(as: [("customer", screen.password), ("agent", screen.password)])
                    current = .tester(mode)
                    runner.perform(effects)
                    return true
                }
                // The launcher's modes sign in as the demo accounts; a kept login is used first.
                let runner = self.runner, password = screen.password
                Task { _ = await runner.resume(username: username, password: password) }
                return true
            }
        case .customer(var mode):
            let effects = mode.update(input)
            current = .customer(mode)
            return carryOut(effects, size: mode.size)
        case .console(var mode):
            let effects = mode.update(input)
            current = .console(mode)
            return carryOut(effects, size: mode.size)
        case .tester(var mode):
            let effects = mode.update(input)
            current = .tester(mode)
            return carryOut(effects, size: mode.size)
        }
    }

    /// Quitting and going back to the launcher are the program's; the rest goes to the runner.
    private mutating func carryOut(_ effects: [Effect], size: (width: Int, height: Int)) -> Bool {
        if effects.contains(.quit) { return false }
        if effects.contains(.backToLauncher), var launcher {
            let runner = self.runner
            Task { await runner.stop() }
            _ = launcher.update(.resize(width: size.width, height: size.height))
            current = .launcher(launcher)
            return true
        }
        runner.perform(effects)
        return true
    }

    public func view(width: Int, height: Int) -> (screen: Screen, cursor: (x: Int, y: Int)?) {
        switch current {
        case .launcher(let launcher): launcher.view(theme: theme)
        case .customer(let mode): mode.view(theme: theme)
        case .console(let mode): mode.view(theme: theme)
        case .tester(let mode): mode.view(theme: theme)
        }
    }
}

/// The config file's `[keys]` applied to a mode's key map and its compose line; names that are
/// neither are reported by `problems`.
public enum KeyBindings {
    public static func apply(_ bindings: [ClientConfig.KeyBinding], to mode: inout CustomerMode) {
        for binding in bindings {
            if let action = CustomerAction(rawValue: binding.action) {
                mode.keys.rebind(action, to: binding.keys)
            } else if let action = EditAction(rawValue: binding.action) {
                mode.editor.keys.rebind(action, to: binding.keys)
            }
        }
    }

    public static func apply(_ bindings: [ClientConfig.KeyBinding], to mode: inout ConsoleMode) {
        for binding in bindings {
            if let action = ConsoleAction(rawValue: binding.action) {
                mode.keys.rebind(action, to: binding.keys)
            } else if let action = EditAction(rawValue: binding.action) {
                mode.editorKeys.rebind(action, to: binding.keys)
            }
        }
    }

    public static func apply(_ bindings: [ClientConfig.KeyBinding], to mode: inout TesterMode) {
        for binding in bindings {
            if let action = TesterAction(rawValue: binding.action) {
                mode.keys.rebind(action, to: binding.keys)
            } else if let action = EditAction(rawValue: binding.action) {
                mode.composer.keys.rebind(action, to: binding.keys)
            }
        }
    }

    public static func problems(_ bindings: [ClientConfig.KeyBinding], file: String) -> [String] {
        bindings.filter {
            CustomerAction(rawValue: $0.action) == nil && ConsoleAction(rawValue: $0.action) == nil
                && TesterAction(rawValue: $0.action) == nil && EditAction(rawValue: $0.action) == nil
        }
        .map { "\(file):\($0.line): unknown action '\($0.action)'" }
    }
}
