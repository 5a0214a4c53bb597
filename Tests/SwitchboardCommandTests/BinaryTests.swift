import ChildProcess
import Foundation
import Synchronization
import Testing

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// The real `switchboard` binary, run as operators and scripts run it.
@Suite(.serialized) struct BinaryTests {
    let directory: URL

    init() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("switchboard-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    var db: String { "sqlite:" + directory.appendingPathComponent("support.sqlite").path }

    @Test func serveAnnouncesItselfAndStopsCleanly() async throws {
        defer { try? FileManager.default.removeItem(at: directory) }
        let add = try Command.run(
            [
                "users", "add", "--db", db, "--username", "boss", "--role", "admin",
                "--display-name", "The Boss", "--password-stdin",
            ], in: directory, stdin: "hunter2hunter2\n")
        try add.waitForExit()
        #expect(add.status == 0)
        #expect(add.output.contains("created admin #1 'boss'"))

        for signal in [SIGTERM, SIGINT] {
            let server = try Command.run(["serve", "--port", "0", "--db", db, "--data-dir", directory.path], in: directory)
            let line = try await server.waitForLine(startingWith: "listening on http://127.0.0.1:")
            let port = try #require(Int(line.split(separator: ":").last ?? ""))
            let (status, body) = try await Self.post(
                "http://127.0.0.1:\(port)/api/auth/login",
                json: #"{"username":"BOSS","password":"hunter2hunter2"}"#)
            #expect(status == 200)
            #expect(body.contains("\"role\":\"ADMIN\""))
            kill(server.process.processIdentifier, signal)
            try server.waitForExit()
            #expect(server.status == 0, "exit after signal \(signal)")
            // Logs never carry passwords or tokens.
            #expect(!server.errors.contains("hunter2") && !server.errors.contains("eyJ"))
            #expect(server.errors.contains("path=/api/auth/login"))
        }
        // A generated secret was kept in the data directory, readable by its owner only.
        let attributes = try FileManager.default.attributesOfItem(atPath: directory.appendingPathComponent("jwt-secret").path)
        #expect((attributes[.posixPermissions] as? Int) == 0o600)
    }

    /// A test that fails while a server runs leaves no process behind: letting go of the
    /// `Command` kills it (its output readers must not keep it alive).
    @Test func aDroppedCommandEndsItsProcess() async throws {
        defer { try? FileManager.default.removeItem(at: directory) }
        var server: Command? = try Command.run(["serve", "--port", "0", "--db", db, "--data-dir", directory.path], in: directory)
        _ = try await server?.waitForLine(startingWith: "listening on http://127.0.0.1:")
        let pid = try #require(server?.process.processIdentifier)
        weak let dropped = server
        server = nil
        #expect(dropped == nil, "nothing else holds the command")
        #expect(kill(pid, 0) == -1 && errno == ESRCH, "its process is gone, and reaped")
    }

    /// A content rule that cannot work stops the server before it listens, saying which file,
    /// which rule and what is wrong.
    @Test func aBadContentRuleStopsTheServerWithTheFileTheRuleAndTheProblem() throws {
        defer { try? FileManager.default.removeItem(at: directory) }
        let config = directory.appendingPathComponent("switchboard.json")
        try Data(#"{"contentFilters": {"mask": [{"name": "api-key", "pattern": "sk_live_[A-Za-z0-9{8,}"}]}}"#.utf8).write(to: config)
        let server = try Command.run(
            ["serve", "--port", "0", "--db", db, "--data-dir", directory.path, "--config", config.path], in: directory)
        try server.waitForExit()
        #expect(server.status != 0)
        #expect(
            server.errors.contains(
                "config file \(config.path): contentFilters.mask[0] \"api-key\": the pattern "
                    + "'sk_live_[A-Za-z0-9{8,}' is not a valid regular expression: expected ']'"), "\(server.errors)")
        #expect(!server.output.contains("listening"))
    }

    /// A server that cannot start says why in a sentence and what to do — a port taken, a data
    /// directory that cannot be made, a PostgreSQL nobody answers at (at once: the pool would
    /// retry for a minute and then name only its circuit breaker).
    @Test func aServerThatCannotStartSaysWhy() async throws {
        defer { try? FileManager.default.removeItem(at: directory) }
        let first = try Command.run(["serve", "--port", "0", "--db", db, "--data-dir", directory.path], in: directory)
        let line = try await first.waitForLine(startingWith: "listening on http://127.0.0.1:")
        let port = try #require(Int(line.split(separator: ":").last ?? ""))
        defer {
            kill(first.process.processIdentifier, SIGTERM)
            try? first.waitForExit()
        }

        let second = try Command.run(["serve", "--port", String(port), "--db", db, "--data-dir", directory.path], in: directory)
        try second.waitForExit()
        #expect(second.status == 1)
        #expect(
            second.errors.contains(
                "cannot listen on 127.0.0.1:\(port): the address is in use — another server runs there; "
                    + "choose another port with --port (0 picks a free one)"), "\(second.errors)")

        let file = directory.appendingPathComponent("a-file")
        try Data("x".utf8).write(to: file)
        let nested = file.appendingPathComponent("data").path  // under a file: cannot be made
        let third = try Command.run(["serve", "--port", "0", "--data-dir", nested], in: directory)
        try third.waitForExit()
        #expect(third.status == 1)
        #expect(
            third.errors.contains("cannot use \(nested)") && third.errors.contains("choose another data directory with --data-dir"),
            "\(third.errors)")
        #expect(!third.errors.contains("NSCocoaErrorDomain"))

        let fourth = try Command.run(
            [
                "serve", "--port", "0", "--db", "postgres://someone:secret@127.0.0.1:1/support",
                "--data-dir", directory.path,
            ], in: directory)
        try fourth.waitForExit()
        #expect(fourth.status == 1)
        #expect(
            fourth.errors.contains("cannot reach PostgreSQL at postgres://someone:***@127.0.0.1:1/support: connection refused"),
            "\(fourth.errors)")
    }

    /// An operator lists the accounts and gives one a new password: the old one and the sessions
    /// made with it stop working at once, on the running server.
    @Test func usersListAndSetPassword() async throws {
        defer { try? FileManager.default.removeItem(at: directory) }
        for (name, role) in [("ada", "admin"), ("sam", "agent")] {
            let add = try Command.run(
                ["users", "add", "--db", db, "--username", name, "--role", role, "--password-stdin"],
                in: directory, stdin: "the old passphrase\n")
            try add.waitForExit()
            #expect(add.status == 0)
        }
        let list = try Command.run(["users", "list", "--db", db], in: directory)
        try list.waitForExit()
        #expect(
            list.output.contains("    1  admin     ada       ada") && list.output.contains("    2  agent     sam       sam"),
            "\(list.output)")

        let server = try Command.run(["serve", "--port", "0", "--db", db, "--data-dir", directory.path], in: directory)
        defer {
            kill(server.process.processIdentifier, SIGTERM)
            try? server.waitForExit()
        }
        let line = try await server.waitForLine(startingWith: "listening on http://127.0.0.1:")
        let base = "http://127.0.0.1:" + (line.split(separator: ":").last.map(String.init) ?? "")
        let (status, body) = try await Self.post(base + "/api/auth/login", json: #"{"username":"ada","password":"the old passphrase"}"#)
        #expect(status == 200)
        let refresh = try #require(try JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any])["refreshToken"] as? String

        let short = try Command.run(
            ["users", "set-password", "--db", db, "--username", "ada", "--password-stdin"], in: directory, stdin: "short\n")
        try short.waitForExit()
        #expect(short.status != 0 && short.errors.contains("password: 8–128 characters"))
        let change = try Command.run(
            ["users", "set-password", "--db", db, "--username", "ADA", "--password-stdin"], in: directory,
            stdin: "the new passphrase\n")
        try change.waitForExit()
        #expect(change.status == 0 && change.output.contains("new password for admin #1 'ada'; its sessions have ended"))

        #expect(try await Self.post(base + "/api/auth/login", json: #"{"username":"ada","password":"the old passphrase"}"#).0 == 401)
        #expect(try await Self.post(base + "/api/auth/login", json: #"{"username":"ada","password":"the new passphrase"}"#).0 == 200)
        #expect(
            try await Self.post(base + "/api/auth/refresh", json: #"{"refreshToken":"\#(refresh ?? "")"}"#).0 == 401,
            "the session made with the old password has ended")
    }

    @Test func usersAddRefusesBadInput() throws {
        defer { try? FileManager.default.removeItem(at: directory) }
        let short = try Command.run(
            ["users", "add", "--db", db, "--username", "boss", "--role", "agent", "--password-stdin"],
            in: directory, stdin: "short\n")
        try short.waitForExit()
        #expect(short.status != 0)
        #expect(short.errors.contains("password: 8–128 characters"))
        let first = try Command.run(
            ["users", "add", "--db", db, "--username", "boss", "--role", "agent"], in: directory,
            environment: ["SWITCHBOARD_PASSWORD": "long enough"])
        try first.waitForExit()
        #expect(first.status == 0)
        let again = try Command.run(
            ["users", "add", "--db", db, "--username", "Boss", "--role", "agent"], in: directory,
            environment: ["SWITCHBOARD_PASSWORD": "long enough"])
        try again.waitForExit()
        #expect(again.status != 0 && again.errors.contains("taken"))
        #expect(!again.errors.contains("Usage:"), "a refusal is a sentence, not a lesson in flags: \(again.errors)")
    }

    /// An operator makes an agent an admin, and back; a mistyped name or role is said as such.
    @Test func usersSetRole() throws {
        defer { try? FileManager.default.removeItem(at: directory) }
        let add = try Command.run(
            ["users", "add", "--db", db, "--username", "sam", "--role", "agent"], in: directory,
            environment: ["SWITCHBOARD_PASSWORD": "long enough"])
        try add.waitForExit()
        let promote = try Command.run(["users", "set-role", "--db", db, "--username", "Sam", "--role", "admin"], in: directory)
        try promote.waitForExit()
        #expect(
            promote.status == 0 && promote.output.contains("#1 'sam' is now an admin (was agent); its sessions have ended"),
            "\(promote.output)\(promote.errors)")
        let again = try Command.run(["users", "set-role", "--db", db, "--username", "sam", "--role", "ADMIN"], in: directory)
        try again.waitForExit()
        #expect(again.status == 0 && again.output.contains("#1 'sam' is already an admin; nothing changed"))
        let list = try Command.run(["users", "list", "--db", db], in: directory)
        try list.waitForExit()
        #expect(list.output.contains("    1  admin     sam"), "\(list.output)")

        let nobody = try Command.run(["users", "set-role", "--db", db, "--username", "nobody", "--role", "agent"], in: directory)
        try nobody.waitForExit()
        #expect(
            nobody.status == 1 && nobody.errors.contains("Error: no account 'nobody' in sqlite:") && !nobody.errors.contains("Usage:"),
            "\(nobody.errors)")
        let badRole = try Command.run(["users", "set-role", "--db", db, "--username", "sam", "--role", "boss"], in: directory)
        try badRole.waitForExit()
        #expect(badRole.status != 0 && badRole.errors.contains("--role: one of"))
    }

    @Test func noArgumentsStartsTheEmbeddedServerWithDemoAccounts() async throws {
        defer { try? FileManager.default.removeItem(at: directory) }
        for round in 1...2 {  // the second start finds the accounts already there
            let local = try Command.run([], in: directory, environment: ["XDG_DATA_HOME": directory.path])
            let line = try await local.waitForLine(startingWith: "listening on http://127.0.0.1:")
            _ = try await local.waitForLine(startingWith: "Press Ctrl-C")
            #expect(local.output.contains(directory.appendingPathComponent("switchboard/switchboard.sqlite").path))
            let port = try #require(Int(line.split(separator: ":").last ?? ""))
            let (status, _) = try await Self.post(
                "http://127.0.0.1:\(port)/api/auth/login",
                json: #"{"username":"agent","password":"switchboard"}"#)
            #expect(status == 200, "round \(round)")
            kill(local.process.processIdentifier, SIGINT)
            try local.waitForExit()
            #expect(local.status == 0)
        }
    }

    static func post(_ url: String, json: String) async throws -> (Int, String) {
        var request = URLRequest(url: URL(string: url)!)
        request.httpMethod = "POST"
        request.httpBody = Data(json.utf8)
        request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        let (data, response) = try await URLSession.shared.data(for: request)
        return ((response as? HTTPURLResponse)?.statusCode ?? 0, String(decoding: data, as: UTF8.self))
    }
}

/// A `switchboard` process with its output collected as it arrives. It never outlives its
/// `Command`: a test that fails (throws) before ending it has it killed when it lets go of it.
final class Command: Sendable {
    let process: ChildProcess
    // Raw bytes: a pipe read may split a multi-byte character, so decode only whole outputs.
    private let stdout = Mutex(Data())
    private let stderr = Mutex(Data())

    /// Next to the test bundle, where SwiftPM puts the package's executables.
    static var binary: URL {
        URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("switchboard")
    }

    static func run(
        _ arguments: [String], in directory: URL, stdin: String? = nil,
        environment: [String: String] = [:]
    ) throws -> Command {
        var env = ProcessInfo.processInfo.environment
        env["XDG_DATA_HOME"] = directory.appendingPathComponent("xdg").path
        env.removeValue(forKey: "SWITCHBOARD_PASSWORD")
        env.merge(environment) { $1 }
        let process = try ChildProcess.spawn(
            binary.path, arguments: arguments, environment: env, directory: directory.path,
            input: .pipe, output: .pipe, error: .pipe)
        let command = Command(process: process)
        // Weak: the readers live as long as the pipes, so a strong capture would keep the
        // command, and its process, alive after a failed test let go of it.
        drain(process.output!) { [weak command] chunk in command?.stdout.withLock { $0.append(contentsOf: chunk) } }
        drain(process.error!) { [weak command] chunk in command?.stderr.withLock { $0.append(contentsOf: chunk) } }
        let input = FileHandle(fileDescriptor: process.input!, closeOnDealloc: true)
        if let stdin { input.write(Data(stdin.utf8)) }
        try input.close()
        return command
    }

    private init(process: ChildProcess) { self.process = process }

    deinit {
        guard process.isRunning else { return }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    /// Ends the process whatever its state: SIGTERM, and SIGKILL if it has not gone within
    /// `grace` seconds (a server's graceful shutdown waits for its clients' closes).
    func end(grace: Double = 10) {
        guard process.isRunning else { return }
        process.terminate()
        let deadline = Date().addingTimeInterval(grace)
        while process.isRunning && Date() < deadline { usleep(20_000) }
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
    }

    var output: String { String(decoding: stdout.withLock { $0 }, as: UTF8.self) }
    var errors: String { String(decoding: stderr.withLock { $0 }, as: UTF8.self) }
    /// The exit code (128 + N after signal N); -1 while running.
    var status: Int32 { process.terminationStatus ?? -1 }

    /// The first output line with this prefix, waiting up to `seconds` for it.
    func waitForLine(startingWith prefix: String, seconds: Double = 60) async throws -> String {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if let line = output.split(separator: "\n").first(where: { $0.hasPrefix(prefix) }) { return String(line) }
            if !process.isRunning { break }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw CommandError("no line starting with '\(prefix)'; output: \(output) errors: \(errors)")
    }

    func waitForExit(seconds: Double = 30) throws {
        let deadline = Date().addingTimeInterval(seconds)
        while process.isRunning && Date() < deadline { usleep(20_000) }
        if process.isRunning {
            end()
            throw CommandError("still running after \(seconds) s")
        }
        usleep(50_000)  // let the last output arrive
    }
}

struct CommandError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
