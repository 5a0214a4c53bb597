import Foundation
import Testing

/// The real ncurses back end in a real terminal: `switchboard keys` under tmux, driven with
/// `send-keys` and read back with `capture-pane`.
@Suite(.serialized) struct TerminalEndToEndTests {
    /// A tmux server of the test's own (its own socket), one window of 90×24.
    final class Tmux {
        let socket = "sb-test-\(UUID().uuidString.prefix(8))"
        let home: URL

        init() throws {
            home = FileManager.default.temporaryDirectory.appendingPathComponent("switchboard-tmux-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: home, withIntermediateDirectories: true)
        }

        /// Runs a tmux command and returns what it printed. Spawned directly, with no file of this
        /// process but its three standard ones, and waited for with waitpid: the tmux server that
        /// `new-session` forks off would otherwise hold this process's pipes open (Foundation's
        /// Process then never sees the command end, and other tests never see their pipes close).
        @discardableResult
        func run(_ arguments: [String]) throws -> String {
            let output = home.appendingPathComponent("tmux-\(UUID().uuidString).out").path
            defer { try? FileManager.default.removeItem(atPath: output) }
            var actions = posix_spawn_file_actions_t()
            posix_spawn_file_actions_init(&actions)
            defer { posix_spawn_file_actions_destroy(&actions) }
            posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
            posix_spawn_file_actions_addopen(&actions, 1, output, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
            posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
            // Through Python's subprocess, which closes every other file: the tmux server lives on
            // with what it inherits, and other tests' pipes must see their end.
            let tmux = ["tmux", "-L", socket, "-f", "/dev/null"] + arguments
            let argv = (["/usr/bin/env", "python3", "-c", "import subprocess, sys; sys.exit(subprocess.call(sys.argv[1:]))"] + tmux)
                .map { strdup($0) } + [nil]
            defer { argv.forEach { free($0) } }
            var pid: pid_t = 0
            guard posix_spawn(&pid, "/usr/bin/env", &actions, nil, argv, environ) == 0 else {
                throw CocoaError(.executableLoad)
            }
            var status: Int32 = 0
            while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
            return (try? String(contentsOfFile: output, encoding: .utf8)) ?? ""
        }

        func start(_ command: [String], environment: [String: String] = [:]) throws {
            let env = ["XDG_CONFIG_HOME": home.path, "XDG_DATA_HOME": home.path, "TERM": "screen-256color"]
                .merging(environment) { $1 }
                .map { "\($0.key)='\($0.value)'" }.joined(separator: " ")
            // The pane's shell keeps the program's exit status in a file for the test.
            let line = "env \(env) \(command.map { "'\($0)'" }.joined(separator: " ")); echo $? > '\(statusFile.path)'"
            try run(["new-session", "-d", "-s", "e2e", "-x", "90", "-y", "24", line])
            try run(["set-option", "-t", "e2e", "remain-on-exit", "on"])
        }

        var statusFile: URL { home.appendingPathComponent("exit-status") }

        /// The program's exit status once it has ended (128 + N after signal N).
        var exitStatus: Int? {
            (try? String(contentsOf: statusFile, encoding: .utf8)).flatMap { Int($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
        }

        /// The program's process: the child of the pane's shell (`env` execs it).
        func programPID() throws -> Int32 {
            let shell = format("#{pane_pid}")
            let children = try String(contentsOfFile: "/proc/\(shell)/task/\(shell)/children", encoding: .utf8)
            guard let pid = children.split(separator: " ").first.flatMap({ Int32($0) }) else { throw CocoaError(.fileNoSuchFile) }
            return pid
        }

        func keys(_ keys: String...) throws { try run(["send-keys", "-t", "e2e"] + keys) }
        func literal(_ text: String) throws { try run(["send-keys", "-t", "e2e", "-l", text]) }
        var screen: String { (try? run(["capture-pane", "-t", "e2e", "-p"])) ?? "" }
        func format(_ format: String) -> String {
            ((try? run(["display-message", "-t", "e2e", "-p", format])) ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        }

        /// Pastes `text` as a terminal would: bracketed, in one piece.
        func paste(_ text: String) throws {
            let file = home.appendingPathComponent("paste.txt")
            try text.write(to: file, atomically: true, encoding: .utf8)
            try run(["load-buffer", file.path])
            try run(["paste-buffer", "-p", "-t", "e2e"])
        }

        func waitFor(_ what: String, sourceLocation: SourceLocation = #_sourceLocation, _ condition: (String) -> Bool) async throws {
            try await waitUntil(what, within: .seconds(10), detail: { "; the screen:\n\(screen)" },
                                sourceLocation: sourceLocation) { condition(screen) }
        }

        func close() {
            _ = try? run(["kill-server"])
            try? FileManager.default.removeItem(at: home)
        }
    }

    static var hasTmux: Bool {
        FileManager.default.isExecutableFile(atPath: "/usr/bin/tmux") || FileManager.default.isExecutableFile(atPath: "/usr/local/bin/tmux")
    }

    @Test(.enabled(if: hasTmux, "tmux is installed by .ci/run"))
    func keysPasteWideTextResizeAndACleanExit() async throws {
        let tmux = try Tmux()
        defer { tmux.close() }
        try tmux.start([Command.binary.path, "keys", "--theme", "monochrome"])
        try await tmux.waitFor("the program is up") { $0.contains("switchboard keys — theme monochrome") }
        #expect(tmux.format("#{alternate_on}") == "1")

        try tmux.keys("C-a", "M-f", "F5", "PageUp", "BTab")
        try await tmux.waitFor("key names shown") { $0.contains("key  S-Tab") }
        for name in ["key  C-a", "key  M-f", "key  F5", "key  PgUp"] { #expect(tmux.screen.contains(name)) }

        // Wide text keeps its columns: what follows it, and the status bar's right edge, stay put.
        try tmux.literal("漢字 ok 👍🏽 🇯🇵 é")
        try await tmux.waitFor("the typed line") { $0.contains("> 漢字 ok 👍") && $0.contains(" é\n") }
        let lines = tmux.screen.split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines.contains { $0.hasPrefix(" Esc quit") && $0.hasSuffix("events") && $0.count <= 90 })

        // A hostile paste arrives as visible text: no title change, no clearing, no clipboard.
        try tmux.paste("one\u{1B}]0;pwned\u{07}\u{1B}]52;c;aGk=\u{07}\u{1B}[2J\u{202E}two")
        try await tmux.waitFor("the paste shown") { $0.contains("paste 1 line(s): one␛]0;pwned␇␛]52;c;aGk=␇␛[2J<U+202E>two") }
        #expect(tmux.format("#{pane_title}") != "pwned")
        #expect(tmux.screen.contains("switchboard keys — theme monochrome")) // the screen was not cleared

        try tmux.run(["resize-window", "-t", "e2e", "-x", "70", "-y", "20"])
        try await tmux.waitFor("the resize") { $0.contains("resize 70×20") }

        try tmux.keys("Escape")
        try await tmux.waitFor("exited") { _ in tmux.exitStatus != nil }
        #expect(tmux.exitStatus == 0)
        #expect(tmux.format("#{alternate_on}") == "0") // the terminal was given back
        #expect(!tmux.screen.contains("switchboard keys —"))
    }

    @Test(.enabled(if: hasTmux, "tmux is installed by .ci/run"))
    func sigtermGivesTheTerminalBack() async throws {
        let tmux = try Tmux()
        defer { tmux.close() }
        try tmux.start([Command.binary.path, "keys"], environment: ["NO_COLOR": "1"])
        try await tmux.waitFor("the program is up") { $0.contains("switchboard keys") }
        kill(try tmux.programPID(), SIGTERM)
        try await tmux.waitFor("exited") { _ in tmux.exitStatus != nil }
        #expect(tmux.exitStatus == 0)
        #expect(tmux.format("#{alternate_on}") == "0")
    }

    @Test(.enabled(if: hasTmux, "tmux is installed by .ci/run"))
    func ctrlCQuitsAndTheComposeLineGoesThroughEditor() async throws {
        let tmux = try Tmux()
        defer { tmux.close() }
        let editor = tmux.home.appendingPathComponent("editor.sh")
        try "#!/bin/sh\nprintf ' and more from the editor' >> \"$1\"\n".write(to: editor, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: editor.path)
        try tmux.start([Command.binary.path, "keys"], environment: ["EDITOR": editor.path, "VISUAL": editor.path])
        try await tmux.waitFor("the program is up") { $0.contains("switchboard keys") }
        // The first run made a commented config file.
        #expect(FileManager.default.fileExists(atPath: tmux.home.appendingPathComponent("switchboard/config").path))
        try tmux.literal("a draft")
        try tmux.keys("C-x", "C-e")
        try await tmux.waitFor("the line back from the editor") { $0.contains("> a draft and more from the editor") }
        try tmux.keys("C-c")
        try await tmux.waitFor("exited") { _ in tmux.exitStatus != nil }
        #expect(tmux.exitStatus == 0)
        #expect(tmux.format("#{alternate_on}") == "0")
    }

    @Test(.enabled(if: hasTmux, "tmux is installed by .ci/run"))
    func aCrashSignalStillGivesTheTerminalBack() async throws {
        let tmux = try Tmux()
        defer { tmux.close() }
        try tmux.start([Command.binary.path, "keys"])
        try await tmux.waitFor("the program is up") { $0.contains("switchboard keys") }
        #expect(tmux.format("#{alternate_on}") == "1")
        kill(try tmux.programPID(), SIGSEGV)
        try await tmux.waitFor("died") { _ in tmux.exitStatus != nil }
        #expect(tmux.exitStatus == 128 + Int(SIGSEGV)) // it still died of the signal…
        #expect(tmux.format("#{alternate_on}") == "0") // …after giving the terminal back
    }
}
