import Testing

@testable import SwitchboardServer

@Suite struct RateLimiterTests {
    let start = ContinuousClock.now

    /// Feeds `count` frames `gap` apart and returns the verdicts.
    func feed(_ limiter: RateLimiter, _ count: Int, every gap: Duration, from: inout ContinuousClock.Instant) -> [RateLimiter.Verdict] {
        (0..<count).map { _ in
            defer { from += gap }
            return limiter.admit(userId: 1, at: from)
        }
    }

    @Test func aBurstPassesThenFramesAreRefusedThenTheFloodCloses() {
        let limiter = RateLimiter(burst: 120, perSecond: 30, floodLimit: 100)
        var now = start
        let verdicts = feed(limiter, 400, every: .zero, from: &now)
        #expect(verdicts.prefix(120).allSatisfy { $0 == .allowed })
        #expect(verdicts[120..<219].allSatisfy { $0 == .limited })
        #expect(verdicts[219] == .flooding)
    }

    /// The server may read a flood slowly (CI's two cores, a busy node): a token refilled between
    /// two frames must not start the count over. 400 frames 10 ms apart still end in a flood.
    @Test func aFloodReadSlowlyIsStillAFlood() {
        let limiter = RateLimiter(burst: 120, perSecond: 30, floodLimit: 100)
        var now = start
        let verdicts = feed(limiter, 400, every: .milliseconds(10), from: &now)
        #expect(verdicts.contains(.flooding))
        #expect(verdicts.filter { $0 == .allowed }.count > 120, "refilled tokens were still granted")
    }

    @Test func aClientThatBacksOffStartsOver() {
        let limiter = RateLimiter(burst: 120, perSecond: 30, floodLimit: 100)
        var now = start
        #expect(!feed(limiter, 200, every: .zero, from: &now).contains(.flooding))  // 80 refused
        now += .seconds(2)  // 60 tokens back: half the burst
        let again = feed(limiter, 60, every: .zero, from: &now)
        #expect(again.allSatisfy { $0 == .allowed })
        #expect(feed(limiter, 99, every: .zero, from: &now).allSatisfy { $0 == .limited })
        #expect(limiter.admit(userId: 1, at: now) == .flooding)
    }

    /// Sending steadily a little faster than the refill never lets the bucket fill halfway: past
    /// the limit's worth of refusals, that is a flood too. At the refill rate it is not.
    @Test func aSteadyRateAboveTheLimitEndsInAFloodAndOneAtItDoesNot() {
        let over = RateLimiter(burst: 120, perSecond: 30, floodLimit: 100)
        var now = start
        #expect(feed(over, 3_000, every: .milliseconds(25), from: &now).contains(.flooding))  // 40/s
        let within = RateLimiter(burst: 120, perSecond: 30, floodLimit: 100)
        now = start
        #expect(feed(within, 3_000, every: .milliseconds(34), from: &now).allSatisfy { $0 == .allowed })
    }

    @Test func usersHaveTheirOwnBuckets() {
        let limiter = RateLimiter(burst: 2, perSecond: 1, floodLimit: 5)
        #expect(limiter.admit(userId: 1, at: start) == .allowed)
        #expect(limiter.admit(userId: 1, at: start) == .allowed)
        #expect(limiter.admit(userId: 1, at: start) == .limited)
        #expect(limiter.admit(userId: 2, at: start) == .allowed)
    }
}
