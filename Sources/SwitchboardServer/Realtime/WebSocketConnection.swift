import NIOCore
import NIOWebSocket

/// The server's side of one WebSocket, on its channel's event loop, with no task of its own:
/// it puts messages together from their frames, checks them (size, UTF-8), answers pings, pings
/// the client, runs the closing handshake from either side, and hands whole messages to its
/// `RealtimeLink`, which has them handled in order. Frames the hub sends go to the channel
/// directly (`SocketOutlet`) and pass this handler untouched.
///
/// Below it NIO's upgrader put the frame decoder (frames over `maxFrameSize` close with 1009),
/// the encoder and the protocol-error handler (1002); `WebSocketCloseReasons` gives a bare close
/// code its sentence.
final class WebSocketConnection: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = WebSocketFrame
    typealias OutboundIn = WebSocketFrame
    typealias OutboundOut = WebSocketFrame

    struct Settings: Sendable {
        /// The largest message, all its frames together.
        var messageBytes: Int
        var pingInterval: TimeAmount
        /// How long a close may wait for the client's answer before the connection is cut.
        var closeTimeout: TimeAmount
    }

    private let settings: Settings
    private let makeLink: (SocketOutlet) -> RealtimeLink
    private var link: RealtimeLink?
    private var context: ChannelHandlerContext?
    /// The message whose frames are arriving.
    private var message: (isText: Bool, data: ByteBuffer)?
    /// A close of ours is on the wire: the connection ends with the client's answer or the timeout.
    private var closing = false
    private var awaitingPong = false
    private var pings: RepeatedTask?
    private var cut: Scheduled<Void>?
    /// The link has many messages waiting: the socket is not read until it catches up.
    private var paused = false
    private var readWaiting = false

    init(settings: Settings, makeLink: @escaping (SocketOutlet) -> RealtimeLink) {
        self.settings = settings
        self.makeLink = makeLink
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        let me = NIOLoopBound(self, eventLoop: context.eventLoop)
        let link = makeLink(SocketOutlet(channel: context.channel, connection: me))
        self.link = link
        let loop = context.eventLoop
        link.open(resumeReads: { loop.execute { me.value.resumeReads() } })
        pings = loop.scheduleRepeatedTask(initialDelay: settings.pingInterval, delay: settings.pingInterval) { _ in
            me.value.ping()
        }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        ended()
        self.context = nil
    }

    func channelInactive(context: ChannelHandlerContext) {
        ended()
        context.fireChannelInactive()
    }

    private func ended() {
        pings?.cancel()
        cut?.cancel()
        link?.end()
        link = nil
    }

    // MARK: Inbound

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let frame = unwrapInboundIn(data)
        guard !frame.rsv1, !frame.rsv2, !frame.rsv3 else {
            return fail(context, .protocolError, "reserved bits are set and no extension was agreed")
        }
        switch frame.opcode {
        case .text, .binary:
            guard message == nil else { return fail(context, .protocolError, "a message began before the last one ended") }
            message = (frame.opcode == .text, frame.unmaskedData)
        case .continuation:
            guard message != nil else { return fail(context, .protocolError, "a continuation frame with no message to continue") }
            var more = frame.unmaskedData
            message?.data.writeBuffer(&more)
        case .ping:
            if !closing {
                context.writeAndFlush(wrapOutboundOut(WebSocketFrame(fin: true, opcode: .pong, data: frame.unmaskedData)), promise: nil)
            }
            return
        case .pong:
            awaitingPong = false
            return
        case .connectionClose:
            return closeReceived(context, frame)
        default:
            return fail(context, .protocolError, "unknown frame type")
        }
        guard let (isText, data) = message else { return }
        guard data.readableBytes <= settings.messageBytes else { return fail(context, .messageTooLarge) }
        guard frame.fin else { return }
        message = nil
        guard !closing else { return }  // what comes after our close is not handled
        if isText {
            guard let text = String(validating: data.readableBytesView, as: UTF8.self) else {
                return fail(context, .dataInconsistentWithMessage)
            }
            deliver(.text(text))
        } else {
            deliver(.binary(data))
        }
    }

    private func deliver(_ message: RealtimeLink.Message) {
        if link?.add(message) == true { paused = true }
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if event is ChannelShouldQuiesceEvent {
            // The server is shutting down gracefully: clients come back to it (or another node).
            close(code: UInt16(webSocketErrorCode: .goingAway), reason: nil)
        } else {
            context.fireUserInboundEventTriggered(event)
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        // A reset or a failed read: the socket is gone.
        context.close(promise: nil)
    }

    // MARK: Reading as fast as the link handles

    func read(context: ChannelHandlerContext) {
        if paused { readWaiting = true } else { context.read() }
    }

    private func resumeReads() {
        paused = false
        if readWaiting, let context {
            readWaiting = false
            context.read()
        }
    }

    // MARK: Closing

    /// The server closes (token expired, logged out, a flood, too slow, shutting down): the
    /// close goes after the frames already written, and the connection ends with the client's
    /// answer — or after `closeTimeout` if none comes (a client that stopped reading).
    func close(code: UInt16, reason: String?) {
        guard let context, !closing else { return }
        closing = true
        context.writeAndFlush(wrapOutboundOut(Self.closeFrame(code, reason, allocator: context.channel.allocator)), promise: nil)
        let channel = context.channel
        cut = context.eventLoop.scheduleTask(in: settings.closeTimeout) { channel.close(promise: nil) }
    }

    private func closeReceived(_ context: ChannelHandlerContext, _ frame: WebSocketFrame) {
        guard !closing else {
            context.close(promise: nil)  // the answer to ours
            return
        }
        closing = true
        // Answered with the client's own code when it is one that may be sent, then the server
        // ends the connection (RFC 6455 §7.1.1: the server closes the TCP connection first).
        let data = frame.unmaskedData
        let code = data.getInteger(at: data.readerIndex, as: UInt16.self).flatMap(Self.sendable) ?? 1000
        closeAfter(Self.closeFrame(code, nil, allocator: context.channel.allocator), context)
    }

    /// A broken rule: closed at once with its code and why (without a why of its own, the code's
    /// sentence from `WebSocketCloseReasons`).
    private func fail(_ context: ChannelHandlerContext, _ code: WebSocketErrorCode, _ reason: String? = nil) {
        message = nil
        guard !closing else {
            context.close(promise: nil)
            return
        }
        closing = true
        closeAfter(Self.closeFrame(UInt16(webSocketErrorCode: code), reason, allocator: context.channel.allocator), context)
    }

    private func closeAfter(_ frame: WebSocketFrame, _ context: ChannelHandlerContext) {
        let written = context.eventLoop.makePromise(of: Void.self)
        context.writeAndFlush(wrapOutboundOut(frame), promise: written)
        let channel = context.channel
        written.futureResult.whenComplete { _ in channel.close(promise: nil) }
    }

    /// Every `pingInterval`; a client that did not answer the last ping is gone (a dead network
    /// leaves a socket open for hours otherwise).
    private func ping() {
        guard let context, !closing else { return }
        if awaitingPong {
            close(code: 1000, reason: "no answer to the last ping")
            return
        }
        awaitingPong = true
        context.writeAndFlush(
            wrapOutboundOut(WebSocketFrame(fin: true, opcode: .ping, data: context.channel.allocator.buffer(string: "ping"))),
            promise: nil)
    }

    /// Without a reason, `WebSocketCloseReasons` further down the pipeline writes the code's own.
    static func closeFrame(_ code: UInt16, _ reason: String?, allocator: ByteBufferAllocator) -> WebSocketFrame {
        var data = allocator.buffer(capacity: 2 + (reason?.utf8.count ?? 0))
        data.writeInteger(code)
        if let reason {
            // A control frame carries at most 125 bytes: the code and 123 of reason, whole characters.
            var cut = Substring(reason)
            while cut.utf8.count > 123 { cut = cut.dropLast() }
            data.writeString(String(cut))
        }
        return WebSocketFrame(fin: true, opcode: .connectionClose, data: data)
    }

    /// Close codes an endpoint may put on the wire (1005, 1006 and 1015 only describe closes).
    static func sendable(_ code: UInt16) -> UInt16? {
        switch code {
        case 1000...1003, 1007...1011, 3000...4999: code
        default: nil
        }
    }
}

/// Frames for one WebSocket, from any thread: text straight to the channel; a close through the
/// connection's handler on its event loop, after what was written before it.
struct SocketOutlet: FrameOutlet {
    let channel: any Channel
    let connection: NIOLoopBound<WebSocketConnection>

    func write(_ text: String) {
        channel.writeAndFlush(WebSocketFrame(fin: true, opcode: .text, data: channel.allocator.buffer(string: text)), promise: nil)
    }

    var isWritable: Bool { channel.isWritable }

    func close(code: UInt16, reason: String) {
        let connection = self.connection
        channel.eventLoop.execute { connection.value.close(code: code, reason: reason) }
    }
}
