import Foundation
import Testing

@testable import SwitchboardProtocol
@testable import SwitchboardServer

/// `@name` in an internal note tells that colleague at once and waits in their list until seen;
/// in a public message it is text. SQLite, and PostgreSQL with `SWITCHBOARD_TEST_POSTGRES`.
@Suite struct MentionTests {
    static func mentions(_ api: API, token: String) async throws -> [Mention] {
        try await api.get("/api/mentions", token: token).decode([Mention].self)
    }

    @Test func aNoteNamingAColleagueTellsThemAndWaitsUntilSeen() async throws {
        try await withCast(live: true, configure: RealtimeChatTests.fast) { api, cast, _ in
            let sam = try await api.socket(cast.agent2)
            let ticket = try await api.openTicket(cast.customer, subject: "Refund stuck")
            let note = try await api.send(cast.agent, ticket: ticket.id, "@agent2 can you check the ledger? cc @nobody.", note: true)
            let frame = try await sam.next { if case .mentioned(ticket.id, let seq, let by) = $0 { (seq, by) } else { nil } }
            #expect(frame.0 == note.seq && frame.1.id == cast.agentId)
            let listed = try await Self.mentions(api, token: cast.agent2)
            #expect(listed.map(\.ticketId) == [ticket.id] && listed.first?.subject == "Refund stuck" && listed.first?.by.id == cast.agentId)
            #expect(try await Self.mentions(api, token: cast.agent).isEmpty, "the writer is not told of their own note")
            // Public text, a customer's message and oneself: no mention.
            try await api.send(cast.agent, ticket: ticket.id, "Thanks @agent2 and @agent, we are on it")
            try await api.send(cast.customer, ticket: ticket.id, "@agent2 please hurry")
            try await api.send(cast.agent2, ticket: ticket.id, "noted @agent2", note: true)
            #expect(try await Self.mentions(api, token: cast.agent2).count == 1)
            #expect(try await api.post("/api/mentions/seen", token: cast.agent2, MentionsSeenRequest(ticketId: ticket.id)).status == 204)
            #expect(try await Self.mentions(api, token: cast.agent2).isEmpty)
            #expect(try await api.get("/api/mentions", token: cast.customer).status == 403)
            #expect(try await api.post("/api/mentions/seen", token: cast.customer, MentionsSeenRequest(ticketId: ticket.id)).status == 403)
            // The customer never sees the note or hears of it.
            let customerView = try await api.get("/api/tickets/\(ticket.id)/messages", token: cast.customer).decode(MessagePage.self)
            #expect(!customerView.items.contains { $0.message.contains("ledger") })
            await sam.close()
        }
    }

    @Test func aColleagueIsNamedByTheirConsoleHandleAndAMergeKeepsTheMention() async throws {
        try await withCast { api, cast, _ in
            let first = try await api.openTicket(cast.customer, subject: "One")
            let second = try await api.openTicket(cast.customer, subject: "Two")
            // Display name "Agent2" without spaces, any case; a full stop after it ends the sentence.
            try await api.send(cast.agent, ticket: second.id, "Over to you, @AGENT2.", note: true)
            #expect(try await Self.mentions(api, token: cast.agent2).map(\.ticketId) == [second.id])
            #expect(try await MergeTests.merge(api, second.id, into: first.id, token: cast.agent).status == 200)
            let moved = try await Self.mentions(api, token: cast.agent2)
            #expect(moved.map(\.ticketId) == [first.id], "the mention went with its message")
        }
    }

    @Test func handlesAreReadFromTheText() {
        #expect(TicketService.mentionHandles(in: "@sam, @lee-ann. mail@example.com (@ops) @@x @") == ["sam", "lee-ann", "ops"])
        #expect(TicketService.mentionHandles(in: "no one") == [])
    }
}
