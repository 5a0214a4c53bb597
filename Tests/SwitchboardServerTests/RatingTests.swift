import Foundation
import Testing

@testable import SwitchboardProtocol
@testable import SwitchboardServer

/// The customer's rating of a resolution: once per resolution, only theirs, seen by the team as a
/// note and a frame, counted in the dashboard and the reports. SQLite, and PostgreSQL with
/// `SWITCHBOARD_TEST_POSTGRES`.
@Suite struct RatingTests {
    /// A ticket of the customer's that the agent answered and resolved.
    static func resolved(_ api: API, _ cast: Cast, category: SwitchboardProtocol.Category = .payment) async throws -> Ticket {
        let ticket = try await api.openTicket(cast.customer, category: category)
        #expect(try await api.post("/api/tickets/\(ticket.id)/claim", token: cast.agent, [String: String]()).status == 200)
        try await api.send(cast.agent, ticket: ticket.id, "Refunded.")
        try await setStatus(api, ticket.id, .resolved, token: cast.agent)
        return ticket
    }

    static func setStatus(_ api: API, _ id: Int, _ status: TicketStatus, token: String) async throws {
        let reply = try await api.put("/api/tickets/\(id)", token: token, UpdateTicketRequest(status: status))
        #expect(reply.status == 200, "\(status): \(reply.text)")
    }

    static func rate(_ api: API, _ id: Int, _ score: Int, _ comment: String? = nil, token: String) async throws -> Reply {
        try await api.post("/api/tickets/\(id)/rating", token: token, RateTicketRequest(score: score, comment: comment))
    }

    @Test func aResolutionIsRatedOnceByItsCustomerAndTheTeamSeesIt() async throws {
        try await withCast(live: true, configure: RealtimeChatTests.fast) { api, cast, _ in
            let agent = try await api.socket(cast.agent)
            let ticket = try await Self.resolved(api, cast)
            let reply = try await Self.rate(api, ticket.id, 4, "  Quick and kind  ", token: cast.customer)
            #expect(reply.status == 201, "\(reply.text)")
            let rated = try reply.decode(Ticket.self)
            #expect(rated.rating?.score == 4 && rated.rating?.comment == "Quick and kind")
            let frame = try await agent.next { if case .ticketRated(ticket.id, let rating) = $0 { rating } else { nil } }
            #expect(frame.score == 4)
            // Once per resolution, whoever asks.
            let again = try await Self.rate(api, ticket.id, 1, token: cast.customer)
            #expect(again.status == 409 && again.error?.message.contains("rated already") == true, "\(again.text)")
            #expect(try await api.ticket(ticket.id, token: cast.agent).rating?.score == 4)
            // The team's line is a note: the customer never sees it.
            let staffView = try await api.get("/api/tickets/\(ticket.id)/messages", token: cast.agent).decode(MessagePage.self).items
            let line = try #require(staffView.last)
            #expect(line.senderType == .system && line.internal)
            #expect(line.message == "Customer rated this chat ★★★★☆ 4/5: “Quick and kind”")
            let customerView = try await api.get("/api/tickets/\(ticket.id)/messages", token: cast.customer).decode(MessagePage.self)
            #expect(!customerView.items.contains { $0.internal })
            await agent.close()
        }
    }

    @Test func onlyTheCustomerRatesAResolvedTicketWithAScoreFromOneToFive() async throws {
        try await withCast { api, cast, _ in
            let open = try await api.openTicket(cast.customer)
            let early = try await Self.rate(api, open.id, 5, token: cast.customer)
            #expect(early.status == 409 && early.error?.message.contains("once it is resolved") == true, "\(early.text)")
            let ticket = try await Self.resolved(api, cast)
            #expect(try await Self.rate(api, ticket.id, 5, token: cast.customer2).status == 404, "someone else's is a missing one")
            #expect(try await Self.rate(api, ticket.id, 5, token: cast.agent).status == 403)
            for score in [0, 6, -1] {
                let bad = try await Self.rate(api, ticket.id, score, token: cast.customer)
                #expect(bad.status == 400 && bad.error?.message.hasPrefix("score:") == true, "\(score): \(bad.text)")
            }
            let long = try await Self.rate(api, ticket.id, 3, String(repeating: "a", count: 1_001), token: cast.customer)
            #expect(long.status == 400 && long.error?.message.hasPrefix("comment:") == true, "\(long.text)")
            let notJSON = try await api.call(.post, "/api/tickets/\(ticket.id)/rating", token: cast.customer, raw: Data("{".utf8))
            #expect(notJSON.status == 400)
            #expect(try await api.ticket(ticket.id, token: cast.customer).rating == nil, "nothing refused was kept")
        }
    }

    @Test func aReopenedTicketResolvedAgainIsRatedAgain() async throws {
        try await withCast { api, cast, _ in
            let ticket = try await Self.resolved(api, cast)
            #expect(try await Self.rate(api, ticket.id, 2, "Not fixed", token: cast.customer).status == 201)
            try await Self.setStatus(api, ticket.id, .inProgress, token: cast.customer)
            #expect(try await api.ticket(ticket.id, token: cast.customer).rating == nil, "an open ticket has no rating")
            try await Self.setStatus(api, ticket.id, .resolved, token: cast.agent)
            let again = try await api.ticket(ticket.id, token: cast.customer)
            #expect(again.rating == nil && again.ratingAsks == 0 && again.wantsRating)
            #expect(try await Self.rate(api, ticket.id, 5, token: cast.customer).status == 201)
            // Closing a resolved ticket is no new resolution.
            try await Self.setStatus(api, ticket.id, .closed, token: cast.customer)
            let closed = try await api.ticket(ticket.id, token: cast.customer)
            #expect(closed.rating?.score == 5 && !closed.wantsRating)
        }
    }

    /// A client asks when it sees the resolution and once more on the next visit: the server counts.
    @Test func theAsksAreCountedAndStopAfterTheSecond() async throws {
        try await withCast { api, cast, _ in
            let ticket = try await Self.resolved(api, cast)
            #expect(try await api.ticket(ticket.id, token: cast.customer).ratingAsks == 0)
            for asks in 1...2 {
                #expect(
                    try await api.post("/api/tickets/\(ticket.id)/rating/asked", token: cast.customer, [String: String]()).status == 204)
                #expect(try await api.ticket(ticket.id, token: cast.customer).ratingAsks == asks)
            }
            #expect(try await !api.ticket(ticket.id, token: cast.customer).wantsRating)
            #expect(try await api.ticket(ticket.id, token: cast.agent).ratingAsks == nil, "the customer's own count")
            let active = try await api.openTicket(cast.customer)
            #expect(try await api.post("/api/tickets/\(active.id)/rating/asked", token: cast.customer, [String: String]()).status == 409)
            // Asked twice, still rated when the customer wants to.
            #expect(try await Self.rate(api, ticket.id, 5, token: cast.customer).status == 201)
        }
    }

    @Test func theDashboardAndTheReportCountSatisfaction() async throws {
        try await withCast { api, cast, server in
            let payment = try await Self.resolved(api, cast, category: .payment)
            let shipping = try await Self.resolved(api, cast, category: .shipping)
            let third = try await Self.resolved(api, cast, category: .shipping)
            #expect(try await Self.rate(api, payment.id, 5, token: cast.customer).status == 201)
            #expect(try await Self.rate(api, shipping.id, 2, token: cast.customer).status == 201)
            #expect(try await Self.rate(api, third.id, 4, token: cast.customer).status == 201)
            server.clock.advance(60)  // a report's period ends before its `to`
            let dashboard = try await api.get("/api/admin/support/dashboard", token: cast.admin).decode(Dashboard.self)
            #expect(dashboard.csat.count == 3 && dashboard.csat.averageScore == 3.67 && dashboard.csat.percentSatisfied == 66.7)
            let report = try await api.get("/api/admin/support/reports", token: cast.admin).decode(SupportReport.self)
            #expect(report.csat.count == 3 && report.csat.byScore == [0, 1, 0, 1, 1])
            #expect(report.csatByCategory["PAYMENT"]?.averageScore == 5)
            #expect(report.csatByCategory["SHIPPING"]?.percentSatisfied == 50)
            let agent = try #require(report.agents.first { $0.agent.id == cast.agentId })
            #expect(agent.csat.count == 3)
            #expect(report.days.map(\.csat.count).reduce(0, +) == 3)
        }
    }
}
