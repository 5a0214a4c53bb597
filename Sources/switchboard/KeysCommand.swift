import ArgumentParser
import CursesTerminal
import Foundation
import SwitchboardApp
import SwitchboardServer
import TerminalKit

/// `switchboard keys`: shows each key, paste and mouse action as the terminal client reads it
/// (the names key bindings use), with a compose line to try the editing keys, in the chosen
/// theme. Esc or C-q quits; F1 shows the keys.
struct KeysCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keys",
        abstract: "Show keys as the terminal client reads them (for key bindings), and try the compose line."
    )

    @Option(help: ArgumentHelp("A theme name or file. Env: SWITCHBOARD_THEME.", valueName: "NAME|PATH"))
    var theme: String?

    func run() async throws {
        // A trap here leaves its report in the data directory too, and never waits for a key.
        CrashCapture.arm(dataDirectory: ClientOptions.dataDirectory(flag: nil, environment: ProcessInfo.processInfo.environment))
        let (config, problems) = ClientConfig.loadOrCreate()
        let choice = ThemeLoader.choose(flag: theme, configured: config.theme)
        let terminal: CursesTerminal
        do {
            terminal = try CursesTerminal.start()
        } catch {
            throw ValidationError("switchboard keys: \(error)")
        }
        var program = KeysProgram(theme: choice.theme, warnings: problems + [choice.warning].compactMap { $0 }, terminal: terminal)
        await EventLoop<KeysProgram.Message>().run(&program, on: terminal)
        terminal.stop()
    }
}

struct KeysProgram: TerminalProgram {
    enum Message: Sendable {
        /// The compose line came back from `$EDITOR` (nil: the editor failed).
        case edited(String?)
    }
    enum Action: Hashable, Sendable { case quit, help }

    let theme: Theme
    var log: [String] = []
    var editor = LineEditor()
    var showingHelp = false
    var keys = KeyMap<Action>([
        .init([.escape], .quit, help: "quit", group: "Keys"),
        .init([.ctrl("q")], .quit, help: "quit", group: "Keys"),
        .init([.ctrl("c")], .quit, help: "quit", group: "Keys"),
        .init([Key(.function(1))], .help, help: "show or hide these keys", group: "Keys"),
    ])
    let terminal: CursesTerminal?

    init(theme: Theme, warnings: [String], terminal: CursesTerminal?) {
        self.theme = theme
        self.terminal = terminal
        log.append(contentsOf: warnings)
        log.append("Press keys to see their names; type below to try the compose line.")
    }

    mutating func update(_ event: LoopEvent<Message>, post: EventLoop<Message>) -> Bool {
        if case .message(.edited(let text)) = event {
            if let text { editor.replace(with: text) } else { log.append("the editor failed; the line is as it was") }
            return true
        }
        guard case .input(let input) = event else { return true }
        switch input {
        case .key(let key):
            log.append("key  \(key)")
            if showingHelp {
                showingHelp = false
                return true
            }
            switch keys.resolve(key) {
            case .action(.quit): return false
            case .action(.help):
                showingHelp = true
                return true
            default: break
            }
            switch editor.handle(key) {
            case .submit(let text): log.append("sent \(text)")
            case .openEditor(let text):
                // The editor runs on the terminal's thread; its text comes back as a message.
                if let terminal { Task { post.post(.edited(await terminal.editExternally(text))) } }
            case .confirmSubmit(let lines): log.append("sent \(lines) lines: \(editor.submitConfirmed())")
            default: break
            }
        case .paste(let text):
            let lines = text.replacingOccurrences(of: "\r\n", with: "\n").replacingOccurrences(of: "\r", with: "\n")
                .split(separator: "\n", omittingEmptySubsequences: false).count
            log.append("paste \(lines) line(s): \(text)")
            editor.paste(text)
        case .mouse(let mouse):
            log.append("mouse \(mouse.kind) at \(mouse.x),\(mouse.y)")
        case .resize(let width, let height):
            log.append("resize \(width)×\(height)")
        case .focus(let gained):
            log.append(gained ? "focus in" : "focus out")
        }
        if log.count > 500 { log.removeFirst(log.count - 500) }
        return true
    }

    func view(width: Int, height: Int) -> (screen: Screen, cursor: (x: Int, y: Int)?) {
        var screen = Screen(width: width, height: height)
        let area = Rect(x: 0, y: 0, width: width, height: height)
        screen.fill(x: 0, y: 0, width: width, height: height, style: theme[.text])
        let (title, rest) = area.splitTop(1)
        screen.fill(x: title.x, y: title.y, width: title.width, height: 1, style: theme[.status])
        screen.put(" switchboard keys — theme \(theme.name)", x: 0, y: 0, style: theme[.status].with(bold: true), limit: width)
        let (body, bottom) = rest.splitBottom(2)
        let (input, status) = bottom.splitTop(1)
        // The newest lines of the log, wrapped, at the bottom of the body.
        let lines = log.flatMap { TextWrap.lines($0, width: max(1, body.width - 1)) }.suffix(body.height)
        for (offset, line) in lines.enumerated() {
            screen.put(
                line, x: body.x + 1, y: body.y + body.height - lines.count + offset,
                style: line.hasPrefix("key") ? theme[.accent] : theme[.text])
        }
        let cursor = editor.render(
            into: &screen, in: input, style: theme[.input], prompt: [Span("> ", theme[.accent])],
            placeholder: "type here", placeholderStyle: theme[.placeholder])
        StatusBar.render(
            into: &screen, in: status, theme: theme, left: [Span(" Esc quit  F1 keys")],
            right: [Span("\(log.count) events ")])
        // The compose line's keys are its own key map: shown from there, never listed twice.
        if showingHelp { HelpOverlay.render(keys.helpRows + editor.keys.helpRows, into: &screen, in: area, theme: theme) }
        return (screen, showingHelp ? nil : cursor)
    }
}
