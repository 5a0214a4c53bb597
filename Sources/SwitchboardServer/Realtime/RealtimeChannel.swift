import HTTPTypes
import Hummingbird
import HummingbirdCore
import Logging
import NIOCore
import NIOHTTP1
import NIOHTTPTypes
import NIOHTTPTypesHTTP1
import NIOWebSocket

/// A server connection: HTTP/1.1 for the REST routes, or `/ws` upgraded to a WebSocket that is
/// served on its event loop by a `WebSocketConnection` handler.
///
/// Hummingbird's own WebSocket channel runs every socket in a task for as long as it is open
/// (with a second task for its pings, and an async stream between the event loop and that task).
/// A Swift task keeps the memory its deepest moment needed until it ends, so 10 000 idle sockets
/// held some 600 MB. Here an upgraded connection has no task: its `handle` returns at once, the
/// channel lives on in its event loop, and frames are handled by a task only while some wait
/// (`RealtimeLink`). The HTTP side is Hummingbird's, unchanged.
struct RealtimeChannel: ServerChildChannel, HTTPChannelHandler {
    enum Upgrade: Sendable {
        case websocket
        case notUpgraded(NIOAsyncChannel<HTTPRequestPart, HTTPResponsePart>)
        case failedUpgrade(NIOAsyncChannel<HTTPRequestPart, HTTPResponsePart>)
    }

    struct Value: ServerChildChannelValue {
        let upgrade: EventLoopFuture<Upgrade>
        let channel: any Channel
    }

    /// What the gate decided: nil refuses the upgrade (the gate has answered on the channel);
    /// otherwise what makes the handler to serve the socket with, once the upgrade is on the wire.
    typealias Gate = @Sendable (HTTPRequest, any Channel, Logger) async throws -> (@Sendable () -> WebSocketConnection)?

    let responder: HTTPChannelHandler.Responder
    let http1: HTTP1Channel.Configuration
    let maxFrameSize: Int
    /// What an oversize message is told before its 1009 close.
    let tooLargeError: String
    let gate: Gate

    init(
        responder: @escaping HTTPChannelHandler.Responder, http1: HTTP1Channel.Configuration, maxFrameSize: Int,
        gate: @escaping Gate
    ) {
        self.responder = Self.redirectingLateUpgrades(responder)
        self.http1 = http1
        self.maxFrameSize = maxFrameSize
        tooLargeError = WebSocketCloseReasons.tooLargeError(messageBytes: maxFrameSize)
        self.gate = gate
    }

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        channel.eventLoop.makeCompletedFuture {
            let attempted = NIOLoopBoundBox(false, eventLoop: channel.eventLoop)
            let decided = NIOLoopBoundBox<(@Sendable () -> WebSocketConnection)?>(nil, eventLoop: channel.eventLoop)
            let gate = self.gate
            let tooLargeError = self.tooLargeError
            let upgrader = NIOTypedWebSocketServerUpgrader<Upgrade>(
                maxFrameSize: maxFrameSize,
                shouldUpgrade: { channel, head in
                    attempted.value = true
                    let promise = channel.eventLoop.makePromise(of: (@Sendable () -> WebSocketConnection)?.self)
                    promise.completeWithTask {
                        try await gate(try HTTPRequest(head, secure: false, splitCookie: false), channel, logger)
                    }
                    return promise.futureResult.map { serve in
                        decided.value = serve
                        return serve == nil ? nil : HTTPHeaders()
                    }
                },
                upgradePipelineHandler: { channel, _ in
                    channel.eventLoop.makeCompletedFuture {
                        guard let serve = decided.value else { throw ChannelError.inappropriateOperationForState }
                        WebSocketCloseReasons.install(in: channel.pipeline, tooLargeError: tooLargeError)
                        try channel.pipeline.syncOperations.addHandler(serve())
                        return Upgrade.websocket
                    }
                })
            let http1 = self.http1
            let serverUpgrade = NIOTypedHTTPServerUpgradeConfiguration(
                upgraders: [upgrader],
                notUpgradingCompletionHandler: { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHandler(HTTP1ToHTTPServerCodec(secure: false))
                        try channel.pipeline.syncOperations.addHandlers(http1.additionalChannelHandlers())
                        try channel.pipeline.syncOperations.addHandler(
                            HTTPConnectionStateHandler(idleTimeout: http1.idleTimeout.map { .init($0) }, logger: logger))
                        let asyncChannel = try NIOAsyncChannel<HTTPRequestPart, HTTPResponsePart>(
                            wrappingChannelSynchronously: channel, configuration: .init(isOutboundHalfClosureEnabled: true))
                        return attempted.value ? .failedUpgrade(asyncChannel) : .notUpgraded(asyncChannel)
                    }
                })
            var configuration = NIOUpgradableHTTPServerPipelineConfiguration<Upgrade>(upgradeConfiguration: serverUpgrade)
            configuration.enablePipelining = false  // HTTP is pipelined by NIOAsyncChannel
            configuration.enableErrorHandling = false  // Hummingbird handles these
            configuration.enableResponseHeaderValidation = false  // HTTPTypes validates already
            configuration.decoderConfiguration.maxHeaderFieldSize = http1.httpDecoder.maxHeaderFieldSize
            configuration.decoderConfiguration.maxHeaderListSize = http1.httpDecoder.maxHeaderListSize
            configuration.decoderConfiguration.maxHeaderFieldCount = http1.httpDecoder.maxHeaderFieldCount
            let upgrade = try channel.pipeline.syncOperations.configureUpgradableHTTPServerPipeline(configuration: configuration)
            return Value(upgrade: upgrade, channel: channel)
        }
    }

    func handle(value: Value, logger: Logger) async {
        do {
            switch try await value.upgrade.get() {
            case .websocket:
                // Served by its handler on the event loop from now on; nothing to wait for here.
                return
            case .notUpgraded(let http):
                await handleHTTP(asyncChannel: http, logger: logger)
            case .failedUpgrade(let http):
                // The gate has written its refusal (401, 403, 429) and `ConnectionGuard` ends the
                // connection; this closes what is left.
                try? await http.executeThenClose { _, _ in }
            }
        } catch let error as ChannelError where error == .inputClosed {
            logger.trace("upgrade not finished: input closed")
        } catch {
            logger.debug("upgrade failed", metadata: ["error": "\(error)"])
        }
    }

    /// NIO looks for an upgrade only in a connection's first request. A client asking for one on
    /// a connection that has served REST calls is sent back to the same address with
    /// `Connection: close`, so it asks again on a new connection (as Hummingbird does).
    static func redirectingLateUpgrades(_ responder: @escaping HTTPChannelHandler.Responder) -> HTTPChannelHandler.Responder {
        struct RedirectedUpgrade: Error {}
        return { request, writer, channel in
            guard request.headers[.upgrade]?.lowercased() == "websocket" else {
                try await responder(request, writer, channel)
                return
            }
            var path = request.uri.path
            if let query = request.uri.query { path += "?\(query)" }
            try await writer.writeResponse(HTTPResponse(status: .temporaryRedirect, headerFields: [.connection: "close", .location: path]))
            throw RedirectedUpgrade()
        }
    }
}
