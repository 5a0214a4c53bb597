import Foundation
import HummingbirdWebSocket
import NIOCore
import NIOWebSocket

/// Where a connection's frames go. The hub and a connection's reader write through it from
/// any thread; frames leave in the order of the calls.
protocol FrameOutlet: Sendable {
    func write(_ text: String)
    /// Whether the socket takes more without waiting: its send buffer is below its high-water mark.
    var isWritable: Bool { get }
    /// A close frame with this code and reason, after the frames already written.
    func close(code: UInt16, reason: String)
}

/// A WebSocket's own channel. Frames are written to the NIO channel directly, from whichever
/// thread has one, instead of through a writer task per socket: that task cost a thread
/// hand-over for every frame and a few kilobytes of task memory for every connection.
///
/// Only text frames go this way; pings, pongs and the close handshake stay with swift-websocket's
/// handler, which owns the connection's state. (No WebSocket extension is configured: one that
/// rewrites frames, such as permessage-deflate, would have to see these frames too.)
struct SocketOutlet: FrameOutlet {
    let channel: any Channel
    let outbound: WebSocketOutboundWriter
    /// How long the close frame may take to get out before the connection is cut.
    let closeTimeout: TimeAmount

    func write(_ text: String) {
        channel.writeAndFlush(WebSocketFrame(fin: true, opcode: .text, data: channel.allocator.buffer(string: text)), promise: nil)
    }

    var isWritable: Bool { channel.isWritable }

    func close(code: UInt16, reason: String) {
        let outbound = self.outbound
        Task { try? await outbound.close(WebSocketErrorCode(codeNumber: Int(code)), reason: reason) }
        // A client that stopped reading never lets the close frame out: cut it after a while.
        let channel = self.channel
        channel.eventLoop.scheduleTask(in: closeTimeout) { channel.close(promise: nil) }
    }
}
