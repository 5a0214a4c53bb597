import Foundation
import Testing

@testable import SwitchboardProtocol
@testable import SwitchboardServer

@Suite struct TicketDeletionTests {
    /// Deleting a ticket tells the agents and its customer, and closes its room (it used to tell nobody).
    @Test func deletionIsAnnouncedAndTheRoomClosed() async throws {
        try await withCast(live: true, configure: RealtimeChatTests.fast) { api, cast, _ in
            let ticket = try await api.openTicket(cast.customer).id
            let customer = try await api.socket(cast.customer), agent = try await api.socket(cast.agent)
            let other = try await api.socket(cast.customer2)
            try await customer.join(ticket)
            try await agent.join(ticket)
            #expect(try await api.delete("/api/tickets/\(ticket)", token: cast.admin).status == 204)
            for probe in [customer, agent] {
                try await probe.next { if case .ticketDeleted(ticket) = $0 { true } else { nil } }
            }
            try await Task.sleep(for: .milliseconds(200))
            #expect(!other.events.contains { $0.type == "TICKET_DELETED" }, "another customer hears nothing of it")
            // The room is gone: a frame for the ticket is refused as for any ticket that does not exist.
            try await agent.send(.typingStart(ticketId: ticket, internal: false), ref: "t")
            #expect(try await agent.error(ref: "t").code == .notFound)
            #expect(try await api.get("/api/tickets/\(ticket)", token: cast.customer).status == 404)
            let held: ServerStatistics = try await api.get("/api/admin/support/server", token: cast.admin).decode()
            #expect(held.rooms == 0, "the deleted ticket's room is closed while its members stay connected")
            for probe in [customer, agent, other] { await probe.close() }
        }
    }
}
