import ArgumentParser
import Foundation
import SwitchboardClient
import SwitchboardProtocol
import Synchronization

/// `switchboard bench`: load on a running server over real sockets. Makes N customers, each with
/// a ticket and a connection, and agents (one per customer unless told fewer) each connected and
/// joined to its customers' tickets; then sends messages at a steady total rate, alternating
/// customer and agent, and reports delivery latency (send to arrival at the other side).
/// Each ticket is assigned to its agent, as in a working support team.
struct BenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure a running server: connections held, messages/s, delivery latency.",
        discussion: """
            Needs an admin account (to create the benchmark's agents): --admin and the password in \
            SWITCHBOARD_PASSWORD. Run the server with a low bcryptCost in its config file, or the \
            set-up spends minutes hashing passwords.
            """
    )

    @Option(
        help: ArgumentHelp(
            "Server URL, e.g. http://127.0.0.1:8080; several nodes of one installation separated by commas "
                + "(customers and agents are spread over them, each pair's two sides on different nodes)."))
    var server: String = ""
    @Flag(
        help: ArgumentHelp(
            "Search instead of chat: fill a store (--db, default a new SQLite file) with --messages messages of "
                + "Zipf-distributed words and time queries of one, two and three words and prefixes."))
    var search = false
    @Option(help: "--search: messages to store.") var messages = 1_000_000
    @Option(help: "--search: queries of each kind.") var queries = 200
    @Option(
        help:
            "--search: the database, sqlite:PATH or postgres://… (default: a new SQLite file, removed after); one that holds messages is queried as it is."
    )
    var db: String?
    @Option(help: "Customer/agent pairs (each customer one ticket and one connection).") var pairs = 100
    @Option(help: "Agents; each takes pairs/agents customers (default: one per customer).") var agents: Int?
    @Option(help: "Messages per second, in total.") var rate = 200
    @Option(help: "Seconds of load.") var duration = 10
    @Option(help: "Seconds of load before measuring starts.") var warmup = 2
    @Option(help: "Admin username.") var admin = "admin"
    @Option(
        name: .customLong("server-pid"),
        help: ArgumentHelp(
            "Process ids of the server(s) on this machine, comma-separated: their CPU is read from /proc "
                + "when the server does not report it (the baseline relay)."))
    var serverPIDs: String?
    @Option(
        help: ArgumentHelp(
            "How the bench's connections hear of presence: batched (PRESENCE frames, an agent hears of "
                + "its own customers) or single (the contract's USER_ONLINE/USER_OFFLINE to every agent).",
            valueName: "batched|single"))
    var presence = PresenceFrames.batched
    @Option(
        name: .customLong("tickets"),
        help: ArgumentHelp(
            "Which tickets' frames an agent's connection hears of: queue (its own and unassigned ones) "
                + "or all (the contract's: every ticket's change to every agent).", valueName: "queue|all"))
    var ticketFrames = TicketFrames.queue

    @Flag(
        help: ArgumentHelp(
            "Reconnect storm instead of steady load: every client connected and joined, --rate messages "
                + "sent, the server (--server-pid, on this machine) killed with SIGKILL as they land and started "
                + "again as it was; reports the time until every client is back and resumed, the restarted "
                + "server's peak memory and CPU, and whether any message was missed."))
    var storm = false

    func validate() throws {
        if search {
            guard messages > 0, queries > 0 else { throw ValidationError("--messages and --queries must be positive") }
            return
        }
        guard !server.isEmpty else { throw ValidationError("--server: the URL of a running server (or --search)") }
        if storm, serverPIDs == nil || serverPIDs!.contains(",") || server.contains(",") {
            throw ValidationError("--storm: one server, and its process id on this machine: --server-pid PID")
        }
        guard pairs > 0, rate > 0, duration > 0, warmup >= 0 else { throw ValidationError("pairs, rate and duration must be positive") }
        if let agents, !(1...pairs).contains(agents) { throw ValidationError("--agents: 1…pairs") }
    }

    func run() async throws {
        if search { return try await SearchBench(database: db, messages: messages, queries: queries).run() }
        let nodes = try server.split(separator: ",").map { text -> URL in
            guard let url = URL(string: String(text).trimmingCharacters(in: .whitespaces)), url.host != nil, url.port != nil else {
                throw ValidationError("--server: http://HOST:PORT[,http://HOST:PORT…]")
            }
            return url
        }
        let base = nodes[0]
        guard let password = ProcessInfo.processInfo.environment["SWITCHBOARD_PASSWORD"] else {
            throw ValidationError("put the admin's password in SWITCHBOARD_PASSWORD")
        }
        let agentCount = agents ?? pairs
        let adminClient = APIClient(server: base)
        try await adminClient.login(username: admin, password: password)
        let population = try await BenchPopulation.make(base: base, admin: adminClient, pairs: pairs, agents: agentCount)
        let options = ConnectionOptions(presence: presence, tickets: ticketFrames).query
        if storm {
            try await Storm(
                population: population, admin: adminClient, socketURL: "ws://\(base.host!):\(base.port!)/ws?\(options)",
                serverPID: try Self.pids(serverPIDs ?? "")[0], port: base.port!, messages: rate
            ).run()
            return
        }
        let tally = BenchTally()
        let socketURLs = nodes.map { "ws://\($0.host!):\($0.port!)/ws?\(options)" }
        let nodeAdmins = try await nodes.asyncMap { node -> APIClient in
            let client = APIClient(server: node)
            try await client.login(username: admin, password: password)
            return client
        }
        // Customer i and agent (i mod agents) share ticket i; an agent has one connection for all its tickets.
        // Customer i is on node i mod n, agent j on node j+1 mod n: with agents = pairs, every pair spans two nodes.
        let ticketIds = population.ticketIds
        let (customers, agentSockets) = population.sockets()
        let everyone = customers + agentSockets
        try await withThrowingTaskGroup(of: Void.self) { group in
            let joining = try await BenchSetup.connect(
                everyone, of: population,
                url: { index in
                    socketURLs[(index < pairs ? index : index - pairs + 1) % socketURLs.count]
                }, tally: tally, in: &group)
            let connected = try await nodeAdmins.asyncMap { try await $0.serverStatistics() }
            say(
                "\(everyone.count) connections joined in \(Self.seconds(joining)) s; "
                    + "server holds \(connected.map(\.connections).reduce(0, +)), RSS \(Self.memory(connected)) MiB")

            // Steady load: every 10 ms, as many messages as are due by the clock (so a late wake-up
            // is made up at once, not lost), round-robin over the pairs, alternating who speaks.
            let total = rate * (warmup + duration)
            var sent = 0
            let loadStart = ContinuousClock.now
            var measured = false
            let pids = try serverPIDs.map(Self.pids) ?? []
            var windowStart: Task<CPUReading, Never>?
            while sent < total {
                let elapsed = ContinuousClock.now - loadStart
                if !measured && elapsed >= .seconds(warmup) {
                    tally.resetLatencies()
                    measured = true
                    // Read on the side: the generator must not wait for the server's answer.
                    let sentSoFar = sent
                    windowStart = Task {
                        let statistics = await nodeAdmins.asyncMap { try? await $0.serverStatistics() }
                        return CPUReading(statistics, pids: pids, sent: sentSoFar)
                    }
                }
                let due = min(total, Int(elapsed.inSeconds * Double(rate)) + 1)
                // The batch goes out at once; waiting for each write would let the generator fall
                // behind the rate it claims to offer.
                await withTaskGroup(of: Void.self) { sends in
                    while sent < due {
                        let pair = sent % pairs
                        let speaker = (sent / pairs).isMultiple(of: 2) ? customers[pair] : agentSockets[pair % agentCount]
                        let ticketId = ticketIds[pair]
                        sends.addTask { await speaker.send(on: ticketId, tally: tally) }
                        sent += 1
                    }
                }
                try await Task.sleep(for: .milliseconds(10))
            }
            let loadTime = ContinuousClock.now - loadStart
            // Let the last messages land.
            let deadline = ContinuousClock.now + .seconds(10)
            while tally.snapshot.delivered < tally.snapshot.sent && ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(50))
            }
            // One reading of each node closes both the CPU window and the report.
            let after = try await nodeAdmins.asyncMap { try await $0.serverStatistics() }
            let cpu = await windowStart?.value.until(CPUReading(after, pids: pids, sent: sent))
            let counts = tally.snapshot
            let p = tally.percentiles([50, 99, 99.9])
            say(
                """
                connections held:   \(after.map(\.connections).reduce(0, +)) (of \(everyone.count); \(counts.closed) closed early)
                messages sent:      \(counts.sent) in \(Self.seconds(loadTime)) s = \(Int(Double(counts.sent) / loadTime.inSeconds)) msg/s (target \(rate))
                delivered:          \(counts.delivered) (acked \(counts.acked), errors \(counts.errors))
                presence frames:    \(counts.presence) received (\(presence.rawValue); \(Self.fixed(Double(counts.presence) / Double(everyone.count))) per connection)
                latency (ms):       p50 \(Self.fixed(p[0]))  p99 \(Self.fixed(p[1]))  p99.9 \(Self.fixed(p[2]))  max \(Self.fixed(tally.maxMilliseconds))  (after \(warmup) s warm-up)
                server memory:      \(Self.memory(after)) MiB RSS\(nodes.count > 1 ? " (per node)" : "")
                benchmark memory:   \(ServerStatistics.residentBytes() / 1_048_576) MiB RSS
                \(cpu?.report ?? "server CPU:         not measured (no measured window)")
                """)
            say(Self.timelineReport(tally))
            group.cancelAll()
        }
    }

    /// Latency per second of sending (so a stall shows where it happened), then the rooms that
    /// waited longest.
    static func timelineReport(_ tally: BenchTally) -> String {
        var lines = ["latency over time (by second sent; ms):", "    s     sent      p50      p99      max"]
        for row in tally.perSecond {
            lines.append(String(format: "%5d %8d %8.2f %8.2f %8.2f", row.second, row.count, row.p50, row.p99, row.max))
        }
        let (slow, all) = tally.slowRoomCount
        lines.append("rooms with a message over \(BenchTally.slow / 1000) ms: \(slow) of \(all)")
        let slowest = tally.slowestRooms(5).map { room in
            "#\(room.ticketId) \(fixed(Double(room.latency.maxMicroseconds) / 1000)) ms (\(room.latency.slow) of \(room.latency.messages) slow)"
        }
        lines.append("slowest rooms:      " + (slowest.isEmpty ? "—" : slowest.joined(separator: ", ")))
        return lines.joined(separator: "\n")
    }

    static func seconds(_ duration: Duration) -> String { String(format: "%.1f", duration.inSeconds) }

    /// Each node's resident memory in MiB: `123`, or `101 + 90` for two nodes.
    static func memory(_ nodes: [ServerStatistics]) -> String {
        nodes.map { "\($0.rssBytes / 1_048_576)" }.joined(separator: " + ")
    }

    static func pids(_ text: String) throws -> [Int32] {
        try text.split(separator: ",").map { part in
            guard let pid = Int32(part.trimmingCharacters(in: .whitespaces)), pid > 0 else {
                throw ValidationError("--server-pid: process ids separated by commas, e.g. 4242,4243")
            }
            return pid
        }
    }
    static func fixed(_ value: Double) -> String { String(format: "%.2f", value) }
}

extension Array {
    /// In order, one after another.
    func asyncMap<T>(_ transform: (Element) async throws -> T) async rethrows -> [T] {
        var results: [T] = []
        for element in self { results.append(try await transform(element)) }
        return results
    }
}

/// Strings filled in by concurrent set-up tasks.
final class Tokens: Sendable {
    private let values: Mutex<[String]>

    init(count: Int) { values = Mutex(Array(repeating: "", count: count)) }
    func set(_ index: Int, _ value: String) { values.withLock { $0[index] = value } }
    func get(_ index: Int) -> String { values.withLock { $0[index] } }
}

extension PresenceFrames: ExpressibleByArgument {}
extension TicketFrames: ExpressibleByArgument {}
