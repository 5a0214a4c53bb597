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
    private let client: HTTPClient
    private let wake: AsyncStream<Void>.Continuation
    private let wakes: AsyncStream<Void>
    /// Endpoints being delivered to by this node right now (a pass skips them).
    private let busy = Mutex<Set<Int>>([])
    /// When old events were last pruned (once an hour is plenty).
    private let pruned = Mutex<Date?>(nil)

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
        client = WebhookSender.makeClient(settings)
        (wakes, wake) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
    }

    /// Anything the services report may have written an event: look soon.
    public func publish(_ event: SupportEvent) async { wake.yield() }

    func wakeUp() { wake.yield() }

    public func run() async throws {
        let interval = settings.interval
        let wake = self.wake
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await repeating(every: interval) { wake.yield() } }
            group.addTask {
                await cancelWhenGracefulShutdown {
                    for await _ in self.wakes { await self.pass() }
                }
            }
            await group.next()
            group.cancelAll()
        }
        wake.finish()
        try? await store.releaseWebhooks(node: node)
        try? await client.shutdown()
    }

    /// One look: new events fanned out, then every due endpoint this node can hold delivered to.
    func pass() async {
        do {
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
            let fresh = busy.withLock { busy in
                let fresh = targets.filter { !busy.contains($0.id) }
                busy.formUnion(fresh.map(\.id))
                return fresh
            }
            // Each endpoint in its own task: a slow one does not hold up the others' passes.
            for target in fresh {
                Task {
                    await self.deliver(to: target)
                    _ = self.busy.withLock { $0.remove(target.id) }
                }
            }
        } catch {
            logger.error("webhook pass failed", metadata: ["error": "\(error)"])
        }
    }

    /// The endpoint's due deliveries, oldest first, until one fails (at most a batch per pass).
    private func deliver(to target: WebhookTarget) async {
        for _ in 0..<100 {
            do {
                guard let delivery = try await store.nextDelivery(webhookId: target.id, now: clock()) else { return }
                let body = try await renderer.body(for: delivery.event)
                let outcome = await WebhookSender(client: client, settings: settings).send(body, event: delivery.event, to: target, now: clock())
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
                    logger.error("webhook switched off", metadata: metadata.merging(["url": "\(url)", "reason": "\(reason)"]) { a, _ in a })
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
