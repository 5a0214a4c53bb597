import ChildProcess
import Foundation
import SwitchboardClient
import SwitchboardProtocol

/// `bench --storm`: every client connected and joined, a burst of messages, the server killed
/// with SIGKILL while they land and started again exactly as it was; then every client comes
/// back on its own (as the terminal client does: a growing wait with jitter, rooms rejoined with
/// `sinceSeq`). Reports how long until the server listened again, until every client was back,
/// and until every acknowledged message had reached the other side — and whether any never did.
struct Storm {
    let population: BenchPopulation
    let admin: APIClient
    /// `ws://HOST:PORT/ws?…` with the query begun.
    let socketURL: String
    let serverPID: Int32
    let port: Int
    /// Messages sent in the burst the server dies in.
    let messages: Int

    func run() async throws {
        let restart = try ServerRestart(pid: serverPID, port: port)
        let tally = BenchTally()
        let (customers, agents) = population.sockets()
        let everyone = customers + agents
        try await withThrowingTaskGroup(of: Void.self) { group in
            let url = socketURL
            let joining = try await BenchSetup.connect(everyone, of: population, url: { _ in url }, tally: tally, resume: true, in: &group)
            say("\(everyone.count) connections joined in \(BenchCommand.seconds(joining)) s")

            // The burst: `messages` over about a second, and the server killed right after the last is written.
            for sent in 0..<messages {
                let pair = sent % population.pairs
                let speaker = sent.isMultiple(of: 2) ? customers[pair] : agents[pair % population.agents]
                await speaker.send(on: population.ticketIds[pair], tally: tally)
                if sent % max(1, messages / 100) == 0 { try await Task.sleep(for: .milliseconds(10)) }
            }
            let ackedBeforeKill = tally.snapshot.acked
            let killed = ContinuousClock.now
            try restart.kill()
            var server = try restart.start()
            var started = ContinuousClock.now
            try await BenchSetup.waitUntil("the restarted server did not answer in 2 minutes", within: .seconds(120)) {
                // The old process's last threads may still hold the port for a moment after its
                // main thread is gone: a start that lost that race is tried again.
                if !server.isRunning, ContinuousClock.now - started > .milliseconds(500), let again = try? restart.start() {
                    (server, started) = (again, .now)
                }
                return (try? await admin.serverStatistics()) != nil
            }
            say(
                "server \(serverPID) killed after \(tally.snapshot.sent) messages sent, \(ackedBeforeKill) acknowledged; "
                    + "started again as pid \(server.processIdentifier)")
            let listening = ContinuousClock.now
            try await BenchSetup.waitUntil("clients not all back in 5 minutes", within: .seconds(300)) {
                everyone.allSatisfy { $0.connections >= 2 && $0.isJoined }
            }
            let back = ContinuousClock.now
            let cpuWhenBack = CPUReading.processSeconds([server.processIdentifier])

            // Every acknowledged message has reached the other side of its ticket (replayed on the
            // rejoin if it was stored but not yet relayed when the server died).
            let pairOf = Dictionary(uniqueKeysWithValues: population.ticketIds.enumerated().map { ($1, $0) })
            func missing() -> [Int] {
                var missing: [Int] = []
                for (index, socket) in everyone.enumerated() {
                    for (ticketId, messageId) in socket.acked {
                        guard let pair = pairOf[ticketId] else { continue }
                        let other = index < population.pairs ? agents[pair % population.agents] : customers[pair]
                        if !other.received(messageId) { missing.append(messageId) }
                    }
                }
                return missing
            }
            let resumedInTime = (try? await BenchSetup.waitUntil("", within: .seconds(30)) { missing().isEmpty }) != nil
            let resumed = ContinuousClock.now
            let lost = missing()
            let acked = everyone.reduce(0) { $0 + $1.acked.count }
            say(
                """
                server listening:   \(BenchCommand.seconds(listening - killed)) s after the kill
                every client back:  \(BenchCommand.seconds(back - killed)) s after the kill (\(everyone.count) connections rejoined with sinceSeq)
                nothing missed:     \(resumedInTime ? "yes" : "NO") — \(acked) acknowledged messages, \(lost.count) not at the other side \
                \(resumedInTime ? "(all there \(BenchCommand.seconds(resumed - killed)) s after the kill)" : "after 30 s more")
                restarted server:   peak \((ServerStatistics.memoryBytes("VmHWM", pid: "\(server.processIdentifier)") ?? 0) / 1_048_576) MiB RSS, \
                \(cpuWhenBack.map { String(format: "%.1f s CPU until every client was back", $0) } ?? "CPU not readable")
                """)
            say("the restarted server keeps running as pid \(server.processIdentifier), its output in \(restart.log)")
            group.cancelAll()
            if !resumedInTime { throw BenchError("\(lost.count) acknowledged messages never reached the other side") }
        }
    }
}

/// A server process on this machine, killed and started again with the same program, arguments,
/// working directory and environment (read from /proc before the kill).
struct ServerRestart {
    let pid: Int32
    let arguments: [String]
    let directory: String
    let environment: [String: String]

    /// `port`: the port it listens on, which it gets again (a server started with `--port 0`
    /// would otherwise come back elsewhere).
    init(pid: Int32, port: Int) throws {
        self.pid = pid
        guard let command = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline"),
            let directory = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(pid)/cwd")
        else { throw BenchError("no process \(pid) of this user on this machine (--server-pid)") }
        var arguments = command.split(separator: 0).map { String(decoding: $0, as: UTF8.self) }
        if let flag = arguments.firstIndex(of: "--port"), arguments.indices.contains(flag + 1) {
            arguments[flag + 1] = String(port)
        } else if let flag = arguments.firstIndex(where: { $0.hasPrefix("--port=") }) {
            arguments[flag] = "--port=\(port)"
        }
        self.arguments = arguments
        self.directory = directory
        let environ = FileManager.default.contents(atPath: "/proc/\(pid)/environ") ?? Data()
        environment = Dictionary(
            environ.split(separator: 0).compactMap { entry -> (String, String)? in
                let text = String(decoding: entry, as: UTF8.self)
                guard let equals = text.firstIndex(of: "=") else { return nil }
                return (String(text[..<equals]), String(text[text.index(after: equals)...]))
            }
        ) { first, _ in first }
        guard !arguments.isEmpty else { throw BenchError("process \(pid) has no command line") }
    }

    /// SIGKILL, then wait until the process is gone (or a zombie: its sockets are closed either way).
    func kill() throws {
        guard Glibc.kill(pid, SIGKILL) == 0 else { throw BenchError("cannot kill \(pid): errno \(errno)") }
        while let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let close = stat.lastIndex(of: ")"), !stat[stat.index(after: close)...].hasPrefix(" Z")
        {
            usleep(5_000)
        }
    }

    /// Where the restarted server writes its output (it outlives the benchmark).
    var log: String { FileManager.default.temporaryDirectory.appendingPathComponent("switchboard-storm-\(pid).log").path }

    /// The same program again, its output appended to `log`.
    func start() throws -> ChildProcess {
        var program = arguments[0]
        if !program.hasPrefix("/") { program = URL(fileURLWithPath: program, relativeTo: URL(fileURLWithPath: directory)).path }
        do {
            return try ChildProcess.spawn(
                program, arguments: Array(arguments.dropFirst()), environment: environment,
                directory: directory, input: .null, output: .append(log), error: .append(log))
        } catch {
            throw BenchError("cannot start \(program) again: \(error)")
        }
    }
}
