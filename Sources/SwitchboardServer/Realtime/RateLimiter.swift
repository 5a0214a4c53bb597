import Foundation
import SwitchboardProtocol
import Synchronization

/// Token buckets per user, shared by all of a user's connections.
///
/// A flood is a client that keeps sending after it was told to slow down: `floodLimit` frames
/// refused before its bucket has filled halfway again. (Counting refusals *in a row* instead let a
/// flood through whenever the server read it slowly: each token refilled between two frames
/// started the count over.)
final class RateLimiter: Sendable {
    enum Verdict: Equatable { case allowed, limited, flooding }

    private struct Bucket {
        var tokens: Double
        var updated: ContinuousClock.Instant
        /// Refused since the bucket was last at least half full.
        var refused = 0
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
            if bucket.tokens >= burst / 2 { bucket.refused = 0 }
            if bucket.tokens >= 1 {
                bucket.tokens -= 1
                verdict = .allowed
            } else {
                bucket.refused += 1
                verdict = bucket.refused >= floodLimit ? .flooding : .limited
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
