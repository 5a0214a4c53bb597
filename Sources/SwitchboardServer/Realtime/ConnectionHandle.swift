import Foundation
import Synchronization
import SwitchboardProtocol

/// One WebSocket connection as the hub sees it: who it is, and its outbound queue. Frames reach
/// the socket in the order they were queued, through a single writer.
final class ConnectionHandle: Sendable {
    let id: ConnectionID
    let caller: Caller
    let options: ConnectionOptions
    /// When the access token it was opened with expires, in real time (the hub's clock may be a
    /// test's): the hub closes it then (4001).
    let closesAt: ContinuousClock.Instant
    private let continuation: AsyncStream<String>.Continuation
    private let closing = Mutex<(code: UInt16, reason: String)?>(nil)
    /// Free places in the queue after the last send, and the queue's size.
    private let room: Mutex<Int>
    private let capacity: Int
    /// The clientMessageIds this connection is storing and has not been answered for (ACK or ERROR).
    private let sending = Mutex<Set<String>>([])

    init(id: ConnectionID, caller: Caller, options: ConnectionOptions = ConnectionOptions(),
         closesAt: ContinuousClock.Instant = .now + .seconds(366 * 86_400), continuation: AsyncStream<String>.Continuation,
         capacity: Int) {
        self.id = id
        self.caller = caller
        self.options = options
        self.closesAt = closesAt
        self.continuation = continuation
        self.capacity = capacity
        room = Mutex(capacity)
    }

    var userId: Int { caller.id }
    /// Frames queued and not yet written (as of the last send).
    var backlog: Int { capacity - room.withLock { $0 } }
    var isStaff: Bool { caller.isStaff }

    /// Marks a message this connection is storing until its answer: should a copy read from the
    /// tables reach the room before the hub hears of it from this node (a gap fill, under load),
    /// the copy is not relayed back to its sender — who gets the ACK instead.
    func storing<R>(_ clientMessageId: String, _ body: () async throws -> R) async rethrows -> R {
        sending.withLock { _ = $0.insert(clientMessageId) }
        defer { sending.withLock { _ = $0.remove(clientMessageId) } }
        return try await body()
    }

    /// Whether this connection sent `message` and is waiting for its answer.
    func isStoring(_ message: Message) -> Bool {
        guard message.sender.id == caller.id, let id = message.clientMessageId else { return false }
        return sending.withLock { $0.contains(id) }
    }

    /// Queues a frame. A connection that lets its queue fill is too slow to keep: it is closed,
    /// and its client resumes from the last `seq` it has.
    func send(_ text: String) {
        switch continuation.yield(text) {
        case .enqueued(let remaining):
            room.withLock { $0 = remaining }
        case .dropped:
            close(code: 1008, reason: "too slow: reconnect and resume")
        case .terminated:
            break
        @unknown default:
            break
        }
    }

    /// Queues a frame that describes passing state (presence, typing, who is in a room): when
    /// the queue is more than half full it is left out rather than pushing the connection toward
    /// being closed, since the client can read the state again. Answers whether it was queued.
    @discardableResult
    func sendIfRoom(_ text: String) -> Bool {
        guard room.withLock({ $0 }) > capacity / 2 else { return false }
        send(text)
        return true
    }

    /// Ends the queue; the writer sends what is queued, then closes with this code.
    func close(code: UInt16, reason: String) {
        let first = closing.withLock { current -> Bool in
            guard current == nil else { return false }
            current = (code, reason)
            return true
        }
        if first { continuation.finish() }
    }

    /// The close the server asked for, if it did.
    var closeRequest: (code: UInt16, reason: String)? { closing.withLock { $0 } }

    /// Ends the queue without a close of the server's (the client went away).
    func finish() { continuation.finish() }
}
