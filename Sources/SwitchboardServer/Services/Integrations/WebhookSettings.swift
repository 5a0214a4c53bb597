import Foundation

/// How webhooks are delivered. Every rule of time reads the server's clock, given as the input.
public struct WebhookSettings: Sendable {
    /// Private, loopback and link-local targets are refused unless this is set (the tests set it).
    public var allowPrivateTargets = false
    /// A whole attempt — connecting, sending, the answer's head — must end within this.
    public var timeout: Duration = .seconds(10)
    /// Bytes of an answer's body read (and dropped); the rest is not waited for.
    public var responseBytes = 16 << 10
    /// An endpoint that has failed for this long is switched off (its deliveries wait).
    public var giveUpAfter: TimeInterval = 86_400
    /// Retries: the first after about this, doubling to at most `maxRetryDelay`.
    public var firstRetryDelay: TimeInterval = 10
    public var maxRetryDelay: TimeInterval = 3_600
    /// How often the deliverer looks for events and due retries (an event also wakes it at once).
    public var interval: Duration = .seconds(1)
    /// How long a node holds an endpoint it delivers to (renewed with every attempt) before
    /// another may take it over — after a crash, how long its endpoints wait for another node.
    /// Longer than `timeout`, so an attempt under way keeps it.
    public var lease: TimeInterval = 30

    /// How long delivered events (and their log) are kept.
    public var keepDelivered: TimeInterval = 30 * 86_400

    public init() {}

    /// The wait before retry `failures` (1 for the first failure): doubling from the first delay,
    /// capped, with "equal jitter" (half fixed, half random) so endpoints that failed together do
    /// not all come back at once.
    public func retryDelay(failures: Int, random: Double) -> TimeInterval {
        let base = min(maxRetryDelay, firstRetryDelay * pow(2, Double(min(max(failures - 1, 0), 30))))
        return base / 2 + base / 2 * min(max(random, 0), 1)
    }
}
