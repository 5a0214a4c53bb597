import Foundation
import NIOCore
import SQLiteNIO
import SwitchboardClient
import SwitchboardProtocol
import Testing

/// The real console in tmux at 200×60 under random keys, pastes and resizes, while the server
/// changes its tickets underneath: a customer opens tickets and writes, an admin transfers,
/// closes, reopens and deletes them — started on a data directory an earlier version left
/// (an outbox without the file columns, with queued, refused and stray messages, and a kept
/// login the server no longer honours). The console must neither end nor leave a crash report.
/// (It once ended with "Illegal instruction" as a customer opened a ticket, on an old data
/// directory: issue 30.)
///
/// Seeded: `SWITCHBOARD_LIVE_MONKEY_SEEDS=FIRST-LAST` and `SWITCHBOARD_LIVE_MONKEY_STEPS=N` run
/// longer hunts (recorded in `Tests/NOTES.md`); a failing seed comes back with the same keys and
/// actions in the same order (the timing between them is the machine's).
@Suite(.serialized) struct ConsoleMonkeyEndToEndTests {
    static let seeds: [UInt64] = {
        let bounds =
            ProcessInfo.processInfo.environment["SWITCHBOARD_LIVE_MONKEY_SEEDS"]?.split(separator: "-").compactMap { UInt64($0) } ?? []
        return bounds.count == 2 && bounds[0] <= bounds[1] ? Array(bounds[0]...bounds[1]) : [1]
    }()
    static let steps = ProcessInfo.processInfo.environment["SWITCHBOARD_LIVE_MONKEY_STEPS"].flatMap { Int($0) } ?? 400

    /// Keys a person might press, none that ends the program on purpose (C-q, C-c, /quit,
    /// /logout, F10) or hands the terminal to another program ($EDITOR).
    static let keys: [[String]] = [
        ["Down"], ["Down"], ["Up"], ["Enter"], ["Enter"], ["Tab"], ["BTab"], ["Escape"], ["PageUp"], ["PageUp"], ["PageDown"],
        ["M-1"], ["M-2"], ["M-3"], ["M-a"], ["M-Right"], ["M-Left"], ["M-="], ["M--"], ["C-PageDown"], ["C-PageUp"], ["C-w"],
        ["C-o"], ["C-t"], ["C-f"], ["M-r"], ["M-x"], ["M-e"], ["M-Home"], ["M-End"], ["F1"], ["F4"], ["F6"], ["F7"], ["F5"],
        ["["], ["]"], ["c"], ["r"], ["y"], ["n"], ["BSpace"], ["Left"], ["Right"], ["Home"], ["End"],
    ]
    static let lines = [
        "hello", "BLOCKME please", "/status resolved", "/status open", "/status in_progress", "/note checking",
        "/canned", "/transfer sam", "/claim", "/filter lamp", "/filter", "/open 1", "/open 2", "/open 3", "/open 99",
        "/find", "/split", "/unsplit", "/priority urgent", "/help", "é中😀 \u{202E}evil \u{1B}[2J", "/attach /etc/hostname",
    ]

    @Test(.enabled(if: TerminalEndToEndTests.hasTmux, "tmux is installed by .ci/run"), arguments: seeds)
    func randomKeysWhileTicketsChangeUnderTheScreen(seed: UInt64) async throws {
        let server = try await ServerUnderTest(
            agents: [("alex", "Alex Agent"), ("sam", "Sam Second")], admins: [("root", "Root Admin")],
            prefix: "monkey",
            config: #"{"contentFilters":{"block":[{"name":"forbidden","pattern":"BLOCKME"}]}}"#)
        defer { server.close() }
        let customer = try await Party.register(server: server.url, username: "dana", name: "Dana Doe", directory: server.directory)
        defer { Task { await customer.stop() } }
        let admin = APIClient(server: URL(string: server.url)!)
        try await admin.login(username: "root", password: "agent-password")
        let agents = try await admin.agents()
        let alex = try #require(agents.first { $0.agent.displayName == "Alex Agent" }).agent.id
        let sam = try #require(agents.first { $0.agent.displayName == "Sam Second" }).agent.id
        var tickets: [Int] = []
        for subject in ["Broken lamp", "Card refused", "Parcel late"] {
            tickets.append(
                try await customer.api.openTicket(
                    CreateTicketRequest(
                        subject: subject, description: "Since Monday",
                        category: .technical)
                ).id)
        }

        let tmux = try TmuxSession()
        defer { tmux.close() }
        let data = tmux.home.appendingPathComponent("switchboard")
        try await Self.leaveAnEarlierVersionsData(in: data, server: server.url, user: "alex", tickets: tickets)
        try tmux.start(
            [Command.binary.path, "console", "--server", server.url, "--user", "alex"],
            environment: ["SWITCHBOARD_PASSWORD": "agent-password"], width: 200, height: 60)
        try await tmux.waitFor("the console on the old data directory") {
            $0.contains("Agent console · Alex Agent") && $0.contains("● connected")
        }
        // The old outbox was taken over: its queued message went out under the stale login's
        // replacement, the refused one stays for the agent to deal with.
        let first = tickets[0]
        try await waitUntil("the message queued by the earlier version stored") {
            (try? await customer.api.messages(ticket: first).items.contains { $0.message == "queued from an earlier run" }) ?? false
        }

        var random = MonkeyRandom(state: seed)
        var done: [String] = []
        for step in 0..<Self.steps {
            let roll = Int.random(in: 0..<100, using: &random)
            switch roll {
            case 0..<55:
                let key = Self.keys.randomElement(using: &random)!.first!
                done.append("step \(step): key \(key)")
                try tmux.keys(key)
            case 55..<70:
                let line = Self.lines.randomElement(using: &random)!
                done.append("step \(step): line \(line.debugDescription)")
                try tmux.literal(line)
                try tmux.keys("Enter")
            case 70..<73:
                done.append("step \(step): paste")
                try tmux.paste((0..<80).map { "BLOCKME line \($0)" }.joined(separator: "\n"))
            case 73..<76:
                let sizes = [(200, 60), (80, 24), (120, 30), (40, 12), (200, 60)]
                let size = sizes.randomElement(using: &random)!
                done.append("step \(step): resize \(size)")
                try tmux.run(["resize-window", "-t", "e2e", "-x", String(size.0), "-y", String(size.1)])
            default:
                // Something changes under the screen; refusals (a deleted ticket) are fine.
                let ticket = tickets.randomElement(using: &random) ?? 1
                let action = Int.random(in: 0..<8, using: &random)
                done.append("step \(step): action \(action) on #\(ticket)")
                do {
                    switch action {
                    case 0:
                        tickets.append(
                            try await customer.api.openTicket(
                                CreateTicketRequest(
                                    subject: "Another \(step)", description: "Help",
                                    category: .other)
                            ).id)
                    case 1, 2: _ = try await customer.api.post(PostMessageRequest(message: "still waiting \(step)"), ticket: ticket)
                    case 3: _ = try await admin.transfer(ticket: ticket, to: Bool.random(using: &random) ? alex : sam)
                    case 4: _ = try await admin.updateTicket(ticket, UpdateTicketRequest(status: .closed))
                    case 5: _ = try await admin.updateTicket(ticket, UpdateTicketRequest(status: .open))
                    case 6:
                        try await admin.deleteTicket(ticket)
                        tickets.removeAll { $0 == ticket }
                    default: _ = try await admin.post(PostMessageRequest(message: "note \(step)", internal: true), ticket: ticket)
                    }
                } catch {}
            }
            try await Task.sleep(for: .milliseconds(15))  // pacing, so keys and changes interleave
            if tmux.exitStatus != nil { break }
        }
        try tmux.run(["resize-window", "-t", "e2e", "-x", "200", "-y", "60"])
        // Esc twice (a dialog, then note mode or a search), each apart from the next key: Esc
        // and a key in the same read are one Alt-key, as in every terminal program.
        for _ in 0..<2 {
            try tmux.keys("Escape")
            try await Task.sleep(for: .milliseconds(100))
        }
        #expect(
            tmux.exitStatus == nil,
            "seed \(seed): the console ended (\(tmux.exitStatus ?? 0)); last actions \(done.suffix(5)):\n\(tmux.screen)")
        let crashes = (try? FileManager.default.contentsOfDirectory(atPath: data.appendingPathComponent("crashes").path)) ?? []
        #expect(crashes.filter { $0.hasSuffix(".log") }.isEmpty, "seed \(seed): crash reports \(crashes)")
        // Still at work after all that: the screen answers and the console quits cleanly.
        try tmux.keys("F1")
        do {
            try await tmux.waitFor("the help") { $0.contains("quit (also /quit)") }
        } catch {
            // Not answering: make it trap, so its crash report shows where it was stuck.
            if let pid = try? tmux.programPID() {
                let children = (try? String(contentsOfFile: "/proc/\(pid)/task/\(pid)/children", encoding: .utf8)) ?? ""
                let named = children.split(separator: " ").map { child in
                    (try? String(contentsOfFile: "/proc/\(child)/cmdline", encoding: .utf8))?.replacingOccurrences(of: "\0", with: " ")
                        ?? "?"
                }
                Issue.record("seed \(seed): children of the console: \(named)")
                kill(pid, SIGILL)
            }
            try? await tmux.waitFor("the report written") { _ in tmux.exitStatus != nil }
            let folder = data.appendingPathComponent("crashes")
            let report = ((try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []).filter { $0.hasSuffix(".log") }.first
                .flatMap { try? String(contentsOf: folder.appendingPathComponent($0), encoding: .utf8) }
            Issue.record(
                "seed \(seed): the console stopped answering; last actions \(done.suffix(5)); where it was:\n\(report ?? "no report")")
            throw error
        }
        try tmux.keys("Escape")
        try await Task.sleep(for: .milliseconds(100))
        try tmux.keys("C-q")
        try await tmux.waitFor("exited") { _ in tmux.exitStatus != nil }
        #expect(tmux.exitStatus == 0)
    }

    /// What an earlier version left in the data directory: the outbox as it was before file
    /// messages (no file columns) holding a queued message, one the server refused, one for a
    /// ticket that no longer exists and a note; and a kept login the server does not know (an
    /// earlier run against another database), which must fall back to the password. The table is
    /// written out here, not made by `FileOutbox`, on purpose: it is that earlier schema, frozen,
    /// which today's migration must carry forward.
    static func leaveAnEarlierVersionsData(in data: URL, server: String, user: String, tickets: [Int]) async throws {
        try FileManager.default.createDirectory(at: data, withIntermediateDirectories: true)
        let connection = try await SQLiteConnection.open(storage: .file(path: data.appendingPathComponent("outbox.sqlite").path))
        _ = try await connection.query(
            """
            CREATE TABLE outbox (
                position INTEGER PRIMARY KEY AUTOINCREMENT,
                account TEXT NOT NULL,
                client_message_id TEXT NOT NULL UNIQUE,
                ticket_id INTEGER NOT NULL,
                body TEXT NOT NULL,
                message_type TEXT,
                internal INTEGER NOT NULL DEFAULT 0,
                created_at REAL NOT NULL,
                failure_code TEXT,
                failure TEXT)
            """)
        let account = "\(server) \(user)", at = Date().timeIntervalSince1970 - 3600
        let rows: [(Int, String, Int, String?, String?)] = [
            (tickets[0], "queued from an earlier run", 0, nil, nil),
            (
                tickets[0], (0..<80).map { "BLOCKME line \($0)" }.joined(separator: "\n"), 0, "INVALID",
                "message: blocked by the rule forbidden"
            ),
            (999_999, "for a ticket that is gone", 0, nil, nil),
            (tickets[1], "a note from before", 1, nil, nil),
        ]
        for (index, row) in rows.enumerated() {
            _ = try await connection.query(
                """
                INSERT INTO outbox (account, client_message_id, ticket_id, body, message_type, internal, created_at, failure_code, failure)
                VALUES (?, ?, ?, ?, 'TEXT', ?, ?, ?, ?)
                """,
                [
                    .text(account), .text("old-\(index)-\(UUID().uuidString.lowercased())"), .integer(row.0), .text(row.1),
                    .integer(row.2), .float(at + Double(index)), row.3.map { .text($0) } ?? .null, row.4.map { .text($0) } ?? .null,
                ])
        }
        try await connection.close()
        let stale = AuthResponse(
            user: User(
                id: 1, username: user, displayName: "Alex Agent", role: .agent, isOnline: false, lastSeenAt: nil, agentStatus: nil,
                capacity: nil, email: nil),
            accessToken: "not-a-token", refreshToken: "a-refresh-token-from-another-database", expiresIn: 900)
        let logins = try WireJSON.encoder().encode(["\(server) \(user)": stale])
        try logins.write(to: data.appendingPathComponent("logins.json"))
    }
}

/// A seeded generator (xorshift64*), so a failing seed comes back the same way.
struct MonkeyRandom: RandomNumberGenerator {
    private var state: UInt64
    init(state seed: UInt64) { state = seed &* 0x9E37_79B9_7F4A_7C15 | 1 }
    mutating func next() -> UInt64 {
        state ^= state >> 12
        state ^= state << 25
        state ^= state >> 27
        return state &* 0x2545_F491_4F6C_DD1D
    }
}
