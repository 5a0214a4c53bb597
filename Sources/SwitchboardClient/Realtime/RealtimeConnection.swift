import Foundation
import HTTPTypes
import Logging
import NIOCore
import NIOSSL
import NIOWebSocket
import SwitchboardProtocol
import Synchronization
import WSClient

/// What the connection tells its mode, besides its state.
public enum RealtimeEvent: Sendable, Equatable {
    /// A frame from the server, decoded.
    case server(ServerEvent)
    /// One of this client's messages changed: queued, sent (stored, with its seq) or failed.
    case outgoing(OutgoingMessage)
    /// A failed message the user discarded.
    case discarded(clientMessageId: String, ticketId: Int)
    /// A frame that is not a known event (the tester shows it as it came).
    case undecodable(String)
    /// The file of a queued message is being uploaded: `sent` of its size so far.
    case uploading(OutgoingMessage, sent: Int)
    /// The server at `from` could not be reached or dropped the socket: the connection moved to
    /// the next address given (`--server a,b`), where it resumes.
    case movedTo(server: String, from: String)
}

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

    private var loop: Task<Void, Never>?
    private var pause: Task<Void, Never>?
    /// The last wait was cut short by `retryNow()`: the attempt count starts again.
    private var retried = false
    /// Moves to the next address left before the backoff applies again.
    private var switchesLeft: Int
    private var stopped = false
    /// The open socket, named by the attempt that opened it; frames yielded to `writer` go out in order.
    private var socket: (attempt: Int, writer: AsyncStream<String>.Continuation, outbound: WebSocketOutboundWriter)?
    /// Counts connection attempts; a socket from an abandoned attempt is not used.
    private var attemptID = 0
    private var connectedAt: ContinuousClock.Instant?
    private var me: Int?

    /// Rooms to be in, with the highest seq held from each (0: none).
    private var rooms: [Int: Int] = [:]
    /// What must hold again after a reconnect: the chosen agent status, and read marks.
    private var chosenStatus: AgentStatus?
    private var readMarks: [Int: Int] = [:]
    private var deliveredMarks: [Int: Int] = [:]
    private var deliveredFlush: Task<Void, Never>?
    /// The outbox message on the wire, waiting for its ACK (one at a time keeps the order).
    private var inFlight: String?
    /// The outbox message whose file is going up (before its frame can go); nil when none is.
    private var upload: (clientMessageId: String, task: Task<Void, Never>)?
    private var transientRefusals = 0
    private var resend: Task<Void, Never>?

    public init(api: APIClient, outbox: Outbox, options: Options = Options(), signIn: SignIn? = nil) {
        self.api = api
        self.outbox = outbox
        self.options = options
        self.signIn = signIn
        switchesLeft = api.servers.count - 1
        (states, stateSink) = AsyncStream.makeStream(bufferingPolicy: .bufferingNewest(64))
        (events, eventSink) = AsyncStream.makeStream(bufferingPolicy: .unbounded)
        logger.logLevel = .critical
    }

    // MARK: Life cycle

    /// Starts connecting, and keeps connected until `stop()`.
    public func start() {
        guard loop == nil, !stopped else { return }
        loop = Task { await self.run() }
    }

    /// Closes the socket, stops reconnecting, ends both streams and closes the outbox.
    public func stop() async {
        guard !stopped else { return }
        stopped = true
        pause?.cancel()
        resend?.cancel()
        deliveredFlush?.cancel()
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
        publish(.offline(reason: "stopped"))
        stateSink.finish()
        eventSink.finish()
        await outbox.close()
    }

    /// Try now instead of waiting out the backoff (the user pressed retry, or signed in again).
    public func retryNow() {
        pause?.cancel()
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
        rooms[ticketId] = max(rooms[ticketId] ?? 0, sinceSeq ?? 0)
        write(ClientFrame(.joinRoom(ticketId: ticketId, sinceSeq: rooms[ticketId])))
    }

    public func leave(_ ticketId: Int) {
        guard rooms.removeValue(forKey: ticketId) != nil else { return }
        readMarks[ticketId] = nil
        write(ClientFrame(.leaveRoom(ticketId: ticketId)))
    }

    /// The rooms this connection keeps, with the highest seq it holds from each.
    public var joinedRooms: [Int: Int] { rooms }

    /// Typing is passing state: dropped while offline.
    public func typing(in ticketId: Int, active: Bool, isInternal: Bool = false) {
        write(ClientFrame(active ? .typingStart(ticketId: ticketId, internal: isInternal)
                                 : .typingStop(ticketId: ticketId, internal: isInternal)))
    }

    /// Read up to `upToSeq`; remembered, so it also reaches the server after a drop.
    public func markRead(_ ticketId: Int, upToSeq: Int) {
        guard upToSeq > readMarks[ticketId] ?? 0 else { return }
        readMarks[ticketId] = upToSeq
        write(ClientFrame(.markRead(ticketId: ticketId, upToSeq: upToSeq)))
    }

    /// An agent's chosen status; said again after every reconnect.
    public func setStatus(_ status: AgentStatus) {
        chosenStatus = status
        write(ClientFrame(.setStatus(status)))
    }

    /// Any frame, as the tester types it; false when there is no socket to carry it.
    @discardableResult
    public func sendRaw(_ text: String) -> Bool {
        guard let socket else { return false }
        socket.writer.yield(text)
        return true
    }

    // MARK: The connection loop

    private func run() async {
        var policy = ReconnectPolicy(backoff: options.backoff, stableAfter: options.stableAfter)
        var refresh = false
        while !Task.isCancelled && !stopped {
            publish(.connecting)
            let ending = await attempt(refreshingToken: refresh)
            let lasted = connectedAt.map { ContinuousClock.now - $0 }
            detach()
            if Task.isCancelled || stopped { break }
            refresh = false
            // Several addresses (nodes on one database): an unreachable or dropped one hands over
            // to the next at once, each once per round; the rejoin resumes with sinceSeq there.
            let from = await api.server.absoluteString
            if Self.failsOver(ending), switchesLeft > 0, await api.failOver() {
                switchesLeft -= 1
                eventSink.yield(.movedTo(server: await api.server.absoluteString, from: from))
                continue
            }
            switchesLeft = api.servers.count - 1
            switch policy.next(after: ending, connectedFor: lasted, unit: options.random()) {
            case .retry(let delay, let attempt, let refreshToken):
                refresh = refreshToken
                if delay > .zero {
                    publish(.reconnecting(attempt: attempt, nextTryAt: Date().addingTimeInterval(delay.inSeconds),
                                          reason: ReconnectPolicy.reason(ending)))
                    await wait(delay)
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
            if retried { policy.reset() }
            retried = false
        }
    }

    /// Sleeps for `delay` (nil: until `retryNow`), ending early on `retryNow`.
    private func wait(_ delay: Duration?) async {
        let nap = Task { _ = try? await Task.sleep(for: delay ?? .seconds(365 * 86_400)) }
        pause = nap
        await withTaskCancellationHandler {
            await nap.value
        } onCancel: {
            nap.cancel()
        }
        if nap.isCancelled { retried = true }
        pause = nil
    }

    /// One connection, from signing in to the socket's end.
    private func attempt(refreshingToken: Bool) async -> Disconnection {
        let token: String
        do {
            token = try await prepareLogin(refreshing: refreshingToken)
        } catch {
            return error.status == 0 ? .unreachable(error.message) : .refused(error)
        }
        let tls: TLSConfiguration?
        do {
            tls = try options.security.tlsConfiguration()
        } catch {
            return .refused(error)
        }
        let url = await api.realtimeURL
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
        attemptID += 1
        let thisAttempt = attemptID
        let logger = logger
        let handler: WebSocketDataHandler<WebSocketClient.Context> = { inbound, outbound, _ in
            let (frames, writer) = AsyncStream<String>.makeStream()
            // A socket that comes up after its attempt was given up on is closed at once.
            guard await self.attach(writer, outbound, attempt: thisAttempt) else { return }
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask {
                    for await text in frames { try await outbound.write(.text(text)) }
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
            attemptID += 1
            return .unreachable("no answer within \(options.connectTimeout.components.seconds) s")
        case .some(let result):
            outcome = result
        }
        do {
            if let close = try outcome.get() {
                return .closed(code: UInt16(truncatingIfNeeded: Self.code(close.closeCode)), reason: close.reason)
            }
            return .dropped("the connection ended")
        } catch let error as WebSocketClientError where error == .webSocketUpgradeFailed {
            // The upgrade answer's status is not handed to us: ask REST why (it refreshes a stale token too).
            do {
                _ = try await api.me()
                return .unreachable("the server refused the realtime connection")
            } catch {
                return error.status == 0 ? .unreachable(error.message) : .refused(error)
            }
        } catch {
            let why = Self.describe(error)
            return connectedAt == nil ? .unreachable(why) : .dropped(why)
        }
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
                    if await self.isAttached(attempt) { finish(await run.value) } else { finish(nil) }
                }
            }
        } onCancel: {
            run.cancel()
            finish(nil)
        }
    }

    private func isAttached(_ attempt: Int) -> Bool { socket?.attempt == attempt }

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
        guard let session = await api.session else { throw APIError(code: .unauthorized, message: "not signed in", status: 401) }
        me = session.user.id
        return session.accessToken
    }

    /// The socket is up: say what must hold again, then drain the outbox.
    private func attach(_ writer: AsyncStream<String>.Continuation, _ outbound: WebSocketOutboundWriter,
                        attempt: Int) async -> Bool {
        guard attempt == attemptID, !stopped else { return false }
        socket = (attempt, writer, outbound)
        connectedAt = .now
        inFlight = nil
        publish(.connected)
        for (ticketId, held) in rooms.sorted(by: { $0.key < $1.key }) {
            write(ClientFrame(.joinRoom(ticketId: ticketId, sinceSeq: held)))
            if let read = readMarks[ticketId] { write(ClientFrame(.markRead(ticketId: ticketId, upToSeq: read))) }
        }
        if let chosenStatus { write(ClientFrame(.setStatus(chosenStatus))) }
        flushDelivered()
        await pump()
        return true
    }

    private func detach() {
        socket?.writer.finish()
        socket = nil
        connectedAt = nil
        inFlight = nil
        resend?.cancel()
    }

    // MARK: Frames in

    private func received(_ text: String, attempt: Int) async {
        guard attempt == socket?.attempt else { return }
        guard let event = try? decoder.decode(ServerEvent.self, from: Data(text.utf8)) else {
            eventSink.yield(.undecodable(text))
            return
        }
        switch event {
        case .receiveMessage(let ticketId, let message):
            // The hub relays a room in seq order, so the highest seq received is a gap-free mark.
            if let held = rooms[ticketId], message.seq > held { rooms[ticketId] = message.seq }
            eventSink.yield(.server(event))
            if message.sender.id != me { noteDelivered(ticketId, message.seq) }
        case .ack(let clientMessageId, let messageId, _, let seq, let timestamp):
            eventSink.yield(.server(event))
            if var message = try? await outbox.acknowledged(clientMessageId) {
                message.state = .sent(messageId: messageId, seq: seq, timestamp: timestamp)
                eventSink.yield(.outgoing(message))
            }
            if inFlight == clientMessageId {
                inFlight = nil
                transientRefusals = 0
            }
            await pump()
        case .error(let code, let message, let ref?) where ref == inFlight:
            eventSink.yield(.server(event))
            inFlight = nil
            await refused(ref, APIError(code: code, message: message, status: code.httpStatus))
        default:
            eventSink.yield(.server(event))
        }
    }

    // MARK: Frames out

    /// Sends the oldest queued message if none is waiting for its ACK (uploading its file first).
    private func pump() async {
        guard let current = socket, inFlight == nil, upload == nil else { return }
        guard let next = await outbox.nextQueued else { return }
        // The outbox was asked across a suspension: the socket or the slot may have changed.
        guard socket?.attempt == current.attempt, inFlight == nil, upload == nil else { return }
        if let file = next.file, next.needsUpload {
            startUpload(next, file)
            return
        }
        inFlight = next.clientMessageId
        write(next.frame)
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
        guard upload?.clientMessageId == clientMessageId, !stopped else { return }
        upload = nil
        switch result {
        case .success(let attachment):
            transientRefusals = 0
            if let message = try? await outbox.uploaded(clientMessageId, as: attachment) { eventSink.yield(.outgoing(message)) }
            await pump()
        case .failure(let error):
            await refused(clientMessageId, error)
        }
    }

    /// A message's frame or its file's upload was refused. Too fast, unreachable or the server
    /// failed: the same again after a growing pause, nothing overtaking it. Anything else: failed
    /// for good, with the reason, and the queue moves on.
    private func refused(_ clientMessageId: String, _ error: APIError) async {
        if error.code.isTransient {
            transientRefusals += 1
            let delay = options.backoff.wait(step: transientRefusals, unit: 0.5 + options.random() / 2)
            resend = Task { [weak self] in
                try? await Task.sleep(for: delay)
                await self?.pump()
            }
        } else {
            transientRefusals = 0
            if let failed = try? await outbox.failed(clientMessageId, code: error.code, reason: error.sentence) {
                eventSink.yield(.outgoing(failed))
            }
            await pump()
        }
    }

    private func noteDelivered(_ ticketId: Int, _ seq: Int) {
        guard options.deliveryReceipts, seq > deliveredMarks[ticketId] ?? 0 else { return }
        deliveredMarks[ticketId] = seq
        // One receipt per room per moment, not one per message (a replay can bring hundreds).
        guard deliveredFlush == nil else { return }
        deliveredFlush = Task { [weak self] in
            try? await Task.sleep(for: .milliseconds(100))
            await self?.flushDelivered()
        }
    }

    private func flushDelivered() {
        deliveredFlush = nil
        guard socket != nil else { return }
        for (ticketId, seq) in deliveredMarks.sorted(by: { $0.key < $1.key }) {
            write(ClientFrame(.markDelivered(ticketId: ticketId, upToSeq: seq)))
        }
        deliveredMarks = [:]
    }

    private func write(_ frame: ClientFrame) {
        guard let socket, let data = try? encoder.encode(frame) else { return }
        socket.writer.yield(String(decoding: data, as: UTF8.self))
    }

    private func publish(_ new: ConnectionState) {
        guard new != state else { return }
        state = new
        stateSink.yield(new)
    }

    // MARK: Helpers

    static func code(_ code: WebSocketErrorCode) -> Int {
        switch code {
        case .normalClosure: 1000
        case .goingAway: 1001
        case .protocolError: 1002
        case .unacceptableData: 1003
        case .dataInconsistentWithMessage: 1007
        case .policyViolation: 1008
        case .messageTooLarge: 1009
        case .missingExtension: 1010
        case .unexpectedServerError: 1011
        case .unknown(let value): Int(value)
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

    /// A short reason for people from a connect or socket error.
    static func describe(_ error: any Error) -> String {
        let text = String(describing: error)
        if text.contains("connectTimeout") || text.contains("connectionRefused") || text.contains("Connection refused") {
            return "connection refused"
        }
        if text.contains("handshakeFailed") || text.contains("CERTIFICATE") || text.contains("certificate") {
            return "TLS handshake failed: the server's certificate is not trusted"
        }
        return text.count > 120 ? String(text.prefix(120)) + "…" : text
    }
}
