import Foundation

/// Failed logins counted per key — the username tried and the address it came from. The first
/// few failures cost nothing; after them each attempt must wait, twice as long after every
/// further failure, up to a ceiling. A success clears its keys. A pure value: the clock is an
/// argument, so every rule is tested without waiting.
///
/// Keys are counted whether or not an account has that username, so the answers never tell
/// which usernames exist.
public struct LoginThrottle: Sendable, Equatable {
    public struct Policy: Sendable, Equatable {
        /// Failures in a row that are answered at once.
        public var freeFailures = 5
        /// The wait after the first failure past the free ones; it doubles with each further one.
        public var firstDelay: TimeInterval = 1
        public var maxDelay: TimeInterval = 15 * 60
        /// A key with no failure for this long starts again from zero.
        public var forgetAfter: TimeInterval = 60 * 60
        /// Keys remembered at most (a spray of made-up usernames must not grow memory without end);
        /// past it the stalest are forgotten.
        public var maxKeys = 100_000

        public init() {}
    }

    private struct Record: Sendable, Equatable {
        var failures: Int
        var last: Date
    }

    let policy: Policy
    private var records: [String: Record] = [:]

    init(policy: Policy = Policy()) { self.policy = policy }

    /// How long these keys must still wait before an attempt is weighed, or nil when it may be now.
    func wait(_ keys: [String], now: Date) -> TimeInterval? {
        let waits = keys.compactMap { key -> TimeInterval? in
            guard let record = live(key, now: now), record.failures >= policy.freeFailures else { return nil }
            let remaining = record.last.addingTimeInterval(delay(afterFailures: record.failures)).timeIntervalSince(now)
            return remaining > 0 ? remaining : nil
        }
        return waits.max()
    }

    mutating func failed(_ keys: [String], now: Date) {
        for key in keys {
            var record = live(key, now: now) ?? Record(failures: 0, last: now)
            record.failures = min(record.failures + 1, policy.freeFailures + 64)
            record.last = now
            records[key] = record
        }
        if records.count > policy.maxKeys { forgetStalest() }
    }

    mutating func succeeded(_ keys: [String]) {
        for key in keys { records[key] = nil }
    }

    /// One failure fewer for each key (an attempt counted in advance that did not fail).
    mutating func refund(_ keys: [String]) {
        for key in keys {
            guard var record = records[key] else { continue }
            record.failures -= 1
            records[key] = record.failures > 0 ? record : nil
        }
    }

    /// The wait after `failures` failures in a row (the exponent is bounded, so it cannot overflow).
    func delay(afterFailures failures: Int) -> TimeInterval {
        let past = min(max(0, failures - policy.freeFailures), 30)
        return min(policy.maxDelay, policy.firstDelay * Double(1 << past))
    }

    var keyCount: Int { records.count }

    private func live(_ key: String, now: Date) -> Record? {
        guard let record = records[key], now.timeIntervalSince(record.last) < policy.forgetAfter else { return nil }
        return record
    }

    private mutating func forgetStalest() {
        let keep = policy.maxKeys / 2
        let newest = records.sorted { $0.value.last > $1.value.last }.prefix(keep)
        records = Dictionary(uniqueKeysWithValues: newest.map { ($0.key, $0.value) })
    }
}

/// Accounts opened per address: at most `perWindow` in any `window`. A pure value, like
/// `LoginThrottle`.
struct RegistrationLimit: Sendable, Equatable {
    var perWindow = 10
    var window: TimeInterval = 60 * 60
    var maxKeys = 100_000
    private var opened: [String: [Date]] = [:]

    init(perWindow: Int = 10, window: TimeInterval = 60 * 60) {
        self.perWindow = perWindow
        self.window = window
    }

    /// Seconds until this address may open another account, or nil when it may now.
    func wait(_ address: String, now: Date) -> TimeInterval? {
        let recent = (opened[address] ?? []).filter { now.timeIntervalSince($0) < window }
        guard recent.count >= perWindow, let oldest = recent.min() else { return nil }
        return oldest.addingTimeInterval(window).timeIntervalSince(now)
    }

    mutating func opened(_ address: String, now: Date) {
        var recent = (opened[address] ?? []).filter { now.timeIntervalSince($0) < window }
        recent.append(now)
        opened[address] = recent
        if opened.count > maxKeys {
            opened = opened.filter { $0.value.contains { now.timeIntervalSince($0) < window } }
        }
    }
}
