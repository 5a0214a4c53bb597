import Testing

@testable import SwitchboardClient

@Suite struct BackoffTests {
    let backoff = Backoff(base: .milliseconds(500), cap: .seconds(30))

    @Test func ceilingDoublesUpToTheCap() {
        #expect(
            (0...8).map { backoff.ceiling(attempt: $0) } == [
                .milliseconds(500), .seconds(1), .seconds(2), .seconds(4), .seconds(8), .seconds(16), .seconds(30), .seconds(30),
                .seconds(30),
            ])
        #expect(backoff.ceiling(attempt: 1_000) == .seconds(30))  // no overflow far out
    }

    @Test func fullJitterSpansZeroToTheCeiling() {
        #expect(backoff.delay(attempt: 3, unit: 0) == .zero)
        #expect(backoff.delay(attempt: 3, unit: 0.5) == .seconds(2))
        #expect(backoff.delay(attempt: 3, unit: 0.999_999_9)! < .seconds(4))
        #expect(backoff.delay(attempt: 20, unit: 0.25) == .milliseconds(7_500))
    }

    @Test func attemptsRunOut() {
        let limited = Backoff(base: .seconds(1), cap: .seconds(10), maxAttempts: 3)
        #expect(limited.delay(attempt: 2, unit: 0.5) == .seconds(2))
        #expect(limited.delay(attempt: 3, unit: 0.5) == nil)
    }

    /// Clients restarting together spread out: with real randomness, 1 000 first retries at the
    /// cap land all over [0, 30 s) rather than together.
    @Test func restartStormSpreadsOut() {
        let waits = (0..<1_000).compactMap { _ in backoff.delay(attempt: 10) }
        let buckets = Set(waits.map { $0.components.seconds })
        #expect(buckets.count >= 25)
    }
}
