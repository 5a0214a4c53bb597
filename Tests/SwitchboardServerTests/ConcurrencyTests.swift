import Foundation
import Testing
@testable import SwitchboardProtocol
@testable import SwitchboardServer

@Suite struct ConcurrencyTests {
    /// Parallel senders on one ticket over real sockets: every message stored, seq 1…N with no
    /// gap and no repeat, and concurrent resends of one message stored once.
    @Test func parallelSendersGetGapFreeSeq() async throws {
        try await withCast(live: true) { api, cast, _ in
            let id = try await api.openTicket(cast.customer).id
            let senders = [cast.customer, cast.agent, cast.agent2, cast.admin]
            let seqs = try await withThrowingTaskGroup(of: Int.self) { group in
                for index in 0..<40 {
                    group.addTask {
                        try await api.send(senders[index % senders.count], ticket: id, "message \(index)", clientId: "p-\(index)").seq
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(seqs.sorted() == Array(1...40))

            let resends = try await withThrowingTaskGroup(of: (Int, Int).self) { group in
                for _ in 0..<10 {
                    group.addTask {
                        let reply = try await api.post("/api/tickets/\(id)/messages", token: cast.customer,
                                                       PostMessageRequest(message: "only once", clientMessageId: "same"))
                        return (reply.status, try reply.decode(Message.self).id)
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(resends.filter { $0.0 == 201 }.count == 1)
            #expect(resends.filter { $0.0 == 200 }.count == 9)
            #expect(Set(resends.map(\.1)).count == 1)
            let page: MessagePage = try await api.get("/api/tickets/\(id)/messages?limit=200", token: cast.admin).decode()
            #expect(page.items.map(\.seq) == Array(1...41))
        }
    }
}
