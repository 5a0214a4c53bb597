import SwitchboardProtocol

/// One room's relay order, as a value: messages go out in seq order, each once. A message that
/// arrives ahead of a missing one waits until the gap closes — by the missing message arriving
/// (from this node's services, or read from the tables for another node's) or, after a while,
/// by a read from the tables. It decides; the hub carries out what it answers (as postgres-nio's
/// channel handler runs its state machines' actions), so all of it is tested without sockets.
struct RoomRelay: Sendable, Equatable {
    enum Action: Sendable, Equatable {
        /// Relay this message to the room; `origin` sent it and gets an ACK instead.
        case deliver(Message, origin: ConnectionID?)
        /// Something waits behind a gap: read the tables if it has not closed in a while.
        case armGapTimer
        /// Nothing waits any more.
        case disarmGapTimer
    }

    struct Waiting: Sendable, Equatable {
        var message: Message
        var origin: ConnectionID?
    }

    /// Highest seq relayed; nil until the room's starting point has been read.
    private(set) var lastRelayed: Int?
    /// Messages that came ahead of a missing one (or while the starting point was being read).
    private(set) var pending: [Int: Waiting] = [:]
    private(set) var gapTimerArmed = false

    /// The starting point is known: the room's last seq when it was opened (a joining client
    /// replays up to it from the tables). What waited and is covered by that replay is dropped.
    mutating func start(at lastSeq: Int) -> [Action] {
        guard lastRelayed == nil else { return [] }
        lastRelayed = lastSeq
        pending = pending.filter { $0.key > lastSeq }
        return drain()
    }

    /// A message stored (here, or read back for another node's note).
    mutating func receive(_ message: Message, origin: ConnectionID?) -> [Action] {
        if let lastRelayed, message.seq <= lastRelayed { return [] }  // already relayed, or covered by a replay
        // The first to arrive keeps its origin: a copy read from the tables has none.
        if pending[message.seq] == nil { pending[message.seq] = Waiting(message: message, origin: origin) }
        return drain()
    }

    /// Where a read from the tables must start: everything after this seq (nil while starting).
    var fillFrom: Int? { lastRelayed }

    /// The gap timer went off: it is no longer armed (the caller reads the tables and calls `filled`).
    mutating func gapTimerFired() { gapTimerArmed = false }

    /// Messages read from the tables after `fillFrom`.
    mutating func filled(_ messages: [Message]) -> [Action] {
        for message in messages where pending[message.seq] == nil && message.seq > (lastRelayed ?? .max) {
            pending[message.seq] = Waiting(message: message, origin: nil)
        }
        return drain()
    }

    private mutating func drain() -> [Action] {
        guard var last = lastRelayed else { return [] }
        var actions: [Action] = []
        while let next = pending.removeValue(forKey: last + 1) {
            last += 1
            actions.append(.deliver(next.message, origin: next.origin))
        }
        lastRelayed = last
        if pending.isEmpty {
            if gapTimerArmed {
                gapTimerArmed = false
                actions.append(.disarmGapTimer)
            }
        } else if !gapTimerArmed {
            gapTimerArmed = true
            actions.append(.armGapTimer)
        }
        return actions
    }
}
