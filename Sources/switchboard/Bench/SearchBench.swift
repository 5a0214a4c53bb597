import Foundation
import Logging
import SQLKit
import SwitchboardProtocol
import SwitchboardServer

/// `switchboard bench --search`: fills a store with messages whose words follow a realistic
/// (Zipf) distribution — a few words everywhere, most words rare — as the server writes them
/// (folded search text, the index kept in the same transactions), then times queries of one, two
/// and three words and of prefixes through the server's own search, and prints the figures.
struct SearchBench {
    var database: String?
    var messages: Int
    var queries: Int

    /// Words people write, most common first: frequency falls as 1/rank.
    static let vocabulary: [String] = {
        let common = [
            "the", "order", "refund", "card", "parcel", "thanks", "please", "help", "account", "payment", "delivery", "today",
            "tracking", "number", "password", "login", "error", "charged", "twice", "shipping", "address", "invoice", "bank",
            "email", "phone", "week", "sorry", "update", "status", "return", "label", "courier", "damaged", "missing", "item",
            "price", "discount", "code", "app", "screen", "crash", "reset", "link", "subscription", "cancel", "renewal",
        ]
        // Then thousands of rarer words, made pronounceable so the index splits them as words.
        let syllables = ["ka", "lo", "mi", "ne", "ru", "sa", "to", "vi", "ze", "po", "da", "fe", "gu", "hi", "jo", "qua", "ri", "su"]
        var made: [String] = []
        for a in syllables { for b in syllables { for c in ["n", "r", "s", "t", "x", "l"] { made.append(a + b + c) } } }
        return common + made
    }()

    func run() async throws {
        let logger = Logger(label: "bench-search")
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("switchboard-search-bench-\(getpid())")
        let location = try DatabaseLocation.parse(database ?? "sqlite:" + directory.appendingPathComponent("bench.sqlite").path)
        if case .sqlite = location { try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true) }
        defer { try? FileManager.default.removeItem(at: directory) }
        let driver = try await MigrateCommand.open(location, logger: logger)
        let store = try await SQLStore.open(driver, logger: logger)
        // A store filled by an earlier run is queried as it is: a change to the queries is then
        // measured on the same messages, and the minute of filling is spent once.
        let held = try await driver.transaction {
            try await $0.raw("SELECT COUNT(*) AS n FROM messages").first(decodingColumn: "n", as: Int.self) ?? 0
        }
        if held > 0 {
            print("search bench: \(location) — querying the \(held) messages it holds")
        } else {
            print("search bench: \(location) — filling \(messages) messages…")
            let fill = ContinuousClock.now
            let stored = try await Self.fill(driver, messages: messages)
            let took = (ContinuousClock.now - fill).inSeconds
            // What autovacuum does a little later on a live server: statistics for the planner.
            if driver.flavor == .postgres { try await driver.transaction { try await $0.raw("ANALYZE").run() } }
            let rate = Double(stored) / took
            print(String(format: "  stored %d messages (index kept in step) in %.1f s: %.0f messages/s", stored, took, rate))
        }
        var random = SystemRandomNumberGenerator()
        let staff = Viewer(userId: 1, role: .agent)
        // Untimed first: each pooled connection's first statements fill its caches (PostgreSQL's
        // catalogue, SQLite's schema) — a live server's connections are long past that.
        for _ in 0..<Self.warmUp {
            _ = try await store.search(try SearchQuery.parse(Self.word(&random)), for: staff, limit: 20, offset: 0)
        }
        print("  (after \(Self.warmUp) untimed queries of one word)")
        for kind in ["one word", "two words", "three words", "prefix"] {
            var times: [Double] = []
            var hits = 0
            for _ in 0..<queries {
                let text: String
                switch kind {
                case "one word": text = Self.word(&random)
                case "two words": text = "\(Self.word(&random)) \(Self.word(&random))"
                case "three words": text = "\(Self.word(&random)) \(Self.word(&random)) \(Self.word(&random))"
                default: text = String(Self.word(&random).prefix(3)) + "*"
                }
                let query = try SearchQuery.parse(text)
                let start = ContinuousClock.now
                hits += try await store.search(query, for: staff, limit: 20, offset: 0).count
                times.append((ContinuousClock.now - start).inMilliseconds)
            }
            times.sort()
            func at(_ share: Double) -> Double { times[min(times.count - 1, Int(Double(times.count) * share))] }
            print(
                "  \(kind.padding(toLength: 11, withPad: " ", startingAt: 0)) \(queries) queries: p50 \(Self.ms(at(0.5)))  p95 \(Self.ms(at(0.95)))  "
                    + "p99 \(Self.ms(at(0.99)))  max \(Self.ms(times.last ?? 0))  (\(String(format: "%.1f", Double(hits) / Double(queries))) hits each)"
            )
        }
        try await driver.close()
    }

    static let warmUp = 50

    static func ms(_ value: Double) -> String { String(format: "%.1f ms", value) }

    /// A word by Zipf's law: rank r with probability ∝ 1/r.
    static func word(_ random: inout SystemRandomNumberGenerator) -> String {
        let count = Double(vocabulary.count)
        // Inverse of the harmonic CDF, close enough: r = count^u.
        let rank = Int(pow(count, Double.random(in: 0..<1, using: &random)))
        return vocabulary[max(0, min(vocabulary.count - 1, rank - 1))]
    }

    /// Users, 1 000 tickets of a few customers, and the messages, in transactions of 1 000 rows,
    /// each row with its folded search text as the server writes it (the index follows by trigger
    /// or generated column).
    static func fill(_ driver: any SQLDriver, messages: Int) async throws -> Int {
        let now = Int64(Date().timeIntervalSince1970 * 1000)
        let bool = driver.flavor == .postgres ? "FALSE" : "0"
        try await driver.transaction { db in
            for (id, role) in [(1, "AGENT"), (2, "CUSTOMER")] {
                try await db.raw(
                    """
                    INSERT INTO users (id, username, username_key, display_name, role, password_hash, created_at)
                    VALUES (\(bind: id), \(bind: "bench\(id)"), \(bind: "bench\(id)"), \(bind: "Bench \(id)"), \(bind: role), '-', \(bind: now))
                    """
                ).run()
            }
            for ticket in 1...1_000 {
                try await db.raw(
                    """
                    INSERT INTO tickets (id, subject, description, status, priority, priority_rank, category, customer_id,
                                         created_at, updated_at, last_seq, search_text)
                    VALUES (\(bind: ticket), \(bind: "Ticket \(ticket)"), 'bench', 'OPEN', 'MEDIUM', 2, 'OTHER', 2,
                            \(bind: now), \(bind: now), \(bind: messages / 1_000 + 1), \(bind: "ticket \(ticket) bench"))
                    """
                ).run()
            }
        }
        var random = SystemRandomNumberGenerator()
        var stored = 0
        while stored < messages {
            let batch = min(1_000, messages - stored)
            var rows: [SQLQueryString] = []
            for index in 0..<batch {
                let n = stored + index
                let words = (0..<Int.random(in: 5...30, using: &random)).map { _ in word(&random) }.joined(separator: " ")
                let body = words.prefix(1).uppercased() + words.dropFirst() + "."
                rows.append(
                    """
                    (\(bind: n % 1_000 + 1), \(bind: n / 1_000 + 1), \(bind: n % 2 + 1), \(bind: n % 2 == 0 ? "AGENT" : "CUSTOMER"),
                     \(bind: body), 'TEXT', \(unsafeRaw: bool), \(bind: now - Int64(messages - n) * 1_000), \(bind: SearchText.fold(body)))
                    """)
            }
            let values = rows.joined(separator: ", ")
            try await driver.transaction { db in
                try await db.raw(
                    """
                    INSERT INTO messages (ticket_id, seq, sender_id, sender_type, body, message_type, internal, created_at, search_text)
                    VALUES \(values)
                    """
                ).run()
            }
            stored += batch
            if stored % 100_000 == 0 { print("  … \(stored)") }
        }
        return stored
    }
}
