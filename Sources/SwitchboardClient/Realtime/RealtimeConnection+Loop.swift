import Foundation
import HTTPTypes
import Logging
import NIOCore
import NIOSSL
import NIOWebSocket
import SwitchboardProtocol
import Synchronization
import WSClient

/// The connection loop: sign in, open the socket, read it until it ends, wait, again.
extension RealtimeConnection {
    // MARK: The connection loop

    func run() async {
        var policy = ReconnectPolicy(backoff: options.backoff, stableAfter: options.stableAfter)
        var refresh = false
        // Moves to the next address left before the backoff applies again.
        var switchesLeft = api.servers.count - 1
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
                    publish(
                        .reconnecting(
                            attempt: attempt, nextTryAt: Date().addingTimeInterval(delay.inSeconds),
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
    func wait(_ delay: Duration?) async -> Bool {
        guard let carried else { return false }
        let nap = Task { _ = try? await Task.sleep(for: delay ?? .seconds(365 * 86_400)) }
        phase = .waiting(nap: nap, carried)
        await withTaskCancellationHandler {
            await nap.value
        } onCancel: {
            nap.cancel()
        }
        if case .waiting(_, let carried) = phase { phase = .idle(carried) }
        return nap.isCancelled
    }

    /// One connection, from signing in to the socket's end.
    func attempt(refreshingToken: Bool) async -> Disconnection {
        guard var carried else { return .dropped(ConnectionFailure(.ended, "stopped")) }
        carried.attempts += 1
        let thisAttempt = carried.attempts
        phase = .connecting(carried)
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
            (try? SocketAddress(ipAddress: host.trimmingCharacters(in: CharacterSet(charactersIn: "[]")), port: 0)) != nil
        {
            // The TLS layer under WSClient names the server by its host (for SNI and the name check)
            // and refuses an IP address there; unchecked, any name will do.
            guard options.security.insecure else {
                return .refused(
                    APIError(
                        code: .invalid,
                        message: "wss:// checks the certificate by host name, not IP address: "
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
            if case .connecting(let carried) = phase { phase = .idle(carried) }
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
    static func ending(_ error: APIError) -> Disconnection {
        guard error.status == 0 else { return .refused(error) }
        return .unreachable(error.transport ?? ConnectionFailure(.other, error.message))
    }

    /// Runs the client; nil if the socket is not up within the connect timeout (a server that
    /// accepts but never answers the upgrade, e.g. a frozen process, would hold it forever).
    func runWithinConnectTimeout(
        _ client: @escaping @Sendable () -> WebSocketClient,
        attempt: Int
    ) async -> Result<WebSocketCloseFrame?, any Error>? {
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
    func socket(of attempt: Int) -> Socket? {
        guard let socket = openSocket, socket.attempt == attempt else { return nil }
        return socket
    }

    /// A valid access token: signs in without a login, refreshes one that is (nearly) expired.
    func prepareLogin(refreshing: Bool) async throws(APIError) -> String {
        if await api.session == nil {
            guard let signIn else { throw APIError(code: .unauthorized, message: "not signed in", status: 401) }
            try await signIn(api)
        } else if let session = await api.session, let remaining = await api.accessTokenRemaining {
            // Refresh with a quarter of the lifetime left (at most 30 s): the server closes the socket at expiry.
            let margin = min(Duration.seconds(30), .seconds(session.expiresIn) / 4)
            if refreshing || remaining <= margin {
                do {
                    try await api.refresh()
                } catch  where error.code == .unauthorized && signIn != nil {
                    try await signIn?(api)
                }
            }
        }
        guard let login = await api.session else { throw APIError(code: .unauthorized, message: "not signed in", status: 401) }
        frames.me = login.user.id
        return login.accessToken
    }

    /// The socket is up: say what must hold again, then drain the outbox.
    func attach(
        _ writer: AsyncStream<String>.Continuation, _ outbound: WebSocketOutboundWriter,
        attempt: Int
    ) async -> Bool {
        let server = await api.server.absoluteString
        guard case .connecting(let carried) = phase, carried.attempts == attempt else { return false }
        phase = .connected(Socket(attempt: attempt, writer: writer, outbound: outbound, openedAt: .now), carried)
        // Told here, not when the loop moved on: the address now in use answers. (REST may also
        // have moved before any socket, signing in.)
        announce(server)
        publish(.connected)
        frames.socketOpened().forEach(write)
        await pump()
        return true
    }

    /// The attempt is over: its socket is let go, and with it a paused resend (a new socket is a
    /// fresh start: the paused message goes first on it). Answers how long the socket was up (nil:
    /// it never came up).
    func ended() -> Duration? {
        frames.socketClosed()
        let lasted: Duration?
        switch phase {
        case .connected(let socket, let carried):
            socket.letGo()
            phase = .idle(carried)
            lasted = ContinuousClock.now - socket.openedAt
        case .idle(let carried), .connecting(let carried), .waiting(_, let carried):
            phase = .idle(carried)
            lasted = nil
        case .stopping, .stopped:
            return nil
        }
        if let resend = carried?.resend {
            resend.task.cancel()
            carried?.resend = nil
            free(resend.clientMessageId)
        }
        return lasted
    }
}
