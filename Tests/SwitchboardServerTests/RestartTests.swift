import Foundation
import Logging
import SQLKit
import Testing

@testable import SwitchboardProtocol
@testable import SwitchboardServer

@Suite struct RestartTests {
    /// Everything written over real sockets is in the SQLite file after the server stops, and a
    /// new server on the same file serves it unchanged.
    @Test func everyTicketAndMessageSurvivesARestart() async throws {
        var server = try TestServer()
        defer { server.cleanUp() }
        try await server.seed(Cast.staff)
        server.configuration.jwtSecret = nil  // the secret kept in the data directory must survive too
        let written = try await server.withLiveClient { api in
            let cast = try await Cast.assemble(api)
            var tickets: [Ticket] = []
            for index in 0..<3 {
                let customer = index == 2 ? cast.customer2 : cast.customer
                let id = try await api.openTicket(customer, subject: "Ticket \(index)").id
                for turn in 0..<4 {
                    try await api.send(
                        turn.isMultiple(of: 2) ? customer : cast.agent, ticket: id,
                        "t\(index) m\(turn) — ünïcödé 👍🏽", clientId: "t\(index)-\(turn)", note: turn == 3)
                }
                tickets.append(try await api.ticket(id, token: cast.admin))
            }
            let refresh = try await api.login("customer").refreshToken
            return (tickets, refresh)
        }

        // The database, read directly.
        let driver = try await server.openDriver()
        let messageCount = try await driver.reader.raw("SELECT COUNT(*) AS n FROM messages").first(decodingColumn: "n", as: Int.self)
        let bodies = try await driver.reader.raw("SELECT body FROM messages ORDER BY ticket_id, seq").all(
            decodingColumn: "body", as: String.self)
        try await driver.close()
        #expect(messageCount == 12)
        #expect(bodies.first == "t0 m0 — ünïcödé 👍🏽")

        // A new server over the same file.
        try await server.withLiveClient { api in
            let admin = try await api.login("admin").accessToken
            for ticket in written.0 {
                #expect(try await api.ticket(ticket.id, token: admin) == ticket)
                let page: MessagePage = try await api.get("/api/tickets/\(ticket.id)/messages", token: admin).decode()
                #expect(page.items.map(\.seq) == [1, 2, 3, 4])
                #expect(page.items.map(\.clientMessageId) == (0..<4).map { "t\(ticket.subject.last!)-\($0)" })
            }
            // Logins survive as well: the refresh token issued before the restart still works.
            #expect(try await api.post("/api/auth/refresh", RefreshRequest(refreshToken: written.1)).status == 200)
        }
    }

    @Test func migrationsRunOnceAndRecordTheirVersion() async throws {
        let server = try TestServer()
        defer { server.cleanUp() }
        let logger = Logger(label: "test")
        let driver = try await server.openDriver()
        #expect(try await Schema.migrate(driver, logger: logger) == Array(1...15))
        #expect(try await Schema.migrate(driver, logger: logger) == [])
        if driver.flavor == .sqlite {
            let mode = try await driver.reader.raw("PRAGMA journal_mode").first(decodingColumn: "journal_mode", as: String.self)
            #expect(mode == "wal")
        }
        // No query logging at any level: it would write message text into the logs.
        #expect(driver.reader.queryLogLevel == nil)
        #expect(try await driver.transaction { db in db.queryLogLevel == nil })
        try await driver.close()
    }
}
