import HummingbirdCore
import Logging
import NIOCore

/// A server child channel with a `ConnectionGuard` added behind the base channel's HTTP decoder.
/// (Hummingbird builds the HTTP/WebSocket pipeline; this adds to it, it does not rebuild it.)
struct GuardedChannel<Base: ServerChildChannel>: ServerChildChannel {
    typealias Value = Base.Value

    let base: Base
    let timeouts: ConnectionGuard.Timeouts
    /// Connections in all and per address, shared by every connection of the server.
    let counter: ConnectionCounter

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        let timeouts = self.timeouts, counter = self.counter
        return base.setup(channel: channel, logger: logger).flatMapThrowing { value in
            try channel.pipeline.syncOperations.addHandler(ConnectionGuard(timeouts: timeouts, counter: counter))
            return value
        }
    }

    func handle(value: Value, logger: Logger) async {
        await base.handle(value: value, logger: logger)
    }
}
