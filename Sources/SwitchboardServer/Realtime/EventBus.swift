import Synchronization

/// Hands each event to every listener in turn (the hub, the assigner). Listeners are attached
/// once at start-up; they may publish further events through the bus themselves.
public final class EventBus: SupportEventSink {
    private let listeners = Mutex<[any SupportEventSink]>([])

    public init() {}

    public func attach(_ listener: any SupportEventSink) {
        listeners.withLock { $0.append(listener) }
    }

    public func publish(_ event: SupportEvent) async {
        for listener in listeners.withLock({ $0 }) {
            await listener.publish(event)
        }
    }
}
