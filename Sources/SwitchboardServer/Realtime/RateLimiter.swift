import Foundation
import Synchronization
import SwitchboardProtocol

/// Token buckets per user, shared by all of a user's connections.
final class RateLimiter: Sendable {
    enum Verdict: Equatable { case allowed, limited, flooding }

    private struct Bucket {
        var tokens: Double
        var updated: ContinuousClock.Instant
        var refusedInARow = 0
    }

    private let burst: Double
    private let perSecond: Double
    private let floodLimit: Int
    private let buckets = Mutex<[Int: Bucket]>([:])

    init(burst: Double, perSecond: Double, floodLimit: Int) {
        self.burst = burst
        self.perSecond = perSecond
        self.floodLimit = floodLimit
    }

    func admit(userId: Int, at now: ContinuousClock.Instant = .now) -> Verdict {
        buckets.withLock { buckets in
            var bucket = buckets[userId] ?? Bucket(tokens: burst, updated: now)
            let elapsed = now - bucket.updated
            let seconds = elapsed.inSeconds
            bucket.tokens = min(burst, bucket.tokens + seconds * perSecond)
            bucket.updated = now
            let verdict: Verdict
            if bucket.tokens >= 1 {
                bucket.tokens -= 1
                bucket.refusedInARow = 0
                verdict = .allowed
            } else {
                bucket.refusedInARow += 1
                verdict = bucket.refusedInARow >= floodLimit ? .flooding : .limited
            }
            buckets[userId] = bucket
            return verdict
        }
    }

    /// Forgets a user with no connection left.
    func forget(userId: Int) {
        _ = buckets.withLock { $0.removeValue(forKey: userId) }
    }
}
