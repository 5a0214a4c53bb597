import Foundation
import Testing

@testable import SwitchboardProtocol
@testable import SwitchboardServer

@Suite struct MessageRouteTests {
    @Test func seqIsGapFreeAndOrdered() async throws {
        try await withCast { api, cast, _ in
            let id = try await api.openTicket(cast.customer).id
            var seqs: [Int] = []
            for index in 1...5 {
                let token = index.isMultiple(of: 2) ? cast.agent : cast.customer
                seqs.append(try await api.send(token, ticket: id, "message \(index)", note: index == 4).seq)
            }
            #expect(seqs == [1, 2, 3, 4, 5])
            let other = try await api.openTicket(cast.customer2).id
            #expect(try await api.send(cast.customer2, ticket: other, "first").seq == 1)
        }
    }

    @Test func resendWithSameClientIdIsStoredOnce() async throws {
        try await withCast { api, cast, _ in
            let id = try await api.openTicket(cast.customer).id
            let first = try await api.send(cast.customer, ticket: id, "hello", clientId: "c-1")
            let again = try await api.post(
                "/api/tickets/\(id)/messages", token: cast.customer,
                PostMessageRequest(message: "hello", clientMessageId: "c-1"))
            #expect(again.status == 200)
            #expect(try again.decode(Message.self) == first)
            let page: MessagePage = try await api.get("/api/tickets/\(id)/messages", token: cast.customer).decode()
            #expect(page.items.count == 1)
            // The same id from another sender is a different message.
            #expect(try await api.send(cast.agent, ticket: id, "hi", clientId: "c-1").seq == 2)
            // Reusing an id on another ticket is a client bug, not a resend.
            let elsewhere = try await api.openTicket(cast.customer).id
            let reused = try await api.post(
                "/api/tickets/\(elsewhere)/messages", token: cast.customer,
                PostMessageRequest(message: "hello", clientMessageId: "c-1"))
            #expect(reused.status == 409)
        }
    }

    @Test func customersNeverSeeInternalNotes() async throws {
        try await withCast { api, cast, _ in
            let id = try await api.openTicket(cast.customer).id
            try await api.send(cast.customer, ticket: id, "where is my refund?")
            try await api.send(cast.agent, ticket: id, "customer is a VIP", note: true)
            let customerView: MessagePage = try await api.get("/api/tickets/\(id)/messages", token: cast.customer).decode()
            #expect(customerView.items.map(\.message) == ["where is my refund?"])
            let agentView: MessagePage = try await api.get("/api/tickets/\(id)/messages", token: cast.agent2).decode()
            #expect(agentView.items.map(\.internal) == [false, true])
            let ticket = try await api.ticket(id, token: cast.customer)
            #expect(ticket.messageCount == 1 && ticket.lastMessage?.message == "where is my refund?" && ticket.unreadCount == 0)
            let staffTicket = try await api.ticket(id, token: cast.agent2)
            #expect(staffTicket.messageCount == 2 && staffTicket.lastMessage?.internal == true)
            let refused = try await api.post(
                "/api/tickets/\(id)/messages", token: cast.customer,
                PostMessageRequest(message: "sneaky", internal: true))
            #expect(refused.status == 403)
        }
    }

    @Test func unreadCountsFollowReadMarks() async throws {
        try await withCast { api, cast, _ in
            let id = try await api.openTicket(cast.customer).id
            try await api.send(cast.customer, ticket: id, "one")
            try await api.send(cast.customer, ticket: id, "two")
            #expect(try await api.ticket(id, token: cast.agent).unreadCount == 2)
            #expect(try await api.ticket(id, token: cast.customer).unreadCount == 0)
            #expect(try await api.post("/api/tickets/\(id)/read", token: cast.agent, MarkReadRequest(upToSeq: 1)).status == 204)
            #expect(try await api.ticket(id, token: cast.agent).unreadCount == 1)
            // Read marks only move forward.
            _ = try await api.post("/api/tickets/\(id)/read", token: cast.agent, MarkReadRequest(upToSeq: 0))
            #expect(try await api.ticket(id, token: cast.agent).unreadCount == 1)
            // Replying reads everything before the reply.
            let reply = try await api.send(cast.agent, ticket: id, "on it")
            #expect(try await api.ticket(id, token: cast.agent).unreadCount == 0)
            #expect(try await api.ticket(id, token: cast.customer).unreadCount == 1)
            let page: MessagePage = try await api.get("/api/tickets/\(id)/messages", token: cast.customer).decode()
            #expect(page.items.map(\.isRead) == [true, true, false])
            _ = try await api.post("/api/tickets/\(id)/read", token: cast.customer, MarkReadRequest(upToSeq: reply.seq))
            let afterRead: MessagePage = try await api.get("/api/tickets/\(id)/messages", token: cast.agent).decode()
            #expect(afterRead.items.last?.isRead == true)
            #expect(try await api.post("/api/tickets/\(id)/read", token: cast.agent, MarkReadRequest(upToSeq: 99)).status == 400)
            // Notes never count as unread for customers.
            try await api.send(cast.agent, ticket: id, "note", note: true)
            #expect(try await api.ticket(id, token: cast.customer).unreadCount == 0)
            #expect(try await api.ticket(id, token: cast.agent2).unreadCount == 4)
        }
    }

    @Test func pagingForwardAndBack() async throws {
        try await withCast { api, cast, _ in
            let id = try await api.openTicket(cast.customer).id
            for index in 1...7 { try await api.send(cast.customer, ticket: id, "m\(index)") }
            func page(_ query: String) async throws -> ([Int], Bool) {
                let page: MessagePage = try await api.get("/api/tickets/\(id)/messages?\(query)", token: cast.agent).decode()
                return (page.items.map(\.seq), page.hasMore)
            }
            #expect(try await page("limit=3") == ([5, 6, 7], true))
            #expect(try await page("limit=3&beforeSeq=5") == ([2, 3, 4], true))
            #expect(try await page("limit=3&beforeSeq=2") == ([1], false))
            #expect(try await page("afterSeq=2&limit=3") == ([3, 4, 5], true))
            #expect(try await page("afterSeq=5&limit=3") == ([6, 7], false))
            #expect(try await page("afterSeq=1&beforeSeq=4") == ([2, 3], false))
            #expect(try await page("afterSeq=7") == ([], false))
            #expect(try await page("") == ([1, 2, 3, 4, 5, 6, 7], false))
            for bad in ["limit=0", "limit=201", "afterSeq=-1", "beforeSeq=0", "limit=ten"] {
                let reply = try await api.get("/api/tickets/\(id)/messages?\(bad)", token: cast.agent)
                #expect(reply.status == 400, "\(bad)")
            }
        }
    }

    @Test func messagesMoveTheTicketAlong() async throws {
        try await withCast { api, cast, server in
            let id = try await api.openTicket(cast.customer).id
            try await api.send(cast.agent, ticket: id, "note first", note: true)
            #expect(try await api.ticket(id, token: cast.agent).status == .open)
            try await api.send(cast.agent, ticket: id, "Hello, looking into it")
            #expect(try await api.ticket(id, token: cast.agent).status == .inProgress)
            _ = try await api.put("/api/tickets/\(id)", token: cast.agent, UpdateTicketRequest(status: .resolved))
            server.clock.advance(60)
            try await api.send(cast.customer, ticket: id, "still broken")
            let reopened = try await api.ticket(id, token: cast.agent)
            #expect(reopened.status == .inProgress && reopened.resolvedAt == nil && reopened.updatedAt == server.clock.now)
            _ = try await api.put("/api/tickets/\(id)", token: cast.customer, UpdateTicketRequest(status: .closed))
            let refused = try await api.post("/api/tickets/\(id)/messages", token: cast.customer, PostMessageRequest(message: "hello?"))
            #expect(refused.status == 409)
        }
    }

    @Test func attachmentsMessagesNeedAnUpload() async throws {
        try await withCast { api, cast, _ in
            let id = try await api.openTicket(cast.customer).id
            let withoutFile = try await api.post(
                "/api/tickets/\(id)/messages", token: cast.customer,
                PostMessageRequest(message: "see picture", messageType: .image))
            #expect(withoutFile.status == 400)
            let unknownFile = try await api.post(
                "/api/tickets/\(id)/messages", token: cast.customer,
                PostMessageRequest(message: "see file", messageType: .file, attachmentId: 3))
            #expect(unknownFile.status == 404 && unknownFile.error?.message == "attachmentId: no attachment #3 on ticket #\(id)")
            let page: MessagePage = try await api.get("/api/tickets/\(id)/messages", token: cast.customer).decode()
            #expect(page.items.isEmpty)
        }
    }
}
