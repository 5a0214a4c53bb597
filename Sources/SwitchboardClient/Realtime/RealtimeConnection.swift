import Foundation
import HTTPTypes
import Logging
import NIOCore
import NIOSSL
import NIOWebSocket
import SwitchboardProtocol
import Synchronization
import WSClient

/// The realtime connection to `/ws`, kept up for as long as it runs: it signs in (or refreshes
/// the token) when needed, reconnects after every drop with jittered backoff, detects a dead peer
/// by ping timeout, rejoins the rooms that were open with the highest seq it holds, sends the
/// outbox in order, one message at a time, and sends delivery receipts for what it receives.
///
/// Modes read two streams, `states` (their connection indicator) and `events`, and call the
/// methods below; nothing here waits on the network except `send`, which waits for the disk.
public actor RealtimeConnection {
    public struct Options: Sendable {
        public var backoff = Backoff()
        /// A connection that lasted this long resets the attempt count.
        public var stableAfter: Duration = .seconds(10)
        /// A ping goes out this often; a peer that has not answered by the next one is dead.
        public var pingInterval: Duration = .seconds(15)
        /// How long connecting (TCP, TLS and the upgrade) may take.
        public var connectTimeout: Duration = .seconds(10)
        public var security = TransportSecurity()
        public var frameBytes = Limits().frameBytes
        /// Send `MARK_DELIVERED` for messages from others as they arrive.
        public var deliveryReceipts = true
        /// Random numbers in [0, 1) for the jitter (injected by tests).
        public var random: @Sendable () -> Double = { Double.random(in: 0..<1) }

        public init() {}
    }

    /// Signs in when there is no login (e.g. with a password the mode holds); nil: the caller signs in.
    public typealias SignIn = @Sendable (APIClient) async throws(APIError) -> Void

    public nonisolated let states: AsyncStream<ConnectionState>
    public nonisolated let events: AsyncStream<RealtimeEvent>
    public nonisolated let api: APIClient
    public nonisolated let outbox: Outbox
    public internal(set) var state: ConnectionState = .offline(reason: "not started")

    let options: Options
    let signIn: SignIn?
    let stateSink: AsyncStream<ConnectionState>.Continuation
    let eventSink: AsyncStream<RealtimeEvent>.Continuation
    let decoder = WireJSON.decoder()
    let encoder = WireJSON.encoder()
    var logger = Logger(label: "switchboard.realtime")

    /// An open socket, named by the attempt that opened it; frames yielded to `writer` go out in order.
    /// What lives only as long as the socket is dropped with it.
    struct Socket {
        let attempt: Int
        let writer: AsyncStream<String>.Continuation
        let outbound: WebSocketOutboundWriter
        let openedAt: ContinuousClock.Instant
        /// The pause that gathers delivery receipts into one frame per room.
        var receipts: Task<Void, Never>?

        func letGo() {
            writer.finish()
            receipts?.cancel()
        }
    }

    /// A piece of work on behalf of one outbox message.
    struct Pending {
        let clientMessageId: String
        let task: Task<Void, Never>
    }

    /// What carries over from one attempt to the next, until `stop()`.
    struct Carried {
        /// Attempts so far (names the next one).
        var attempts = 0
        /// The outbox message whose file is going up (before its frame can go). It is HTTP, so a
        /// drop does not stop it.
        var upload: Pending?
        /// The pause before a message refused for now goes again (its slot stays taken meanwhile);
        /// cut short when the socket ends, since a new one is a fresh start.
        var resend: Pending?

        func cancel() {
            upload?.task.cancel()
            resend?.task.cancel()
        }
    }

    /// Where the connection is in its life, each case with what it holds. Every callback from a
    /// socket or a timer names the attempt it belongs to and is ignored unless the phase still does.
    enum Phase {
        /// Not started yet, or between one attempt's end and the next one's start.
        case idle(Carried)
        /// Signing in or opening socket number `carried.attempts`.
        case connecting(Carried)
        case connected(Socket, Carried)
        /// Between attempts (when the next is due, the mode reads in `ConnectionState`); `nap` is
        /// the sleep that `retryNow()` cuts short.
        case waiting(nap: Task<Void, Never>, Carried)
        /// `stop()` was called: the close frame is out, and the socket's last frames (an ACK) still count.
        case stopping(Socket?)
        case stopped
    }

    var phase = Phase.idle(Carried())
    var loop: Task<Void, Never>?
    /// The address the mode was last told of (the first given, until a move).
    var announced: String
    /// Rooms, marks, the message on the wire: everything frames change.
    var frames: RealtimeFrames

    public init(api: APIClient, outbox: Outbox, options: Options = Options(), signIn: SignIn? = nil) {
        self.api = api
        self.outbox = outbox
        self.options = options
        self.signIn = signIn
        announced = api.servers[0].absoluteString
        frames = RealtimeFrames(deliveryReceipts: options.deliveryReceipts)
        (states, stateSink) = AsyncStream.makeStream(bufferingPolicy: .bufferingNewest(64))
        (events, eventSink) = AsyncStream.makeStream(bufferingPolicy: .unbounded)
        logger.logLevel = .critical
    }

    // MARK: Life cycle

    /// Starts connecting, and keeps connected until `stop()`.
    public func start() {
        guard case .idle = phase, loop == nil else { return }
        loop = Task { await self.run() }
    }

    /// Closes the socket, stops reconnecting, ends both streams and closes the outbox.
    public func stop() async {
        let socket: Socket?
        switch phase {
        case .stopping, .stopped:
            return
        case .idle(let carried), .connecting(let carried):
            carried.cancel()
            socket = nil
        case .waiting(let nap, let carried):
            nap.cancel()
            carried.cancel()
            socket = nil
        case .connected(let open, let carried):
            open.receipts?.cancel()
            carried.cancel()
            socket = open
        }
        phase = .stopping(socket)
        if let socket, let loop {
            // A close frame first: the server answers it and the socket ends at once (cancelling
            // alone would wait out the close timeout on a TLS socket).
            try? await socket.outbound.close(.normalClosure, reason: "client stopped")
            let timer = Task {
                try? await Task.sleep(for: .seconds(1))
                loop.cancel()
            }
            await loop.value
            timer.cancel()
        }
        loop?.cancel()
        await loop?.value
        phase = .stopped
        publish(.offline(reason: "stopped"))
        stateSink.finish()
        eventSink.finish()
        await outbox.close()
    }

    /// Try now instead of waiting out the backoff (the user pressed retry, or signed in again).
    public func retryNow() {
        if case .waiting(let nap, _) = phase { nap.cancel() }
    }

    // MARK: What modes send

    /// Writes the message to the outbox (on disk) and sends it when the connection allows.
    @discardableResult
    public func send(
        _ text: String, to ticketId: Int, messageType: MessageType? = nil,
        isInternal: Bool = false
    ) async throws -> OutgoingMessage {
        try await queued(outbox.add(ticketId: ticketId, text: text, messageType: messageType, isInternal: isInternal))
    }

    /// A message now in the outbox: shown as queued, and sent when its turn comes.
    func queued(_ message: OutgoingMessage) async -> OutgoingMessage {
        eventSink.yield(.outgoing(message))
        await pump()
        return message
    }

    /// Copies the file into the outbox (on disk) and sends it — upload, then its message — when
    /// the connection allows, after the messages queued before it.
    @discardableResult
    public func sendFile(_ url: URL, to ticketId: Int, isInternal: Bool = false) async throws -> OutgoingMessage {
        try await queued(outbox.add(ticketId: ticketId, file: url, isInternal: isInternal))
    }

    /// A failed message goes back into the queue.
    public func retry(_ clientMessageId: String) async throws {
        guard let message = try await outbox.retry(clientMessageId) else { return }
        eventSink.yield(.outgoing(message))
        await pump()
    }

    /// A failed (or still queued) message is dropped.
    public func discard(_ clientMessageId: String) async throws {
        guard let message = try await outbox.discard(clientMessageId) else { return }
        eventSink.yield(.discarded(clientMessageId: clientMessageId, ticketId: message.ticketId))
    }

    /// Be in this ticket's room from now on, holding its messages up to `sinceSeq`: the server
    /// replays what came after, and so does every rejoin after a reconnect.
    public func join(_ ticketId: Int, sinceSeq: Int? = nil) {
        write(frames.join(ticketId, sinceSeq: sinceSeq))
    }

    public func leave(_ ticketId: Int) {
        frames.leave(ticketId).map(write)
    }

    /// The rooms this connection keeps, with the highest seq it holds from each.
    public var joinedRooms: [Int: Int] { frames.rooms }

    /// Typing is passing state: dropped while offline.
    public func typing(in ticketId: Int, active: Bool, isInternal: Bool = false) {
        write(
            ClientFrame(
                active
                    ? .typingStart(ticketId: ticketId, internal: isInternal)
                    : .typingStop(ticketId: ticketId, internal: isInternal)))
    }

    /// Read up to `upToSeq`; remembered, so it also reaches the server after a drop.
    public func markRead(_ ticketId: Int, upToSeq: Int) {
        frames.markRead(ticketId, upToSeq: upToSeq).map(write)
    }

    /// An agent's chosen status; said again after every reconnect.
    public func setStatus(_ status: AgentStatus) {
        write(frames.setStatus(status))
    }

    /// Any frame, as the tester types it; false when there is no socket to carry it.
    @discardableResult
    public func sendRaw(_ text: String) -> Bool {
        guard let socket = openSocket else { return false }
        socket.writer.yield(text)
        return true
    }

    /// The socket frames go out on: while connected, and while stopping (the last ones).
    var openSocket: Socket? {
        switch phase {
        case .connected(let socket, _), .stopping(let socket?): socket
        default: nil
        }
    }

    var isStopping: Bool {
        switch phase {
        case .stopping, .stopped: true
        default: false
        }
    }

    /// What carries over between attempts; nil once stopping (setting it then changes nothing).
    var carried: Carried? {
        get {
            switch phase {
            case .idle(let carried), .connecting(let carried), .connected(_, let carried), .waiting(_, let carried): carried
            case .stopping, .stopped: nil
            }
        }
        set {
            guard let newValue else { return }
            switch phase {
            case .idle: phase = .idle(newValue)
            case .connecting: phase = .connecting(newValue)
            case .connected(let socket, _): phase = .connected(socket, newValue)
            case .waiting(let nap, _): phase = .waiting(nap: nap, newValue)
            case .stopping, .stopped: break
            }
        }
    }

}
