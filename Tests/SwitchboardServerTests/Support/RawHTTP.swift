import Foundation
import HTTPTypes
import NIOCore
import NIOPosix
import Synchronization

/// Sends raw bytes to the server and returns everything it answers until it closes: for looking
/// at exactly what a refused WebSocket upgrade or a malformed request puts on the wire.
enum RawHTTP {
    /// No HTTP answer came (the connection closed or timed out first).
    struct Unanswered: Error, CustomStringConvertible {
        var text: String
        var description: String { "no HTTP answer: \(text.prefix(200).debugDescription)" }
    }

    /// The head of an upload of a text file written by hand: `length` declared, or chunked when nil.
    static func uploadHead(ticket: Int, token: String?, name: String? = "big.txt", length: Int?, close: Bool = false) -> String {
        "POST /api/tickets/\(ticket)/attachments HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            + (token.map { "Authorization: Bearer \($0)\r\n" } ?? "") + "Content-Type: text/plain\r\n"
            + (name.map { "X-File-Name: \($0)\r\n" } ?? "")
            + (length.map { "Content-Length: \($0)\r\n" } ?? "Transfer-Encoding: chunked\r\n")
            + (close ? "Connection: close\r\n" : "") + "\r\n"
    }

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

        /// The first answer as the test client gives it: status, headers, and the body (a chunked
        /// one put together).
        var reply: Reply? {
            guard let status, let end = text.range(of: "\r\n\r\n") else { return nil }
            var headers = HTTPFields()
            for line in text[..<end.lowerBound].split(separator: "\r\n").dropFirst() {
                guard let colon = line.firstIndex(of: ":"), let name = HTTPField.Name(String(line[..<colon])) else { continue }
                headers.append(HTTPField(name: name, value: line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)))
            }
            var body = Substring(text[end.upperBound...])
            if headers[.transferEncoding]?.lowercased() == "chunked" {
                var joined = ""
                while let lineEnd = body.range(of: "\r\n"), let size = Int(body[..<lineEnd.lowerBound], radix: 16), size > 0 {
                    let chunk = body[lineEnd.upperBound...].utf8.prefix(size)
                    joined += String(decoding: chunk, as: UTF8.self)
                    body = Substring(body[lineEnd.upperBound...].utf8.dropFirst(size + 2))
                }
                body = Substring(joined)
            }
            return Reply(status: status, body: Data(body.utf8), headers: headers)
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

    static func upgrade(port: Int, query: String = "", host: String? = nil, headers: [String] = []) async throws -> String {
        let lines =
            [
                "GET /ws\(query) HTTP/1.1", "Host: \(host ?? "127.0.0.1:\(port)")", "Connection: Upgrade", "Upgrade: websocket",
                "Sec-WebSocket-Version: 13", "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==",
            ] + headers
        return try await exchange(port: port, lines.joined(separator: "\r\n") + "\r\n\r\n")
    }
}

/// A plain TCP connection kept open for as long as a test likes: it writes what it is told, and
/// collects whatever the server answers, and whether the server has closed it.
final class RawConnection: Sendable {
    private final class Collected: Sendable {
        let state = Mutex<(text: String, closed: Bool)>(("", false))
    }

    private final class Collector: ChannelInboundHandler, Sendable {
        typealias InboundIn = ByteBuffer
        let collected: Collected
        init(_ collected: Collected) { self.collected = collected }
        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            let buffer = Self.unwrapInboundIn(data)
            collected.state.withLock { $0.text += String(buffer: buffer) }
        }
        func channelInactive(context: ChannelHandlerContext) {
            collected.state.withLock { $0.closed = true }
        }
    }

    private let channel: any Channel
    private let collected: Collected

    static func open(port: Int) async throws -> RawConnection {
        let collected = Collected()
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addHandler(Collector(collected)) }
            }
            .connect(host: "127.0.0.1", port: port).get()
        return RawConnection(channel: channel, collected: collected)
    }

    private init(channel: any Channel, collected: Collected) {
        self.channel = channel
        self.collected = collected
    }

    func write(_ text: String) async throws { try await channel.writeAndFlush(ByteBuffer(string: text)) }
    var received: String { collected.state.withLock { $0.text } }
    var isClosed: Bool { collected.state.withLock { $0.closed } }
    func close() async { try? await channel.close() }
}
