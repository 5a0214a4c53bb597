import Foundation
import Testing

@testable import SwitchboardProtocol
@testable import SwitchboardServer

/// Snoozed tickets: off the queue and the agent's capacity until their time, woken by the
/// customer unless snoozed through replies, by the clock keeper otherwise. SQLite, and
/// PostgreSQL with `SWITCHBOARD_TEST_POSTGRES`.
@Suite struct SnoozeTests {
    static func fast(_ server: inout TestServer) {
        RealtimeChatTests.fast(&server)
        server.configuration.clockInterval = .milliseconds(20)
        server.configuration.accessTokenLifetime = 30 * 86_400
    }

    static func snooze(_ api: API, _ id: Int, until: Date?, through: Bool? = nil, token: String) async throws -> Reply {
        try await api.put("/api/tickets/\(id)", token: token, UpdateTicketRequest(snoozedUntil: .set(until), snoozeThroughReplies: through))
    }

    @Test func aSnoozedTicketFreesItsPlaceAndTheCustomerWakesIt() async throws {
        try await withCast(live: true, configure: Self.fast) { api, cast, server in
            let agent = try await AssignmentTests.bringOnline(api, cast.agent, cast.agentId, admin: cast.admin)
            #expect(
                try await api.put("/api/admin/support/agents/\(cast.agentId)/status", token: cast.admin, AgentStatusRequest(capacity: 1))
                    .status == 200)
            let first = try await api.openTicket(cast.customer)
            #expect(first.assignedAgent?.id == cast.agentId)
            let second = try await api.openTicket(cast.customer2, subject: "Second")
            #expect(second.assignedAgent == nil, "the agent is full")
            // Snoozed for two hours: off the agent's capacity, so the waiting ticket comes in.
            let until = server.clock.now.addingTimeInterval(7200)
            let reply = try await Self.snooze(api, first.id, until: until, token: cast.agent)
            #expect(reply.status == 200, "\(reply.text)")
            #expect(try reply.decode(Ticket.self).snoozedUntil == until)
            try await agent.next { if case .agentAssigned(second.id, let a, _) = $0, a.id == cast.agentId { true } else { nil } }
            let loads: [AgentLoad] = try await api.get("/api/admin/support/agents", token: cast.admin).decode()
            #expect(loads.first { $0.agent.id == cast.agentId }?.activeChats == 1)
            // The customer writes: awake again, and the agent hears of it.
            try await api.send(cast.customer, ticket: first.id, "any news?")
            #expect(try await api.ticket(first.id, token: cast.agent).snoozedUntil == nil)
            try await agent.next { if case .ticketUpdated(let t) = $0, t.id == first.id, t.snoozedUntil == nil { true } else { nil } }
            await agent.close()
        }
    }

    @Test func throughRepliesItHoldsAndAtItsTimeTheKeeperWakesIt() async throws {
        try await withCast(configure: Self.fast) { api, cast, server in
            let ticket = try await api.openTicket(cast.customer)
            let until = server.clock.now.addingTimeInterval(3600)
            #expect(try await Self.snooze(api, ticket.id, until: until, through: true, token: cast.agent).status == 200)
            try await api.send(cast.customer, ticket: ticket.id, "still broken")
            var now = try await api.ticket(ticket.id, token: cast.agent)
            #expect(now.snoozedUntil == until && now.snoozeThroughReplies)
            server.clock.advance(3601)
            // Woken, and its note written (just after): waited for, a bound, not a timing check.
            var page = MessagePage(items: [], hasMore: false)
            let deadline = ContinuousClock.now + .seconds(15)
            while ContinuousClock.now < deadline {
                page = try await api.get("/api/tickets/\(ticket.id)/messages", token: cast.agent).decode()
                if page.items.last?.senderType == .system { break }
                try await Task.sleep(for: .milliseconds(20))
            }
            now = try await api.ticket(ticket.id, token: cast.agent)
            #expect(now.snoozedUntil == nil)
            #expect(page.items.last?.senderType == .system && page.items.last?.internal == true)
            #expect(page.items.last?.message.hasPrefix("Back from snooze") == true)
            let customerSees: MessagePage = try await api.get("/api/tickets/\(ticket.id)/messages", token: cast.customer).decode()
            #expect(!customerSees.items.contains { $0.senderType == .system }, "the wake-up note is for staff")
        }
    }

    @Test func onlyStaffSnoozeOpenTicketsAndOnlyAhead() async throws {
        try await withCast(configure: Self.fast) { api, cast, server in
            let ticket = try await api.openTicket(cast.customer)
            let later = server.clock.now.addingTimeInterval(600)
            #expect(try await Self.snooze(api, ticket.id, until: later, token: cast.customer).status == 403)
            let past = try await Self.snooze(api, ticket.id, until: server.clock.now.addingTimeInterval(-1), token: cast.agent)
            #expect(past.status == 400 && past.error?.message.hasPrefix("snoozedUntil:") == true)
            let far = try await Self.snooze(api, ticket.id, until: server.clock.now.addingTimeInterval(91 * 86_400), token: cast.agent)
            #expect(far.status == 400)
            #expect(try await api.put("/api/tickets/\(ticket.id)", token: cast.agent, UpdateTicketRequest(status: .closed)).status == 200)
            #expect(try await Self.snooze(api, ticket.id, until: later, token: cast.agent).status == 409)
        }
    }
}
