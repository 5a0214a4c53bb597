import Foundation
import Testing

@testable import SwitchboardProtocol
@testable import SwitchboardServer

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

@Suite struct ConcurrencyTests {
    /// Parallel senders on one ticket over many real connections: every message stored, seq 1…N
    /// with no gap and no repeat, and concurrent resends of one message stored once — with the
    /// writer batching them into shared commits.
    @Test func parallelSendersGetGapFreeSeq() async throws {
        try await withCast(live: true) { api, cast, _ in
            let id = try await api.openTicket(cast.customer).id
            let session = Self.session()
            let senders = [cast.customer, cast.agent, cast.agent2, cast.admin]
            let seqs = try await withThrowingTaskGroup(of: Int.self) { group in
                for index in 0..<200 {
                    group.addTask {
                        let (status, message) = try await Self.post(
                            session, port: api.port, token: senders[index % senders.count], ticket: id,
                            PostMessageRequest(message: "message \(index)", clientMessageId: "p-\(index)"))
                        #expect(status == 201)
                        return message?.seq ?? 0
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(seqs.sorted() == Array(1...200))

            let resends = try await withThrowingTaskGroup(of: (Int, Int).self) { group in
                for _ in 0..<20 {
                    group.addTask {
                        let (status, message) = try await Self.post(
                            session, port: api.port, token: cast.customer, ticket: id,
                            PostMessageRequest(message: "only once", clientMessageId: "same"))
                        return (status, message?.id ?? 0)
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(resends.filter { $0.0 == 201 }.count == 1)
            #expect(resends.filter { $0.0 == 200 }.count == 19)
            #expect(Set(resends.map(\.1)).count == 1)
            let page: MessagePage = try await api.get("/api/tickets/\(id)/messages?limit=200&afterSeq=0", token: cast.admin).decode()
            #expect(page.items.map(\.seq) == Array(1...200))
            #expect(try await api.ticket(id, token: cast.admin).messageCount == 201)
        }
    }

    /// Refusals inside a shared commit: posts to a closed ticket fail while posts to an open one,
    /// batched with them, must all stand — gap-free — and the refused leave nothing behind.
    @Test func refusalsInABatchLeaveTheOthersStanding() async throws {
        try await withCast(live: true) { api, cast, _ in
            let open = try await api.openTicket(cast.customer).id
            let closed = try await api.openTicket(cast.customer).id
            _ = try await api.put("/api/tickets/\(closed)", token: cast.customer, UpdateTicketRequest(status: .closed))
            let session = Self.session()
            let results = try await withThrowingTaskGroup(of: (Int, Int).self) { group in
                for index in 0..<200 {
                    group.addTask {
                        let ticket = index.isMultiple(of: 2) ? open : closed
                        let (status, _) = try await Self.post(
                            session, port: api.port, token: cast.agent, ticket: ticket,
                            PostMessageRequest(message: "m\(index)", clientMessageId: "r-\(index)"))
                        return (ticket, status)
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(results.filter { $0.0 == open }.allSatisfy { $0.1 == 201 })
            #expect(results.filter { $0.0 == closed }.allSatisfy { $0.1 == 409 })
            let page: MessagePage = try await api.get("/api/tickets/\(open)/messages?limit=200&afterSeq=0", token: cast.admin).decode()
            #expect(page.items.map(\.seq) == Array(1...100))
            #expect(try await api.ticket(closed, token: cast.admin).messageCount == 0)
            #expect(try await api.ticket(open, token: cast.admin).status == .inProgress)
        }
    }

    static func session() -> URLSession {
        let configuration = URLSessionConfiguration.ephemeral
        configuration.httpMaximumConnectionsPerHost = 32
        return URLSession(configuration: configuration)
    }

    static func post(
        _ session: URLSession, port: Int, token: String, ticket: Int, _ body: PostMessageRequest
    ) async throws -> (Int, Message?) {
        var request = URLRequest(url: URL(string: "http://127.0.0.1:\(port)/api/tickets/\(ticket)/messages")!)
        request.httpMethod = "POST"
        request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization")
        request.httpBody = try WireJSON.encoder().encode(body)
        let (data, response) = try await session.data(for: request)
        return ((response as? HTTPURLResponse)?.statusCode ?? 0, try? WireJSON.decoder().decode(Message.self, from: data))
    }
}

@Suite struct ReadYourWritesTests {
    /// Writes answered with a read of what was just written, many at once over many connections:
    /// every answer must find its row. (One shared SQLite reader connection used to hand some reads
    /// the snapshot of another statement still running on it: "500 INTERNAL" under load.)
    @Test func parallelCreatesReadBackWhatTheyWrote() async throws {
        try await withCast(live: true) { api, cast, _ in
            let configuration = URLSessionConfiguration.ephemeral
            configuration.httpMaximumConnectionsPerHost = 32
            let session = URLSession(configuration: configuration)
            let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
                for index in 0..<400 {
                    group.addTask {
                        let staff = index.isMultiple(of: 2)
                        var request = URLRequest(
                            url: URL(string: "http://127.0.0.1:\(api.port)\(staff ? "/api/admin/users" : "/api/tickets")")!)
                        request.httpMethod = "POST"
                        request.setValue("Bearer \(staff ? cast.admin : cast.customer)", forHTTPHeaderField: "Authorization")
                        request.httpBody =
                            staff
                            ? try WireJSON.encoder().encode(
                                CreateUserRequest(
                                    username: "parallel\(index)", password: TestServer.password,
                                    displayName: "P\(index)", role: .agent))
                            : try WireJSON.encoder().encode(
                                CreateTicketRequest(subject: "Parallel \(index)", description: "d", category: .other))
                        let (_, response) = try await session.data(for: request)
                        return (response as? HTTPURLResponse)?.statusCode ?? 0
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(statuses.allSatisfy { $0 == 201 }, "\(statuses.filter { $0 != 201 }.count) of \(statuses.count) failed")
        }
    }
}
