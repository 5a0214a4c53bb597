import Foundation
import Testing

@testable import SwitchboardClient
@testable import SwitchboardProtocol

/// Several addresses (`--server a,b`) against real sockets: a refused address is known by the
/// kind of its error — not by its text — and both REST and the socket move on to the next.
@Suite(.serialized) struct FailoverTests {
    /// An address where nothing listens: a port this test holds bound but not listening, so a
    /// connection is refused and no other test's server can take the port meanwhile (a stopped
    /// server's freed port was taken by a parallel test once in CI). The socket stays open for the
    /// life of the process (a few bytes).
    static func deadAddress() async throws -> URL {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        #expect(fd >= 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
        }
        #expect(bound)
        return URL(string: "http://127.0.0.1:\(UInt16(bigEndian: address.sin_port))")!
    }

    @Test func aRefusedConnectionIsKnownByItsKindAndSaidInWords() async throws {
        let dead = try await Self.deadAddress()
        let api = APIClient(server: dead, fallbacks: [dead])
        do {
            _ = try await api.me()
            Issue.record("a dead address answered")
        } catch {
            #expect(error.status == 0)
            #expect(error.transport?.kind == .refused)
            #expect(error.transport?.neverConnected == true)
            #expect(error.transport?.underlying != nil)  // the transport's own error is kept
            #expect(error.sentence.contains("connection refused"), "\(error.sentence)")
        }
        await api.shutdown()
    }

    @Test func aClientGivenADeadAddressFirstMovesOnForRESTAndTheSocketAndResumes() async throws {
        let dead = try await Self.deadAddress()
        let server = try LiveServer()
        try await server.run { live in
            let scene = try await RealtimeConnectionTests.scene(at: live)
            // REST: the dead address is skipped at once, not waited on until the deadline.
            let customer = APIClient(server: dead, fallbacks: [live])
            let started = ContinuousClock.now
            try await customer.login(username: "casey", password: LiveServer.password)
            #expect(ContinuousClock.now - started < .seconds(5))
            #expect(await customer.server == live)

            // The socket: given the dead address first (a login kept from before), it moves on,
            // says so, and joins with the seq it holds — the replay brings only what came after.
            _ = try await scene.agent.post(PostMessageRequest(message: "a1: hello"), ticket: scene.ticket.id)
            _ = try await scene.agent.post(PostMessageRequest(message: "a2: still there?"), ticket: scene.ticket.id)
            let kept = APIClient(server: dead, fallbacks: [live])
            await kept.adopt(try #require(await customer.session))
            let connection = RealtimeConnection(
                api: kept, outbox: try await freshOutbox(in: server.directory, "casey"),
                options: quickOptions())
            let watcher = Watcher(connection)
            await connection.start()
            await connection.join(scene.ticket.id, sinceSeq: 1)
            try await eventually("moved to the live address") {
                watcher.events.contains(.movedTo(server: live.absoluteString, from: dead.absoluteString))
            }
            try await eventually("connected there") { watcher.states.last == .connected }
            try await eventually("the message after seq 1 replayed") { Self.received(watcher) == ["a2: still there?"] }
            try await connection.send("c1: yes", to: scene.ticket.id)
            try await eventually("stored") {
                watcher.events.contains { if case .outgoing(let message) = $0, case .sent = message.state { true } else { false } }
            }
            #expect(
                try await scene.agent.messages(ticket: scene.ticket.id).items.map(\.message) == [
                    "a1: hello", "a2: still there?", "c1: yes",
                ])
            await watcher.stop()

            // Signing in moved REST on before any socket: the mode still hears where it is.
            let afterLogin = RealtimeConnection(
                api: customer, outbox: try await freshOutbox(in: server.directory, "casey-2"),
                options: quickOptions())
            let told = Watcher(afterLogin)
            await afterLogin.start()
            try await eventually("told of the move REST made") {
                told.events.contains(.movedTo(server: live.absoluteString, from: dead.absoluteString))
            }
            await told.stop()
            await customer.shutdown()
            await kept.shutdown()
        }
    }

    static func received(_ watcher: Watcher) -> [String] {
        watcher.events.compactMap { if case .server(.receiveMessage(_, let message)) = $0 { message.message } else { nil } }
    }
}
