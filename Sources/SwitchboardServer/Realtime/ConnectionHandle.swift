import Foundation
import Synchronization
import SwitchboardProtocol

/// One WebSocket connection as the hub sees it: who it is, and its outbound queue. Frames reach
/// the socket in the order they were queued, through a single writer.
final class ConnectionHandle: Sendable {
    let id: ConnectionID
    let caller: Caller
    private let continuation: AsyncStream<String>.Continuation
    private let closing = Mutex<(code: UInt16, reason: String)?>(nil)

    init(id: ConnectionID, caller: Caller, continuation: AsyncStream<String>.Continuation) {
        self.id = id
        self.caller = caller
        self.continuation = continuation
    }

    var userId: Int { caller.id }
    var isStaff: Bool { caller.isStaff }

    /// Queues a frame. A connection that lets its queue fill is too slow to keep: it is closed,
    /// and its client resumes from the last `seq` it has.
    func send(_ text: String) {
        if case .dropped = continuation.yield(text) {
            close(code: 1008, reason: "too slow: reconnect and resume")
        }
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
