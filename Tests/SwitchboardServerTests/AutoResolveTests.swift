import Foundation
import Testing

@testable import SwitchboardProtocol
@testable import SwitchboardServer

/// Silent chats resolve themselves: warned, then resolved; a customer's reply in between cancels
/// it. The test sets the server's clock; the keeper (every 20 ms) acts on it. SQLite, and
/// PostgreSQL with `SWITCHBOARD_TEST_POSTGRES`.
@Suite struct AutoResolveTests {
    static func configure(_ server: inout TestServer) {
        SnoozeTests.fast(&server)
        server.configuration.autoResolve.afterMinutes = [.medium: 120, .high: 120]
        server.configuration.autoResolve.warningMinutes = 60
    }

    /// The ticket's messages once `condition` holds of them (a bound, not a timing check).
    static func messages(
        _ api: API, _ id: Int, token: String, until condition: ([Message]) -> Bool
    ) async throws -> [Message] {
        let deadline = ContinuousClock.now + .seconds(15)
        var items: [Message] = []
        while ContinuousClock.now < deadline {
            items = try await api.get("/api/tickets/\(id)/messages?limit=100", token: token).decode(MessagePage.self).items
            if condition(items) { return items }
            try await Task.sleep(for: .milliseconds(20))
        }
        return items
    }

    /// A ticket of the customer's, the agent's, with the agent's public reply last.
    static func answered(_ api: API, _ cast: Cast, priority: Priority = .medium, _ reply: String) async throws -> Ticket {
        let ticket = try await api.openTicket(cast.customer, priority: priority)
        #expect(try await api.post("/api/tickets/\(ticket.id)/claim", token: cast.agent, [String: String]()).status == 200)
        try await api.send(cast.agent, ticket: ticket.id, reply)
        return ticket
    }

    @Test func aSilentChatIsWarnedThenResolved() async throws {
        try await withCast(configure: Self.configure) { api, cast, server in
            let ticket = try await Self.answered(api, cast, "Refunded: it shows in 3 days.")
            server.clock.advance(59 * 60)
            try await Task.sleep(for: .milliseconds(200))  // a warning too early would have come by now
            #expect(try await api.get("/api/tickets/\(ticket.id)/messages", token: cast.customer).decode(MessagePage.self).items.count == 1)
            server.clock.advance(60)
            var seen = try await Self.messages(api, ticket.id, token: cast.customer) { $0.contains { $0.senderType == .system } }
            #expect(seen.last?.message == "This chat will close in 60 minutes unless you reply." && seen.last?.internal == false)
            server.clock.advance(60 * 60)
            seen = try await Self.messages(api, ticket.id, token: cast.customer) {
                $0.last?.message.hasPrefix("Resolved automatically") == true
            }
            #expect(seen.last?.message == "Resolved automatically: no reply for 120 minutes. Writing again reopens the chat.")
            let now = try await api.ticket(ticket.id, token: cast.agent)
            #expect(now.status == .resolved)
            #expect(seen.filter { $0.senderType == .system }.count == 2, "warned once, resolved once")
        }
    }

    @Test func aReplyInBetweenCancelsItAndTheNextSilenceStartsAgain() async throws {
        try await withCast(configure: Self.configure) { api, cast, server in
            let ticket = try await Self.answered(api, cast, priority: .high, "Could you send a photo?")
            server.clock.advance(61 * 60)
            _ = try await Self.messages(api, ticket.id, token: cast.agent) { $0.contains { $0.senderType == .system } }
            try await api.send(cast.customer, ticket: ticket.id, "Here it is")
            server.clock.advance(60 * 60)
            try await Task.sleep(for: .milliseconds(300))  // a resolution would have come by now
            #expect(try await api.ticket(ticket.id, token: cast.agent).status == .inProgress, "the customer's reply cancelled it")
            // The agent answers; a new silence, a new warning.
            try await api.send(cast.agent, ticket: ticket.id, "Thanks, replacing it.")
            server.clock.advance(61 * 60)
            let seen = try await Self.messages(api, ticket.id, token: cast.agent) { $0.filter { $0.senderType == .system }.count == 2 }
            #expect(seen.filter { $0.senderType == .system }.count == 2)
            #expect(try await api.ticket(ticket.id, token: cast.agent).status == .inProgress)
        }
    }

    /// Resolving frees the agent's place, and the assigner fills it; a clock that jumped past the
    /// whole silence still gives the customer the warning's time.
    @Test func resolvingFreesThePlaceForTheNextWaitingTicket() async throws {
        try await withCast(live: true, configure: Self.configure) { api, cast, server in
            let agent = try await AssignmentTests.bringOnline(api, cast.agent, cast.agentId, admin: cast.admin)
            _ = try await api.put("/api/admin/support/agents/\(cast.agentId)/status", token: cast.admin, AgentStatusRequest(capacity: 1))
            let first = try await api.openTicket(cast.customer)
            #expect(first.assignedAgent?.id == cast.agentId)
            try await api.send(cast.agent, ticket: first.id, "Done: the refund is on its way.")
            let second = try await api.openTicket(cast.customer2, subject: "Waiting")
            #expect(second.assignedAgent == nil)
            server.clock.advance(121 * 60)
            _ = try await Self.messages(api, first.id, token: cast.agent) { $0.contains { $0.senderType == .system } }
            try await Task.sleep(for: .milliseconds(300))  // a resolution without the warning's time would have come by now
            #expect(try await api.ticket(first.id, token: cast.agent).status == .inProgress, "warned just now: an hour still")
            server.clock.advance(60 * 60)
            try await agent.next { if case .agentAssigned(second.id, let a, _) = $0, a.id == cast.agentId { true } else { nil } }
            #expect(try await api.ticket(first.id, token: cast.agent).status == .resolved)
            await agent.close()
        }
    }

    @Test func aPriorityWithoutMinutesIsNeverResolvedSo() async throws {
        try await withCast(configure: Self.configure) { api, cast, server in
            let ticket = try await Self.answered(api, cast, priority: .urgent, "On it.")
            server.clock.advance(3 * 86_400)
            try await Task.sleep(for: .milliseconds(300))
            #expect(try await api.ticket(ticket.id, token: cast.agent).status == .inProgress)
            #expect(try await api.get("/api/tickets/\(ticket.id)/messages", token: cast.agent).decode(MessagePage.self).items.count == 1)
        }
    }

    @Test func theConfigFileSaysItsMinutes() throws {
        var configuration = ServerConfiguration()
        let file = try WireJSON.decoder().decode(
            ServerConfigFile.self,
            from: Data(#"{"autoResolveAfterMinutes": {"low": 60, "MEDIUM": 0}, "autoResolveWarningMinutes": 15}"#.utf8))
        try file.apply(to: &configuration)
        #expect(configuration.autoResolve.afterMinutes == [.low: 60])
        #expect(configuration.autoResolve.warningMinutes == 15)
        let all = try WireJSON.decoder().decode(ServerConfigFile.self, from: Data(#"{"autoResolveAfterMinutes": 30}"#.utf8))
        try all.apply(to: &configuration)
        #expect(configuration.autoResolve.afterMinutes.count == 4)
        let bad = try WireJSON.decoder().decode(ServerConfigFile.self, from: Data(#"{"autoResolveAfterMinutes": -5}"#.utf8))
        #expect(throws: ConfigError.self) { try bad.apply(to: &configuration) }
        #expect(throws: (any Error).self) {
            try WireJSON.decoder().decode(ServerConfigFile.self, from: Data(#"{"autoResolveAfterMinutes": {"SOON": 5}}"#.utf8))
        }
    }
}
