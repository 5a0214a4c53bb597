import Foundation
import Testing

@testable import SwitchboardClient
@testable import SwitchboardProtocol

@Suite struct APIClientTests {
    @Test func aSupportConversationOverREST() async throws {
        let server = try LiveServer()
        try await server.run { url in
            let customer = APIClient(server: url)
            let me = try await customer.register(RegisterRequest(username: "casey", password: LiveServer.password, displayName: "Casey"))
            #expect(me.user.role == .customer)
            let ticket = try await customer.openTicket(
                CreateTicketRequest(subject: "Card declined", description: "Twice", category: .payment))
            _ = try await customer.post(PostMessageRequest(message: "Hello?", clientMessageId: "c1"), ticket: ticket.id)

            let admin = APIClient(server: url)
            try await admin.login(username: "admin", password: LiveServer.password)
            let agentUser = try await admin.createUser(
                CreateUserRequest(
                    username: "alex", password: LiveServer.password,
                    displayName: "Alex", role: .agent))
            let agent = APIClient(server: url)
            try await agent.login(username: "alex", password: LiveServer.password)
            let queue = try await agent.tickets(["assignedAgentId": "none"])
            #expect(queue.items.map(\.id) == [ticket.id])
            #expect(try await agent.claim(ticket: ticket.id).assignedAgent?.id == agentUser.id)
            _ = try await agent.post(PostMessageRequest(message: "On it", clientMessageId: "a1"), ticket: ticket.id)
            let page = try await customer.messages(ticket: ticket.id)
            #expect(page.items.map(\.message) == ["Hello?", "On it"])
            #expect(try await customer.ticket(ticket.id).unreadCount == 1)
            try await customer.markRead(ticket: ticket.id, upToSeq: 2)
            #expect(try await customer.ticket(ticket.id).unreadCount == 0)
            #expect(try await admin.dashboard().inProgressTickets == 1)

            // Refusals arrive typed, as sentences a person can read.
            let other = APIClient(server: url)
            try await other.register(RegisterRequest(username: "other", password: LiveServer.password, displayName: "Other"))
            do {
                _ = try await other.ticket(ticket.id)
                Issue.record("someone else's ticket was shown")
            } catch let error as APIError {
                #expect(error.code == .notFound && error.status == 404)
                #expect(error.sentence == "Not found: no ticket #\(ticket.id).")
            }
            do {
                _ = try await customer.openTicket(CreateTicketRequest(subject: "  ", description: "d", category: .other))
                Issue.record("an empty subject was accepted")
            } catch let error as APIError {
                #expect(error.sentence == "Please check: subject: must not be empty.")
                // A chat message's refusal is shown under the message: no field name before it.
                #expect(
                    APIError(code: .invalid, message: "message: blocked by this server's 'forbidden' rule", status: 400).sentence
                        == "Blocked by this server's 'forbidden' rule.")
            }
            try await customer.logout()
            #expect(await customer.session == nil)
        }
    }

    /// A client with HTTP connections of its own (a CA file, --insecure, several servers) let go
    /// after a failed sign-in, without `shutdown()`: AsyncHTTPClient stopped the whole process
    /// ("Client not shut down before the deinit"), which is what a mistyped password did to the
    /// terminal client. Reaching the end of this test is the check.
    @Test func aClientLetGoWithoutShutdownDoesNotStopTheProcess() async throws {
        let server = try LiveServer()
        try await server.run { url in
            for _ in 0..<3 {
                let client = try APIClient(server: url, security: TransportSecurity())
                await #expect(throws: APIError.self) { try await client.login(username: "admin", password: "not the password") }
            }
            let failover = APIClient(server: url, fallbacks: [URL(string: "http://127.0.0.1:9")!])
            _ = try await failover.login(username: "admin", password: LiveServer.password)
        }
        try await Task.sleep(for: .milliseconds(200))  // the shutdowns finish on their own
    }

    /// A terminal client is told that nothing listens without waiting for the request's deadline
    /// (it showed "Signing in…" for the whole 30 s while the connection was retried). The bound is
    /// half a long deadline, not a speed: a loaded test machine takes seconds for anything.
    @Test func aRefusedConnectionIsReportedAtOnce() async throws {
        let client = try APIClient(server: URL(string: "http://127.0.0.1:1")!, security: TransportSecurity(), timeout: .seconds(120))
        let start = ContinuousClock.now
        do {
            _ = try await client.login(username: "admin", password: "whatever")
            Issue.record("signed in to nothing")
        } catch {
            #expect(error.sentence.hasPrefix("Cannot reach the server"), "\(error.sentence)")
        }
        #expect(ContinuousClock.now - start < .seconds(60), "not retried until the request's deadline")
        await client.shutdown()
    }

    /// An expired access token is refreshed once, without the caller noticing.
    @Test func expiredTokensAreRefreshedOnce() async throws {
        let server = try LiveServer()
        try await server.run { url in
            let client = APIClient(server: url)
            let first = try await client.login(username: "admin", password: LiveServer.password)
            server.advance(16 * 60)  // past the 15-minute access token
            #expect(try await client.me().username == "admin")
            let second = await client.session
            #expect(second?.accessToken != first.accessToken && second?.refreshToken != first.refreshToken)
            // A login that has ended cannot be refreshed: the error comes through.
            server.advance(31 * 86_400)
            do {
                _ = try await client.me()
                Issue.record("an expired login still worked")
            } catch let error as APIError {
                #expect(error.code == .unauthorized)
            }
        }
    }

    @Test func anUnreachableServerIsASentenceToo() async throws {
        let client = APIClient(server: URL(string: "http://127.0.0.1:9")!, timeout: .seconds(1))
        do {
            _ = try await client.login(username: "a", password: "b")
            Issue.record("nothing listens on port 9")
        } catch {
            #expect(error.status == 0 && error.sentence.hasPrefix("Cannot reach the server"))
        }
    }
}
