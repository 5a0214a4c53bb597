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
    public private(set) var state: ConnectionState = .offline(reason: "not started")

    private let options: Options
    private let signIn: SignIn?
    private let stateSink: AsyncStream<ConnectionState>.Continuation
    private let eventSink: AsyncStream<RealtimeEvent>.Continuation
    private let decoder = WireJSON.decoder()
    private let encoder = WireJSON.encoder()
    private var logger = Logger(label: "switchboard.realtime")

    /// An open socket, named by the attempt that opened it; frames yielded to `writer` go out in order.
    struct Socket {
        let attempt: Int
        let writer: AsyncStream<String>.Continuation
        let outbound: WebSocketOutboundWriter
        let openedAt: ContinuousClock.Instant
    }

    /// Where the connection is in its life. Every callback from a socket or a timer names the
    /// attempt it belongs to and is ignored unless the phase still does.
    enum Phase {
        /// Not started yet, or between one attempt's end and the next one's start.
        case idle
        /// Signing in or opening socket number `attempt`.
        case connecting(attempt: Int)
        case connected(Socket)
        /// Between attempts (when the next is due, the mode reads in `ConnectionState`); `nap` is
        /// the sleep that `retryNow()` cuts short.
        case waiting(nap: Task<Void, Never>)
        /// `stop()` was called: the close frame is out, and the socket's last frames (an ACK) still count.
        case stopping(Socket?)
        case stopped
    }

    private var phase = Phase.idle
    /// Attempts so far (names the next one).
    private var attempts = 0
    private var loop: Task<Void, Never>?
    /// Moves to the next address left before the backoff applies again.
    private var switchesLeft: Int
    /// The address the mode was last told of (the first given, until a move).
    private var announced: String
    /// Rooms, marks, the message on the wire: everything frames change.
    private var frames: RealtimeFrames
    private var receiptsTimer: Task<Void, Never>?
    /// The outbox message whose file is going up (before its frame can go); nil when none is.
    private var upload: (clientMessageId: String, task: Task<Void, Never>)?
    /// The pause before a message refused for now goes again (its slot stays taken meanwhile).
    private var resend: (clientMessageId: String, task: Task<Void, Never>)?

    public init(api: APIClient, outbox: Outbox, options: Options = Options(), signIn: SignIn? = nil) {
        self.api = api
        self.outbox = outbox
        self.options = options
        self.signIn = signIn
        switchesLeft = api.servers.count - 1
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
        case .stopping, .stopped: return
        case .connected(let open): socket = open
        case .waiting(let nap): nap.cancel(); socket = nil
        case .idle, .connecting: socket = nil
        }
        phase = .stopping(socket)
        resend?.task.cancel()
        receiptsTimer?.cancel()
        upload?.task.cancel()
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
        if case .waiting(let nap) = phase { nap.cancel() }
    }

    // MARK: What modes send

    /// Writes the message to the outbox (on disk) and sends it when the connection allows.
    @discardableResult
    public func send(_ text: String, to ticketId: Int, messageType: MessageType? = nil,
                     isInternal: Bool = false) async throws -> OutgoingMessage {
        try await queued(outbox.add(ticketId: ticketId, text: text, messageType: messageType, isInternal: isInternal))
    }

    /// A message now in the outbox: shown as queued, and sent when its turn comes.
    private func queued(_ message: OutgoingMessage) async -> OutgoingMessage {
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
        write(ClientFrame(active ? .typingStart(ticketId: ticketId, internal: isInternal)
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
    private var openSocket: Socket? {
        switch phase {
        case .connected(let socket), .stopping(let socket?): socket
        default: nil
        }
    }

    private var isStopping: Bool {
        switch phase {
        case .stopping, .stopped: true
        default: false
        }
    }

    // MARK: The connection loop

    private func run() async {
        var policy = ReconnectPolicy(backoff: options.backoff, stableAfter: options.stableAfter)
        var refresh = false
        while !Task.isCancelled && !isStopping {
            publish(.connecting)
            let ending = await attempt(refreshingToken: refresh)
            let lasted = ended()
            if Task.isCancelled || isStopping { break }
            refresh = false
            // Several addresses (nodes on one database): an unreachable or dropped one hands over
            // to the next at once, each once per round; the rejoin resumes with sinceSeq there.
            // The mode hears of a move once the socket is up there (`attach`): with every address
            // down, it sees "reconnecting", not a move to another address that is down too.
            if Self.failsOver(ending), switchesLeft > 0, await api.failOver() {
                switchesLeft -= 1
                continue
            }
            switchesLeft = api.servers.count - 1
            switch policy.next(after: ending, connectedFor: lasted, unit: options.random()) {
            case .retry(let delay, let attempt, let refreshToken):
                refresh = refreshToken
                if delay > .zero {
                    publish(.reconnecting(attempt: attempt, nextTryAt: Date().addingTimeInterval(delay.inSeconds),
                                          reason: ReconnectPolicy.reason(ending)))
                    // Cut short by `retryNow()`: the attempt count starts again.
                    if await wait(delay) { policy.reset() }
                }
            case .giveUp(let reason):
                publish(.offline(reason: reason))
                await wait(nil)
                policy.reset()
            case .authFailed(let reason):
                publish(.authFailed(reason: reason))
                await wait(nil)
                policy.reset()
            }
        }
    }

    /// Sleeps for `delay` (nil: until `retryNow`); true when `retryNow` cut it short.
    @discardableResult
    private func wait(_ delay: Duration?) async -> Bool {
        guard !isStopping else { return false }
        let nap = Task { _ = try? await Task.sleep(for: delay ?? .seconds(365 * 86_400)) }
        phase = .waiting(nap: nap)
        await withTaskCancellationHandler {
            await nap.value
        } onCancel: {
            nap.cancel()
        }
        if case .waiting = phase { phase = .idle }
        return nap.isCancelled
    }

    /// One connection, from signing in to the socket's end.
    private func attempt(refreshingToken: Bool) async -> Disconnection {
        attempts += 1
        let thisAttempt = attempts
        phase = .connecting(attempt: thisAttempt)
        let token: String
        do {
            token = try await prepareLogin(refreshing: refreshingToken)
        } catch {
            return Self.ending(error)
        }
        let tls: TLSConfiguration?
        do {
            tls = try options.security.tlsConfiguration()
        } catch {
            return .refused(error)
        }
        // Batched presence: the server sends one frame per 250 ms instead of one per change, and
        // an agent hears only of customers in their view (protocol.md, PRESENCE).
        // (Ticket frames stay the contract's: the console's "All open" lists every agent's tickets.)
        let url = await api.realtimeURL + "?" + ConnectionOptions(presence: .batched).query
        var headers = HTTPFields()
        headers[.authorization] = "Bearer \(token)"
        var configuration = WebSocketClientConfiguration(
            maxFrameSize: options.frameBytes, additionalHeaders: headers, closeTimeout: .seconds(1),
            autoPing: .enabled(timePeriod: options.pingInterval), validateUTF8: true)
        if url.hasPrefix("wss:"), let host = URLComponents(string: url)?.host,
           (try? SocketAddress(ipAddress: host.trimmingCharacters(in: CharacterSet(charactersIn: "[]")), port: 0)) != nil {
            // The TLS layer under WSClient names the server by its host (for SNI and the name check)
            // and refuses an IP address there; unchecked, any name will do.
            guard options.security.insecure else {
                return .refused(APIError(code: .invalid, message: "wss:// checks the certificate by host name, not IP address: "
                                             + "connect with the name in the server's certificate", status: 0))
            }
            configuration.sniHostname = "switchboard.invalid"
        }
        let frameBytes = options.frameBytes
        let logger = logger
        let handler: WebSocketDataHandler<WebSocketClient.Context> = { inbound, outbound, _ in
            let (outgoing, writer) = AsyncStream<String>.makeStream()
            // A socket that comes up after its attempt was given up on is closed at once.
            guard await self.attach(writer, outbound, attempt: thisAttempt) else { return }
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask {
                    for await text in outgoing { try await outbound.write(.text(text)) }
                }
                for try await message in inbound.messages(maxSize: frameBytes) {
                    if case .text(let text) = message { await self.received(text, attempt: thisAttempt) }
                }
                writer.finish()
                group.cancelAll()
            }
        }
        let outcome: Result<WebSocketCloseFrame?, any Error>
        let client: @Sendable () -> WebSocketClient = { [configuration] in
            WebSocketClient(url: url, configuration: configuration, tlsConfiguration: tls, logger: logger, handler: handler)
        }
        switch await runWithinConnectTimeout(client, attempt: thisAttempt) {
        case .none:
            // Given up on: a socket that comes up after all finds the phase moved on.
            phase = .idle
            return .unreachable(ConnectionFailure(.connectTimedOut, "no answer within \(options.connectTimeout.components.seconds) s"))
        case .some(let result):
            outcome = result
        }
        do {
            if let close = try outcome.get() {
                return .closed(code: UInt16(webSocketErrorCode: close.closeCode), reason: close.reason)
            }
            return .dropped(ConnectionFailure(.ended, "the connection ended"))
        } catch let error as WebSocketClientError where error == .webSocketUpgradeFailed {
            // The upgrade answer's status is not handed to us: ask REST why (it refreshes a stale token too).
            do {
                _ = try await api.me()
                return .unreachable(ConnectionFailure(.other, "the server refused the realtime connection"))
            } catch {
                return Self.ending(error)
            }
        } catch {
            if case .connected = phase { return .dropped(ConnectionFailure(error)) }
            return .unreachable(ConnectionFailure(error))
        }
    }

    /// A REST refusal as the end of an attempt: not reached at all, or refused with a reason.
    private static func ending(_ error: APIError) -> Disconnection {
        guard error.status == 0 else { return .refused(error) }
        return .unreachable(error.transport ?? ConnectionFailure(.other, error.message))
    }

    /// Runs the client; nil if the socket is not up within the connect timeout (a server that
    /// accepts but never answers the upgrade, e.g. a frozen process, would hold it forever).
    private func runWithinConnectTimeout(_ client: @escaping @Sendable () -> WebSocketClient,
                                         attempt: Int) async -> Result<WebSocketCloseFrame?, any Error>? {
        let run = Task { () -> Result<WebSocketCloseFrame?, any Error> in
            do { return .success(try await client().run()) } catch { return .failure(error) }
        }
        let limit = options.connectTimeout
        // A race between the run and the timer, answered once. Not a task group: a group would
        // wait for the run, and a run stuck in the upgrade does not end when cancelled (it ends,
        // unused, when the server answers or the socket closes).
        let answer = Mutex<CheckedContinuation<Result<WebSocketCloseFrame?, any Error>?, Never>?>(nil)
        let finish: @Sendable (Result<WebSocketCloseFrame?, any Error>?) -> Void = { result in
            answer.withLock { waiting in
                waiting?.resume(returning: result)
                waiting = nil
            }
        }
        return await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                answer.withLock { $0 = continuation }
                Task.detached { finish(await run.value) }
                Task.detached {
                    try? await Task.sleep(for: limit)
                    if await self.socket(of: attempt) != nil { finish(await run.value) } else { finish(nil) }
                }
            }
        } onCancel: {
            run.cancel()
            finish(nil)
        }
    }

    /// The socket of `attempt`, if that is still the one in use (callbacks from an abandoned one are ignored).
    private func socket(of attempt: Int) -> Socket? {
        guard let socket = openSocket, socket.attempt == attempt else { return nil }
        return socket
    }

    /// A valid access token: signs in without a login, refreshes one that is (nearly) expired.
    private func prepareLogin(refreshing: Bool) async throws(APIError) -> String {
        if await api.session == nil {
            guard let signIn else { throw APIError(code: .unauthorized, message: "not signed in", status: 401) }
            try await signIn(api)
        } else if let session = await api.session, let remaining = await api.accessTokenRemaining {
            // Refresh with a quarter of the lifetime left (at most 30 s): the server closes the socket at expiry.
            let margin = min(Duration.seconds(30), .seconds(session.expiresIn) / 4)
            if refreshing || remaining <= margin {
                do {
                    try await api.refresh()
                } catch where error.code == .unauthorized && signIn != nil {
                    try await signIn?(api)
                }
            }
        }
        guard let login = await api.session else { throw APIError(code: .unauthorized, message: "not signed in", status: 401) }
        frames.me = login.user.id
        return login.accessToken
    }

    /// The socket is up: say what must hold again, then drain the outbox.
    private func attach(_ writer: AsyncStream<String>.Continuation, _ outbound: WebSocketOutboundWriter,
                        attempt: Int) async -> Bool {
        let server = await api.server.absoluteString
        guard case .connecting(attempt) = phase else { return false }
        phase = .connected(Socket(attempt: attempt, writer: writer, outbound: outbound, openedAt: .now))
        // Told here, not when the loop moved on: the address now in use answers. (REST may also
        // have moved before any socket, signing in.)
        announce(server)
        publish(.connected)
        receiptsTimer?.cancel()
        receiptsTimer = nil
        frames.socketOpened().forEach(write)
        await pump()
        return true
    }

    /// The attempt is over: its socket is let go. Answers how long the socket was up (nil: it never came up).
    private func ended() -> Duration? {
        let socket: Socket? = if case .connected(let socket) = phase { socket } else { nil }
        socket?.writer.finish()
        if !isStopping { phase = .idle }
        frames.socketClosed()
        if let resend {
            // A new socket is a fresh start: the paused message goes first on it.
            resend.task.cancel()
            free(resend.clientMessageId)
            self.resend = nil
        }
        return socket.map { ContinuousClock.now - $0.openedAt }
    }

    // MARK: Frames in

    /// Carries out what a frame means (`RealtimeFrames` decides), in order.
    private func received(_ text: String, attempt: Int) async {
        guard socket(of: attempt) != nil else { return }
        for reaction in frames.received(text, decoder: decoder) {
            switch reaction {
            case .emit(let event):
                eventSink.yield(event)
            case .acknowledged(let clientMessageId, let messageId, let seq, let timestamp, let redactions, let storedText):
                if var message = await outboxChange({ try await $0.acknowledged(clientMessageId) }) {
                    message.state = .sent(messageId: messageId, seq: seq, timestamp: timestamp)
                    // The optimistic copy gives way to what the server stored (masked), and why.
                    if let storedText { message.text = storedText }
                    message.redactions = redactions
                    eventSink.yield(.outgoing(message))
                }
                frames.stored(clientMessageId)
                // Whether or not it was the one on the wire (a late ACK from an earlier socket).
                await pump()
            case .refused(let clientMessageId, let error):
                await refused(clientMessageId, error)
            case .receiptsDue:
                scheduleReceipts()
            }
        }
    }

    // MARK: Frames out

    /// Sends the oldest queued message if none is waiting for its ACK (uploading its file first).
    private func pump() async {
        guard case .connected(let current) = phase, frames.canSend, upload == nil else { return }
        guard let next = await outbox.nextQueued else { return }
        // The outbox was asked across a suspension: the socket or the slot may have changed.
        guard case .connected(let still) = phase, still.attempt == current.attempt, frames.canSend, upload == nil else { return }
        if let file = next.file, next.needsUpload {
            startUpload(next, file)
            return
        }
        write(frames.sending(next))
    }

    /// Uploads the outbox's copy of a queued message's file; its frame goes once it is stored.
    /// A drop does not stop it (it is HTTP); what it answers decides: stored, try again, or failed.
    private func startUpload(_ message: OutgoingMessage, _ file: OutgoingFile) {
        let api = api, sink = eventSink
        let task = Task { [weak self] in
            let result: Result<Attachment, APIError>
            do throws(APIError) {
                result = .success(try await api.upload(file.copy, named: file.name, to: message.ticketId) { sent, _ in
                    sink.yield(.uploading(message, sent: sent))
                })
            } catch {
                result = .failure(error)
            }
            await self?.uploadEnded(message.clientMessageId, result)
        }
        upload = (message.clientMessageId, task)
    }

    private func uploadEnded(_ clientMessageId: String, _ result: Result<Attachment, APIError>) async {
        guard upload?.clientMessageId == clientMessageId, !isStopping else { return }
        switch result {
        case .success(let attachment):
            upload = nil
            frames.accepted()
            if let message = await outboxChange({ try await $0.uploaded(clientMessageId, as: attachment) }) {
                eventSink.yield(.outgoing(message))
            }
            await pump()
        case .failure(let error):
            await refused(clientMessageId, error)
        }
    }

    /// A message's frame or its file's upload was refused. Too fast, unreachable or the server
    /// failed: the same again after a growing pause, nothing overtaking it (its slot — the wire or
    /// the upload — stays taken until then). Anything else: failed for good, on disk, with the
    /// reason, and the queue moves on.
    private func refused(_ clientMessageId: String, _ error: APIError) async {
        if error.code.isTransient {
            let delay = options.backoff.wait(step: frames.refusedTransiently(), unit: 0.5 + options.random() / 2)
            resend = (clientMessageId, Task { [weak self] in
                try? await Task.sleep(for: delay)
                guard !Task.isCancelled else { return }
                await self?.sendAgain(clientMessageId)
            })
        } else {
            frames.accepted()
            if let failed = await outboxChange({ try await $0.failed(clientMessageId, code: error.code, reason: error.sentence) }) {
                eventSink.yield(.outgoing(failed))
            }
            free(clientMessageId)
            await pump()
        }
    }

    private func sendAgain(_ clientMessageId: String) async {
        guard resend?.clientMessageId == clientMessageId else { return }
        resend = nil
        free(clientMessageId)
        await pump()
    }

    /// The slot a refused message held — the wire, or the upload — is free.
    private func free(_ clientMessageId: String) {
        frames.release(clientMessageId)
        if upload?.clientMessageId == clientMessageId { upload = nil }
    }

    /// One receipt per room per moment, not one per message (a replay can bring hundreds).
    private func scheduleReceipts() {
        guard receiptsTimer == nil else { return }
        receiptsTimer = Task { [weak self] in
            try? await Task.sleep(for: .milliseconds(100))
            await self?.sendReceipts()
        }
    }

    private func sendReceipts() {
        receiptsTimer = nil
        // Without a socket they wait: a new one sends them as it opens.
        guard case .connected = phase else { return }
        frames.takeReceipts().forEach(write)
    }

    private func write(_ frame: ClientFrame) {
        guard let socket = openSocket, let data = try? encoder.encode(frame) else { return }
        socket.writer.yield(String(decoding: data, as: UTF8.self))
    }

    /// Tells the mode the socket is up at another address than it was last told, and which.
    private func announce(_ server: String) {
        guard server != announced else { return }
        eventSink.yield(.movedTo(server: server, from: announced))
        announced = server
    }

    private func publish(_ new: ConnectionState) {
        guard new != state else { return }
        state = new
        stateSink.yield(new)
    }

    // MARK: Helpers

    /// An outbox change the server caused: the message as it now is, and — when the file could
    /// not be written — a sentence for the screen (never dropped).
    private func outboxChange(_ change: (Outbox) async throws -> OutgoingMessage?) async -> OutgoingMessage? {
        do {
            return try await change(outbox)
        } catch let error as OutboxDiskError {
            eventSink.yield(.outboxTrouble(error.sentence))
            return error.message
        } catch {
            eventSink.yield(.outboxTrouble("The outbox file could not be written (\(error))"))
            return nil
        }
    }

    /// Endings another address may cure: the server could not be reached, or the socket dropped.
    static func failsOver(_ ending: Disconnection) -> Bool {
        switch ending {
        case .unreachable, .dropped: true
        case .closed(let code, _): code == 1001 || code == 1012 // going away, restarting
        case .refused: false
        }
    }
}
