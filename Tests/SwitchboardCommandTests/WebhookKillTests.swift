import ChildProcess
import Foundation
import SwitchboardClient
import SwitchboardProtocol
import Testing

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// A `switchboard serve` killed (SIGKILL) while a webhook delivery is on the wire: the delivery
/// was never written down as made, so the next start sends it again — at least once, the same
/// event id for the receiver to de-duplicate by.
@Suite(.serialized) struct WebhookKillTests {
    /// `Fixtures/webhook_receiver.py` of the server tests: a real receiver checking signatures
    /// with Python's `hmac`, saving each request as a JSON file.
    struct Receiver {
        let process: ChildProcess
        let output: FileHandle
        let directory: URL
        let port: Int

        init() throws {
            directory = FileManager.default.temporaryDirectory.appendingPathComponent("hook-kill-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
                .appendingPathComponent("SwitchboardServerTests/Fixtures/webhook_receiver.py")
            process = try ChildProcess.spawn(
                "/usr/bin/env", arguments: ["python3", script.path, directory.path], input: .pipe, output: .pipe)
            output = FileHandle(fileDescriptor: process.output!, closeOnDealloc: true)
            let line = String(decoding: output.availableData, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            port = try #require(Int(line), "the webhook receiver did not start: \(line)")
        }

        /// Each request: its event id, whether its signature verified, what was answered (nil: not yet).
        func records() throws -> [(id: Int, valid: Bool, answered: Int?)] {
            try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.hasSuffix(".json") }.sorted().map {
                let record =
                    try JSONSerialization.jsonObject(with: Data(contentsOf: directory.appendingPathComponent($0))) as! [String: Any]
                let body = record["body"] as! [String: Any]
                return (body["id"] as! Int, record["valid"] as! Bool, record["answered"] as? Int)
            }
        }

        func waitFor(_ count: Int) async throws -> [(id: Int, valid: Bool, answered: Int?)] {
            for _ in 0..<600 {
                if try records().count >= count { break }
                try await Task.sleep(for: .milliseconds(50))
            }
            return try records()
        }

        func write(_ name: String, _ text: String?) throws {
            let file = directory.appendingPathComponent(name)
            if let text {
                try text.write(to: file, atomically: true, encoding: .utf8)
            } else {
                try FileManager.default.removeItem(at: file)
            }
        }

        func stop() {
            close(process.input!)
            process.waitUntilExit()
            try? FileManager.default.removeItem(at: directory)
        }
    }

    /// Ada, signed in, with an endpoint for `ticket.created` pointing at `receiver`, which checks
    /// signatures with its secret.
    static func subscribe(_ receiver: Receiver, on server: ServerUnderTest) async throws -> (APIClient, Webhook, String) {
        let admin = APIClient(server: URL(string: server.url)!)
        _ = try await admin.login(username: "ada", password: "agent-password")
        let webhook = try await admin.createWebhook(
            WebhookRequest(url: "http://127.0.0.1:\(receiver.port)/hook", events: ["ticket.created"]))
        let secret = try #require(webhook.secret)
        try receiver.write("secret", secret)
        return (admin, webhook, secret)
    }

    @Test func aDeliveryCutByAKillIsSentAgainAfterTheRestart() async throws {
        let receiver = try Receiver()
        defer { receiver.stop() }
        // Loopback allowed; a short lease, so the next process takes the endpoint over soon.
        let server = try await ServerUnderTest(
            agents: [], admins: [("ada", "Ada Admin")], prefix: "hook-kill",
            config: #"{"webhooksAllowPrivateTargets": true, "webhookTimeoutSeconds": 5, "webhookLeaseSeconds": 8}"#)
        defer { server.close() }
        let (admin, webhook, _) = try await Self.subscribe(receiver, on: server)
        // The receiver holds the first request (and records that it came) until the server is gone.
        try receiver.write("delay", "30")
        let customer = APIClient(server: URL(string: server.url)!)
        _ = try await customer.register(RegisterRequest(username: "casey", password: "a long password", displayName: "Casey"))
        let ticket = try await customer.openTicket(
            CreateTicketRequest(subject: "Killed mid-delivery", description: "…", category: .technical))
        let inFlight = try await receiver.waitFor(1)
        #expect(inFlight.count == 1 && inFlight[0].answered == nil, "on the wire: \(inFlight)")

        kill(server.process.process.processIdentifier, SIGKILL)
        try server.process.waitForExit()
        try receiver.write("delay", nil)
        try await server.restart()
        // The killed node's lease runs out (8 s at most), and the new one sends it again.
        let records = try await receiver.waitFor(2)
        #expect(records.count == 2, "\(records)")
        #expect(records.map(\.id) == [inFlight[0].id, inFlight[0].id], "the same event again")
        #expect(records.allSatisfy(\.valid) && records.last?.answered == 200)
        _ = try await admin.login(username: "ada", password: "agent-password")
        let log = try await admin.deliveries(webhook: webhook.id)
        #expect(log.count == 1 && log[0].state == .delivered && log[0].ticketId == ticket.id && log[0].attempts == 1, "\(log)")
    }

    /// Secrets are shown once, in the answer that creates them, and never logged — even at the
    /// `trace` level, through a delivery signed with the secret and requests made with the token.
    @Test func secretsAndTokensNeverReachTheLog() async throws {
        let receiver = try Receiver()
        defer { receiver.stop() }
        let server = try await ServerUnderTest(
            agents: [], admins: [("ada", "Ada Admin")], prefix: "hook-log",
            config: #"{"webhooksAllowPrivateTargets": true, "webhookTimeoutSeconds": 5}"#,
            environment: ["SWITCHBOARD_LOG_LEVEL": "trace"])
        defer { server.close() }
        let (admin, _, secret) = try await Self.subscribe(receiver, on: server)
        let token = try #require(try await admin.createAPIToken(TokenRequest(name: "Billing", scopes: ["tickets:read"])).token)
        let customer = APIClient(server: URL(string: server.url)!)
        _ = try await customer.register(RegisterRequest(username: "casey", password: "a long password", displayName: "Casey"))
        _ = try await customer.openTicket(CreateTicketRequest(subject: "Logged?", description: "…", category: .technical))
        let delivered = try await receiver.waitFor(1)
        #expect(delivered.count == 1 && delivered.allSatisfy(\.valid), "signed with the secret: \(delivered)")
        for _ in 0..<3 {
            let (status, _) = try await Self.get(server.url + "/api/tickets", bearer: token)
            #expect(status == 200)
        }
        let (refused, _) = try await Self.get(server.url + "/api/tickets", bearer: token + "x")
        #expect(refused == 401)
        server.close()  // its output is all there once it has gone
        let log = server.process.output + server.process.errors
        #expect(log.contains("trace") || log.contains("debug"), "the log ran at trace: \(log.suffix(500))")
        #expect(!log.contains(secret), "the webhook's secret is in the log")
        #expect(!log.contains(token) && !log.contains(String(token.dropFirst(4).prefix(16))), "the API token is in the log")
        #expect(!log.contains("agent-password") && !log.contains("a long password"))
    }

    static func get(_ url: String, bearer: String) async throws -> (Int, String) {
        var request = URLRequest(url: URL(string: url)!)
        request.setValue("Bearer \(bearer)", forHTTPHeaderField: "Authorization")
        let (data, response) = try await URLSession.shared.data(for: request)
        return ((response as? HTTPURLResponse)?.statusCode ?? 0, String(decoding: data, as: UTF8.self))
    }
}
