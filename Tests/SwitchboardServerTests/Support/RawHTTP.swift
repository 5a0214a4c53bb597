import NIOCore
import NIOPosix

/// Sends raw bytes to the server and returns everything it answers until it closes: for looking
/// at exactly what a refused WebSocket upgrade puts on the wire.
enum RawHTTP {
    static func exchange(port: Int, _ request: String) async throws -> String {
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connect(host: "127.0.0.1", port: port) { channel in
                channel.eventLoop.makeCompletedFuture { try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel) }
            }
        return try await channel.executeThenClose { inbound, outbound in
            try await outbound.write(ByteBuffer(string: request))
            var answer = ""
            for try await chunk in inbound { answer += String(buffer: chunk) }
            return answer
        }
    }

    static func upgrade(port: Int, query: String = "", headers: [String] = []) async throws -> String {
        let lines = ["GET /ws\(query) HTTP/1.1", "Host: 127.0.0.1:\(port)", "Connection: Upgrade", "Upgrade: websocket",
                     "Sec-WebSocket-Version: 13", "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ=="] + headers
        return try await exchange(port: port, lines.joined(separator: "\r\n") + "\r\n\r\n")
    }
}
