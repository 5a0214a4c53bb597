import ChildProcess
import Foundation
import Testing

/// A tmux server of the test's own (its own socket), one window (90×24 unless told), driven with
/// `send-keys` and read with `capture-pane`. `close()` ends the server and everything in it, also
/// when the test failed.
final class TmuxSession: @unchecked Sendable {
    let socket = "sb-test-\(UUID().uuidString.prefix(8))"
    let home: URL

    init() throws {
        home = FileManager.default.temporaryDirectory.appendingPathComponent("switchboard-tmux-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: home, withIntermediateDirectories: true)
    }

    /// Runs a tmux command and returns what it printed. Started as a `ChildProcess`, which
    /// passes on no file of this process but the three standard ones: the tmux server that
    /// `new-session` forks off lives on, and must not hold other tests' pipes open.
    @discardableResult
    func run(_ arguments: [String]) throws -> String {
        let tmux = try ChildProcess.spawn(
            "/usr/bin/env", arguments: ["tmux", "-L", socket, "-f", "/dev/null"] + arguments,
            input: .null, output: .pipe, error: .null)
        let output = tmux.readOutput()
        tmux.waitUntilExit()
        return String(decoding: output, as: UTF8.self)
    }

    /// `directory`: the program's working directory (default: the test's own).
    func start(
        _ command: [String], environment: [String: String] = [:], width: Int = 90, height: Int = 24,
        directory: URL? = nil
    ) throws {
        let env = ["XDG_CONFIG_HOME": home.path, "XDG_DATA_HOME": home.path, "TERM": "screen-256color"]
            .merging(environment) { $1 }
            .map { "\($0.key)='\($0.value)'" }.joined(separator: " ")
        // The pane's shell keeps the program's exit status in a file for the test.
        let line = "env \(env) \(command.map { "'\($0)'" }.joined(separator: " ")); echo $? > '\(statusFile.path)'"
        try run(
            ["new-session", "-d", "-s", "e2e", "-x", String(width), "-y", String(height)]
                + (directory.map { ["-c", $0.path] } ?? []) + [line])
        serverPID = Int32(format("#{pid}"))
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
    /// The screen with its colours, as SGR escapes (`capture-pane -e`).
    var styledScreen: String { (try? run(["capture-pane", "-t", "e2e", "-p", "-e"])) ?? "" }
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
        // A bound, not a timing check: under a loaded CI machine a program can take seconds to start.
        try await waitUntil(
            what, within: .seconds(60),
            detail: {
                "; the screen:\n\(screen)" + (exitStatus.map { "\n(the program has ended with status \($0))" } ?? "")
            },
            sourceLocation: sourceLocation
        ) { condition(screen) }
    }

    /// The tmux server's process, to make sure it is gone.
    private var serverPID: Int32?

    private var closed = false

    /// A session a test did not close (it failed before its `defer` was set) is closed when let go.
    deinit { close() }

    /// Ends the program, the tmux server and its files, whatever state they are in.
    func close() {
        guard !closed else { return }
        closed = true
        if let pid = try? programPID() { kill(pid, SIGKILL) }
        _ = try? run(["kill-server"])
        if let pid = serverPID, kill(pid, 0) == 0 {
            usleep(200_000)
            if kill(pid, 0) == 0 { kill(pid, SIGKILL) }
        }
        try? FileManager.default.removeItem(at: home)
    }
}
