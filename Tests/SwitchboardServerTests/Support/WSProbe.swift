import Foundation
import HummingbirdWSClient
import Logging
import NIOCore
import NIOWebSocket
import Synchronization
import Testing

@testable import SwitchboardProtocol

/// A WebSocket client for tests: connects to the live server on 127.0.0.1, records every frame
/// it receives, and waits (with a deadline) for the frames a test expects.
final class WSProbe: Sendable {
    private let received = Mutex<[ServerEvent]>([])
    private let writer = Mutex<WebSocketOutboundWriter?>(nil)
    private let closed = Mutex<(Bool, WebSocketErrorCode?, String?)>((false, nil, nil))
    private let encoder = Mutex(WireJSON.encoder())

    static func connect(
        port: Int, token: String, origin: String? = nil, maxFrameSize: Int = 1 << 20,
        options: ConnectionOptions = ConnectionOptions()
    ) async throws -> WSProbe {
        let probe = WSProbe()
        let (ready, readyContinuation) = AsyncStream<Bool>.makeStream()
        let task = Task {
            defer { readyContinuation.yield(false) }
            let close = try await WebSocketClient.connect(
                url: "ws://127.0.0.1:\(port)/ws?access_token=\(token)" + (options.query.isEmpty ? "" : "&" + options.query),
                configuration: .init(maxFrameSize: maxFrameSize, additionalHeaders: origin.map { [.origin: $0] } ?? [:]),
                logger: Logger(label: "probe")
            ) { inbound, outbound, _ in
                probe.writer.withLock { $0 = outbound }
                readyContinuation.yield(true)
                for try await message in inbound.messages(maxSize: maxFrameSize) {
                    guard case .text(let text) = message,
                        let event = try? WireJSON.decoder().decode(ServerEvent.self, from: Data(text.utf8))
                    else { continue }
                    probe.received.withLock { $0.append(event) }
                }
            }
            probe.closed.withLock { $0 = (true, close?.closeCode, close?.reason) }
        }
        var iterator = ready.makeAsyncIterator()
        guard await iterator.next() == true else {
            _ = try await task.value
            throw ProbeError("the upgrade was refused")
        }
        return probe
    }

    func send(_ kind: ClientFrame.Kind, ref: String? = nil) async throws {
        let data = try encoder.withLock { try $0.encode(ClientFrame(kind, ref: ref)) }
        try await sendText(String(decoding: data, as: UTF8.self))
    }

    func sendText(_ text: String) async throws {
        guard let writer = writer.withLock({ $0 }) else { throw ProbeError("not connected") }
        try await writer.write(.text(text))
    }

    func sendBinary(_ bytes: [UInt8]) async throws {
        guard let writer = writer.withLock({ $0 }) else { throw ProbeError("not connected") }
        try await writer.write(.binary(ByteBuffer(bytes: bytes)))
    }

    /// A text frame with exactly these bytes, valid UTF-8 or not.
    func sendRawText(_ bytes: [UInt8]) async throws {
        guard let writer = writer.withLock({ $0 }) else { throw ProbeError("not connected") }
        try await writer.write(.custom(WebSocketFrame(fin: true, opcode: .text, data: ByteBuffer(bytes: bytes))))
    }

    /// Any frame as given: fragments, reserved bits, control frames.
    func sendFrame(_ frame: WebSocketFrame) async throws {
        guard let writer = writer.withLock({ $0 }) else { throw ProbeError("not connected") }
        try await writer.write(.custom(frame))
    }

    func close() async {
        try? await writer.withLock { $0 }?.close(.normalClosure, reason: nil)
        _ = try? await waitUntil(seconds: 5) { self.isClosed }
    }

    var events: [ServerEvent] { received.withLock { $0 } }
    var isClosed: Bool { closed.withLock { $0.0 } }
    var closeCode: WebSocketErrorCode? { closed.withLock { $0.1 } }
    /// The reason the server gave with its close, if it gave one.
    var closeReason: String? { closed.withLock { $0.2 } }

    /// The first recorded frame matching `match`, waiting for it if need be (a bound, not a timing
    /// check: frames come in milliseconds, but a loaded two-core CI machine can stall for seconds).
    @discardableResult
    func next<T>(
        seconds: Double = 15, sourceLocation: SourceLocation = #_sourceLocation,
        _ match: @escaping @Sendable (ServerEvent) -> T?
    ) async throws -> T {
        let deadline = ContinuousClock.now + .milliseconds(Int(seconds * 1000))
        while true {
            for event in events {
                if let found = match(event) { return found }
            }
            guard ContinuousClock.now < deadline else { break }
            try await Task.sleep(for: .milliseconds(10))
        }
        Issue.record("no matching frame within \(seconds) s; got \(events.map(\.type))", sourceLocation: sourceLocation)
        throw ProbeError("timed out")
    }

    /// Waits until `condition` holds, or the time is up; answers whether it held.
    @discardableResult
    func waitUntil(seconds: Double, _ condition: @escaping @Sendable () -> Bool) async throws -> Bool {
        let deadline = ContinuousClock.now + .milliseconds(Int(seconds * 1000))
        while ContinuousClock.now < deadline {
            if condition() { return true }
            try await Task.sleep(for: .milliseconds(10))
        }
        return condition()
    }

    /// Joins a ticket's room and waits until the server says so.
    func join(_ ticketId: Int, sinceSeq: Int? = nil) async throws {
        try await send(.joinRoom(ticketId: ticketId, sinceSeq: sinceSeq))
        try await next { event -> Bool? in
            guard case .roomJoined(let joined, _, _) = event, joined == ticketId else { return nil }
            return true
        }
    }

    /// The `ERROR` answering the frame sent with `ref`.
    func error(ref: String, sourceLocation: SourceLocation = #_sourceLocation) async throws -> (code: ErrorCode, message: String) {
        try await next(sourceLocation: sourceLocation) { event -> (code: ErrorCode, message: String)? in
            guard case .error(let code, let message, let eventRef) = event, eventRef == ref else { return nil }
            return (code, message)
        }
    }

    /// Every received message of a ticket, in arrival order.
    func messages(of ticketId: Int) -> [Message] {
        events.compactMap { if case .receiveMessage(ticketId, let message) = $0 { message } else { nil } }
    }

    func forget() { received.withLock { $0.removeAll() } }
}

struct ProbeError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
