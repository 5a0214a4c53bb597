import Foundation
import HummingbirdWebSocket
import Logging
import NIOCore
import Synchronization

/// Between one WebSocket's handler (on its event loop) and the session (async work: the store,
/// the hub): the connection's messages wait here in arrival order and are handled one after the
/// other by a task that exists only while some wait. An idle connection has no task, so it holds
/// no task memory; a busy one has exactly one, so its frames keep their order.
final class RealtimeLink: Sendable {
    typealias Message = WebSocketMessage

    private enum Item: Sendable {
        case opened
        case message(Message)
        case ended
    }

    private struct State {
        var items = CircularBuffer<Item>()
        /// A task is handling items; new ones join its line.
        var running = false
        var handle: ConnectionHandle?
        /// The handler stopped reading the socket and waits for this to start again.
        var paused = false
        var resumeReads: (@Sendable () -> Void)?
    }

    /// Past this many waiting messages the socket is not read (TCP then slows the client down);
    /// reading starts again when the line is down to `resumeAt`.
    static let pauseAt = 64
    static let resumeAt = 16

    private let state = Mutex(State())
    private let session: RealtimeSession
    private let admission: RealtimeGate.Admission
    private let outlet: any FrameOutlet
    /// Where the handling task runs: the socket's event loop (nil: the global executor).
    private let executor: (any TaskExecutor)?
    private let logger: Logger

    init(
        session: RealtimeSession, admission: RealtimeGate.Admission, outlet: any FrameOutlet,
        executor: (any TaskExecutor)? = nil, logger: Logger
    ) {
        self.session = session
        self.admission = admission
        self.outlet = outlet
        self.executor = executor
        self.logger = logger
    }

    /// The connection is up: it is registered with the hub before any message is handled.
    func open(resumeReads: @escaping @Sendable () -> Void) {
        state.withLock { $0.resumeReads = resumeReads }
        enqueue(.opened)
    }

    /// A whole message from the client. Answers true when the handler should stop reading.
    func add(_ message: Message) -> Bool {
        enqueue(.message(message))
    }

    /// The socket is gone: the hub forgets it once the messages before are handled.
    func end() {
        enqueue(.ended)
    }

    @discardableResult
    private func enqueue(_ item: Item) -> Bool {
        let (start, pause) = state.withLock { state -> (Bool, Bool) in
            state.items.append(item)
            if state.items.count >= Self.pauseAt { state.paused = true }
            let start = !state.running
            state.running = true
            return (start, state.paused)
        }
        if start { Task(executorPreference: executor) { await self.handleWaiting() } }
        return pause
    }

    /// The next item, or nil (and no task running) when none waits.
    private func next() -> Item? {
        let (item, resume) = state.withLock { state -> (Item?, (@Sendable () -> Void)?) in
            guard let item = state.items.popFirst() else {
                state.running = false
                return (nil, nil)
            }
            guard state.paused, state.items.count <= Self.resumeAt else { return (item, nil) }
            state.paused = false
            return (item, state.resumeReads)
        }
        resume?()
        return item
    }

    private func handleWaiting() async {
        var answers: RealtimeSession.Answers?
        while let item = next() {
            switch item {
            case .opened:
                let handle = await session.hub.connect(
                    admission.caller, options: admission.options,
                    tokenExpiry: admission.expiry, outlet: outlet)
                state.withLock { $0.handle = handle }
            case .message(let message):
                guard let handle = state.withLock({ $0.handle }) else { continue }
                let answering = answers ?? RealtimeSession.Answers(handle: handle, logger: logger)
                answers = answering
                await session.receive(message, on: handle, answers: answering, logger: logger)
            case .ended:
                let handle = state.withLock { state -> ConnectionHandle? in
                    state.resumeReads = nil  // the handler is going: let go of it
                    defer { state.handle = nil }
                    return state.handle
                }
                if let handle { await session.hub.disconnect(handle.id) }
            }
        }
    }
}
