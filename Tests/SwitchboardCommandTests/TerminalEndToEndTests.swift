import Foundation
import Testing

/// The real ncurses back end in a real terminal: `switchboard keys` under tmux, driven with
/// `send-keys` and read back with `capture-pane`.
@Suite(.serialized) struct TerminalEndToEndTests {
    typealias Tmux = TmuxSession

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
        // A ZWJ family is drawn one person at a time and a skin tone left out (terminals disagree
        // on both); the Hebrew after the family stays in its columns.
        try tmux.literal("漢字 ok 👍🏽 🇯🇵 👨‍👩‍👧 שלום é")
        try await tmux.waitFor("the typed line") { $0.contains("> 漢字 ok 👍 🇯🇵 👨👩👧 שלום é\n") }
        #expect(tmux.format("#{cursor_x}") == "29")  // the columns the line takes, counted as the screen counts them
        let lines = tmux.screen.split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines.contains { $0.hasPrefix(" Esc quit") && $0.hasSuffix("events") && $0.count <= 90 })

        // A hostile paste arrives as visible text: no title change, no clearing, no clipboard.
        try tmux.paste("one\u{1B}]0;pwned\u{07}\u{1B}]52;c;aGk=\u{07}\u{1B}[2J\u{202E}two")
        try await tmux.waitFor("the paste shown") { $0.contains("paste 1 line(s): one␛]0;pwned␇␛]52;c;aGk=␇␛[2J<U+202E>two") }
        #expect(tmux.format("#{pane_title}") != "pwned")
        #expect(tmux.screen.contains("switchboard keys — theme monochrome"))  // the screen was not cleared

        try tmux.run(["resize-window", "-t", "e2e", "-x", "70", "-y", "20"])
        try await tmux.waitFor("the resize") { $0.contains("resize 70×20") }

        try tmux.keys("Escape")
        try await tmux.waitFor("exited") { _ in tmux.exitStatus != nil }
        #expect(tmux.exitStatus == 0)
        #expect(tmux.format("#{alternate_on}") == "0")  // the terminal was given back
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
        #expect(tmux.exitStatus == 128 + Int(SIGSEGV))  // it still died of the signal…
        #expect(tmux.format("#{alternate_on}") == "0")  // …after giving the terminal back
    }
}
