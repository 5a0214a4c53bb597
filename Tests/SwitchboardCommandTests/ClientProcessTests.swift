import Foundation
import SwitchboardClient
import SwitchboardProtocol
import Synchronization
import Testing

/// The client against a real `switchboard serve` process that the test freezes, kills and
/// restarts, and `switchboard send` processes killed while they hold queued messages.
@Suite(.serialized) struct ClientProcessTests {
    let directory: URL
    static let password = "hunter2hunter2"

    init() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("switchboard-client-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    var db: String { "sqlite:" + directory.appendingPathComponent("support.sqlite").path }

    /// `switchboard serve` on `port` (0: a free one); returns the process and its port.
    func serve(port: Int = 0) async throws -> (Command, Int) {
        let server = try Command.run(
            [
                "serve", "--port", String(port), "--db", db, "--data-dir", directory.path,
                "--log-level", "error",
            ], in: directory)
        let line = try await server.waitForLine(startingWith: "listening on http://127.0.0.1:")
        return (server, try #require(Int(line.split(separator: ":").last ?? "")))
    }

    func addCustomer(_ name: String) throws {
        let add = try Command.run(
            ["users", "add", "--db", db, "--username", name, "--role", "customer"], in: directory,
            environment: ["SWITCHBOARD_PASSWORD": Self.password])
        try add.waitForExit()
        #expect(add.status == 0)
    }

    func stop(_ server: Command) throws {
        kill(server.process.processIdentifier, SIGTERM)
        try server.waitForExit()
    }

    @Test func messagesOfAKilledSendGoOutWithTheNextOneOnceAndInOrder() async throws {
        defer { try? FileManager.default.removeItem(at: directory) }
        try addCustomer("casey")
        var (server, port) = try await serve()
        let url = URL(string: "http://127.0.0.1:\(port)")!
        let api = APIClient(server: url)
        try await api.login(username: "casey", password: Self.password)
        let ticket = try await api.openTicket(CreateTicketRequest(subject: "Refund", description: "Please", category: .payment))
        try stop(server)

        // The server is down: `send` keeps the messages on disk and keeps trying — until killed.
        let clientData = directory.appendingPathComponent("client")
        let sendArguments = [
            "send", "--server", url.absoluteString, "--user", "casey", "--ticket", String(ticket.id),
            "--data-dir", clientData.path, "--timeout", "60",
        ]
        let first = try Command.run(sendArguments + ["one", "two"], in: directory, environment: ["SWITCHBOARD_PASSWORD": Self.password])
        let outboxFile = clientData.appendingPathComponent("outbox.sqlite")
        let account = "\(url.absoluteString) casey"
        try await waitUntil("both messages are on disk") {
            guard FileManager.default.fileExists(atPath: outboxFile.path),
                let outbox = try? await Outbox.open(at: outboxFile, account: account)
            else { return false }
            let count = await outbox.messages.count
            await outbox.close()
            return count == 2
        }
        kill(first.process.processIdentifier, SIGKILL)
        try first.waitForExit()
        #expect(first.output.isEmpty)  // nothing was sent

        (server, port) = try await serve(port: port)
        let second = try Command.run(sendArguments + ["three"], in: directory, environment: ["SWITCHBOARD_PASSWORD": Self.password])
        try second.waitForExit()
        #expect(second.status == 0, "\(second.errors)")
        let sent = second.output.split(separator: "\n").map { line in line.split(separator: " ").prefix(2).joined(separator: " ") }
        #expect(sent == ["sent #1", "sent #2", "sent #3"])
        try await api.login(username: "casey", password: Self.password)
        #expect(try await api.messages(ticket: ticket.id).items.map(\.message) == ["one", "two", "three"])
        try stop(server)
    }

    @Test func aFrozenServerIsNoticedByPingTimeoutAndTheConnectionComesBack() async throws {
        defer { try? FileManager.default.removeItem(at: directory) }
        try addCustomer("casey")
        let (server, port) = try await serve()
        let api = APIClient(server: URL(string: "http://127.0.0.1:\(port)")!)
        try await api.login(username: "casey", password: Self.password)
        let ticket = try await api.openTicket(CreateTicketRequest(subject: "Refund", description: "Please", category: .payment))
        var options = RealtimeConnection.Options()
        options.pingInterval = .milliseconds(300)
        options.connectTimeout = .seconds(1)
        options.backoff = Backoff(base: .milliseconds(100), cap: .milliseconds(500))
        options.stableAfter = .seconds(1)
        let connection = RealtimeConnection(
            api: api,
            outbox: try await Outbox.open(
                at: directory.appendingPathComponent("o.sqlite"),
                account: "casey"), options: options)
        let states = Mutex<[ConnectionState]>([])
        let follow = Task { for await state in connection.states { states.withLock { $0.append(state) } } }
        await connection.start()
        try await waitUntil("connected") { states.withLock { $0.last } == .connected }

        // Frozen: the socket stays open but nothing answers. Only the missing pong tells.
        kill(server.process.processIdentifier, SIGSTOP)
        try await waitUntil("the dead peer is noticed") {
            states.withLock { $0.contains { if case .reconnecting(_, _, let reason) = $0 { !reason.isEmpty } else { false } } }
        }
        // Connecting to a frozen server does not hang either: each attempt gives up after its timeout.
        try await waitUntil("an attempt timed out", within: .seconds(10)) {
            states.withLock {
                $0.contains { if case .reconnecting(_, _, let reason) = $0 { reason.contains("no answer within") } else { false } }
            }
        }
        kill(server.process.processIdentifier, SIGCONT)
        try await waitUntil("connected again") { states.withLock { $0.last } == .connected }
        try await connection.send("after the thaw", to: ticket.id)
        try await waitUntil("stored") { (try? await api.messages(ticket: ticket.id).items.map(\.message)) == ["after the thaw"] }
        await connection.stop()
        await follow.value
        try stop(server)
    }

}

/// Waits (polling) until `condition` holds; records an issue, with `detail` if given, and throws
/// if it does not in time.
func waitUntil(
    _ what: String, within limit: Duration = .seconds(20), detail: () -> String = { "" },
    sourceLocation: SourceLocation = #_sourceLocation, _ condition: () async -> Bool
) async throws {
    let deadline = ContinuousClock.now + limit
    while ContinuousClock.now < deadline {
        if await condition() { return }
        try await Task.sleep(for: .milliseconds(25))
    }
    Issue.record("timed out waiting until \(what)\(detail())", sourceLocation: sourceLocation)
    throw CancellationError()
}
