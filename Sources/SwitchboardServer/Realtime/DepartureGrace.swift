import SwitchboardProtocol

/// Users whose last socket closed, each told of as offline only once their grace period has
/// passed without them coming back (a reload, a flaky network): a value, the time an input.
struct DepartureGrace {
    let grace: Duration
    private(set) var leaving: [Int: (user: User, until: ContinuousClock.Instant)] = [:]

    init(grace: Duration) {
        self.grace = grace
    }

    mutating func left(_ user: User, now: ContinuousClock.Instant) {
        leaving[user.id] = (user, now + grace)
    }

    /// They came back: answers whether they were still in their grace (nobody was told they left).
    mutating func back(userId: Int) -> Bool { leaving.removeValue(forKey: userId) != nil }

    /// Those whose grace is over, earliest first.
    mutating func due(now: ContinuousClock.Instant) -> [User] {
        let over = leaving.values.filter { $0.until <= now }.sorted { $0.until < $1.until }
        for entry in over { leaving[entry.user.id] = nil }
        return over.map(\.user)
    }

    var nextDeadline: ContinuousClock.Instant? { leaving.values.map(\.until).min() }
}
