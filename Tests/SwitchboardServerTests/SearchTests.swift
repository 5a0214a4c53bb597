import Foundation
import Logging
import SQLKit
import Testing

@testable import SwitchboardProtocol
@testable import SwitchboardServer

/// `GET /api/search` over a real index: SQLite's FTS5, and PostgreSQL's tsvector with
/// `SWITCHBOARD_TEST_POSTGRES`. Words, prefixes, phrases, filters, folding, wide scripts,
/// ranking, paging, who sees what, and the index kept in step with every change.
@Suite struct SearchTests {
    static func search(_ api: API, _ q: String, token: String, limit: Int? = nil, cursor: String? = nil) async throws -> Reply {
        var items = [URLQueryItem(name: "q", value: q)]
        if let limit { items.append(URLQueryItem(name: "limit", value: String(limit))) }
        if let cursor { items.append(URLQueryItem(name: "cursor", value: cursor)) }
        var components = URLComponents()
        components.path = "/api/search"
        components.queryItems = items
        return try await api.get(components.percentEncodedPath + "?" + (components.percentEncodedQuery ?? ""), token: token)
    }

    static func hits(_ api: API, _ q: String, token: String) async throws -> [SearchHit] {
        let reply = try await search(api, q, token: token)
        #expect(reply.status == 200, "\(q): \(reply.text)")
        return try reply.decode(SearchPage.self).items
    }

    @Test func wordsPrefixesPhrasesAndFiltersFindWhatWasSaid() async throws {
        try await withCast { api, cast, _ in
            let refund = try await api.openTicket(cast.customer, subject: "Refund for order 1182", description: "The parcel never came")
            let card = try await api.openTicket(cast.customer, subject: "Card declined", description: "At the checkout")
            try await api.send(cast.customer, ticket: refund.id, "I was promised a refund last week")
            try await api.send(cast.agent, ticket: refund.id, "Your money was refunded today.")
            try await api.send(cast.agent, ticket: card.id, "Which card was declined? The Visa?")
            try await api.send(cast.customer, ticket: card.id, "My card declined at the café, then the bank called")

            let refundHits = try await Self.hits(api, "refund", token: cast.agent)
            #expect(Set(refundHits.map(\.ticketId)) == [refund.id], "word forms: refunded too")
            #expect(refundHits.count == 3, "the subject and both messages: \(refundHits.map(\.snippet))")
            #expect(refundHits.contains { $0.messageId == nil && $0.seq == 0 && $0.snippet.contains("«Refund»") })
            #expect(refundHits.contains { $0.snippet.contains("«refunded»") && $0.sender.id == cast.agentId })
            #expect(try await Self.hits(api, "refu*", token: cast.agent).count == 3, "a prefix")
            #expect(try await Self.hits(api, "the refund", token: cast.agent).count == 3, "a stop word beside others narrows nothing")
            // A phrase: these words, in this order, together.
            let phrase = try await Self.hits(api, "\"card declined\"", token: cast.agent)
            #expect(phrase.map(\.ticketId).allSatisfy { $0 == card.id } && phrase.count == 2, "\(phrase.map(\.snippet))")
            #expect(try await Self.hits(api, "\"declined card\"", token: cast.agent).isEmpty)
            // Accents and case folded both ways.
            #expect(try await Self.hits(api, "CAFE", token: cast.agent).count == 1)
            #expect(try await Self.hits(api, "café bank", token: cast.agent).first?.snippet.contains("«café»") == true)
            // Filters.
            #expect(try await Self.hits(api, "card from:agent", token: cast.agent).map(\.sender.id) == [cast.agentId])
            #expect(try await Self.hits(api, "card from:Cust", token: cast.agent).allSatisfy { $0.sender.id == cast.customerId })
            #expect(try await Self.hits(api, "refund #\(card.id)", token: cast.agent).isEmpty)
            #expect(try await Self.hits(api, "#\(card.id)", token: cast.agent).count == 2, "a filter alone: the ticket's messages")
            try await RatingTests.setStatus(api, card.id, .resolved, token: cast.agent)
            #expect(try await Self.hits(api, "card status:resolved", token: cast.agent).allSatisfy { $0.ticketId == card.id })
            #expect(try await Self.hits(api, "refund status:resolved", token: cast.agent).isEmpty)
            #expect(try await Self.hits(api, "refund before:2000-01-01", token: cast.agent).isEmpty)
            #expect(try await Self.hits(api, "refund after:2000-01-01", token: cast.agent).count == 3)
            // Nothing to find is a sentence, not an empty page.
            for bad in ["", "   ", "status:soon", "before:yesterday", "from:"] {
                let reply = try await Self.search(api, bad, token: cast.agent)
                #expect(reply.status == 400 && reply.error?.message.hasPrefix("q:") == true, "'\(bad)': \(reply.text)")
            }
        }
    }

    @Test func wideScriptsAreFoundBySubstring() async throws {
        try await withCast { api, cast, _ in
            let ticket = try await api.openTicket(cast.customer, subject: "荷物", description: "我的包裹在哪里？")
            try await api.send(cast.customer, ticket: ticket.id, "配達はいつですか")
            #expect(try await Self.hits(api, "包裹", token: cast.agent).first?.snippet.contains("«包裹»") == true)
            #expect(try await Self.hits(api, "配達", token: cast.agent).count == 1)
            #expect(try await Self.hits(api, "包配", token: cast.agent).isEmpty, "a run, not scattered characters")
        }
    }

    @Test func theBestMatchComesFirstAndPagesGoOnByCursor() async throws {
        try await withCast { api, cast, _ in
            let ticket = try await api.openTicket(cast.customer, subject: "Parcel", description: "Where is it")
            for index in 0..<23 {
                try await api.send(
                    cast.agent, ticket: ticket.id, "Update \(index): the courier has the parcel and many other things to carry today")
            }
            let best = try await api.send(cast.customer, ticket: ticket.id, "parcel parcel parcel")
            let first = try await Self.search(api, "parcel", token: cast.agent, limit: 10).decode(SearchPage.self)
            #expect(first.items.first?.messageId == best.id, "the most and the densest first: \(first.items.map(\.snippet))")
            var seen = first.items.map { $0.messageId ?? -$0.ticketId }
            var cursor = first.nextCursor
            while let next = cursor {
                let page = try await Self.search(api, "parcel", token: cast.agent, limit: 10, cursor: next).decode(SearchPage.self)
                seen += page.items.map { $0.messageId ?? -$0.ticketId }
                cursor = page.nextCursor
            }
            #expect(seen.count == 25 && Set(seen).count == 25, "24 messages and the subject, each once")
            #expect(try await Self.search(api, "parcel", token: cast.agent, cursor: "nonsense").status == 400)
            #expect(try await Self.search(api, "parcel", token: cast.agent, limit: 0).status == 400)
        }
    }

    /// A customer's search reads their own tickets and never a note, whatever they type.
    @Test func aCustomerFindsOnlyTheirOwnAndNeverANote() async throws {
        try await withCast { api, cast, _ in
            let mine = try await api.openTicket(cast.customer, subject: "Secret plan", description: "mine")
            let theirs = try await api.openTicket(cast.customer2, subject: "Secret plan", description: "someone else's secret")
            try await api.send(cast.agent, ticket: mine.id, "secret: refund without asking", note: true)
            try await api.send(cast.agent, ticket: theirs.id, "their secret", note: false)
            let hostile = [
                "secret", "secret*", "\"secret plan\"", "#\(theirs.id)", "secret #\(theirs.id)", "from:agent", "from:customer2",
                "secret OR plan", "secret NOT mine", "NEAR(secret plan)", "search_text:secret", "s*", "* secret", "^secret",
                "secret') OR 1=1 --", "'; DROP TABLE messages; --", "\"", "\"\"\"", "secret\u{0}", "status:open", "after:1970-01-01",
                "internal", "note", String(repeating: "secret ", count: 400),
            ]
            for q in hostile {
                let reply = try await Self.search(api, q, token: cast.customer)
                #expect(reply.status == 200 || reply.status == 400, "\(q.prefix(40)): \(reply.status) \(reply.text.prefix(200))")
                guard reply.status == 200 else { continue }
                let hits = try reply.decode(SearchPage.self).items
                #expect(hits.allSatisfy { $0.ticketId == mine.id && !$0.internal }, "\(q.prefix(40)): \(hits.map(\.snippet))")
            }
            // Staff see the note; the customer2 sees theirs only.
            #expect(try await Self.hits(api, "refund", token: cast.agent).contains { $0.internal })
            #expect(try await Self.hits(api, "secret", token: cast.customer2).allSatisfy { $0.ticketId == theirs.id })
        }
    }

    /// The index follows every change in the transaction that makes it: an edited subject, a
    /// merge, a deletion.
    @Test func theIndexKeepsInStepWithEditsMergesAndDeletions() async throws {
        try await withCast { api, cast, _ in
            let ticket = try await api.openTicket(cast.customer, subject: "Broken lamp", description: "It flickers")
            #expect(
                try await api.put("/api/tickets/\(ticket.id)", token: cast.agent, UpdateTicketRequest(subject: "Flickering bulb")).status
                    == 200)
            #expect(try await Self.hits(api, "lamp", token: cast.agent).isEmpty)
            #expect(try await Self.hits(api, "bulb", token: cast.agent).map(\.ticketId) == [ticket.id])
            let other = try await api.openTicket(cast.customer, subject: "Lamp again", description: "Still")
            try await api.send(cast.customer, ticket: other.id, "the zebra-striped shade")
            #expect(try await MergeTests.merge(api, other.id, into: ticket.id, token: cast.agent).status == 200)
            let moved = try await Self.hits(api, "zebra", token: cast.agent)
            #expect(moved.map(\.ticketId) == [ticket.id] && moved.first?.seq ?? 0 > 1, "found where it went")
            #expect(try await api.delete("/api/tickets/\(ticket.id)", token: cast.admin).status == 204)
            #expect(try await Self.hits(api, "zebra", token: cast.agent).isEmpty)
            #expect(try await Self.hits(api, "bulb", token: cast.agent).isEmpty)
        }
    }

    /// A database from before the index: its rows get their text at the next start, and are found.
    @Test func rowsFromBeforeTheIndexAreFoundAfterTheNextStart() async throws {
        let server = try TestServer()
        defer { server.cleanUp() }
        let driver = try await server.openDriver()
        try await Schema.migrate(driver, logger: Logger(label: "test"))
        try await server.seed(Cast.staff)
        try await server.withClient { api in
            let cast = try await Cast.assemble(api)
            let ticket = try await api.openTicket(cast.customer, subject: "Old times", description: "From before")
            try await api.send(cast.customer, ticket: ticket.id, "an aardvark in the warehouse")
        }
        try await driver.transaction { db in
            try await db.raw("UPDATE messages SET search_text = NULL").run()
            try await db.raw("UPDATE tickets SET search_text = NULL").run()
        }
        try await Schema.migrate(driver, logger: Logger(label: "test"))
        try await driver.close()
        try await server.withClient { api in
            let agent = try await api.login("agent")
            #expect(try await Self.hits(api, "aardvark", token: agent.accessToken).count == 1)
            #expect(try await Self.hits(api, "old times", token: agent.accessToken).count == 1)
        }
    }

    /// A word in more messages than the rank window: an unfiltered staff search ranks its newest
    /// matches (the densest of those first), and a filter, or a customer, ranks every match.
    @Test func aVeryCommonWordIsRankedAmongItsNewestMatches() async throws {
        try await withCast { api, cast, server in
            let ticket = try await api.openTicket(cast.customer, subject: "Noise", description: "lots")
            // The oldest match is the densest; thousands of plain ones come after it.
            let dense = try await api.send(cast.customer, ticket: ticket.id, "widget widget widget widget")
            let driver = try await server.openDriver()
            let now = Int64(Date().timeIntervalSince1970 * 1000)
            let count = SQLStore.rankWindow + 200
            let bool = driver.flavor == .postgres ? "FALSE" : "0"
            for start in stride(from: 0, to: count, by: 500) {
                let rows = (start..<min(count, start + 500)).map { index -> String in
                    "(\(ticket.id), \(dense.seq + 1 + index), \(cast.agentId), 'AGENT', 'a widget note \(index) of many words here', 'TEXT', \(bool), \(now + Int64(index)), 'a widget note \(index) of many words here')"
                }
                try await driver.transaction { db in
                    try await db.raw(
                        SQLQueryString(
                            "INSERT INTO messages (ticket_id, seq, sender_id, sender_type, body, message_type, internal, created_at, search_text) VALUES "
                                + rows.joined(separator: ", "))
                    ).run()
                }
            }
            try await driver.transaction { db in
                try await db.raw("UPDATE tickets SET last_seq = \(bind: dense.seq + count) WHERE id = \(bind: ticket.id)").run()
            }
            try await driver.close()
            let unfiltered = try await Self.hits(api, "widget", token: cast.agent)
            #expect(unfiltered.count == 20 && !unfiltered.contains { $0.messageId == dense.id }, "the dense one is older than the window")
            let filtered = try await Self.hits(api, "widget #\(ticket.id)", token: cast.agent)
            #expect(filtered.first?.messageId == dense.id, "a filter ranks every match")
            #expect(try await Self.hits(api, "widget", token: cast.customer).first?.messageId == dense.id, "so does a customer's search")
        }
    }

    @Test func queriesAreReadAsWritten() throws {
        let query = try SearchQuery.parse(#"refund* "card declined" from:Casey #12 status:open before:2026-12-01 e-mail 東京"#)
        #expect(
            query.terms == [.word("refund", prefix: true), .phrase(["card", "declined"]), .phrase(["e", "mail"]), .phrase(["東", "京"])])
        #expect(query.from == "Casey" && query.ticketId == 12 && query.statuses == [.open])
        #expect(query.fts5 == #""refund"* "card declined" "e mail" "東 京""#)
        #expect(query.tsquery == "'refund':* & ('card' <-> 'declined') & ('e' <-> 'mail') & ('東' <-> '京')")
        #expect(try SearchQuery.parse("the refund is the refund").fts5 == #""refund""#, "stop words and repeats left out")
        #expect(try SearchQuery.parse("the").fts5 == #""the""#, "a stop word alone is looked for")
        #expect(try SearchQuery.parse(#"th* "the end""#).fts5 == #""th"* "the end""#)
        #expect(SearchText.fold("Ça COÛTE 5€ — 東京で") == "ca coute 5€ — 東 京 で")
        #expect(SearchSnippet.make("Your money was Refunded today.", words: [("refund", false)]) == "Your money was «Refunded» today.")
    }
}
