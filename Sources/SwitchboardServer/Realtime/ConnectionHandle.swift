import Foundation
import SwitchboardProtocol
import Synchronization

/// One WebSocket connection as the hub sees it: who it is, and where its frames go. Frames
/// reach the socket in the order they were sent.
final class ConnectionHandle: Sendable {
    let id: ConnectionID
    let caller: Caller
    let options: ConnectionOptions
    /// When the access token it was opened with expires, in real time (the hub's clock may be a
    /// test's): the hub closes it then (4001).
    let closesAt: ContinuousClock.Instant
    private let outlet: any FrameOutlet
    private struct State {
        var closing: (code: UInt16, reason: String)?
        var finished = false
        /// Frames written since the socket last took frames without waiting.
        var blocked = 0
    }
    private let state = Mutex(State())
    /// Frames a socket that takes nothing may be given before it is closed.
    private let capacity: Int
    /// The clientMessageIds this connection is storing and has not been answered for (ACK or ERROR).
    private let sending = Mutex<Set<String>>([])

    init(
        id: ConnectionID, caller: Caller, options: ConnectionOptions = ConnectionOptions(),
        closesAt: ContinuousClock.Instant = .now + .seconds(366 * 86_400), outlet: any FrameOutlet, capacity: Int
    ) {
        self.id = id
        self.caller = caller
        self.options = options
        self.closesAt = closesAt
        self.outlet = outlet
        self.capacity = capacity
    }

    var userId: Int { caller.id }
    /// Frames written while the socket's send buffer was full (0 while it takes frames).
    var backlog: Int { state.withLock { $0.blocked } }
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

    /// Sends a frame. A connection whose socket takes nothing while `capacity` more frames come is
    /// too slow to keep: it is closed, and its client resumes from the last `seq` it has.
    func send(_ text: String) {
        let tooSlow = state.withLock { state -> (code: UInt16, reason: String)? in
            guard state.closing == nil, !state.finished else { return nil }
            state.blocked = outlet.isWritable ? 0 : state.blocked + 1
            guard state.blocked <= capacity else {
                state.closing = (CloseCode.fellBehind, "too slow: reconnect and resume")
                return state.closing
            }
            // Written under the lock: two threads sending to one connection keep one order, and
            // nothing follows a close.
            outlet.write(text)
            return nil
        }
        if let tooSlow { outlet.close(code: tooSlow.code, reason: tooSlow.reason) }
    }

    /// Sends a frame that describes passing state (presence, typing, who is in a room) only
    /// while the socket takes frames: it is left out rather than pushing the connection toward
    /// being closed, since the client can read the state again. Answers whether it was sent.
    @discardableResult
    func sendIfRoom(_ text: String) -> Bool {
        guard outlet.isWritable else { return false }
        send(text)
        return true
    }

    /// Closes with this code after the frames already sent; later ones are dropped.
    func close(code: UInt16, reason: String) {
        let first = state.withLock { state -> Bool in
            guard state.closing == nil, !state.finished else { return false }
            state.closing = (code, reason)
            return true
        }
        if first { outlet.close(code: code, reason: reason) }
    }

    /// The close the server asked for, if it did.
    var closeRequest: (code: UInt16, reason: String)? { state.withLock { $0.closing } }

    /// No more frames: the client went away.
    func finish() { state.withLock { $0.finished = true } }
}
