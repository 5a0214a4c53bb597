import Synchronization

/// The hub's one timer, as `Doorbell.run` keeps one loop: the loop says when it will next look
/// (`willSleep(until:)`) and sleeps; a deadline set earlier than that, or work handed over
/// (`ring`), wakes it sooner. No task is started per deadline or per event: the sleep is a child
/// of the loop's own task, and cancelling that task ends the wait.
final class Alarm: Sendable {
    private struct State {
        /// When the sleeping loop looks next; nil: it sleeps until rung.
        var wakeAt: ContinuousClock.Instant?
        /// Whether the loop is (about to be) asleep: while it works, a new deadline waits for
        /// its next look, which reads every deadline anyway.
        var asleep = false
        var rung = false
        var sleeper: CheckedContinuation<Void, Never>?
    }

    private let state = Mutex(State())

    /// A deadline now falls at `instant`: the loop is woken if it would sleep past it.
    func wake(by instant: ContinuousClock.Instant) {
        let sleeper = state.withLock { state -> CheckedContinuation<Void, Never>? in
            guard state.asleep, state.wakeAt.map({ instant < $0 }) ?? true else { return nil }
            return Self.ring(&state)
        }
        sleeper?.resume()
    }

    /// Whether the loop will look at once when it next sleeps (for tests).
    var isRung: Bool { state.withLock { $0.rung } }

    /// Work waits for the loop: it looks at once.
    func ring() {
        state.withLock { Self.ring(&$0) }?.resume()
    }

    /// Called by the loop, on the hub, before it sleeps: from here on, a deadline earlier than
    /// `next` wakes it.
    func willSleep(until next: ContinuousClock.Instant?) {
        state.withLock { state in
            state.wakeAt = next
            state.asleep = true
            state.rung = false
        }
    }

    /// Sleeps until the instant given to `willSleep`, a ring, or cancellation.
    func sleep() async {
        let until = state.withLock { $0.wakeAt }
        await withDiscardingTaskGroup { group in
            if let until {
                group.addTask {
                    try? await Task.sleep(until: until, clock: .continuous)
                    if !Task.isCancelled { self.ring() }
                }
            }
            await withTaskCancellationHandler {
                await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                    let now = state.withLock { state -> Bool in
                        guard !state.rung else { return true }
                        state.sleeper = continuation
                        return false
                    }
                    if now { continuation.resume() }
                }
            } onCancel: {
                self.ring()
            }
            state.withLock { $0.asleep = false }
            group.cancelAll()
        }
    }

    private static func ring(_ state: inout State) -> CheckedContinuation<Void, Never>? {
        state.rung = true
        defer { state.sleeper = nil }
        return state.sleeper
    }
}
