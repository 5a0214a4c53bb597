import Foundation
import SwitchboardProtocol
import Synchronization
import Testing

@testable import SwitchboardClient

/// Follows one connection as a mode would: every state and event it publishes, and the
/// timeline of one ticket built from them.
final class Watcher: Sendable {
    let connection: RealtimeConnection
    private let recorded = Mutex<(states: [ConnectionState], events: [RealtimeEvent], timeline: Timeline?)>(([], [], nil))
    private let tasks = Mutex<[Task<Void, Never>]>([])

    init(_ connection: RealtimeConnection, timeline: Timeline? = nil) {
        self.connection = connection
        recorded.withLock { $0.timeline = timeline }
        let states = Task { [self] in
            for await state in connection.states {
                self.recorded.withLock { record in
                    record.states.append(state)
                    if !state.isConnected { record.timeline?.connectionLost() }
                }
            }
        }
        let events = Task { [self] in
            for await event in connection.events {
                self.recorded.withLock { record in
                    record.events.append(event)
                    record.timeline?.apply(event)
                }
            }
        }
        tasks.withLock { $0 = [states, events] }
    }

    var states: [ConnectionState] { recorded.withLock { $0.states } }
    var events: [RealtimeEvent] { recorded.withLock { $0.events } }
    var timeline: Timeline { recorded.withLock { $0.timeline! } }

    /// The texts of the timeline's stored messages, in seq order.
    var texts: [String] { timeline.messages.map(\.message) }

    func stop() async {
        await connection.stop()
        for task in tasks.withLock({ $0 }) { await task.value }
    }
}

/// Waits (polling) until `condition` holds; records an issue and throws if it does not in time.
func eventually(
    _ what: String, within limit: Duration = .seconds(15), sourceLocation: SourceLocation = #_sourceLocation,
    _ condition: @Sendable () async -> Bool
) async throws {
    let deadline = ContinuousClock.now + limit
    while ContinuousClock.now < deadline {
        if await condition() { return }
        try await Task.sleep(for: .milliseconds(20))
    }
    Issue.record("timed out waiting until \(what)", sourceLocation: sourceLocation)
    throw CancellationError()
}

extension UserRef {
    init(_ user: User) {
        self.init(id: user.id, displayName: user.displayName, role: user.role, isOnline: true)
    }
}

/// Reconnect settings for tests: quick retries, and a dead peer noticed within a second or two.
func quickOptions(_ adjust: (inout RealtimeConnection.Options) -> Void = { _ in }) -> RealtimeConnection.Options {
    var options = RealtimeConnection.Options()
    options.backoff = Backoff(base: .milliseconds(50), cap: .milliseconds(400))
    options.pingInterval = .milliseconds(500)
    options.stableAfter = .seconds(1)
    adjust(&options)
    return options
}

/// A fresh outbox file in the test's own directory.
func freshOutbox(in directory: URL, _ name: String) async throws -> Outbox {
    try await Outbox.open(at: directory.appendingPathComponent("\(name)-outbox.sqlite"), account: name)
}
