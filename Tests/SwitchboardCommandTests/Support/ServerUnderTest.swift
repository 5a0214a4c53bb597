import Foundation
import Testing

/// A `switchboard serve` on 127.0.0.1 over a fresh SQLite file in a directory of its own, with
/// agents added through `switchboard users add` (password `agent-password`); it can be stopped
/// and started again on the same port and database.
final class ServerUnderTest {
    let directory: URL
    let db: String
    private(set) var process: Command
    private(set) var port = 0
    var url: String { "http://127.0.0.1:\(port)" }

    /// The serve command's arguments (with `--config` when the test gave one).
    private let arguments: [String]

    /// `admins` are added with the role ADMIN, with the same password; `config` is a config file's JSON.
    init(
        agents: [(username: String, name: String)], admins: [(username: String, name: String)] = [], prefix: String,
        config: String? = nil, environment: [String: String] = [:]
    ) async throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("switchboard-\(prefix)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        db = "sqlite:" + directory.appendingPathComponent("support.sqlite").path
        for (account, role) in agents.map({ ($0, "agent") }) + admins.map({ ($0, "admin") }) {
            let add = try Command.run(
                [
                    "users", "add", "--db", db, "--username", account.username, "--role", role,
                    "--display-name", account.name, "--password-stdin",
                ], in: directory, stdin: "agent-password\n")
            try add.waitForExit()
        }
        var arguments = ["--db", db, "--data-dir", directory.path]
        if let config {
            let file = directory.appendingPathComponent("config.json")
            try config.write(to: file, atomically: true, encoding: .utf8)
            arguments += ["--config", file.path]
        }
        self.arguments = arguments
        process = try Command.run(["serve", "--port", "0"] + arguments, in: directory, environment: environment)
        let line = try await process.waitForLine(startingWith: "listening on http://127.0.0.1:")
        port = try #require(Int(line.split(separator: ":").last ?? ""))
    }

    /// Stops the server (SIGTERM) and waits until it has gone.
    func stop() throws {
        kill(process.process.processIdentifier, SIGTERM)
        try process.waitForExit()
    }

    /// Starts it again on the same port and database.
    func restart() async throws {
        process = try Command.run(["serve", "--port", String(port)] + arguments, in: directory)
        _ = try await process.waitForLine(startingWith: "listening on")
    }

    /// Processes other than this test's whose command line names the server's directory.
    private func strays() -> [Int32] {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return entries.compactMap(Int32.init).filter { pid in
            guard pid != getpid(), let line = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline") else { return false }
            return String(decoding: line, as: UTF8.self).contains(directory.path)
        }
    }

    /// Ends the server, whatever its state — and any other process serving its directory (the
    /// storm benchmark restarts it as a child of its own) — and removes its files.
    func close() {
        process.end()
        for pid in strays() { kill(pid, SIGKILL) }
        try? FileManager.default.removeItem(at: directory)
    }
}

extension TmuxSession {
    /// `switchboard console --user USER` on `server` in a new tmux session, returned once it shows
    /// itself signed in and connected (closed again if it does not).
    /// `switchboard chat` as a registered customer, signed in and connected.
    static func chat(
        _ server: String, user: String, password: String = "a long password", width: Int = 80, height: Int = 24,
        environment: [String: String] = [:]
    ) async throws -> TmuxSession {
        let tmux = try TmuxSession()
        do {
            try tmux.start(
                [Command.binary.path, "chat", "--server", server, "--user", user],
                environment: ["SWITCHBOARD_PASSWORD": password].merging(environment) { $1 }, width: width, height: height)
            try await tmux.waitFor("\(user)'s tickets") { $0.contains("Your tickets") && $0.contains("● connected") }
            return tmux
        } catch {
            tmux.close()
            throw error
        }
    }

    static func console(
        _ server: String, user: String, name: String, width: Int = 120, height: Int = 30,
        environment: [String: String] = [:]
    ) async throws -> TmuxSession {
        let tmux = try TmuxSession()
        do {
            try tmux.start(
                [Command.binary.path, "console", "--server", server, "--user", user],
                environment: ["SWITCHBOARD_PASSWORD": "agent-password"].merging(environment) { $1 }, width: width, height: height)
            try await tmux.waitFor("\(user)'s console") { $0.contains("Agent console · \(name)") && $0.contains("● connected") }
            return tmux
        } catch {
            tmux.close()
            throw error
        }
    }
}
