import Foundation
import SwitchboardClient
import SwitchboardProtocol

/// Set-up work of the benchmark, run with bounded concurrency.
enum BenchSetup {
    /// Runs `work` for each index, at most `width` at a time.
    static func forEach(_ count: Int, width: Int = 32, _ work: @escaping @Sendable (Int) async throws -> Void) async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            var next = 0
            while next < min(width, count) {
                let index = next
                group.addTask { try await work(index) }
                next += 1
            }
            while try await group.next() != nil {
                if next < count {
                    let index = next
                    group.addTask { try await work(index) }
                    next += 1
                }
            }
        }
    }
}

extension BenchSetup {
    /// Opens every socket in `group` (100 at a time: no SYN flood of our own), socket `index`
    /// with the population's token `index` on `url(index)`, and waits until all have joined
    /// their rooms; returns how long that took.
    static func connect(
        _ everyone: [BenchSocket], of population: BenchPopulation, url: (Int) -> String, tally: BenchTally,
        resume: Bool = false, in group: inout ThrowingTaskGroup<Void, any Error>
    ) async throws -> Duration {
        let start = ContinuousClock.now
        for (index, socket) in everyone.enumerated() {
            let token = population.token(index), url = url(index)
            group.addTask { await socket.run(url: url, token: token, tally: tally, resume: resume) }
            if index % 100 == 99 { try await Task.sleep(for: .milliseconds(20)) }
        }
        try await waitUntil("connections did not all join in 5 minutes", within: .seconds(300)) { everyone.allSatisfy(\.isJoined) }
        return ContinuousClock.now - start
    }

    /// Polls `done` every 50 ms; throws `failure` after `limit`.
    static func waitUntil(_ failure: String, within limit: Duration, _ done: () async -> Bool) async throws {
        let deadline = ContinuousClock.now + limit
        while await !done() {
            if ContinuousClock.now > deadline { throw BenchError(failure) }
            try await Task.sleep(for: .milliseconds(50))
        }
    }
}

struct BenchError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// The benchmark's people: `pairs` customers, each with one ticket assigned to agent
/// `i mod agents`, and the agents (created AWAY, so auto-assignment leaves the tickets where the
/// benchmark put them), all signed in.
struct BenchPopulation: Sendable {
    var customerTokens: [String]
    var agentTokens: [String]
    /// Customer i's ticket.
    var ticketIds: [Int]

    var pairs: Int { ticketIds.count }
    var agents: Int { agentTokens.count }

    static func make(base: URL, admin adminClient: APIClient, pairs: Int, agents agentCount: Int) async throws -> BenchPopulation {
        let run = String(UInt32.random(in: 0...UInt32.max), radix: 36)
        say("set-up: \(pairs) customers, \(agentCount) agents, run \(run)")
        let setupStart = ContinuousClock.now
        let agentTokens = Tokens(count: agentCount), agentIds = Tokens(count: agentCount)
        try await BenchSetup.forEach(agentCount) { index in
            let username = "bench-\(run)-a\(index)"
            let agent = try await adminClient.createUser(
                CreateUserRequest(
                    username: username, password: "bench-password", displayName: "Agent \(index)", role: .agent))
            _ = try await adminClient.setAgent(agent.id, AgentStatusRequest(status: .away, capacity: 100))
            let login = try await APIClient(server: base).login(username: username, password: "bench-password")
            agentTokens.set(index, login.accessToken)
            agentIds.set(index, String(agent.id))
        }
        let customerTokens = Tokens(count: pairs), tickets = Tokens(count: pairs)
        try await BenchSetup.forEach(pairs) { index in
            let customer = APIClient(server: base)
            let auth = try await customer.register(
                RegisterRequest(
                    username: "bench-\(run)-c\(index)", password: "bench-password", displayName: "Customer \(index)"))
            let ticket = try await customer.openTicket(
                CreateTicketRequest(
                    subject: "Benchmark \(index)", description: "Load test", category: .other))
            customerTokens.set(index, auth.accessToken)
            tickets.set(index, String(ticket.id))
            // Customer i's ticket belongs to agent i mod agents, who joins it. (The baseline relay has
            // no transfer route and no queues: its answer 404 leaves the ticket as it is.)
            do {
                _ = try await adminClient.transfer(ticket: ticket.id, to: Int(agentIds.get(index % agentCount))!)
            } catch let error as APIError where error.status == 404 {
                // Left unassigned.
            }
        }
        say("accounts and tickets ready in \(BenchCommand.seconds(ContinuousClock.now - setupStart)) s")
        return BenchPopulation(
            customerTokens: (0..<pairs).map(customerTokens.get), agentTokens: (0..<agentCount).map(agentTokens.get),
            ticketIds: (0..<pairs).map { Int(tickets.get($0))! })
    }

    /// One socket per customer (its ticket) and per agent (its customers' tickets); customers first.
    func sockets() -> (customers: [BenchSocket], agents: [BenchSocket]) {
        let customers = (0..<pairs).map { BenchSocket(ticketIds: [ticketIds[$0]], clientId: "c\($0)") }
        let agentSockets = (0..<agents).map { agent in
            BenchSocket(ticketIds: stride(from: agent, to: pairs, by: agents).map { ticketIds[$0] }, clientId: "a\(agent)")
        }
        return (customers, agentSockets)
    }

    /// The token of socket `index` in `customers + agents`.
    func token(_ index: Int) -> String { index < pairs ? customerTokens[index] : agentTokens[index - pairs] }
}
