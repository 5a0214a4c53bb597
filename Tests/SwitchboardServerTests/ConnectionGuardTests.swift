import NIOCore
import NIOEmbedded
import NIOHTTP1
import Testing

@testable import SwitchboardServer

/// The guard's timers on a virtual clock: a client that stalls is cut off; a server that holds
/// input back (its handler busy with what came before) does not cut off the client it keeps waiting.
@Suite struct ConnectionGuardTests {
    static let timeouts = ConnectionGuard.Timeouts(header: .seconds(10), idle: .seconds(60))

    /// A connection with half a body in: the client has sent its head and 10 of 100 bytes.
    static func halfABody() throws -> EmbeddedChannel {
        let channel = EmbeddedChannel(handler: ConnectionGuard(timeouts: timeouts))
        try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 9)).wait()
        var head = HTTPRequestHead(version: .http1_1, method: .POST, uri: "/api/tickets/1/attachments")
        head.headers.add(name: "Content-Length", value: "100")
        try channel.writeInbound(HTTPServerRequestPart.head(head))
        try channel.writeInbound(HTTPServerRequestPart.body(ByteBuffer(bytes: [UInt8](repeating: 65, count: 10))))
        _ = try channel.readInbound(as: HTTPServerRequestPart.self)
        _ = try channel.readInbound(as: HTTPServerRequestPart.self)
        return channel
    }

    /// Cut off with the reason told to the handler waiting on the body.
    static func expectCutOff(_ channel: EmbeddedChannel) {
        #expect(!channel.isActive)
        #expect(throws: ConnectionGuard.Timeout.self) { try channel.throwIfErrorCaught() }
    }

    /// The pipeline asks for more and nothing comes for the header timeout: closed.
    @Test func aClientThatStallsItsBodyIsCutOff() throws {
        let channel = try Self.halfABody()
        channel.pipeline.read()
        channel.embeddedEventLoop.advanceTime(by: .seconds(11))
        Self.expectCutOff(channel)
    }

    /// The pipeline holds reads back for a minute (the handler still answering an earlier pipelined
    /// request, or waiting for the database): the client is not blamed; once reads are asked for
    /// again it has the whole header timeout again, and no more.
    @Test func timeTheServerHoldsInputBackIsNotTheClients() throws {
        let channel = try Self.halfABody()
        channel.embeddedEventLoop.advanceTime(by: .seconds(60))
        #expect(channel.isActive)
        channel.pipeline.read()
        channel.embeddedEventLoop.advanceTime(by: .seconds(9))
        #expect(channel.isActive)
        channel.embeddedEventLoop.advanceTime(by: .seconds(2))
        Self.expectCutOff(channel)
    }

    /// A client sending its head a byte at a time still meets the header timeout: each read's end
    /// and the next read asked for do not give it the time again.
    @Test func aTrickleOfHeaderBytesDoesNotResetTheClock() throws {
        let channel = EmbeddedChannel(handler: ConnectionGuard(timeouts: Self.timeouts))
        try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 9)).wait()
        for _ in 0..<4 {
            channel.pipeline.fireChannelReadComplete()
            channel.pipeline.read()
            channel.embeddedEventLoop.advanceTime(by: .seconds(3))
        }
        #expect(!channel.isActive)
    }
}
