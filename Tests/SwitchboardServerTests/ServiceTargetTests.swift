import Foundation
import Testing

@testable import SwitchboardProtocol
@testable import SwitchboardServer

/// Business hours and targets through the server: the routes, the clocks as messages and
/// changes move them, the keeper's warnings, breaches and reassignments. On SQLite, and on
/// PostgreSQL when `SWITCHBOARD_TEST_POSTGRES` is set (the same suite).
@Suite struct ServiceTargetTests {
    static let policies = SLASettings(
        policies: [
            SLAPolicy(priority: .high, firstResponseMinutes: 60, nextResponseMinutes: 30, resolutionMinutes: 480),
            SLAPolicy(priority: .urgent, firstResponseMinutes: 15, nextResponseMinutes: 10, reassignAfterMinutes: 5),
        ], reassignRounds: 1)

    static func targets(_ server: inout TestServer) {
        RealtimeChatTests.fast(&server)
        server.configuration.sla = policies
        server.configuration.clockInterval = .milliseconds(20)
        // The tests move the clock by hours and days: logins outlast that.
        server.configuration.accessTokenLifetime = 30 * 86_400
    }

    @Test func staffReadTheRulesAndOnlyAdminsChangeThem() async throws {
        try await withCast(configure: Self.targets) { api, cast, _ in
            let read: SLASettings = try await api.get("/api/admin/sla", token: cast.agent).decode()
            #expect(read == Self.policies)
            let hours: BusinessHours = try await api.get("/api/admin/business-hours", token: cast.agent).decode()
            #expect(hours == .alwaysOpen)
            #expect(try await api.get("/api/admin/sla", token: cast.customer).status == 403)
            let berlin = BusinessHours(timeZone: "Europe/Berlin", week: ["MON": [["09:00", "17:00"]]], holidays: ["2026-12-25"])
            #expect(try await api.put("/api/admin/business-hours", token: cast.agent, berlin).status == 403)
            #expect(try await api.put("/api/admin/business-hours", token: cast.admin, berlin).status == 200)
            let saved: BusinessHours = try await api.get("/api/admin/business-hours", token: cast.agent).decode()
            #expect(saved == berlin)
            // Refusals name the field.
            let bad = try await api.put(
                "/api/admin/business-hours", token: cast.admin, BusinessHours(timeZone: "Mars/Olympus", week: [:], holidays: []))
            #expect(bad.status == 400 && bad.error?.code == .invalid && bad.error?.message.hasPrefix("timeZone:") == true, "\(bad.text)")
            let twice = SLASettings(policies: [SLAPolicy(priority: .low), SLAPolicy(priority: .low, firstResponseMinutes: -3)])
            let refused = try await api.put("/api/admin/sla", token: cast.admin, twice)
            #expect(refused.status == 400 && refused.error?.message.hasPrefix("policies[1]") == true, "\(refused.text)")
            let fewer = SLASettings(policies: [SLAPolicy(priority: .low, resolutionMinutes: 90)])
            #expect(try await api.put("/api/admin/sla", token: cast.admin, fewer).status == 200)
            #expect(try await api.get("/api/admin/sla", token: cast.agent).decode(SLASettings.self) == fewer)
        }
    }

    @Test func savedRulesOutliveARestartAndWinOverTheConfigFile() async throws {
        var server = try TestServer()
        Self.targets(&server)
        defer { server.cleanUp() }
        try await server.seed(Cast.staff)
        let mine = SLASettings(policies: [SLAPolicy(priority: .medium, firstResponseMinutes: 7)])
        try await server.withClient { api in
            let admin = try await api.login("admin").accessToken
            #expect(try await api.put("/api/admin/sla", token: admin, mine).status == 200)
        }
        try await server.withClient { api in
            let agent = try await api.login("agent").accessToken
            #expect(try await api.get("/api/admin/sla", token: agent).decode(SLASettings.self) == mine)
        }
    }

    @Test func notesAndSystemLinesAreNotRepliesAndOneCustomerWaitIsOneWait() async throws {
        try await withCast(configure: Self.targets) { api, cast, server in
            let opened = server.clock.now
            let ticket = try await api.openTicket(cast.customer, priority: .high)
            #expect(ticket.sla == nil, "customers do not see the clocks")
            var sla = try #require(try await api.ticket(ticket.id, token: cast.agent).sla)
            #expect(sla.firstResponseDueAt == opened.addingTimeInterval(3600))
            #expect(sla.resolutionDueAt == opened.addingTimeInterval(8 * 3600))
            server.clock.advance(60)
            try await api.send(cast.agent, ticket: ticket.id, "checking their card processor", note: true)
            sla = try #require(try await api.ticket(ticket.id, token: cast.agent).sla)
            #expect(sla.firstResponseAt == nil && sla.firstResponseDueAt == opened.addingTimeInterval(3600), "a note is no reply")
            server.clock.advance(60)
            let reply = try await api.send(cast.agent, ticket: ticket.id, "Could you tell me the last four digits?")
            sla = try #require(try await api.ticket(ticket.id, token: cast.agent).sla)
            #expect(sla.firstResponseAt == reply.timestamp && sla.firstResponseDueAt == nil && sla.nextResponseDueAt == nil)
            // The customer writes three times: one wait, from the first.
            server.clock.advance(60)
            let first = try await api.send(cast.customer, ticket: ticket.id, "4242")
            server.clock.advance(300)
            try await api.send(cast.customer, ticket: ticket.id, "hello?")
            try await api.send(cast.customer, ticket: ticket.id, "still there?")
            sla = try #require(try await api.ticket(ticket.id, token: cast.agent).sla)
            #expect(sla.nextResponseDueAt == first.timestamp.addingTimeInterval(1800))
        }
    }

    @Test func resolvingStopsTheClocksAndReopeningStartsANewWait() async throws {
        try await withCast(configure: Self.targets) { api, cast, server in
            let ticket = try await api.openTicket(cast.customer, priority: .high)
            server.clock.advance(120)
            let reply = try await api.send(cast.agent, ticket: ticket.id, "Refunded.")
            server.clock.advance(60)
            try await api.send(cast.customer, ticket: ticket.id, "thanks, one more thing")
            #expect(try await api.put("/api/tickets/\(ticket.id)", token: cast.agent, UpdateTicketRequest(status: .resolved)).status == 200)
            var sla = try #require(try await api.ticket(ticket.id, token: cast.agent).sla)
            #expect(sla.firstResponseDueAt == nil && sla.nextResponseDueAt == nil && sla.resolutionDueAt == nil)
            // A day later nothing has breached.
            server.clock.advance(86_400)
            try await Task.sleep(for: .milliseconds(100))
            #expect(try await api.ticket(ticket.id, token: cast.agent).sla?.breaches == [])
            // The customer writes again: reopened, a new wait; the first response stays as met.
            let again = try await api.send(cast.customer, ticket: ticket.id, "it came back")
            sla = try #require(try await api.ticket(ticket.id, token: cast.agent).sla)
            #expect(sla.firstResponseAt == reply.timestamp)
            #expect(sla.nextResponseDueAt == again.timestamp.addingTimeInterval(1800))
            #expect(sla.resolutionDueAt == nil)
        }
    }

    @Test func aPriorityChangeMovesTheDueTimesAndABreachStays() async throws {
        try await withCast(live: true, configure: Self.targets) { api, cast, server in
            let admin = try await api.socket(cast.admin)
            let opened = server.clock.now
            let ticket = try await api.openTicket(cast.customer, priority: .high)
            try await admin.join(ticket.id)
            let raise = UpdateTicketRequest(priority: .urgent)
            #expect(try await api.put("/api/tickets/\(ticket.id)", token: cast.agent, raise).status == 200)
            #expect(try await api.ticket(ticket.id, token: cast.agent).sla?.firstResponseDueAt == opened.addingTimeInterval(900))
            server.clock.advance(16 * 60)
            let at = try await admin.next { event -> Date? in
                if case .slaBreached(ticket.id, .firstResponse, let at) = event { at } else { nil }
            }
            #expect(at == opened.addingTimeInterval(900))
            let updated = try await admin.next { event -> Ticket? in
                if case .ticketUpdated(let t) = event, t.id == ticket.id, t.sla?.breaches.isEmpty == false { t } else { nil }
            }
            #expect(updated.sla?.breaches == [SLABreach(target: .firstResponse, at: opened.addingTimeInterval(900))])
            // Lowered again, with a longer target that would not have been missed: the breach stays.
            #expect(try await api.put("/api/tickets/\(ticket.id)", token: cast.agent, UpdateTicketRequest(priority: .high)).status == 200)
            let sla = try #require(try await api.ticket(ticket.id, token: cast.agent).sla)
            #expect(sla.breaches.map(\.target) == [.firstResponse])
            #expect(sla.firstResponseDueAt == opened.addingTimeInterval(3600))
            let report: SupportReport = try await api.get("/api/admin/support/reports", token: cast.admin).decode()
            #expect(report.sla["FIRST_RESPONSE"] == TargetFigures(met: 0, breached: 1))
            #expect(report.slaByPriority["URGENT"]?["FIRST_RESPONSE"]?.breached == 1)
            #expect(report.slaBreaches.map(\.ticketId) == [ticket.id])
            await admin.close()
        }
    }

    @Test func theAssigneeIsWarnedThenAnUnansweredTicketMovesOnThenGoesToTheAdmins() async throws {
        try await withCast(live: true, configure: Self.targets) { api, cast, server in
            let first = try await AssignmentTests.bringOnline(api, cast.agent, cast.agentId, admin: cast.admin)
            let ticket = try await api.openTicket(cast.customer, priority: .urgent)
            #expect(ticket.assignedAgent?.id == cast.agentId)
            let second = try await AssignmentTests.bringOnline(api, cast.agent2, cast.agent2Id, admin: cast.admin)
            let admin = try await api.socket(cast.admin)
            // Joined: the hub has the admin's socket before the clock moves (else the frame could go first).
            try await admin.join(ticket.id)
            // 15 minutes to a first response, warned with a quarter left: at 11¼ minutes. But the
            // agent has 5 minutes to reply before the ticket moves on.
            server.clock.advance(5 * 60)
            let moved: (UserRef?, UserRef?)
            do {
                moved = try await admin.next { event -> (UserRef?, UserRef?)? in
                    if case .ticketReassigned(ticket.id, let from, let to, "NO_REPLY") = event { (from, to) } else { nil }
                }
            } catch {
                // What the server holds, for whoever reads a failure (seen once, under CI's load, on PostgreSQL).
                let state = try await api.get("/api/tickets/\(ticket.id)", token: cast.admin).text
                let agents = try await api.get("/api/admin/support/agents", token: cast.admin).text
                Issue.record("not moved; the ticket: \(state); the agents: \(agents)")
                throw error
            }
            #expect(moved.0?.id == cast.agentId && moved.1?.id == cast.agent2Id)
            try await second.next { if case .agentAssigned(ticket.id, let agent, _) = $0, agent.id == cast.agent2Id { true } else { nil } }
            let lines: MessagePage = try await api.get("/api/tickets/\(ticket.id)/messages", token: cast.admin).decode()
            #expect(lines.items.map(\.senderType) == [.system, .system])
            #expect(lines.items.first?.message == "Agent2 is taking over this chat." && lines.items.first?.internal == false)
            #expect(
                lines.items.last?.internal == true
                    && lines.items.last?.message.contains("no public reply within 5 business minutes") == true)
            let customerSees: MessagePage = try await api.get("/api/tickets/\(ticket.id)/messages", token: cast.customer).decode()
            #expect(customerSees.items.count == 1, "the note stays internal")
            // The second agent is warned at 11¼ minutes in.
            server.clock.advance(6.5 * 60)
            let due = try await second.next { event -> Date? in
                if case .slaWarning(ticket.id, .firstResponse, let due) = event { due } else { nil }
            }
            #expect(due == ticket.createdAt.addingTimeInterval(900))
            // Out of rounds (one): the next expiry goes to the admins.
            server.clock.advance(5 * 60)
            let escalated = try await admin.next { event -> UserRef?? in
                if case .ticketReassigned(ticket.id, let from, let to, _) = event, from?.id == cast.agent2Id { to } else { nil }
            }
            #expect(escalated?.id == cast.adminId)
            let now = try await api.ticket(ticket.id, token: cast.admin)
            #expect(now.assignedAgent?.id == cast.adminId)
            // Exactly two moves: nothing fires twice.
            #expect(admin.events.filter { if case .ticketReassigned = $0 { true } else { false } }.count == 2)
            await first.close()
            await second.close()
            await admin.close()
        }
    }

    @Test func aCustomerWritingWhileTheTeamIsAwayIsToldWhenItIsBack() async throws {
        try await withCast(configure: { server in
            Self.targets(&server)
            // The test clock stands on a Wednesday at 11:06 UTC: the team works Mondays only.
            server.configuration.businessHours = BusinessCalendar(
                BusinessHours(timeZone: "UTC", week: ["MON": [["09:00", "17:00"]]], holidays: []))!
        }) { api, cast, server in
            let ticket = try await api.openTicket(cast.customer, priority: .high)
            var page: MessagePage = try await api.get("/api/tickets/\(ticket.id)/messages", token: cast.customer).decode()
            #expect(page.items.map(\.senderType) == [.system])
            #expect(
                page.items.first?.message
                    == "Our team is away right now and will be back on Monday 23 November at 09:00 (UTC time). We will answer you then.")
            let sla = try #require(try await api.ticket(ticket.id, token: cast.agent).sla)
            #expect(sla.paused)
            #expect(sla.firstResponseDueAt == Timestamp.parse("2026-11-23T10:00:00Z"))
            // Writing again in the same wait: no second notice.
            server.clock.advance(60)
            try await api.send(cast.customer, ticket: ticket.id, "anyone?")
            page = try await api.get("/api/tickets/\(ticket.id)/messages", token: cast.customer).decode()
            #expect(page.items.filter { $0.senderType == .system }.count == 1)
        }
    }
}
