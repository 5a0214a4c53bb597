import Foundation
import HTTPTypes
import Logging
import NIOCore
import NIOSSL
import NIOWebSocket
import Synchronization
import WSClient

/// One WebSocket to the hub that sends exactly the text it is given — a bad frame too — and
/// reports every frame, its opening, its refusal (with the HTTP answer) and its close (code and
/// reason). No outbox, no resend, no reconnect of its own: the tester decides.
public final class RawSocket: Sendable {
    public enum Event: Equatable, Sendable {
        case opened
        case received(String)
        case sent(String)
        /// A ping we sent (pongs are answered and consumed by the WebSocket layer).
        case pinged
        /// The upgrade was refused: the server's answer to the same request without the upgrade.
        case refused(RawResponse)
        case closed(code: Int?, reason: String)
        case failed(String)
    }

    /// How the socket presents itself: the token of a signed-in user, one pasted, none, or a
    /// broken one (to see the refusals).
    public enum Credential: Equatable, Sendable {
        case token(String)
        case none

        var header: String? {
            if case .token(let token) = self { return "Bearer \(token)" }
            return nil
        }
    }

    private let api: APIClient
    private let credential: Credential
    private let security: TransportSecurity
    private let options: [String]
    private let report: @Sendable (Event) -> Void
    private let writer = Mutex<AsyncStream<WebSocketOutboundWriter.OutboundFrame>.Continuation?>(nil)
    private let task = Mutex<Task<Void, Never>?>(nil)

    /// `options`: `key=value` words for the upgrade's query (`presence=batched`, `tickets=queue`), sent as given.
    public init(
        api: APIClient, credential: Credential, security: TransportSecurity = TransportSecurity(), options: [String] = [],
        report: @escaping @Sendable (Event) -> Void
    ) {
        self.api = api
        self.credential = credential
        self.security = security
        self.options = options
        self.report = report
    }

    /// Opens the socket; events follow through `report` until it closes.
    public func open() {
        let run = Task { await self.run() }
        task.withLock { $0 = run }
    }

    /// Sends `text` as one text frame, as it is; false when the socket is not open.
    @discardableResult
    public func send(_ text: String) -> Bool {
        guard let writer = writer.withLock({ $0 }) else { return false }
        writer.yield(.text(text))
        report(.sent(text))
        return true
    }

    @discardableResult
    public func ping() -> Bool {
        guard let writer = writer.withLock({ $0 }) else { return false }
        writer.yield(.custom(WebSocketFrame(fin: true, opcode: .ping, data: ByteBuffer())))
        report(.pinged)
        return true
    }

    /// Closes with a normal closure (the server's close answer is reported as `.closed`).
    public func close() {
        guard let writer = writer.withLock({ $0 }) else {
            task.withLock { $0?.cancel() }
            return
        }
        writer.finish()
    }

    public var isOpen: Bool { writer.withLock { $0 != nil } }

    private func run() async {
        let query = options.isEmpty ? "" : "?" + options.joined(separator: "&")
        let url = await api.realtimeURL + query
        var headers = HTTPFields()
        if let header = credential.header { headers[.authorization] = header }
        let configuration = WebSocketClientConfiguration(
            maxFrameSize: 1 << 20, additionalHeaders: headers, closeTimeout: .seconds(1),
            autoPing: .disabled, validateUTF8: false)
        let tls: TLSConfiguration?
        do {
            tls = try security.tlsConfiguration()
        } catch {
            report(.failed(error.message))
            return
        }
        let handler: WebSocketDataHandler<WebSocketClient.Context> = { inbound, outbound, _ in
            let (frames, continuation) = AsyncStream<WebSocketOutboundWriter.OutboundFrame>.makeStream()
            self.writer.withLock { $0 = continuation }
            self.report(.opened)
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask {
                    for await frame in frames { try await outbound.write(frame) }
                    // The tester closed it.
                    try await outbound.close(.normalClosure, reason: "closed by the tester")
                }
                for try await message in inbound.messages(maxSize: 1 << 20) {
                    switch message {
                    case .text(let text): self.report(.received(text))
                    case .binary(let buffer): self.report(.received("<\(buffer.readableBytes) bytes of binary>"))
                    }
                }
                continuation.finish()
                group.cancelAll()
            }
        }
        let client = WebSocketClient(
            url: url, configuration: configuration, tlsConfiguration: tls,
            logger: Logger(label: "switchboard.raw", factory: { _ in SwiftLogNoOpLogHandler() }), handler: handler)
        let outcome: Event
        do {
            if let close = try await client.run() {
                outcome = .closed(code: Int(UInt16(webSocketErrorCode: close.closeCode)), reason: close.reason ?? "")
            } else {
                outcome = .closed(code: nil, reason: "the connection ended without a close frame")
            }
        } catch let error as WebSocketClientError where error == .webSocketUpgradeFailed {
            // WSClient does not hand over the refusal: the same upgrade request, made again as
            // plain HTTP, brings back its status and body.
            let token: String? = if case .token(let value) = credential { value } else { nil }
            let upgrade = [
                ("Connection", "Upgrade"), ("Upgrade", "websocket"), ("Sec-WebSocket-Version", "13"),
                ("Sec-WebSocket-Key", Data((0..<16).map { _ in UInt8.random(in: 0...255) }).base64EncodedString()),
            ]
            // On a connection of its own: the server takes upgrades only as a connection's first
            // request, and the sign-in's kept-alive connection would be reused (and answered oddly).
            do throws(APIError) {
                let fresh = try APIClient(server: await api.server, security: security, timeout: .seconds(10))
                let answer: Result<RawResponse, APIError>
                do throws(APIError) {
                    answer = .success(
                        try await fresh.raw(
                            method: "GET", path: "/ws" + query, body: nil, token: token,
                            headers: upgrade.map { RawResponse.Header(name: $0.0, value: $0.1) }))
                } catch {
                    answer = .failure(error)
                }
                await fresh.shutdown()
                outcome = .refused(try answer.get())
            } catch {
                outcome = .failed("the upgrade was refused, and the server did not say why: \(error.message)")
            }
        } catch {
            outcome = .failed(ConnectionFailure(error).description)
        }
        writer.withLock { $0 = nil }
        report(outcome)
    }
}
