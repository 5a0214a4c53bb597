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
///   for longer than that between reads, and may idle between requests for the idle timeout.
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
    private var phase = Phase.awaitingHead
    private var responseOpen = false
    private var closeAfterResponse = false
    private var timer: Scheduled<Void>?

    init(timeouts: Timeouts) { self.timeouts = timeouts }

    // MARK: Timers

    func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { arm(timeouts.header, context: context) }
    }

    func channelActive(context: ChannelHandlerContext) {
        arm(timeouts.header, context: context)
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        let wasClosed = if case .closed = phase { true } else { false }
        phase = .closed
        timer?.cancel()
        if !wasClosed { Self.tellInputEnded(context) }
        context.fireChannelInactive()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        timer?.cancel()
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
            arm(timeouts.header, context: context)
        case .body:
            arm(timeouts.header, context: context)
        case .end:
            timer?.cancel()
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
            timer?.cancel()
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
        case .head(let head):
            responseOpen = true
            if head.headers[canonicalForm: "connection"].contains(where: { $0.lowercased() == "close" }) {
                closeAfterResponse = true
            }
            context.write(data, promise: promise)
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
        timer?.cancel()
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
