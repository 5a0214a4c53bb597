import NIOCore
import NIOWebSocket
import SwitchboardProtocol

/// Gives every close frame the server sends a short reason. Our own closes carry one already;
/// the libraries' (an oversized frame, invalid UTF-8, a protocol error, a shutdown) send a bare
/// code, which tells a person looking at a client's log nothing. A close for a message over the
/// limit (1009, whoever noticed it: NIO's frame decoder or `WebSocketConnection` adding up
/// fragments) goes after an `ERROR` frame with `TOO_LARGE` and the limit, as the contract says.
final class WebSocketCloseReasons: ChannelOutboundHandler, RemovableChannelHandler {
    typealias OutboundIn = WebSocketFrame
    typealias OutboundOut = WebSocketFrame

    /// The `ERROR` text that goes before a 1009 close (made once per server, not per socket).
    private let tooLarge: String

    private init(tooLarge: String) { self.tooLarge = tooLarge }

    /// The `ERROR` frame's text for messages over `messageBytes`.
    static func tooLargeError(messageBytes: Int) -> String {
        let limit = messageBytes % 1024 == 0 ? "\(messageBytes / 1024) KiB" : "\(messageBytes) bytes"
        let error = ServerEvent.error(
            code: .tooLarge, message: "the message is too large: at most \(limit) in one message (all its frames together)",
            ref: nil)
        return (try? error.wireText()) ?? #"{"code":"TOO_LARGE","type":"ERROR"}"#
    }

    /// Right after the frame encoder, so every close written above it passes here.
    static func install(in pipeline: ChannelPipeline, tooLargeError: String) {
        let operations = pipeline.syncOperations
        guard let encoder = try? operations.handler(type: WebSocketFrameEncoder.self) else { return }
        try? operations.addHandler(WebSocketCloseReasons(tooLarge: tooLargeError), position: .after(encoder))
    }

    static func reason(for code: UInt16) -> String {
        switch code {
        case 1000: "closing"
        case 1001: "the server is going away"
        case 1002: "protocol error"
        case 1003: "this kind of frame is not accepted"
        case 1007: "a text frame was not valid UTF-8"
        case 1008: "policy violation"
        case 1009: "the message is too large"
        case 1011: "the server could not go on"
        default: "closing"
        }
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        var frame = Self.unwrapOutboundIn(data)
        guard frame.opcode == .connectionClose, frame.maskKey == nil,
            let code = frame.data.getInteger(at: frame.data.readerIndex, as: UInt16.self)
        else {
            context.write(data, promise: promise)
            return
        }
        if code == 1009 {
            context.write(
                wrapOutboundOut(WebSocketFrame(fin: true, opcode: .text, data: context.channel.allocator.buffer(string: tooLarge))),
                promise: nil)
        }
        guard frame.data.readableBytes == 2 else {
            context.write(data, promise: promise)
            return
        }
        var payload = context.channel.allocator.buffer(capacity: 64)
        payload.writeInteger(code)
        payload.writeString(Self.reason(for: code))
        frame.data = payload
        context.write(wrapOutboundOut(frame), promise: promise)
    }
}
