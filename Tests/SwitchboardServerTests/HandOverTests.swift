import Foundation
import Testing

@testable import SwitchboardProtocol
@testable import SwitchboardServer

@Suite struct HandOverTests {
    @Test func claimTransferAndEscalate() async throws {
        try await withCast { api, cast, _ in
            let id = try await api.openTicket(cast.customer, priority: .medium).id
            let claimed: Ticket = try await api.post("/api/tickets/\(id)/claim", token: cast.agent, EmptyBody()).decode()
            #expect(claimed.assignedAgent?.id == cast.agentId)
            #expect(try await api.post("/api/tickets/\(id)/claim", token: cast.agent, EmptyBody()).status == 200)  // again: no-op
            #expect(try await api.post("/api/tickets/\(id)/claim", token: cast.agent2, EmptyBody()).status == 409)
            let moved: Ticket = try await api.post(
                "/api/tickets/\(id)/transfer", token: cast.agent, TransferRequest(agentId: cast.agent2Id)
            ).decode()
            #expect(moved.assignedAgent?.id == cast.agent2Id)
            #expect(
                try await api.post("/api/tickets/\(id)/transfer", token: cast.agent, TransferRequest(agentId: cast.customerId)).status
                    == 400)
            let escalated: Ticket = try await api.post("/api/tickets/\(id)/escalate", token: cast.agent2, EscalateRequest()).decode()
            #expect(escalated.priority == .high && escalated.assignedAgent?.id == cast.adminId)
            let chosen: Ticket = try await api.post(
                "/api/tickets/\(id)/escalate", token: cast.admin,
                EscalateRequest(priority: .urgent, agentId: cast.agentId)
            ).decode()
            #expect(chosen.priority == .urgent && chosen.assignedAgent?.id == cast.agentId)
            #expect(try await api.post("/api/tickets/\(id)/escalate", token: cast.agent, EscalateRequest(priority: .low)).status == 400)
            for path in ["claim", "transfer", "escalate"] {
                #expect(
                    try await api.call(
                        .post, "/api/tickets/\(id)/\(path)", token: cast.customer,
                        json: TransferRequest(agentId: cast.agentId)
                    ).status == 403)
            }
            _ = try await api.put("/api/tickets/\(id)", token: cast.agent, UpdateTicketRequest(status: .closed))
            #expect(
                try await api.post("/api/tickets/\(id)/transfer", token: cast.agent, TransferRequest(agentId: cast.agent2Id)).status == 409)
        }
    }

    @Test func idleSessionsGoInactiveAndWakeWithActivity() async throws {
        try await withCast(configure: {
            $0.configuration.sessionSweepInterval = .milliseconds(50)
            $0.configuration.sessionIdleTimeout = .seconds(600)
        }) { api, cast, server in
            let id = try await api.openTicket(cast.customer).id
            try await api.send(cast.customer, ticket: id, "hello")
            func status() async throws -> SessionStatus? {
                try await api.get("/api/chat/sessions", token: cast.admin).decode([ChatSession].self).first?.status
            }
            #expect(try await status() == .active)
            server.clock.advance(601)
            let admin = try await api.login("admin").accessToken
            var seen: SessionStatus?
            for _ in 0..<100 {
                seen = try await api.get("/api/chat/sessions", token: admin).decode([ChatSession].self).first?.status
                if seen == .inactive { break }
                try await Task.sleep(for: .milliseconds(20))
            }
            #expect(seen == .inactive)
            try await api.send(try await api.login("customer").accessToken, ticket: id, "still there?")
            #expect(try await api.get("/api/chat/sessions", token: admin).decode([ChatSession].self).first?.status == .active)
            let report: SupportReport = try await api.get("/api/admin/support/reports", token: admin).decode()
            #expect(report.sessions.started == 1 && report.sessions.ended == 0 && report.sessions.avgMessages == 2)
        }
    }
}

struct EmptyBody: Codable, Sendable {}
