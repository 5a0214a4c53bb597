import Foundation
import Testing

@testable import SwitchboardProtocol
@testable import SwitchboardServer

/// Content filters through the real server: over REST and WebSocket, in the database, in the
/// frames the sender and the others get.
@Suite struct ContentFilterRouteTests {
    static let card = "4111 1111 1111 1111", masked = "•••• •••• •••• 1111"

    static func rules(_ server: inout TestServer) {
        server.configuration.contentFilter.masks = [try! ContentFilter.Rule(name: "api-key", pattern: "sk_live_[A-Za-z0-9]{8,}")]
        server.configuration.contentFilter.blocks = [try! ContentFilter.Rule(name: "password", pattern: "(?i)password\\s*[:=]\\s*\\S+")]
    }

    /// Every text the database holds, read past the server: the SQLite file and its write-ahead
    /// log as raw bytes (a deleted or overwritten row could linger there), or PostgreSQL's tables.
    static func storedText(_ server: TestServer) async throws -> String {
        guard TestServer.postgres != nil else {
            let files = [server.databasePath, server.databasePath + "-wal"]
            return files.compactMap { FileManager.default.contents(atPath: $0) }.map { String(decoding: $0, as: UTF8.self) }.joined()
        }
        let driver = try await server.openDriver()
        let rows = try await driver.reader.raw(
            """
            SELECT body AS text FROM messages UNION ALL SELECT subject FROM tickets UNION ALL SELECT description FROM tickets
            """
        ).all()
        let text = try rows.map { try $0.decode(column: "text", as: String.self) }.joined(separator: "\n")
        try await driver.close()
        return text
    }

    @Test func aCardNumberIsMaskedBeforeItIsStoredOverRESTAndSaysSo() async throws {
        try await withCast(configure: Self.rules) { api, cast, server in
            let ticket = try await api.openTicket(
                cast.customer, subject: "Card 4111111111111111 declined",
                description: "Tried \(Self.card) twice")
            #expect(ticket.subject == "Card \(Self.masked) declined" && ticket.description == "Tried \(Self.masked) twice")
            let sent = try await api.send(cast.customer, ticket: ticket.id, "It is \(Self.card), expiry 12/27")
            #expect(sent.message == "It is \(Self.masked), expiry 12/27")
            #expect(sent.redactions == [Redaction(rule: "card", count: 1)])
            // A note, with a configured mask rule as well.
            let note = try await api.send(
                cast.agent, ticket: ticket.id, "their key sk_live_abcdefgh1234, card 4111-1111-1111-1111", note: true)
            #expect(note.message == "their key ••••, card \(Self.masked)")
            #expect(note.redactions == [Redaction(rule: "card", count: 1), Redaction(rule: "api-key", count: 1)])
            // Read back: the same text and the same redactions; an unmasked message has none.
            _ = try await api.send(cast.customer, ticket: ticket.id, "order 1234567890123")
            let page: MessagePage = try await api.get("/api/tickets/\(ticket.id)/messages", token: cast.agent).decode()
            #expect(page.items.map(\.redactions.count) == [1, 2, 0])
            #expect(page.items.last?.message == "order 1234567890123")
            // A subject changed later is filtered too.
            let renamed = try await api.put(
                "/api/tickets/\(ticket.id)", token: cast.agent,
                UpdateTicketRequest(subject: "Visa 4111111111111111"))
            #expect(try renamed.decode(Ticket.self).subject == "Visa \(Self.masked)")

            // (Booleans, so that a failure does not print the whole file.)
            let stored = try await Self.storedText(server)
            let holdsMasked = stored.contains(Self.masked)
            #expect(holdsMasked)
            for original in ["4111111111111111", Self.card, "4111-1111-1111-1111", "sk_live_abcdefgh1234"] {
                let found = stored.contains(original)
                #expect(!found, "\(original) is in the database")
            }
        }
    }

    @Test func aBlockedMessageIsRefusedOverRESTAndWebSocketAndNothingIsStored() async throws {
        try await withCast(live: true, configure: Self.rules) { api, cast, server in
            let ticket = try await api.openTicket(cast.customer).id
            let refused = try await api.post(
                "/api/tickets/\(ticket)/messages", token: cast.customer,
                PostMessageRequest(message: "my password: hunter2"))
            #expect(refused.status == 400 && refused.error?.code == .invalid)
            #expect(refused.error?.message.contains("'password' rule") == true)
            #expect(!refused.text.contains("hunter2"))
            let opening = try await api.post(
                "/api/tickets", token: cast.customer,
                CreateTicketRequest(subject: "Login", description: "password=hunter2", category: .technical))
            #expect(opening.status == 400 && opening.error?.message.hasPrefix("description:") == true)

            let socket = try await api.socket(cast.customer)
            try await socket.join(ticket)
            try await socket.send(
                .sendMessage(
                    ticketId: ticket, clientMessageId: "b-1", message: "Password = hunter2",
                    messageType: nil, internal: nil), ref: "b-1")
            let error = try await socket.error(ref: "b-1")
            #expect(error.code == .invalid && error.message.contains("'password' rule") && !error.message.contains("hunter2"))
            await socket.close()

            let page: MessagePage = try await api.get("/api/tickets/\(ticket)/messages", token: cast.customer).decode()
            #expect(page.items.isEmpty)
            let found = try await Self.storedText(server).contains("hunter2")
            #expect(!found)
        }
    }

    @Test func theSendersAckAndTheOthersFramesCarryTheMaskedTextAndTheRedaction() async throws {
        try await withCast(live: true, configure: RealtimeChatTests.fast) { api, cast, _ in
            let ticket = try await api.openTicket(cast.customer).id
            let customer = try await api.socket(cast.customer), agent = try await api.socket(cast.agent)
            try await customer.join(ticket)
            try await agent.join(ticket)
            try await customer.send(
                .sendMessage(
                    ticketId: ticket, clientMessageId: "c-1", message: "card \(Self.card) please",
                    messageType: nil, internal: nil))
            let ack = try await customer.next { event -> (String?, [Redaction])? in
                if case .ack("c-1", _, ticket, _, _, let redactions, let text) = event { (text, redactions) } else { nil }
            }
            #expect(ack.0 == "card \(Self.masked) please" && ack.1 == [Redaction(rule: "card", count: 1)])
            let relayed = try await agent.next { if case .receiveMessage(ticket, let message) = $0 { message } else { nil } }
            #expect(relayed.message == "card \(Self.masked) please" && relayed.redactions == [Redaction(rule: "card", count: 1)])
            // Nothing masked: no stored text in the ACK (the sender's copy is right), an empty list.
            try await customer.send(
                .sendMessage(ticketId: ticket, clientMessageId: "c-2", message: "thanks", messageType: nil, internal: nil))
            let plain = try await customer.next { event -> (String?, [Redaction])? in
                if case .ack("c-2", _, ticket, _, _, let redactions, let text) = event { (text, redactions) } else { nil }
            }
            #expect(plain.0 == nil && plain.1.isEmpty)
            // A resend of the masked one (same clientMessageId) is acknowledged the same way.
            customer.forget()
            try await customer.send(
                .sendMessage(
                    ticketId: ticket, clientMessageId: "c-1", message: "card \(Self.card) please",
                    messageType: nil, internal: nil))
            let again = try await customer.next { event -> String?? in
                if case .ack("c-1", _, ticket, 1, _, let redactions, let text) = event, !redactions.isEmpty { .some(text) } else { nil }
            }
            #expect(again == "card \(Self.masked) please")
            await customer.close()
            await agent.close()
        }
    }
}
