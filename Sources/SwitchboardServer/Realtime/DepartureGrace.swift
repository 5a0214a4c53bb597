import SwitchboardProtocol

/// Users whose last socket closed, each told of as offline only once their grace period has
/// passed without them coming back (a reload, a flaky network): a value, the time an input.
struct DepartureGrace {
    let grace: Duration
    private(set) var leaving: [Int: User] = [:]
    private var deadlines = Deadlines<Int>()

    init(grace: Duration) {
        self.grace = grace
    }

    mutating func left(_ user: User, now: ContinuousClock.Instant) {
        leaving[user.id] = user
        deadlines.set(user.id, at: now + grace)
    }

    /// They came back: answers whether they were still in their grace (nobody was told they left).
    mutating func back(userId: Int) -> Bool {
        deadlines.remove(userId)
        return leaving.removeValue(forKey: userId) != nil
    }

    /// Those whose grace is over, earliest first.
    mutating func due(now: ContinuousClock.Instant) -> [User] {
        deadlines.due(now: now).compactMap { leaving.removeValue(forKey: $0) }
    }

    var nextDeadline: ContinuousClock.Instant? { deadlines.next }
}
