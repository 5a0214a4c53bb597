import NIOCore
import NIOPosix

/// Sends raw bytes to the server and returns everything it answers until it closes: for looking
/// at exactly what a refused WebSocket upgrade or a malformed request puts on the wire.
enum RawHTTP {
    static func exchange(port: Int, _ request: String) async throws -> String {
        try await converse(port: port, Array(request.utf8), waitAtMost: .seconds(30)).text
    }

    /// What the server answered, whether it closed the connection within `waitAtMost` (a server
    /// that never answers or never closes shows as `closed == false` instead of hanging the test),
    /// and how long it took.
    struct Conversation {
        var text: String
        var closed: Bool
        var elapsed: Duration

        /// The status code of the first answer, if there is one.
        var status: Int? {
            guard text.hasPrefix("HTTP/1.1 "), text.count >= 12 else { return nil }
            return Int(text.dropFirst(9).prefix(3))
        }
    }

    static func converse(port: Int, _ bytes: [UInt8], waitAtMost: Duration) async throws -> Conversation {
        let start = ContinuousClock.now
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connect(host: "127.0.0.1", port: port) { channel in
                channel.eventLoop.makeCompletedFuture { try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel) }
            }
        let raw = channel.channel
        let watchdog = Task {
            try await Task.sleep(for: waitAtMost)
            try await raw.close()
        }
        defer { watchdog.cancel() }
        var answer = ""
        do {
            try await channel.executeThenClose { inbound, outbound in
                // The server may close (or reset) while a large request is still being written.
                if !bytes.isEmpty { try? await outbound.write(ByteBuffer(bytes: bytes)) }
                for try await chunk in inbound { answer += String(buffer: chunk) }
            }
        } catch {
            // A reset after the answer, or closing a channel the server closed: the answer stands.
        }
        let elapsed = ContinuousClock.now - start
        return Conversation(text: answer, closed: elapsed < waitAtMost, elapsed: elapsed)
    }

    static func upgrade(port: Int, query: String = "", headers: [String] = []) async throws -> String {
        let lines = ["GET /ws\(query) HTTP/1.1", "Host: 127.0.0.1:\(port)", "Connection: Upgrade", "Upgrade: websocket",
                     "Sec-WebSocket-Version: 13", "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ=="] + headers
        return try await exchange(port: port, lines.joined(separator: "\r\n") + "\r\n\r\n")
    }
}
