import AsyncHTTPClient
import Foundation
import Logging
import ServiceLifecycle
import Synchronization

/// Delivers webhook events: at least once, in order per endpoint, once across nodes.
///
/// Each pass gives new events a delivery row per endpoint that wants them, then leases the
/// endpoints with a delivery due (a node holds an endpoint until its lease ends, so two nodes
/// never send to one endpoint at once) and sends each endpoint's oldest pending delivery, then
/// the next, until one fails or none is due. A failure is retried after a growing, jittered
/// delay, and nothing behind it overtakes it. What is sent is written down only after the
/// answer: a node killed mid-delivery leaves it pending, and whoever holds the endpoint next
/// sends it again — receivers de-duplicate by the event id. A pass runs every `interval`, and at
/// once when the bus says something happened.
public final class WebhookDeliverer: Service, SupportEventSink {
    let store: any Store
    let node: String
    let settings: WebhookSettings
    let clock: @Sendable () -> Date
    let events: any SupportEventSink
    let logger: Logger
    private let renderer: WebhookRenderer
    private let sender: WebhookSender
    private let wake: AsyncStream<Void>.Continuation
    private let wakes: AsyncStream<Void>
    /// Endpoints being delivered to by this node right now (a pass skips them).
    private let busy = Mutex<Set<Int>>([])
    /// When old events were last pruned (once an hour is plenty).
    private let pruned = Mutex<Date?>(nil)
    /// Whether some endpoint is on, as last looked (every 10 s; at once after an admin's change
    /// here): without one, a pass costs nothing and the bus's news wakes nothing — every message
    /// once woke two queries on every server.
    private let endpoints = Mutex<(on: Bool, lookedAt: ContinuousClock.Instant?)>((false, nil))

    init(
        store: any Store, node: String, settings: WebhookSettings, clock: @escaping @Sendable () -> Date,
        events: any SupportEventSink, logger: Logger
    ) {
        self.store = store
        self.node = node
        self.settings = settings
        self.clock = clock
        self.events = events
        self.logger = logger
        renderer = WebhookRenderer(store: store)
        sender = WebhookSender(client: WebhookSender.makeClient(settings), settings: settings)
        (wakes, wake) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
    }

    /// Anything the services report may have written an event: look soon (when an endpoint is on).
    public func publish(_ event: SupportEvent) async {
        if endpoints.withLock({ $0.on }) { wake.yield() }
    }

    /// An admin changed the endpoints or asked for a redelivery: look again at once.
    func wakeUp() {
        endpoints.withLock { $0.lookedAt = nil }
        wake.yield()
    }

    /// Whether an endpoint is on, asked again every 10 s (another node's admin may have made one).
    private func anyEndpoint() async throws -> Bool {
        let known = endpoints.withLock { state in
            state.lookedAt.map { ContinuousClock.now - $0 < .seconds(10) } == true ? state.on : nil
        }
        if let known { return known }
        let on = try await store.anyWebhookEnabled()
        endpoints.withLock { $0 = (on, ContinuousClock.now) }
        return on
    }

    /// Deliveries run as child tasks of the service, so that none outlives it: at shutdown the
    /// ticker stops, the wakes end, what is under way is cancelled and awaited — and only then is
    /// the store closed (a PostgreSQL pool waits for its connections to come back).
    public func run() async throws {
        let interval = settings.interval
        let wake = self.wake
        await withDiscardingTaskGroup { group in
            group.addTask {
                await repeating(every: interval) { wake.yield() }
                wake.finish()
            }
            for await _ in wakes {
                for target in await pass() {
                    group.addTask {
                        await self.deliver(to: target)
                        _ = self.busy.withLock { $0.remove(target.id) }
                    }
                }
            }
            group.cancelAll()
        }
        try? await store.releaseWebhooks(node: node)
        try? await sender.client.shutdown()
    }

    /// One look: new events fanned out, then the due endpoints this node now holds and is not
    /// already delivering to.
    func pass() async -> [WebhookTarget] {
        do {
            guard try await anyEndpoint() else { return [] }
            while try await store.fanOutWebhookEvents(limit: 500) == 500 {}
            let now = clock()
            if pruned.withLock({ last in
                guard last.map({ now.timeIntervalSince($0) >= 3_600 }) ?? true else { return false }
                last = now
                return true
            }) {
                let gone = try await store.pruneWebhookEvents(before: now.addingTimeInterval(-settings.keepDelivered))
                if gone > 0 { logger.info("old webhook events pruned", metadata: ["events": "\(gone)"]) }
            }
            let targets = try await store.leaseWebhooks(node: node, now: now, until: now.addingTimeInterval(settings.lease))
            // Each endpoint in its own task: a slow one does not hold up the others' passes.
            return busy.withLock { busy in
                let fresh = targets.filter { !busy.contains($0.id) }
                busy.formUnion(fresh.map(\.id))
                return fresh
            }
        } catch {
            logger.error("webhook pass failed", metadata: ["error": "\(error)"])
            return []
        }
    }

    /// The endpoint's due deliveries, oldest first, until one fails (at most a batch per pass).
    private func deliver(to target: WebhookTarget) async {
        for _ in 0..<100 where !Task.isCancelled {
            do {
                guard let delivery = try await store.nextDelivery(webhookId: target.id, now: clock()) else { return }
                let body = try await renderer.body(for: delivery.event)
                let outcome = await sender.send(body, event: delivery.event, to: target, now: clock())
                // Cut short by the shutdown: not the endpoint's failure. It stays pending, and is
                // sent again after the restart (at least once).
                guard !Task.isCancelled else { return }
                let failures = delivery.attempts + 1
                let now = clock()
                let attempt = DeliveryAttempt(
                    deliveryId: delivery.id, webhookId: target.id, delivered: outcome.delivered, responseStatus: outcome.status,
                    responseLine: outcome.line, error: outcome.error,
                    retryAt: outcome.delivered
                        ? nil : now.addingTimeInterval(settings.retryDelay(failures: failures, random: Double.random(in: 0...1))))
                let metadata: Logger.Metadata = [
                    "webhook": "\(target.id)", "event": "\(delivery.event.id)", "type": "\(delivery.event.type.rawValue)",
                    "answer": "\(outcome.line ?? outcome.error ?? "")",
                ]
                let held = now.addingTimeInterval(settings.lease)
                switch try await store.recordAttempt(attempt, node: node, now: now, leaseUntil: held, disableAfter: settings.giveUpAfter) {
                case .recorded where outcome.delivered:
                    logger.debug("webhook delivered", metadata: metadata)
                case .recorded:
                    logger.info("webhook delivery failed; retried later", metadata: metadata)
                    return
                case .leaseLost:
                    logger.notice("webhook lease passed to another node mid-delivery", metadata: metadata)
                    return
                case .switchedOff(let url, let reason):
                    logger.error(
                        "webhook switched off", metadata: metadata.merging(["url": "\(url)", "reason": "\(reason)"]) { a, _ in a })
                    await events.publish(.webhookSwitchedOff(webhookId: target.id))
                    return
                }
            } catch {
                logger.error("webhook delivery could not be prepared", metadata: ["webhook": "\(target.id)", "error": "\(error)"])
                return
            }
        }
    }
}
