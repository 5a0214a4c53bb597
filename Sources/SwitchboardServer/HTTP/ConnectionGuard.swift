import Foundation
import NIOCore
import NIOHTTP1
import SwitchboardProtocol

/// Sits in every HTTP connection's pipeline, right after the request decoder, and keeps one
/// connection from holding the server:
///
/// - a request the parser refuses (a garbage request line, conflicting lengths, oversized
///   headers, a broken chunked body, …) is answered `400` (`431` for oversized headers) with the
///   contract's error body, and the connection closed — Hummingbird's upgrade pipeline would
///   otherwise leave it open and unanswered;
/// - a response marked `Connection: close` (a `413`, a refused upgrade) really ends the connection,
///   instead of the server reading whatever body the client keeps sending;
/// - a connection must deliver a request head within the header timeout, may not stall a body
///   for longer than that between reads, and may idle between requests for the idle timeout;
/// - a body must arrive whole within the request timeout, and, past its first moments (the
///   header timeout again), at the minimum rate — a byte every few seconds keeps no connection
///   (`408`);
/// - the connection is counted against the caps in all and per client address
///   (`ConnectionCounter`), and answered `503` or `429` and closed past them.
///
/// Closing is "lingering": the answer is flushed, the output shut, and input read and dropped for
/// a moment, so the client reads the answer instead of a reset. Once the connection turns into a
/// WebSocket the guard leaves the pipeline (the socket has its own pings), after installing
/// `WebSocketCloseReasons`.
final class ConnectionGuard: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias InboundOut = HTTPServerRequestPart
    typealias OutboundIn = HTTPServerResponsePart
    typealias OutboundOut = HTTPServerResponsePart

    /// Why a connection was cut before its request was complete; the request handler sees this
    /// instead of a body that merely ended early.
    struct Timeout: Error, CustomStringConvertible {
        var description: String { "the client did not finish its request in time" }
    }

    struct Timeouts: Sendable {
        var header: TimeAmount
        var idle: TimeAmount
        /// A whole body, from its head.
        var request: TimeAmount = .seconds(300)
        /// Bytes a second a body must average once the header timeout has passed since its head.
        var minimumBodyRate = 1_024
        /// How long input is still read (and dropped) after the last answer before closing.
        var linger: TimeAmount = .seconds(2)
    }

    private enum Phase {
        /// Waiting for a request head: the first one (header timeout) or the next (idle timeout).
        case awaitingHead
        case readingBody
        /// The request is in; the server is answering. No timer: slowness is ours.
        case answering
        /// Answered for the last time; dropping input until closed.
        case lingering
        case closed
    }

    private let timeouts: Timeouts
    private let counter: ConnectionCounter?
    private var phase = Phase.awaitingHead
    private var responseOpen = false
    private var closeAfterResponse = false
    private var timer: Scheduled<Void>?
    /// The body being read: when its head came, and its bytes so far (for the deadline and rate).
    private var bodyStarted = NIODeadline.now()
    private var bodyBytes = 0
    private var rateCheck: Scheduled<Void>?
    /// Counted in by `counter`, and still counted as speaking HTTP.
    private var counted = false
    private var countedAsHTTP = false
    private var address: String?

    init(timeouts: Timeouts, counter: ConnectionCounter? = nil) {
        self.timeouts = timeouts
        self.counter = counter
    }

    // MARK: Timers

    func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { started(context: context) }
    }

    func channelActive(context: ChannelHandlerContext) {
        started(context: context)
        context.fireChannelActive()
    }

    /// A new connection: counted in (or refused past a cap), and given the header timeout.
    private func started(context: ChannelHandlerContext) {
        guard !counted, phase == .awaitingHead else { return }
        arm(timeouts.header, context: context)
        guard let counter else { return }
        address = context.channel.remoteAddress?.ipAddress
        switch counter.admit(address) {
        case .admitted:
            counted = true
            countedAsHTTP = true
            context.channel.closeFuture.whenComplete { _ in counter.closed() }
        case .tooManyFromAddress:
            answer(
                (
                    .tooManyRequests,
                    ContractError(
                        .rateLimited, "too many connections from this address; try again shortly",
                        retryAfter: 1)
                ), context: context)
        case .tooManyInAll:
            answer(
                (
                    .serviceUnavailable,
                    ContractError(
                        .rateLimited, "the server holds as many connections as it may; try again shortly",
                        retryAfter: 1)
                ), context: context)
        }
    }

    /// No longer an HTTP connection of its address's (closed, or now a WebSocket).
    private func leaveHTTP() {
        guard countedAsHTTP else { return }
        countedAsHTTP = false
        counter?.leftHTTP(address)
    }

    func channelInactive(context: ChannelHandlerContext) {
        let wasClosed = if case .closed = phase { true } else { false }
        phase = .closed
        cancelTimers()
        leaveHTTP()
        if !wasClosed { Self.tellInputEnded(context) }
        context.fireChannelInactive()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        cancelTimers()
        leaveHTTP()
    }

    private func cancelTimers() {
        timer?.cancel()
        rateCheck?.cancel()
        rateCheck = nil
    }

    /// Once a second while a body is read: over its deadline, or below the minimum rate once the
    /// header timeout has passed since its head, it is answered `408` and the connection closed.
    private func armRateCheck(context: ChannelHandlerContext) {
        rateCheck?.cancel()
        rateCheck = context.eventLoop.assumeIsolated().scheduleTask(in: .seconds(1)) { [weak self] in
            self?.checkBody(context: context)
        }
    }

    private func checkBody(context: ChannelHandlerContext) {
        guard case .readingBody = phase else { return }
        let elapsed = NIODeadline.now() - bodyStarted
        let seconds = Double(elapsed.nanoseconds) / 1e9
        let tooLong = elapsed > timeouts.request
        let tooSlow = elapsed > timeouts.header && Double(bodyBytes) < Double(timeouts.minimumBodyRate) * seconds
        guard tooLong || tooSlow else { return armRateCheck(context: context) }
        context.fireErrorCaught(Timeout())
        if responseOpen { return finalClose(context: context) }
        answer(
            (
                .requestTimeout,
                ContractError(
                    .invalid,
                    tooLong
                        ? "the request did not arrive within \(timeouts.request.nanoseconds / 1_000_000_000) s"
                        : "the request body arrived slower than \(timeouts.minimumBodyRate) bytes a second")
            ), context: context)
    }

    private func arm(_ delay: TimeAmount, context: ChannelHandlerContext) {
        timer?.cancel()
        timer = context.eventLoop.assumeIsolated().scheduleTask(in: delay) { [weak self] in
            self?.timedOut(context: context)
        }
    }

    private func timedOut(context: ChannelHandlerContext) {
        switch phase {
        case .awaitingHead:
            finalClose(context: context)
        case .readingBody:
            // The handler waiting on the body learns why it ends, rather than seeing it cut short.
            context.fireErrorCaught(Timeout())
            finalClose(context: context)
        case .lingering:
            finalClose(context: context)
        case .answering, .closed:
            break
        }
    }

    // MARK: Inbound

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch phase {
        case .lingering, .closed:
            return
        case .awaitingHead, .readingBody, .answering:
            break
        }
        switch Self.unwrapInboundIn(data) {
        case .head:
            phase = .readingBody
            bodyStarted = .now()
            bodyBytes = 0
            arm(timeouts.header, context: context)
            armRateCheck(context: context)
        case .body(let part):
            bodyBytes += part.readableBytes
            arm(timeouts.header, context: context)
        case .end:
            cancelTimers()
            timer = nil
            phase = .answering
        }
        context.fireChannelRead(data)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        switch phase {
        case .lingering, .closed:
            return
        case .awaitingHead, .readingBody, .answering:
            break
        }
        guard let parserError = error as? HTTPParserError else {
            context.fireErrorCaught(error)
            return
        }
        // Downstream, a request reading its body fails instead of taking a truncated one.
        context.fireErrorCaught(error)
        if responseOpen {
            startLingering(context: context)
        } else {
            answer(Self.refusal(for: parserError), context: context)
        }
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if event is HTTPServerUpgradeEvents {
            // Now a WebSocket: its frames are not ours to read, and it has pings for liveness.
            cancelTimers()
            leaveHTTP()
            context.pipeline.syncOperations.removeHandler(context: context, promise: nil)
        } else if case .lingering = phase, event as? ChannelEvent == .inputClosed {
            finalClose(context: context)
            return
        }
        context.fireUserInboundEventTriggered(event)
    }

    // MARK: Outbound

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        switch phase {
        case .lingering, .closed:
            // The connection has had its last answer (ours); later ones are dropped.
            promise?.fail(ChannelError.outputClosed)
            return
        case .awaitingHead, .readingBody, .answering:
            break
        }
        switch Self.unwrapOutboundIn(data) {
        case .head(var head):
            responseOpen = true
            if head.headers[canonicalForm: "connection"].contains(where: { $0.lowercased() == "close" }) {
                closeAfterResponse = true
            }
            Self.addSecurityHeaders(&head.headers)
            context.write(wrapOutboundOut(.head(head)), promise: promise)
        case .body:
            context.write(data, promise: promise)
        case .end:
            responseOpen = false
            if closeAfterResponse {
                let done = context.eventLoop.makePromise(of: Void.self)
                done.futureResult.cascade(to: promise)
                context.write(data, promise: done)
                context.flush()
                startLingering(context: context)
            } else {
                context.write(data, promise: promise)
                if case .answering = phase {
                    // Keep-alive: the next request may take its time, up to the idle timeout.
                    phase = .awaitingHead
                    arm(timeouts.idle, context: context)
                }
            }
        }
    }

    // MARK: Answering and closing

    /// Every answer on the connection — the routes', Hummingbird's own, the guard's and the
    /// upgrade's refusals alike — carries a policy fit for an API: nothing in it may load, run or
    /// be framed, should a browser ever be led to render one; and no type sniffing. A route that
    /// serves a page sets its own policy, which is kept.
    static func addSecurityHeaders(_ headers: inout HTTPHeaders) {
        if !headers.contains(name: "Content-Security-Policy") {
            headers.add(name: "Content-Security-Policy", value: apiPolicy)
        }
        if !headers.contains(name: "X-Content-Type-Options") { headers.add(name: "X-Content-Type-Options", value: "nosniff") }
    }

    static let apiPolicy = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"

    /// The status and sentence for a request the parser refused.
    static func refusal(for error: HTTPParserError) -> (status: HTTPResponseStatus, error: ContractError) {
        switch error {
        case .headerOverflow:
            (.requestHeaderFieldsTooLarge, ContractError(.tooLarge, "the request line or headers are too large"))
        case .invalidContentLength, .unexpectedContentLength:
            (.badRequest, ContractError(.invalid, "the request's body length is missing, negative or contradictory"))
        case .invalidChunkSize:
            (.badRequest, ContractError(.invalid, "the chunked request body is malformed"))
        case .invalidMethod:
            (.badRequest, ContractError(.invalid, "unknown HTTP method"))
        case .invalidVersion:
            (.badRequest, ContractError(.invalid, "only HTTP/1.0 and HTTP/1.1 are spoken here"))
        default:
            (.badRequest, ContractError(.invalid, "the request is not well-formed HTTP"))
        }
    }

    private func answer(_ refusal: (status: HTTPResponseStatus, error: ContractError), context: ChannelHandlerContext) {
        let body = (try? WireJSON.encoder().encode(ErrorBody(refusal.error))) ?? Data()
        var head = HTTPResponseHead(version: .http1_1, status: refusal.status)
        head.headers.add(name: "Content-Type", value: "application/json; charset=utf-8")
        head.headers.add(name: "Content-Length", value: String(body.count))
        head.headers.add(name: "Connection", value: "close")
        if let retryAfter = refusal.error.retryAfter { head.headers.add(name: "Retry-After", value: String(retryAfter)) }
        Self.addSecurityHeaders(&head.headers)
        context.write(wrapOutboundOut(.head(head)), promise: nil)
        context.write(wrapOutboundOut(.body(.byteBuffer(ByteBuffer(bytes: body)))), promise: nil)
        context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
        startLingering(context: context)
    }

    /// Shuts the output once the answer is out, drops input, and closes after a short while (or
    /// as soon as the client closes its side).
    private func startLingering(context: ChannelHandlerContext) {
        switch phase {
        case .lingering, .closed:
            return
        case .awaitingHead, .readingBody, .answering:
            phase = .lingering
            // Where the output cannot be shut alone (TLS), the linger timer closes it all.
            context.close(mode: .output, promise: nil)
            arm(timeouts.linger, context: context)
        }
    }

    private func finalClose(context: ChannelHandlerContext) {
        if case .closed = phase { return }
        phase = .closed
        cancelTimers()
        Self.tellInputEnded(context)
        context.close(promise: nil)
    }

    /// An upgrade handler still waiting for a request head learns that input ended (and reports
    /// it as such, quietly) rather than being torn down with the channel, which Hummingbird logs
    /// as an error — for every port scan and every refused request.
    private static func tellInputEnded(_ context: ChannelHandlerContext) {
        context.pipeline.fireUserInboundEventTriggered(ChannelEvent.inputClosed)
    }
}
