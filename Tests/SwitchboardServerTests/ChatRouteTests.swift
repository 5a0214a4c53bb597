import Foundation
import Testing

@testable import SwitchboardProtocol
@testable import SwitchboardServer

@Suite struct ChatRouteTests {
    @Test func sessionFollowsItsTicket() async throws {
        try await withCast { api, cast, server in
            let id = try await api.openTicket(cast.customer).id
            func session() async throws -> ChatSession {
                let all: [ChatSession] = try await api.get("/api/chat/sessions", token: cast.admin).decode()
                return try #require(all.first { $0.ticketId == id })
            }
            let opened = try await session()
            #expect(opened.status == .inactive && opened.agent == nil && opened.endedAt == nil && opened.messageCount == 0)
            server.clock.advance(30)
            _ = try await api.put("/api/tickets/\(id)", token: cast.agent, UpdateTicketRequest(assignedAgentId: .set(cast.agentId)))
            let assigned = try await session()
            #expect(assigned.status == .active && assigned.agent?.id == cast.agentId && assigned.lastActivityAt == server.clock.now)
            server.clock.advance(30)
            try await api.send(cast.customer, ticket: id, "hi")
            try await api.send(cast.agent, ticket: id, "hello")  // takes the ticket IN_PROGRESS
            try await api.send(cast.agent, ticket: id, "note", note: true)
            #expect(try await session().messageCount == 3)
            #expect(try await api.put("/api/tickets/\(id)", token: cast.agent, UpdateTicketRequest(status: .resolved)).status == 200)
            let ended = try await session()
            #expect(ended.status == .ended && ended.endedAt == server.clock.now)
            #expect(try await api.put("/api/tickets/\(id)", token: cast.customer, UpdateTicketRequest(status: .inProgress)).status == 200)
            let resumed = try await session()
            #expect(resumed.status == .active && resumed.endedAt == nil)
        }
    }

    /// A message does not write its session's row (one write less per message), yet it is the
    /// session's last activity: in the listing, its order, and for the idle sweep.
    @Test func aMessageIsItsSessionsActivity() async throws {
        try await withCast { api, cast, server in
            let first = try await api.openTicket(cast.customer).id
            let second = try await api.openTicket(cast.customer2).id
            for id in [first, second] {
                _ = try await api.put("/api/tickets/\(id)", token: cast.agent, UpdateTicketRequest(assignedAgentId: .set(cast.agentId)))
            }
            let assignedAt = server.clock.now
            server.clock.advance(90)
            try await api.send(cast.customer, ticket: first, "still there?")
            let sessions: [ChatSession] = try await api.get("/api/chat/sessions", token: cast.admin).decode()
            #expect(sessions.map(\.ticketId) == [first, second], "the newest activity first")
            #expect(sessions.first?.lastActivityAt == server.clock.now && sessions.last?.lastActivityAt == assignedAt)

            let store = try await openStore(server.configuration, logger: .init(label: "test"))
            #expect(try await store.markIdleSessions(before: assignedAt.addingTimeInterval(60)) == 1, "only the one without the message")
            #expect(try await store.markIdleSessions(before: server.clock.now.addingTimeInterval(1)) == 1)
            try await store.close()
            let idle: [ChatSession] = try await api.get("/api/chat/sessions?status=INACTIVE", token: cast.admin).decode()
            #expect(Set(idle.map(\.ticketId)) == [first, second])
            server.clock.advance(10)
            try await api.send(cast.agent, ticket: first, "yes, here")
            let woken = try await api.get("/api/chat/sessions", token: cast.admin).decode([ChatSession].self).first
            #expect(woken?.ticketId == first && woken?.status == .active && woken?.lastActivityAt == server.clock.now)
        }
    }

    @Test func agentsListTheirOwnAdminsAll() async throws {
        try await withCast { api, cast, _ in
            let first = try await api.openTicket(cast.customer).id
            let second = try await api.openTicket(cast.customer2).id
            _ = try await api.put("/api/tickets/\(first)", token: cast.agent, UpdateTicketRequest(assignedAgentId: .set(cast.agentId)))
            let mine: [ChatSession] = try await api.get("/api/chat/sessions", token: cast.agent).decode()
            #expect(mine.map(\.ticketId) == [first])
            let all: [ChatSession] = try await api.get("/api/chat/sessions", token: cast.admin).decode()
            #expect(Set(all.map(\.ticketId)) == [first, second])
            let inactive: [ChatSession] = try await api.get("/api/chat/sessions?status=INACTIVE", token: cast.admin).decode()
            #expect(inactive.map(\.ticketId) == [second])
            #expect(try await api.get("/api/chat/sessions?status=SLEEPING", token: cast.admin).status == 400)
            #expect(try await api.get("/api/chat/sessions", token: cast.customer).status == 403)
        }
    }

    @Test func messagesThroughASession() async throws {
        try await withCast { api, cast, _ in
            let id = try await api.openTicket(cast.customer).id
            let sessionId = try #require(try await api.get("/api/chat/sessions", token: cast.admin).decode([ChatSession].self).first?.id)
            let posted = try await api.post(
                "/api/chat/sessions/\(sessionId)/messages", token: cast.customer,
                PostMessageRequest(message: "via session", clientMessageId: "s-1"))
            #expect(posted.status == 201)
            #expect(try posted.decode(Message.self).ticketId == id)
            let page: MessagePage = try await api.get("/api/chat/sessions/\(sessionId)/messages", token: cast.agent).decode()
            #expect(page.items.map(\.message) == ["via session"])
            #expect(try await api.get("/api/chat/sessions/\(sessionId)/messages", token: cast.customer2).status == 404)
            #expect(try await api.get("/api/chat/sessions/999/messages", token: cast.agent).status == 404)
        }
    }

    @Test func statusChangesByStaff() async throws {
        try await withCast { api, cast, _ in
            let id = try await api.openTicket(cast.customer).id
            let sessionId = try #require(try await api.get("/api/chat/sessions", token: cast.admin).decode([ChatSession].self).first?.id)
            let path = "/api/chat/sessions/\(sessionId)/status"
            #expect(try await api.put(path, token: cast.customer, SessionStatusRequest(status: .ended)).status == 403)
            let active: ChatSession = try await api.put(path, token: cast.agent, SessionStatusRequest(status: .active)).decode()
            #expect(active.status == .active)
            let ended: ChatSession = try await api.put(path, token: cast.agent, SessionStatusRequest(status: .ended)).decode()
            #expect(ended.status == .ended && ended.endedAt != nil)
            _ = try await api.put("/api/tickets/\(id)", token: cast.agent, UpdateTicketRequest(status: .closed))
            #expect(try await api.put(path, token: cast.agent, SessionStatusRequest(status: .active)).status == 409)
            #expect(
                try await api.put("/api/chat/sessions/999/status", token: cast.agent, SessionStatusRequest(status: .ended)).status == 404)
        }
    }

    @Test func historyNewestFirst() async throws {
        try await withCast { api, cast, server in
            let older = try await api.openTicket(cast.customer).id
            server.clock.advance(60)
            let newer = try await api.openTicket(cast.customer).id
            _ = try await api.openTicket(cast.customer2)
            let own: [ChatHistoryEntry] = try await api.get("/api/chat/history/\(cast.customerId)", token: cast.customer).decode()
            #expect(own.map(\.ticket.id) == [newer, older])
            #expect(own.allSatisfy { $0.session.ticketId == $0.ticket.id })
            let byAgent: [ChatHistoryEntry] = try await api.get("/api/chat/history/\(cast.customerId)", token: cast.agent).decode()
            #expect(byAgent.count == 2)
            #expect(try await api.get("/api/chat/history/\(cast.customer2Id)", token: cast.customer).status == 404)
            #expect(try await api.get("/api/chat/history/999", token: cast.agent).status == 404)
        }
    }
}
