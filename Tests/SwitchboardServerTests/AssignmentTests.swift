import Foundation
import Testing

@testable import SwitchboardProtocol
@testable import SwitchboardServer

@Suite struct AssignmentTests {
    /// Only changes that can make a ticket wait or give an agent room wake the assigner: a first
    /// reply (OPEN → IN_PROGRESS, same agent) does not.
    @Test func onlyChangesThatMoveWorkWakeTheAssigner() {
        let row = TicketRow(
            id: 1, customerId: 2, assignedAgentId: 3, status: .open, priority: .medium, category: .other,
            subject: "s", lastSeq: 0, firstResponseAt: nil)
        let agent = UserRef(id: 3, displayName: "A", role: .agent, isOnline: true)
        func change(_ edit: (inout TicketRow) -> Void) -> Bool {
            var after = row
            edit(&after)
            return Assigner.mayAssign(after: .ticketChanged(before: row, after: after, by: agent))
        }
        #expect(!change { $0.status = .inProgress })
        #expect(!change { $0.priority = .urgent })
        #expect(change { $0.status = .resolved })
        #expect(change { $0.status = .closed })
        #expect(change { $0.assignedAgentId = nil })
        #expect(change { $0.assignedAgentId = 4 })
        #expect(Assigner.mayAssign(after: .ticketCreated(ticketId: 1, customerId: 2)))
        #expect(Assigner.mayAssign(after: .ticketDeleted(ticketId: 1, customerId: 2)))
        #expect(Assigner.mayAssign(after: .agentStatusChanged(agent: agent, status: .online)))
        #expect(!Assigner.mayAssign(after: .loginEnded(loginId: "x")))
    }

    /// Agents are available when connected and ONLINE; this connects one and waits until the
    /// server has it online.
    static func bringOnline(_ api: API, _ token: String, _ agentId: Int, admin: String) async throws -> WSProbe {
        let probe = try await api.socket(token)
        let deadline = ContinuousClock.now + .seconds(5)
        while ContinuousClock.now < deadline {
            let agents: [AgentLoad] = try await api.get("/api/admin/support/agents", token: admin).decode()
            if agents.first(where: { $0.agent.id == agentId })?.agent.isOnline == true { return probe }
            try await Task.sleep(for: .milliseconds(20))
        }
        throw ProbeError("agent \(agentId) did not come online")
    }

    @Test func aNewTicketGoesAtOnceToAnAvailableAgent() async throws {
        try await withCast(live: true, configure: RealtimeChatTests.fast) { api, cast, _ in
            let agent = try await Self.bringOnline(api, cast.agent, cast.agentId, admin: cast.admin)
            let ticket = try await api.openTicket(cast.customer)
            #expect(ticket.assignedAgent?.id == cast.agentId)
            #expect(try await agent.next { if case .agentAssigned(ticket.id, let a, nil) = $0 { a.id } else { nil } } == cast.agentId)
            let sessions: [ChatSession] = try await api.get("/api/chat/sessions", token: cast.agent).decode()
            #expect(sessions.first?.status == .active)
            await agent.close()
        }
    }

    @Test func theQueueDrainsMostUrgentFirstUpToCapacity() async throws {
        try await withCast(live: true, configure: RealtimeChatTests.fast) { api, cast, server in
            var ids: [Priority: Int] = [:]
            for priority in [Priority.low, .urgent, .medium, .high] {
                server.clock.advance(1)
                ids[priority] = try await api.openTicket(cast.customer, priority: priority).id
            }
            #expect(try await api.ticket(ids[.urgent]!, token: cast.admin).assignedAgent == nil)  // nobody online: it waits
            _ = try await api.put("/api/admin/support/agents/\(cast.agentId)/status", token: cast.admin, AgentStatusRequest(capacity: 2))
            let agent = try await Self.bringOnline(api, cast.agent, cast.agentId, admin: cast.admin)
            func assignee(_ priority: Priority) async throws -> Int? {
                try await api.ticket(ids[priority]!, token: cast.admin).assignedAgent?.id
            }
            // The drain follows the agent's coming online; wait for it to settle.
            for _ in 0..<250 where try await assignee(.high) == nil { try await Task.sleep(for: .milliseconds(20)) }
            #expect(try await assignee(.urgent) == cast.agentId)
            #expect(try await assignee(.high) == cast.agentId)
            #expect(try await assignee(.medium) == nil)
            #expect(try await assignee(.low) == nil)
            // Freeing a slot hands over the next one.
            _ = try await api.put("/api/tickets/\(ids[.urgent]!)", token: cast.agent, UpdateTicketRequest(status: .closed))
            #expect(try await assignee(.medium) == cast.agentId)
            #expect(try await assignee(.low) == nil)
            // Raising capacity does too.
            _ = try await api.put("/api/admin/support/agents/\(cast.agentId)/status", token: cast.admin, AgentStatusRequest(capacity: 3))
            #expect(try await assignee(.low) == cast.agentId)
            await agent.close()
        }
    }

    @Test func busyAndAwayAgentsGetNothing() async throws {
        try await withCast(live: true, configure: RealtimeChatTests.fast) { api, cast, _ in
            let agent = try await Self.bringOnline(api, cast.agent, cast.agentId, admin: cast.admin)
            try await agent.send(.setStatus(.away))
            try await agent.next { if case .agentStatusChanged(_, .away) = $0 { true } else { nil } }
            let ticket = try await api.openTicket(cast.customer)
            #expect(ticket.assignedAgent == nil)
            try await agent.send(.setStatus(.online))
            #expect(try await agent.next { if case .agentAssigned(ticket.id, let a, _) = $0 { a.id } else { nil } } == cast.agentId)
            await agent.close()
        }
    }

    @Test(arguments: [AssignmentPolicy.roundRobin, .leastLoaded])
    func policies(_ policy: AssignmentPolicy) async throws {
        try await withCast(
            live: true,
            configure: {
                RealtimeChatTests.fast(&$0)
                $0.configuration.assignmentPolicy = policy
            }
        ) { api, cast, server in
            let one = try await Self.bringOnline(api, cast.agent, cast.agentId, admin: cast.admin)
            let two = try await Self.bringOnline(api, cast.agent2, cast.agent2Id, admin: cast.admin)
            var assignees: [Int] = []
            for index in 0..<4 {
                server.clock.advance(1)
                let ticket = try await api.openTicket(cast.customer, subject: "T\(index)")
                assignees.append(try #require(ticket.assignedAgent?.id))
                // The first agent closes each of its tickets at once: least-loaded keeps choosing it.
                if ticket.assignedAgent?.id == cast.agentId {
                    _ = try await api.put("/api/tickets/\(ticket.id)", token: cast.agent, UpdateTicketRequest(status: .closed))
                }
            }
            switch policy {
            case .roundRobin:
                #expect(assignees == [cast.agentId, cast.agent2Id, cast.agentId, cast.agent2Id])
            case .leastLoaded:
                // A tie at zero load goes to the agent given work least recently; after that the
                // second agent carries one chat and the first, who closes each at once, gets the rest.
                #expect(assignees == [cast.agentId, cast.agent2Id, cast.agentId, cast.agentId])
            }
            await one.close()
            await two.close()
        }
    }
}
