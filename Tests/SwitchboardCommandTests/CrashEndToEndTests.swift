import Foundation
import Testing

/// A terminal client that traps leaves its cause: the terminal given back, a line saying where
/// the report goes, Swift's symbolicated backtrace in the data directory's `crashes` folder, and
/// on the next start a notice naming the file. (The console once ended with "Illegal
/// instruction" and nothing else: its own signal handlers had replaced Swift's backtracer.)
@Suite(.serialized) struct CrashEndToEndTests {
    @Test(.enabled(if: TerminalEndToEndTests.hasTmux, "tmux is installed by .ci/run"))
    func aTrapLeavesABacktraceNamedOnTheNextStart() async throws {
        let server = try await ServerUnderTest(agents: [("alex", "Alex Agent")], prefix: "crash")
        defer { server.close() }
        let first = try await TmuxSession.console(server.url, user: "alex", name: "Alex Agent", width: 100, height: 30)
        defer { first.close() }
        #expect(first.format("#{alternate_on}") == "1")
        // The signal a Swift trap raises (ud2 → SIGILL), sent from outside: the same handlers run.
        kill(try first.programPID(), SIGILL)
        try await first.waitFor("the program ended") { _ in first.exitStatus != nil }
        #expect(first.exitStatus == 128 + Int(SIGILL))
        let crashes = first.home.appendingPathComponent("switchboard/crashes")
        try await first.waitFor("the terminal given back, the folder named") {
            $0.contains("switchboard console crashed; its report goes to")
                && $0.replacingOccurrences(of: "\n", with: "").contains(crashes.path)
        }
        #expect(first.format("#{alternate_on}") == "0")
        let files = try FileManager.default.contentsOfDirectory(atPath: crashes.path)
        let backtrace = try #require(files.first { $0.hasPrefix("switchboard-") && $0.hasSuffix(".log") }, "\(files)")
        let report = try String(contentsOf: crashes.appendingPathComponent(backtrace), encoding: .utf8)
        #expect(report.contains("Program crashed: Illegal instruction") && report.contains("Thread 0"), "\(report.prefix(400))")

        // The next start says where the report is, once.
        let second = try TmuxSession()
        defer { second.close() }
        try second.start(
            [Command.binary.path, "console", "--server", server.url, "--user", "alex"],
            environment: [
                "SWITCHBOARD_PASSWORD": "agent-password", "XDG_DATA_HOME": first.home.path,
                "XDG_CONFIG_HOME": first.home.path,
            ], width: 200, height: 40)
        try await second.waitFor("the notice naming the report") {
            $0.contains("crashed on an earlier run") && $0.contains(crashes.appendingPathComponent(backtrace).path)
        }
        try second.keys("C-q")
        try await second.waitFor("exited") { _ in second.exitStatus != nil }
        #expect(second.exitStatus == 0)
        // A run that ended well leaves nothing behind.
        #expect(try FileManager.default.contentsOfDirectory(atPath: crashes.path).filter { !$0.hasPrefix(".") }.count == files.count)
        #expect(FileManager.default.fileExists(atPath: crashes.appendingPathComponent(".told").path))
    }
}
