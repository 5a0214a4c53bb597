/// One sleeping task for a set of deadlines (the typists', the departures' in their grace): set
/// for the earliest. A deadline that moves later keeps the timer armed — waking early finds
/// nothing due, and the owner arms it again — so a burst of events costs no task each.
struct DeadlineTimer {
    private var task: Task<Void, Never>?
    private var deadline: ContinuousClock.Instant?

    /// Wakes `fire` at `next` (nil: nothing to wait for).
    mutating func arm(for next: ContinuousClock.Instant?, _ fire: @escaping @Sendable () async -> Void) {
        guard let next else {
            cancel()
            return
        }
        if task != nil, let deadline, deadline <= next { return }
        task?.cancel()
        deadline = next
        task = Task {
            try? await Task.sleep(until: next, clock: .continuous)
            guard !Task.isCancelled else { return }
            await fire()
        }
    }

    /// It fired: the next `arm` sets it afresh.
    mutating func fired() {
        task = nil
        deadline = nil
    }

    mutating func cancel() {
        task?.cancel()
        task = nil
        deadline = nil
    }
}
