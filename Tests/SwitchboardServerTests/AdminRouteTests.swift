import Foundation
import Testing

@testable import SwitchboardProtocol
@testable import SwitchboardServer

@Suite struct AdminRouteTests {
    @Test func dashboardFiguresComeFromStoredData() async throws {
        try await withCast { api, cast, server in
            let empty: Dashboard = try await api.get("/api/admin/support/dashboard", token: cast.admin).decode()
            #expect(empty.openTickets == 0 && empty.avgFirstResponseSeconds == nil && empty.avgResolutionSeconds == nil)
            #expect(empty.ticketsByCategory.count == 6 && empty.ticketsByCategory.values.allSatisfy { $0 == 0 })

            let first = try await api.openTicket(cast.customer, category: .payment, priority: .urgent).id
            let second = try await api.openTicket(cast.customer2, category: .shipping).id
            _ = try await api.openTicket(cast.customer2, category: .payment)
            server.clock.advance(60)
            try await api.send(cast.agent, ticket: first, "a note does not count", note: true)
            server.clock.advance(30)
            try await api.send(cast.agent, ticket: first, "Hello!")  // first response after 90 s
            server.clock.advance(30)
            try await api.send(cast.agent2, ticket: second, "Hi")  // after 120 s
            _ = try await api.put("/api/tickets/\(first)", token: cast.agent, UpdateTicketRequest(assignedAgentId: .set(cast.agentId)))
            server.clock.advance(480)
            _ = try await api.put("/api/tickets/\(first)", token: cast.agent, UpdateTicketRequest(status: .resolved))  // 600 s
            _ = try await api.put(
                "/api/admin/support/agents/\(cast.agent2Id)/status", token: cast.admin,
                AgentStatusRequest(status: .online))

            let board: Dashboard = try await api.get("/api/admin/support/dashboard", token: cast.admin).decode()
            #expect(board.openTickets == 1 && board.inProgressTickets == 1 && board.resolvedToday == 1)
            #expect(board.unassignedTickets == 2 && board.activeSessions == 1 && board.agentsOnline == 1)
            #expect(board.avgFirstResponseSeconds == 105 && board.avgResolutionSeconds == 600)
            #expect(
                board.ticketsByCategory["PAYMENT"] == 2 && board.ticketsByCategory["SHIPPING"] == 1
                    && board.ticketsByCategory["OTHER"] == 0)
            #expect(board.ticketsByPriority["URGENT"] == 1 && board.ticketsByPriority["MEDIUM"] == 2)
        }
    }

    /// The server's own figures: what `switchboard bench` reads to price a message in CPU.
    @Test func serverStatisticsCountMessagesAndCPU() async throws {
        try await withCast { api, cast, _ in
            let before: ServerStatistics = try await api.get("/api/admin/support/server", token: cast.admin).decode()
            let id = try await api.openTicket(cast.customer).id
            for index in 1...20 { try await api.send(cast.customer, ticket: id, "message \(index)") }
            let after: ServerStatistics = try await api.get("/api/admin/support/server", token: cast.admin).decode()
            #expect(after.messages - before.messages == 20)
            let cpu = try #require(after.cpuSeconds), earlier = try #require(before.cpuSeconds)
            #expect(cpu > earlier, "storing twenty messages costs some CPU")
            #expect(try await api.get("/api/admin/support/server", token: cast.agent).status == 403)
        }
        // A server without the later fields (the baseline relay) still reads.
        let relay = try WireJSON.decoder().decode(
            ServerStatistics.self, from: Data(#"{"connections":2,"users":2,"rooms":1,"rssBytes":1,"uptimeSeconds":3}"#.utf8))
        #expect(relay.messages == 0 && relay.cpuSeconds == nil)
    }

    @Test func agentsAndTheirStatus() async throws {
        try await withCast { api, cast, _ in
            let id = try await api.openTicket(cast.customer).id
            _ = try await api.put("/api/tickets/\(id)", token: cast.agent, UpdateTicketRequest(assignedAgentId: .set(cast.agentId)))
            let agents: [AgentLoad] = try await api.get("/api/admin/support/agents", token: cast.admin).decode()
            #expect(Set(agents.map(\.agent.id)) == [cast.adminId, cast.agentId, cast.agent2Id])
            let agent = try #require(agents.first { $0.agent.id == cast.agentId })
            #expect(agent.activeChats == 1 && agent.status == .offline && agent.capacity == 5)
            let path = "/api/admin/support/agents/\(cast.agentId)/status"
            let busy: AgentLoad = try await api.put(path, token: cast.admin, AgentStatusRequest(status: .busy, capacity: 8)).decode()
            #expect(busy.status == .busy && busy.capacity == 8)
            #expect(try await api.login("agent").user.agentStatus == .busy)
            #expect(try await api.put(path, token: cast.admin, AgentStatusRequest()).status == 400)
            #expect(try await api.put(path, token: cast.admin, AgentStatusRequest(capacity: -1)).status == 400)
            #expect(
                try await api.put(
                    "/api/admin/support/agents/\(cast.customerId)/status", token: cast.admin,
                    AgentStatusRequest(status: .online)
                ).status == 404)
            #expect(try await api.put(path, token: cast.agent, AgentStatusRequest(status: .online)).status == 403)
        }
    }

    @Test func reportsPerAgentAndPerDay() async throws {
        try await withCast { api, cast, server in
            let start = server.clock.now  // 2026-11-18T11:06:40Z
            let first = try await api.openTicket(cast.customer).id
            server.clock.advance(120)
            try await api.send(cast.agent, ticket: first, "reply one")
            try await api.send(cast.agent, ticket: first, "reply two")
            try await api.send(cast.agent, ticket: first, "a note", note: true)
            _ = try await api.put("/api/tickets/\(first)", token: cast.agent, UpdateTicketRequest(assignedAgentId: .set(cast.agentId)))
            server.clock.advance(86_400)
            // A day later the morning's access tokens have long expired.
            let agent = try await api.login("agent").accessToken, admin = try await api.login("admin").accessToken
            _ = try await api.openTicket(try await api.login("customer2").accessToken)
            _ = try await api.put("/api/tickets/\(first)", token: agent, UpdateTicketRequest(status: .resolved))

            let report: SupportReport = try await api.get(
                "/api/admin/support/reports?from=2026-11-18&to=2026-11-20", token: admin
            ).decode()
            #expect(
                report.days == [
                    .init(date: "2026-11-18", ticketsOpened: 1, ticketsResolved: 0),
                    .init(date: "2026-11-19", ticketsOpened: 1, ticketsResolved: 1),
                ])
            let figures = try #require(report.agents.first { $0.agent.id == cast.agentId })
            #expect(figures.ticketsHandled == 1 && figures.messagesSent == 2 && figures.notesWritten == 1)
            #expect(figures.avgFirstResponseSeconds == 120)
            #expect(figures.avgResolutionSeconds == server.clock.now.timeIntervalSince(start))
            let idle = try #require(report.agents.first { $0.agent.id == cast.agent2Id })
            #expect(idle.messagesSent == 0 && idle.avgFirstResponseSeconds == nil)
            let defaulted: SupportReport = try await api.get("/api/admin/support/reports", token: admin).decode()
            #expect(defaulted.to == server.clock.now && defaulted.days.count == 8)
            for bad in ["from=2026-11-20&to=2026-11-18", "from=yesterday", "from=2020-01-01&to=2026-01-01"] {
                #expect(try await api.get("/api/admin/support/reports?\(bad)", token: admin).status == 400, "\(bad)")
            }
        }
    }
}

@Suite struct AgentListRouteTests {
    /// Every agent may list the agents (for transfer by name); the list is the admin's, with loads.
    @Test func agentsListTheirColleagues() async throws {
        try await withCast { api, cast, _ in
            let listed: [AgentLoad] = try await api.get("/api/agents", token: cast.agent).decode()
            #expect(Set(listed.map(\.agent.id)) == [cast.adminId, cast.agentId, cast.agent2Id])
            #expect(listed.allSatisfy { $0.capacity > 0 })
            let admins: [AgentLoad] = try await api.get("/api/admin/support/agents", token: cast.admin).decode()
            #expect(listed == admins)
            #expect(try await api.get("/api/agents", token: cast.customer).status == 403)
        }
    }
}
