import ChildProcess
import Foundation
import Testing

@testable import SwitchboardProtocol
@testable import SwitchboardServer

/// Notification mail, delivered to a real SMTP server (aiosmtpd) that the test starts on 127.0.0.1.
@Suite(.serialized) struct NotificationTests {
    final class SMTPSink: Sendable {
        let process: ChildProcess
        /// Kept open while the sink runs: what it may still print must not end it.
        let output: FileHandle
        let directory: URL
        let port: Int

        /// `arguments` go to the sink: `--tls CERT KEY` offers STARTTLS, `--require-tls` insists on it.
        init(arguments: [String] = []) throws {
            directory = FileManager.default.temporaryDirectory.appendingPathComponent("smtp-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/smtp_sink.py")
            // The sink runs until its input closes, and prints its port first.
            process = try ChildProcess.spawn(
                "/usr/bin/env", arguments: ["python3", script.path, directory.path] + arguments,
                input: .pipe, output: .pipe)
            output = FileHandle(fileDescriptor: process.output!, closeOnDealloc: true)
            let line = output.availableData
            guard let port = Int(String(decoding: line, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)) else {
                throw ProbeError(
                    "the SMTP sink did not start (is aiosmtpd installed? pip install aiosmtpd): '\(String(decoding: line, as: UTF8.self))'")
            }
            self.port = port
        }

        /// Every message received so far, as (recipient, subject, decoded body).
        func mails() throws -> [(to: String, subject: String, body: String)] {
            try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.hasSuffix(".eml") }.sorted()
                .map { name in
                    let text = try String(contentsOf: directory.appendingPathComponent(name), encoding: .utf8)
                    let parts = text.components(separatedBy: "\r\n\r\n")
                    let headers = parts[0].components(separatedBy: "\r\n")
                    func header(_ key: String) -> String {
                        headers.first { $0.hasPrefix(key + ": ") }.map { String($0.dropFirst(key.count + 2)) } ?? ""
                    }
                    let encoded = header("Subject").dropFirst("=?UTF-8?B?".count).dropLast(2)
                    let subject = Data(base64Encoded: String(encoded)).map { String(decoding: $0, as: UTF8.self) } ?? ""
                    let body =
                        Data(base64Encoded: parts.dropFirst().joined(), options: .ignoreUnknownCharacters)
                        .map { String(decoding: $0, as: UTF8.self) } ?? ""
                    return (header("X-Rcpt-To"), subject, body)
                }
        }

        /// Whether each message so far came over TLS.
        func tls() throws -> [Bool] {
            try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.hasSuffix(".eml") }.sorted()
                .map { try String(contentsOf: directory.appendingPathComponent($0), encoding: .utf8).contains("\r\nX-TLS: yes\r\n") }
        }

        func waitForMails(_ count: Int) async throws -> [(to: String, subject: String, body: String)] {
            for _ in 0..<250 {
                let mails = try self.mails()
                if mails.count >= count { return mails }
                try await Task.sleep(for: .milliseconds(20))
            }
            return try mails()
        }

        func stop() {
            close(process.input!)
            process.waitUntilExit()
            try? FileManager.default.removeItem(at: directory)
        }
    }

    @Test func awayCustomersAndAgentsGetMail() async throws {
        let sink = try SMTPSink()
        defer { sink.stop() }
        try await withCast(
            live: true,
            configure: {
                RealtimeChatTests.fast(&$0)
                $0.configuration.smtp = SMTPConfiguration(host: "127.0.0.1", port: sink.port, from: "support@switchboard.test")
            }
        ) { api, cast, _ in
            let reply = try await api.post(
                "/api/auth/register",
                RegisterRequest(
                    username: "mailme", password: TestServer.password, displayName: "Mail Me", email: "mailme@example.com"))
            let customer: AuthResponse = try reply.decode()
            let ticket = try await api.openTicket(customer.accessToken, subject: "Parcel never came — ünïcödé").id
            try await api.send(cast.agent, ticket: ticket, "A note the customer must not get", note: true)
            try await api.send(cast.agent, ticket: ticket, "We are on it.\n.\nA line with a lone dot stays in the text.")
            let mails = try await sink.waitForMails(1)
            #expect(mails.count == 1)
            #expect(mails.first?.to == "mailme@example.com")
            #expect(mails.first?.subject == "Re: [#\(ticket)] Parcel never came — ünïcödé")
            #expect(mails.first?.body.contains("We are on it.\n.\nA line with a lone dot stays in the text.") == true)
            #expect(mails.first?.body.contains("must not get") == false)

            // Online: no mail.
            let socket = try await api.socket(customer.accessToken)
            // Online once the store says so: the socket's coming online is written after its
            // upgrade (on PostgreSQL under CI's load that took more than the 100 ms once waited here).
            var online = false
            for _ in 0..<250 where !online {
                online = try await api.get("/api/me", token: customer.accessToken).decode(User.self).isOnline
                if !online { try await Task.sleep(for: .milliseconds(20)) }
            }
            #expect(online)
            try await api.send(cast.agent, ticket: ticket, "You are here, no mail")
            try await Task.sleep(for: .milliseconds(300))
            #expect(try sink.mails().count == 1)
            await socket.close()

            // An agent with an address, offline, gets its assignments.
            _ = try await api.post(
                "/api/admin/users", token: cast.admin,
                CreateUserRequest(
                    username: "night", password: TestServer.password, displayName: "Night Shift", role: .agent, email: "night@example.com"))
            let night = try await api.login("night")
            _ = try await api.put("/api/tickets/\(ticket)", token: cast.admin, UpdateTicketRequest(assignedAgentId: .set(night.user.id)))
            let assigned = try await sink.waitForMails(2)
            #expect(assigned.last?.to == "night@example.com")
            #expect(assigned.last?.subject == "[#\(ticket)] assigned to you: Parcel never came — ünïcödé")
        }
    }

    @Test func aBrokenRelayNeverHoldsUpChat() async throws {
        try await withCast(
            live: true,
            configure: {
                // Nothing listens on port 9 (discard) here: every send fails.
                $0.configuration.smtp = SMTPConfiguration(host: "127.0.0.1", port: 9, from: "support@switchboard.test")
            }
        ) { api, cast, _ in
            let customer: AuthResponse = try await api.post(
                "/api/auth/register",
                RegisterRequest(
                    username: "mailme", password: TestServer.password, displayName: "Mail Me", email: "mailme@example.com")
            ).decode()
            let ticket = try await api.openTicket(customer.accessToken).id
            let start = ContinuousClock.now
            for index in 0..<5 { try await api.send(cast.agent, ticket: ticket, "reply \(index)") }
            #expect(ContinuousClock.now - start < .seconds(5))
            #expect(try await api.ticket(ticket, token: cast.agent).messageCount == 5)
        }
    }

    @Test func messagesCannotInjectHeaders() {
        let text = SMTPClient.message(Mail(to: "a@b.c>\r\nBcc: evil@x", subject: "hi\r\nBcc: evil@x", body: "."), from: "s@x")
        let headers = text.components(separatedBy: "\r\n\r\n")[0].components(separatedBy: "\r\n")
        #expect(!headers.contains { $0.hasPrefix("Bcc") })
        #expect(headers.contains("To: <a@b.cBcc:evil@x>"))
    }

    // MARK: STARTTLS

    /// The test CA and a certificate for 127.0.0.1 (shared with the client's wss:// tests).
    static let tlsFixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("SwitchboardClientTests/Fixtures")

    static func relay(_ sink: SMTPSink, caFile: String?, requireTLS: Bool = false) -> SMTPConfiguration {
        var relay = SMTPConfiguration(host: "127.0.0.1", port: sink.port, from: "support@switchboard.test")
        relay.caFile = caFile
        relay.requireTLS = requireTLS
        relay.timeout = .seconds(5)
        return relay
    }

    static let mail = Mail(to: "someone@example.com", subject: "Hello", body: "Over TLS, please.")

    @Test func mailGoesOverSTARTTLSWhenTheRelayOffersIt() async throws {
        let sink = try SMTPSink(arguments: [
            "--tls", Self.tlsFixtures.appendingPathComponent("server.pem").path,
            Self.tlsFixtures.appendingPathComponent("server-key.pem").path, "--require-tls",
        ])
        defer { sink.stop() }
        // The sink refuses MAIL before STARTTLS: this arrives only because the client upgraded.
        try await SMTPClient(configuration: Self.relay(sink, caFile: Self.tlsFixtures.appendingPathComponent("test-ca.pem").path))
            .send(Self.mail)
        #expect(try await sink.waitForMails(1).first?.body == "Over TLS, please.")
        #expect(try sink.tls() == [true])
    }

    @Test func anUntrustedRelayCertificateGetsNothing() async throws {
        let sink = try SMTPSink(arguments: [
            "--tls", Self.tlsFixtures.appendingPathComponent("server.pem").path,
            Self.tlsFixtures.appendingPathComponent("server-key.pem").path,
        ])
        defer { sink.stop() }
        // Without the test CA the certificate cannot be verified: no fallback to clear text.
        await #expect(throws: (any Error).self) { try await SMTPClient(configuration: Self.relay(sink, caFile: nil)).send(Self.mail) }
        #expect(try sink.mails().isEmpty)
    }

    @Test func requireTLSRefusesARelayWithoutIt() async throws {
        let sink = try SMTPSink()
        defer { sink.stop() }
        do {
            try await SMTPClient(configuration: Self.relay(sink, caFile: nil, requireTLS: true)).send(Self.mail)
            Issue.record("mail was sent in clear despite requireTLS")
        } catch let error as SMTPError {
            #expect(error.description.contains("does not offer STARTTLS"))
        }
        #expect(try sink.mails().isEmpty)
        // Without requireTLS a relay without TLS (one on this machine) still gets its mail.
        try await SMTPClient(configuration: Self.relay(sink, caFile: nil)).send(Self.mail)
        #expect(try await sink.waitForMails(1).count == 1 && sink.tls() == [false])
    }
}
