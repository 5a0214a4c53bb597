import CoreMetrics
import Foundation
import Prometheus

/// What `GET /metrics` reports, in Prometheus' text format: swift-metrics instruments made by a
/// Prometheus factory over this server's own registry (not the process-wide one: tests run many
/// servers in one process). Every series carries `node`, so several nodes' scrapes add up.
public final class ServerMetrics: Sendable {
    public let node: String
    let registry = PrometheusCollectorRegistry()
    /// Messages stored through this node.
    let messagesStored: CoreMetrics.Counter
    /// From a message's commit to its RECEIVE_MESSAGE being queued on this node's sockets.
    let deliveryLatency: CoreMetrics.Timer
    /// A message's transaction, from asking to commit (group commit's wait included).
    let commitLatency: CoreMetrics.Timer
    let notificationsSent: CoreMetrics.Counter
    let notificationsReceived: CoreMetrics.Counter
    // Read from the hub when scraped.
    let connections: CoreMetrics.Gauge
    let users: CoreMetrics.Gauge
    let rooms: CoreMetrics.Gauge
    let queueDepthMax: CoreMetrics.Gauge
    let queueDepthTotal: CoreMetrics.Gauge

    public init(node: String) {
        self.node = node
        var factory = PrometheusMetricsFactory(registry: registry)
        // Milliseconds matter here: 0.5 ms … 5 s.
        factory.defaultDurationHistogramBuckets = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5]
            .map { Duration.nanoseconds(Int64($0 * 1e9)) }
        let labels = [("node", node)]
        messagesStored = Counter(label: "switchboard_messages_stored_total", dimensions: labels, factory: factory)
        deliveryLatency = Timer(label: "switchboard_delivery_latency_seconds", dimensions: labels, factory: factory)
        commitLatency = Timer(label: "switchboard_commit_latency_seconds", dimensions: labels, factory: factory)
        notificationsSent = Counter(label: "switchboard_node_notifications_sent_total", dimensions: labels, factory: factory)
        notificationsReceived = Counter(label: "switchboard_node_notifications_received_total", dimensions: labels, factory: factory)
        connections = Gauge(label: "switchboard_connections", dimensions: labels, factory: factory)
        users = Gauge(label: "switchboard_connected_users", dimensions: labels, factory: factory)
        rooms = Gauge(label: "switchboard_rooms", dimensions: labels, factory: factory)
        queueDepthMax = Gauge(label: "switchboard_outbound_queue_depth_max", dimensions: labels, factory: factory)
        queueDepthTotal = Gauge(label: "switchboard_outbound_queue_depth_total", dimensions: labels, factory: factory)
    }

    /// The text a scrape gets, with the hub's figures of this moment.
    func scrape(_ hub: Hub.Gauges) -> String {
        connections.record(hub.connections)
        users.record(hub.users)
        rooms.record(hub.rooms)
        queueDepthMax.record(hub.deepestQueue)
        queueDepthTotal.record(hub.queuedFrames)
        return registry.emitToString()
    }
}

extension CoreMetrics.Timer {
    /// Records a span measured on `ContinuousClock`.
    func record(_ duration: Duration) {
        recordNanoseconds(duration.components.seconds * 1_000_000_000 + duration.components.attoseconds / 1_000_000_000)
    }
}
