import Foundation
import Testing

@testable import SwitchboardProtocol
@testable import SwitchboardServer

@Suite struct TicketRouteTests {
    @Test func customerOpensATicket() async throws {
        try await withCast { api, cast, _ in
            let ticket = try await api.openTicket(cast.customer, subject: "  Parcel lost ", category: .shipping)
            #expect(ticket.subject == "Parcel lost")
            #expect(ticket.status == .open && ticket.priority == .medium && ticket.category == .shipping)
            #expect(ticket.customer.id == cast.customerId && ticket.assignedAgent == nil)
            #expect(ticket.messageCount == 0 && ticket.unreadCount == 0 && ticket.lastMessage == nil && ticket.resolvedAt == nil)
            // Staff see the same ticket, and since when its customer waits (the opening).
            var staffView = try await api.ticket(ticket.id, token: cast.agent)
            #expect(staffView.waitingSince == ticket.createdAt && ticket.waitingSince == nil)
            staffView.waitingSince = nil
            #expect(staffView == ticket)
            // Tickets are opened by customers.
            let byAgent = try await api.post(
                "/api/tickets", token: cast.agent,
                CreateTicketRequest(subject: "s", description: "d", category: .other))
            #expect(byAgent.status == 403)
        }
    }

    @Test func customersSeeOnlyTheirOwnTickets() async throws {
        try await withCast { api, cast, _ in
            let mine = try await api.openTicket(cast.customer)
            let theirs = try await api.openTicket(cast.customer2)
            let list: Page<Ticket> = try await api.get("/api/tickets?customerId=\(cast.customer2Id)", token: cast.customer).decode()
            #expect(list.items.map(\.id) == [mine.id] && list.total == 1)
            let other = try await api.get("/api/tickets/\(theirs.id)", token: cast.customer)
            let missing = try await api.get("/api/tickets/9999", token: cast.customer)
            #expect(other.status == 404 && missing.status == 404)
            #expect(other.error?.message == "no ticket #\(theirs.id)")
            let all: Page<Ticket> = try await api.get("/api/tickets", token: cast.agent).decode()
            #expect(all.total == 2)
        }
    }

    @Test func filtersSearchSortAndPages() async throws {
        try await withCast { api, cast, server in
            var ids: [Int] = []
            for (index, (priority, category)) in [
                (Priority.low, Category.payment), (.urgent, .shipping), (.high, .payment),
                (.medium, .technical), (.urgent, .account),
            ].enumerated() {
                server.clock.advance(60)
                ids.append(
                    try await api.openTicket(
                        cast.customer, subject: "Ticket \(index)", description: "About item \(index)",
                        category: category, priority: priority
                    ).id)
            }
            server.clock.advance(60)
            _ = try await api.put("/api/tickets/\(ids[0])", token: cast.agent, UpdateTicketRequest(assignedAgentId: .set(cast.agentId)))
            server.clock.advance(60)
            try await api.send(cast.customer, ticket: ids[3], "my modem blinks 50% of the time")
            try await api.send(cast.agent, ticket: ids[3], "secret escalation path", note: true)

            func list(_ query: String, as token: String? = nil) async throws -> [Int] {
                let page: Page<Ticket> = try await api.get("/api/tickets?\(query)", token: token ?? cast.agent).decode()
                return page.items.map(\.id)
            }
            #expect(try await list("priority=URGENT&sort=createdAt") == [ids[1], ids[4]])
            #expect(try await list("category=payment,account&sort=createdAt") == [ids[0], ids[2], ids[4]])
            #expect(try await list("assignedAgentId=none&sort=createdAt") == [ids[1], ids[2], ids[3], ids[4]])
            #expect(try await list("assignedAgentId=\(cast.agentId)") == [ids[0]])
            #expect(try await list("status=IN_PROGRESS") == [])
            #expect(try await list("sort=-priority") == [ids[1], ids[4], ids[2], ids[3], ids[0]])
            #expect(try await list("sort=priority") == [ids[0], ids[3], ids[2], ids[1], ids[4]])
            #expect(try await list("sort=-updatedAt") == [ids[3], ids[0], ids[4], ids[2], ids[1]])
            #expect(try await list("sort=updatedAt").first == ids[1])
            #expect(try await list("") == ids.reversed())
            // Text search: subject, description and message bodies; `%` is literal.
            #expect(try await list("q=ITEM%202") == [ids[2]])
            #expect(try await list("q=50%25") == [ids[3]])
            #expect(try await list("q=5%25") == [])
            // Notes are searchable by staff only.
            #expect(try await list("q=escalation") == [ids[3]])
            #expect(try await list("q=escalation", as: cast.customer) == [])
            let page: Page<Ticket> = try await api.get("/api/tickets?sort=createdAt&page=1&size=2", token: cast.agent).decode()
            #expect(page.items.map(\.id) == [ids[2], ids[3]])
            #expect(page.page == 1 && page.size == 2 && page.total == 5)
            let beyond: Page<Ticket> = try await api.get("/api/tickets?page=9", token: cast.agent).decode()
            #expect(beyond.items.isEmpty && beyond.total == 5)
        }
    }

    @Test func statusWorkflowIsEnforced() async throws {
        try await withCast { api, cast, server in
            let id = try await api.openTicket(cast.customer).id
            func move(_ status: TicketStatus, as token: String? = nil) async throws -> Reply {
                try await api.put("/api/tickets/\(id)", token: token ?? cast.agent, UpdateTicketRequest(status: status))
            }
            #expect(try await move(.resolved).status == 409)
            #expect(try await move(.open).status == 200)  // the same status again is a no-op
            #expect(try await move(.inProgress).status == 200)
            server.clock.advance(600)
            let resolved: Ticket = try await move(.resolved).decode()
            #expect(resolved.status == .resolved && resolved.resolvedAt == server.clock.now)
            #expect(try await move(.open).status == 409)
            let reopened: Ticket = try await move(.inProgress, as: cast.customer).decode()
            #expect(reopened.status == .inProgress && reopened.resolvedAt == nil)
            #expect(try await move(.resolved, as: cast.customer).status == 403)
            #expect(try await move(.closed, as: cast.customer).status == 200)
            let closed = try await move(.inProgress)
            #expect(closed.status == 409)
            #expect(closed.error?.message == "ticket #\(id) is CLOSED and cannot move to IN_PROGRESS")
        }
    }

    @Test func customersMayOnlyCloseOrReopen() async throws {
        try await withCast { api, cast, _ in
            let id = try await api.openTicket(cast.customer).id
            for change in [
                UpdateTicketRequest(priority: .urgent), UpdateTicketRequest(subject: "mine"),
                UpdateTicketRequest(status: .closed, category: .other),
                UpdateTicketRequest(assignedAgentId: .set(cast.agentId)), UpdateTicketRequest(status: .inProgress),
            ] {
                let reply = try await api.put("/api/tickets/\(id)", token: cast.customer, change)
                #expect(reply.status == 403, "\(change)")
            }
            #expect(try await api.ticket(id, token: cast.agent).status == .open)
            #expect(try await api.put("/api/tickets/\(id)", token: cast.customer2, UpdateTicketRequest(status: .closed)).status == 404)
        }
    }

    @Test func agentsAssignTransferAndEdit() async throws {
        try await withCast { api, cast, server in
            let id = try await api.openTicket(cast.customer).id
            server.clock.advance(5)
            let assigned: Ticket = try await api.put(
                "/api/tickets/\(id)", token: cast.agent,
                UpdateTicketRequest(
                    priority: .high, category: .returns, subject: "Refund please", assignedAgentId: .set(cast.agentId))
            ).decode()
            #expect(assigned.assignedAgent?.id == cast.agentId && assigned.priority == .high && assigned.category == .returns)
            #expect(assigned.subject == "Refund please" && assigned.updatedAt == server.clock.now)
            let moved: Ticket = try await api.put(
                "/api/tickets/\(id)", token: cast.agent,
                UpdateTicketRequest(assignedAgentId: .set(cast.agent2Id))
            ).decode()
            #expect(moved.assignedAgent?.id == cast.agent2Id)
            let kept: Ticket = try await api.put("/api/tickets/\(id)", token: cast.agent, UpdateTicketRequest(priority: .urgent)).decode()
            #expect(kept.assignedAgent?.id == cast.agent2Id)
            let released: Ticket = try await api.put(
                "/api/tickets/\(id)", token: cast.admin,
                UpdateTicketRequest(assignedAgentId: .set(nil))
            ).decode()
            #expect(released.assignedAgent == nil)
            for bad in [cast.customerId, 9999] {
                let reply = try await api.put("/api/tickets/\(id)", token: cast.agent, UpdateTicketRequest(assignedAgentId: .set(bad)))
                #expect(reply.status == 400)
            }
        }
    }

    @Test func adminDeletesWithEverythingInIt() async throws {
        try await withCast { api, cast, _ in
            let id = try await api.openTicket(cast.customer).id
            try await api.send(cast.customer, ticket: id, "hello")
            #expect(try await api.delete("/api/tickets/\(id)", token: cast.agent).status == 403)
            #expect(try await api.delete("/api/tickets/\(id)", token: cast.admin).status == 204)
            #expect(try await api.get("/api/tickets/\(id)", token: cast.admin).status == 404)
            #expect(try await api.delete("/api/tickets/\(id)", token: cast.admin).status == 404)
            let sessions: [ChatSession] = try await api.get("/api/chat/sessions", token: cast.admin).decode()
            #expect(sessions.isEmpty)
        }
    }
}
