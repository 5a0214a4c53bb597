import Foundation
import Testing

@testable import SwitchboardProtocol
@testable import SwitchboardServer

/// Long-lived tokens for integrations: bot accounts within their scopes, revocable at once.
@Suite struct APITokenTests {
    static func create(_ api: API, _ cast: Cast, name: String = "Billing", scopes: [String], bot: String? = nil) async throws -> APIToken {
        let reply = try await api.post(
            "/api/admin/tokens", token: cast.admin, TokenRequest(name: name, scopes: scopes, botDisplayName: bot))
        #expect(reply.status == 201, "\(reply.text)")
        return try reply.decode()
    }

    /// Shown once, kept as a digest; listed with its bot and last use; an agent may not make one.
    @Test func aTokenIsShownOnceAndListedWithItsLastUse() async throws {
        try await withCast(live: true) { api, cast, server in
            let made = try await Self.create(api, cast, scopes: ["tickets:read"], bot: "Billing Bot")
            let token = try #require(made.token)
            #expect(token.hasPrefix("sbt_") && token.count > 40)
            #expect(made.bot.displayName == "Billing Bot" && made.bot.isBot == true && made.bot.role == .agent)
            let driver = try await server.openDriver()
            let stored = try await driver.reader.raw("SELECT token_hash FROM api_tokens").all(decodingColumn: "token_hash", as: String.self)
            try await driver.close()
            #expect(stored == [TokenService.digest(token)] && !stored.contains(token), "only the digest is kept")
            #expect(try await api.get("/api/tickets", token: token).status == 200)
            let listed: [APIToken] = try await api.get("/api/admin/tokens", token: cast.admin).decode()
            #expect(listed.count == 1 && listed[0].token == nil && listed[0].lastUsedAt == server.clock.now)
            #expect(
                try await api.post("/api/admin/tokens", token: cast.agent, TokenRequest(name: "x", scopes: ["tickets:read"])).status == 403)
            let unknown = try await api.post("/api/admin/tokens", token: cast.admin, TokenRequest(name: "x", scopes: ["everything"]))
            #expect(unknown.status == 400 && unknown.error?.message.hasPrefix("scopes: 'everything' is not one of tickets:read") == true)
            let none = try await api.post("/api/admin/tokens", token: cast.admin, TokenRequest(name: "x", scopes: []))
            #expect(none.status == 400 && none.error?.message.hasPrefix("scopes: give at least one") == true)
            // Its account has no password anyone knows, and is never given work.
            #expect(try await api.post("/api/auth/login", LoginRequest(username: "bot-x", password: "anything")).status == 401)
            let agents: [AgentLoad] = try await api.get("/api/admin/support/agents", token: cast.admin).decode()
            #expect(!agents.contains { $0.agent.id == made.bot.id })
        }
    }

    /// Each scope opens its routes and no others; admin routes never.
    @Test func scopesOpenTheirRoutesOnly() async throws {
        try await withCast(live: true) { api, cast, _ in
            let reader = try #require(try await Self.create(api, cast, name: "CRM", scopes: ["tickets:read"]).token)
            let writer = try #require(try await Self.create(api, cast, name: "Billing", scopes: ["tickets:read", "messages:write"]).token)
            let manager = try #require(try await Self.create(api, cast, name: "Triage", scopes: ["tickets:write"]).token)
            let ticket = try await api.openTicket(cast.customer)
            #expect(try await api.get("/api/tickets/\(ticket.id)/messages", token: reader).status == 200)
            #expect(try await api.get("/api/search?q=card", token: reader).status == 200)
            let refused = try await api.post("/api/tickets/\(ticket.id)/messages", token: reader, PostMessageRequest(message: "hi"))
            #expect(refused.status == 403 && refused.error?.message == "this API token lacks the 'messages:write' scope")
            let admin = try await api.get("/api/admin/support/dashboard", token: writer)
            #expect(admin.status == 403 && admin.error?.message == "an API token may not use GET /api/admin/support/dashboard")
            #expect(try await api.get("/api/admin/tokens", token: writer).status == 403)
            // Writing as the bot: marked as a bot's on every side, the customer's too.
            let posted = try await api.post(
                "/api/tickets/\(ticket.id)/messages", token: writer, PostMessageRequest(message: "Your invoice is attached"))
            #expect(posted.status == 201, "\(posted.text)")
            let page: MessagePage = try await api.get("/api/tickets/\(ticket.id)/messages", token: cast.customer).decode()
            let sender = try #require(page.items.last?.sender)
            #expect(sender.displayName == "Billing" && sender.isBot == true)
            #expect(try await api.put("/api/tickets/\(ticket.id)", token: writer, UpdateTicketRequest(priority: .high)).status == 403)
            let changed = try await api.put("/api/tickets/\(ticket.id)", token: manager, UpdateTicketRequest(priority: .high))
            #expect(changed.status == 200, "\(changed.text)")
            // A person's account is unmarked.
            #expect(try await api.ticket(ticket.id, token: cast.agent).customer.isBot == nil)
        }
    }

    /// Over `/ws` as well: frames need their scope; revoking closes the socket at once and the
    /// token is refused from then on.
    @Test func revokingClosesTheTokensSocketsAtOnce() async throws {
        try await withCast(live: true) { api, cast, _ in
            let made = try await Self.create(api, cast, scopes: ["tickets:read"])
            let token = try #require(made.token)
            let ticket = try await api.openTicket(cast.customer)
            let socket = try await api.socket(token)
            try await socket.join(ticket.id)
            try await socket.send(
                .sendMessage(
                    ticketId: ticket.id, clientMessageId: "b-1", message: "hi", messageType: nil, internal: nil, attachmentId: nil),
                ref: "send")
            let refusal = try await socket.error(ref: "send")
            #expect(refusal.code == .forbidden && refusal.message == "this API token lacks the 'messages:write' scope")
            let other = try await api.socket(cast.agent)
            #expect(try await api.delete("/api/admin/tokens/\(made.id)", token: cast.admin).status == 204)
            _ = try await socket.waitUntil(seconds: 5) { socket.isClosed }
            #expect(socket.closeCode == .init(codeNumber: Int(CloseCode.loggedOut)))
            let after = try await api.get("/api/tickets", token: token)
            #expect(after.status == 401 && after.error?.message == "this API token is not valid or has been revoked")
            let listed: [APIToken] = try await api.get("/api/admin/tokens", token: cast.admin).decode()
            #expect(listed.first?.revokedAt != nil)
            #expect(try await api.delete("/api/admin/tokens/999", token: cast.admin).status == 404)
            #expect(!other.isClosed)
            await other.close()
            // A token without tickets:read cannot open a socket at all.
            let writeOnly = try #require(try await Self.create(api, cast, name: "Hook", scopes: ["messages:write"]).token)
            let upgrade = try await RawHTTP.upgrade(port: api.port, query: "?access_token=\(writeOnly)")
            #expect(upgrade.hasPrefix("HTTP/1.1 403 Forbidden\r\n") && upgrade.contains("lacks the 'tickets:read' scope"), "\(upgrade)")
        }
    }
}
