import HeapModule

/// Deadlines by key, the earliest known at once: a heap of (instant, key) beside each key's
/// current deadline. A key set again or removed leaves its old heap entry behind, dropped when it
/// comes to the top (and all of them swept once they outnumber the live ones), so a typist's
/// keystroke or each of 10 000 departures in a storm costs a logarithm, never a pass over all.
/// A value: the hub's state machines keep their deadlines in it and the hub's one timer asks
/// each for its `next`.
struct Deadlines<Key: Hashable & Sendable>: Sendable {
    private struct Entry: Comparable, Sendable {
        let at: ContinuousClock.Instant
        let key: Key
        static func < (a: Entry, b: Entry) -> Bool { a.at < b.at }
        static func == (a: Entry, b: Entry) -> Bool { a.at == b.at && a.key == b.key }
    }

    private var current: [Key: ContinuousClock.Instant] = [:]
    /// Its top is always live (`settle`), so `next` needs no mutation.
    private var heap = Heap<Entry>()

    var isEmpty: Bool { current.isEmpty }
    var count: Int { current.count }

    /// The earliest deadline, if any.
    var next: ContinuousClock.Instant? { heap.min?.at }

    subscript(key: Key) -> ContinuousClock.Instant? { current[key] }

    mutating func set(_ key: Key, at instant: ContinuousClock.Instant) {
        guard current.updateValue(instant, forKey: key) != instant else { return }
        heap.insert(Entry(at: instant, key: key))
        settle()
    }

    @discardableResult
    mutating func remove(_ key: Key) -> ContinuousClock.Instant? {
        guard let removed = current.removeValue(forKey: key) else { return nil }
        settle()
        return removed
    }

    /// The keys whose deadline has come (at or before `now`), earliest first; they are removed.
    mutating func due(now: ContinuousClock.Instant) -> [Key] {
        var due: [Key] = []
        while let top = heap.min, top.at <= now {
            heap.removeMin()
            if current[top.key] == top.at {
                current[top.key] = nil
                due.append(top.key)
            }
        }
        settle()
        return due
    }

    private mutating func settle() {
        while let top = heap.min, current[top.key] != top.at { heap.removeMin() }
        if heap.count > 2 * current.count + 64 {
            heap = Heap(current.map { Entry(at: $0.value, key: $0.key) })
        }
    }
}

extension ContinuousClock.Instant? {
    /// The earlier of two optional deadlines (nil: none).
    func earliest(_ other: ContinuousClock.Instant?) -> ContinuousClock.Instant? {
        switch (self, other) {
        case (nil, let other): other
        case (let this, nil): this
        case (let this?, let other?): Swift.min(this, other)
        }
    }
}
