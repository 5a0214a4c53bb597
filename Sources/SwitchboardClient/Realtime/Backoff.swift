import Foundation
import SwitchboardProtocol

/// When to try reconnecting: exponential backoff with full jitter (a random wait between zero and
/// `min(cap, base · 2^attempt)`), so that after a server restart thousands of clients spread out
/// instead of knocking at once.
public struct Backoff: Sendable, Equatable {
    public var base: Duration
    public var cap: Duration
    /// Attempts before giving up (nil: never).
    public var maxAttempts: Int?

    public init(base: Duration = .milliseconds(500), cap: Duration = .seconds(30), maxAttempts: Int? = nil) {
        self.base = base
        self.cap = cap
        self.maxAttempts = maxAttempts
    }

    /// The longest wait before attempt `attempt` (counting from 0).
    public func ceiling(attempt: Int) -> Duration {
        let exponent = min(max(attempt, 0), 30)
        let grown = base * (1 << exponent)
        return grown < cap ? grown : cap
    }

    /// The wait before attempt `attempt`, with `unit` a random number in [0, 1) (injected, so the
    /// schedule can be tested without chance or sleeping); nil once the attempts are used up.
    public func delay(attempt: Int, unit: Double) -> Duration? {
        if let maxAttempts, attempt >= maxAttempts { return nil }
        return wait(step: attempt, unit: unit)
    }

    /// A random wait within the window of step `step`, whatever the attempt limit.
    public func wait(step: Int, unit: Double) -> Duration {
        let seconds = ceiling(attempt: step).inSeconds
        return .milliseconds(Int64((seconds * min(max(unit, 0), 0.999_999) * 1000).rounded(.down)))
    }

    /// The wait before attempt `attempt`, drawn from the system's random numbers.
    public func delay(attempt: Int) -> Duration? {
        delay(attempt: attempt, unit: Double.random(in: 0..<1))
    }
}
