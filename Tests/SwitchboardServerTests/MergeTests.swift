import Foundation
import Testing

@testable import SwitchboardProtocol
@testable import SwitchboardServer

/// Joining one customer's ticket into another: the messages follow in time order, notes stay
/// notes, seqs stay gap-free, every client is told to move, and merges at once (the same pair,
/// or opposite directions) leave one consistent result. SQLite, and PostgreSQL with
/// `SWITCHBOARD_TEST_POSTGRES`.
@Suite struct MergeTests {
    static func merge(_ api: API, _ id: Int, into: Int, token: String) async throws -> Reply {
        try await api.post("/api/tickets/\(id)/merge", token: token, MergeTicketRequest(intoTicketId: into))
    }

    static func messages(_ api: API, _ id: Int, token: String) async throws -> [Message] {
        try await api.get("/api/tickets/\(id)/messages?limit=200", token: token).decode(MessagePage.self).items
    }

    /// Two tickets of the customer's, talked on in turns (so time order interleaves them).
    static func twoTickets(_ api: API, _ cast: Cast) async throws -> (target: Ticket, source: Ticket) {
        let target = try await api.openTicket(cast.customer, subject: "Card declined")
        let source = try await api.openTicket(cast.customer, subject: "Charged twice")
        try await api.send(cast.customer, ticket: source.id, "It happened again", clientId: "c-source-\(source.id)")
        try await api.send(cast.agent, ticket: target.id, "Which card?")
        try await api.send(cast.agent, ticket: source.id, "Checking with billing", note: true)
        try await api.send(cast.agent, ticket: source.id, "I see two charges.")
        return (target, source)
    }

    @Test func theMessagesFollowInTimeOrderAndTheSourceCloses() async throws {
        try await withCast { api, cast, _ in
            let (target, source) = try await Self.twoTickets(api, cast)
            let before = try await Self.messages(api, target.id, token: cast.agent)
            let reply = try await Self.merge(api, source.id, into: target.id, token: cast.agent)
            #expect(reply.status == 200, "\(reply.text)")
            #expect(try reply.decode(Ticket.self).id == target.id)
            let after = try await Self.messages(api, target.id, token: cast.agent)
            #expect(after.map(\.seq) == Array(1...after.count), "gap-free")
            #expect(Array(after.prefix(before.count)) == before, "what the target had is untouched")
            let intro = after[before.count]
            #expect(intro.senderType == .system && !intro.internal)
            #expect(intro.message == "Ticket #\(source.id) “Charged twice” was merged into this one by Agent; its messages follow.")
            let moved = Array(after.dropFirst(before.count + 1))
            // What the customer wrote when opening it comes first, as theirs.
            #expect(moved.map(\.message) == [source.description, "It happened again", "Checking with billing", "I see two charges."])
            #expect(moved.first?.sender.id == cast.customerId && moved.first?.timestamp == source.createdAt)
            #expect(moved.allSatisfy { $0.mergedFromTicketId == source.id })
            #expect(moved.map(\.internal) == [false, false, true, false], "the note stays a note")
            #expect(moved.map(\.timestamp) == moved.map(\.timestamp).sorted())
            // The customer sees the same minus the note.
            let customerView = try await Self.messages(api, target.id, token: cast.customer)
            #expect(!customerView.contains { $0.internal } && customerView.count == after.count - 1)
            let closed = try await api.ticket(source.id, token: cast.customer)
            #expect(closed.status == .closed && closed.mergedIntoId == target.id && !closed.wantsRating)
            #expect(closed.unreadCount == 0, "the merge was told to whoever followed it")
            let left = try await Self.messages(api, source.id, token: cast.agent)
            #expect(left.map(\.message) == ["Merged into #\(target.id) by Agent; the conversation goes on there."])
        }
    }

    @Test func everyClientIsToldAndResumesAcrossTheMerge() async throws {
        try await withCast(live: true, configure: RealtimeChatTests.fast) { api, cast, _ in
            let (target, source) = try await Self.twoTickets(api, cast)
            let held = try await Self.messages(api, target.id, token: cast.customer).last?.seq ?? 0
            let customer = try await api.socket(cast.customer)
            try await customer.join(target.id, sinceSeq: held)
            try await customer.join(source.id, sinceSeq: nil)
            let watcher = try await api.socket(cast.agent2)
            try await watcher.join(source.id, sinceSeq: nil)
            #expect(try await Self.merge(api, source.id, into: target.id, token: cast.agent).status == 200)
            for probe in [customer, watcher] {
                try await probe.next { if case .ticketMerged(source.id, target.id) = $0 { true } else { nil } }
            }
            // Live, in seq order, never the note (held + 4).
            try await customer.waitUntil(seconds: 15) { customer.messages(of: target.id).count == 4 }
            let live = customer.messages(of: target.id)
            #expect(live.map(\.seq) == [held + 1, held + 2, held + 3, held + 5] && !live.contains { $0.internal })
            await customer.close()
            // A client that was away resumes from the seq it held.
            let later = try await api.socket(cast.customer)
            try await later.join(target.id, sinceSeq: held)
            try await later.waitUntil(seconds: 15) { later.messages(of: target.id).count == 4 }
            #expect(later.messages(of: target.id).map(\.seq) == live.map(\.seq))
            await later.close()
            await watcher.close()
        }
    }

    @Test func refusalsSayWhy() async throws {
        try await withCast { api, cast, _ in
            let (target, source) = try await Self.twoTickets(api, cast)
            let stranger = try await api.openTicket(cast.customer2)
            let other = try await Self.merge(api, stranger.id, into: target.id, token: cast.agent)
            #expect(other.status == 409 && other.error?.message.contains("different customers'") == true, "\(other.text)")
            #expect(try await Self.merge(api, target.id, into: target.id, token: cast.agent).status == 400)
            #expect(try await Self.merge(api, source.id, into: target.id, token: cast.customer).status == 403)
            #expect(try await Self.merge(api, source.id, into: 999_999, token: cast.agent).status == 404)
            #expect(try await Self.merge(api, source.id, into: target.id, token: cast.agent).status == 200)
            let twice = try await Self.merge(api, source.id, into: target.id, token: cast.agent)
            #expect(twice.status == 409 && twice.error?.message.contains("already") == true, "\(twice.text)")
            let intoMerged = try await Self.merge(api, target.id, into: source.id, token: cast.agent)
            #expect(intoMerged.status == 409, "\(intoMerged.text)")
            let third = try await api.openTicket(cast.customer)
            try await RatingTests.setStatus(api, third.id, .closed, token: cast.customer)
            let intoClosed = try await Self.merge(api, target.id, into: third.id, token: cast.agent)
            #expect(intoClosed.status == 409 && intoClosed.error?.message.contains("closed") == true, "\(intoClosed.text)")
        }
    }

    /// A client that has not heard of the merge writes where the conversation went; a resend of a
    /// message that moved is answered with the original.
    @Test func aMessageToAMergedTicketGoesWhereItWasMerged() async throws {
        try await withCast { api, cast, _ in
            let (target, source) = try await Self.twoTickets(api, cast)
            #expect(try await Self.merge(api, source.id, into: target.id, token: cast.agent).status == 200)
            let late = try await api.send(cast.customer, ticket: source.id, "Any news?", clientId: "c-late")
            #expect(late.ticketId == target.id)
            let resend = try await api.post(
                "/api/tickets/\(source.id)/messages", token: cast.customer,
                PostMessageRequest(message: "It happened again", clientMessageId: "c-source-\(source.id)"))
            #expect(resend.status == 200, "\(resend.text)")
            #expect(try resend.decode(Message.self).ticketId == target.id)
            let all = try await Self.messages(api, target.id, token: cast.agent)
            #expect(all.filter { $0.message == "It happened again" }.count == 1, "stored once")
        }
    }

    /// Many pairs merged at once, both ways and twice the same way: each pair ends with one ticket
    /// holding every message, gap-free, and the other closed into it.
    @Test func mergesAtOnceLeaveOneConsistentResult() async throws {
        try await withCast { api, cast, _ in
            for round in 0..<6 {
                let (a, b) = try await Self.twoTickets(api, cast)
                let total =
                    try await Self.messages(api, a.id, token: cast.agent).count + Self.messages(api, b.id, token: cast.agent).count
                let attempts: [(Int, Int, String)] =
                    round % 2 == 0
                    ? [(b.id, a.id, cast.agent), (a.id, b.id, cast.agent2), (b.id, a.id, cast.admin)]
                    : [(a.id, b.id, cast.agent), (a.id, b.id, cast.agent2)]
                let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
                    for (from, into, token) in attempts {
                        group.addTask { try await Self.merge(api, from, into: into, token: token).status }
                    }
                    return try await group.reduce(into: []) { $0.append($1) }
                }
                #expect(
                    statuses.filter { $0 == 200 }.count == 1 && statuses.filter { $0 == 409 }.count == attempts.count - 1, "\(statuses)")
                let ta = try await api.ticket(a.id, token: cast.agent), tb = try await api.ticket(b.id, token: cast.agent)
                let (kept, gone) = ta.mergedIntoId == nil ? (ta, tb) : (tb, ta)
                #expect(gone.mergedIntoId == kept.id && gone.status == .closed && kept.mergedIntoId == nil)
                let held = try await Self.messages(api, kept.id, token: cast.agent)
                #expect(held.map(\.seq) == Array(1...held.count))
                #expect(held.count == total + 2, "every message, the source's description, and the merge's line")
                #expect(try await Self.messages(api, gone.id, token: cast.agent).count == 1)
            }
        }
    }
}
