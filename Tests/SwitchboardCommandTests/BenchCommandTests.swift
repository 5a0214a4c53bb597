import Foundation
import Testing

/// `switchboard bench` against a real `serve`: a small load, every message delivered, and the
/// server's CPU per message read from its statistics route.
@Suite struct BenchCommandTests {
    @Test func aSmallLoadIsDeliveredWholeAndPricedInServerCPU() async throws {
        let server = try await ServerUnderTest(agents: [], admins: [(username: "boss", name: "Boss")], prefix: "bench")
        defer { server.close() }
        let bench = try Command.run(
            [
                "bench", "--server", server.url, "--admin", "boss", "--pairs", "3", "--agents", "1",
                "--rate", "30", "--duration", "2", "--warmup", "1",
            ],
            in: server.directory, environment: ["SWITCHBOARD_PASSWORD": "agent-password"])
        try bench.waitForExit(seconds: 120)
        #expect(bench.status == 0, "\(bench.errors)")
        let output = bench.output
        #expect(output.contains("messages sent:      90 "), "\(output)")
        #expect(output.contains("delivered:          90 (acked 90, errors 0)"), "\(output)")
        let cpu = try #require(output.split(separator: "\n").first { $0.hasPrefix("server CPU:") }, "\(output)")
        #expect(cpu.contains("per 1 000 messages") && cpu.contains("reported by the server"), "\(cpu)")
        #expect(output.contains("benchmark CPU:"))
    }

    @Test func aStormKillsAndRestartsTheServerAndEveryClientResumesWithNothingMissed() async throws {
        let server = try await ServerUnderTest(agents: [], admins: [(username: "boss", name: "Boss")], prefix: "storm")
        defer { server.close() }
        let bench = try Command.run(
            [
                "bench", "--server", server.url, "--admin", "boss", "--pairs", "8", "--agents", "2",
                "--rate", "100", "--storm", "--server-pid", String(server.process.process.processIdentifier),
            ],
            in: server.directory, environment: ["SWITCHBOARD_PASSWORD": "agent-password"])
        try bench.waitForExit(seconds: 120)
        let output = bench.output
        // The restarted server is the benchmark's child and outlives it: `server.close()` ends it.
        #expect(output.contains("keeps running as pid "), "\(output)")
        #expect(bench.status == 0, "\(bench.errors)")
        #expect(output.contains("10 connections joined"), "\(output)")
        #expect(output.contains("every client back:") && output.contains("(10 connections rejoined with sinceSeq)"), "\(output)")
        let missed = try #require(output.split(separator: "\n").first { $0.hasPrefix("nothing missed:") }, "\(output)")
        #expect(missed.contains("yes — ") && missed.contains(", 0 not at the other side"), "\(missed)")
        #expect(!missed.contains("— 0 acknowledged"), "the burst reached the server before it died: \(missed)")
        #expect(output.contains("restarted server:   peak "), "\(output)")
    }
}
