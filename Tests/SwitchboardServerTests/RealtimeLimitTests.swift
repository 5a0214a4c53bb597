import Foundation
import NIOCore
import NIOWebSocket
import Testing

@testable import SwitchboardProtocol
@testable import SwitchboardServer

@Suite struct RealtimeLimitTests {
    @Test func aBadTokenGetsNoSocket() async throws {
        try await withCast(live: true) { api, cast, _ in
            for token in ["", "nonsense", cast.customer + "x"] {
                await #expect(throws: (any Error).self) { try await WSProbe.connect(port: api.port, token: token) }
            }
            // A logged-out login cannot open one either.
            let login = try await api.login("agent")
            _ = try await api.call(.post, "/api/auth/logout", token: login.accessToken)
            await #expect(throws: (any Error).self) { try await WSProbe.connect(port: api.port, token: login.accessToken) }
        }
    }

    /// Refusals at the upgrade are the contract's HTTP answers, with its error body.
    @Test func refusedUpgradesAnswer401And403And429() async throws {
        try await withCast(
            live: true,
            configure: {
                $0.configuration.realtime.allowedOrigins = ["https://support.example.com"]
                $0.configuration.realtime.maxConnectionsPerUser = 1
            }
        ) { api, cast, _ in
            let missing = try await RawHTTP.upgrade(port: api.port)
            #expect(missing.hasPrefix("HTTP/1.1 401 Unauthorized\r\n"))
            #expect(missing.contains(#"{"error":{"code":"UNAUTHORIZED","#))
            let bad = try await RawHTTP.upgrade(port: api.port, query: "?access_token=forged")
            #expect(bad.hasPrefix("HTTP/1.1 401 Unauthorized\r\n") && bad.contains("the access token is not valid"))
            let header = try await RawHTTP.upgrade(port: api.port, headers: ["Authorization: Bearer forged"])
            #expect(header.hasPrefix("HTTP/1.1 401 Unauthorized\r\n"))
            let foreign = try await RawHTTP.upgrade(
                port: api.port, query: "?access_token=\(cast.customer)",
                headers: ["Origin: https://evil.example.com"])
            #expect(foreign.hasPrefix("HTTP/1.1 403 Forbidden\r\n") && foreign.contains(#""code":"FORBIDDEN""#))
            // An upgrade anywhere but /ws is answered too (it used to be a bare 400, then nothing).
            let elsewhere = try await RawHTTP.exchange(
                port: api.port,
                """
                GET /chat?access_token=\(cast.customer) HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\
                Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n
                """)
            #expect(elsewhere.hasPrefix("HTTP/1.1 404 Not Found\r\n") && elsewhere.contains("connect to /ws"))
            let first = try await api.socket(cast.customer)
            let second = try await RawHTTP.upgrade(port: api.port, query: "?access_token=\(cast.customer)")
            #expect(second.hasPrefix("HTTP/1.1 429 Too Many Requests\r\n") && second.contains("Retry-After: 1"))
            await first.close()
        }
    }

    /// The slow-client bound is the operator's: `outboundFrames` in the config file, 16 or more.
    @Test func outboundFramesComesFromTheConfigFile() throws {
        func configured(_ json: String) throws -> ServerConfiguration {
            var configuration = ServerConfiguration()
            try JSONDecoder().decode(ServerConfigFile.self, from: Data(json.utf8)).apply(to: &configuration)
            return configuration
        }
        #expect(try configured(#"{"outboundFrames": 64}"#).realtime.outboundBuffer == 64)
        #expect(try configured("{}").realtime.outboundBuffer == 4_096)
        #expect(throws: (any Error).self) { try configured(#"{"outboundFrames": 4}"#) }
    }

    @Test func oversizeFrameClosesWith1009() async throws {
        try await withCast(live: true) { api, cast, _ in
            let probe = try await api.socket(cast.customer)
            try await probe.sendText(#"{"type":"JOIN_ROOM","ticketId":1,"pad":""# + String(repeating: "x", count: 70_000) + #""}"#)
            _ = try await probe.waitUntil(seconds: 5) { probe.isClosed }
            #expect(probe.closeCode == .messageTooLarge)
            #expect(probe.closeReason?.isEmpty == false, "every close the server sends carries a reason")
            #expect(
                probe.events == [
                    .error(
                        code: .tooLarge, message: "the message is too large: at most 64 KiB in one message (all its frames together)",
                        ref: nil)
                ], "the contract's ERROR comes before the close")
        }
    }

    @Test func badFramesGetAnErrorAndTheSocketStaysOpen() async throws {
        try await withCast(live: true) { api, cast, _ in
            let ticket = try await api.openTicket(cast.customer).id
            let probe = try await api.socket(cast.customer)
            try await probe.sendText("{not json")
            #expect(try await probe.next { if case .error(.invalid, let m, nil) = $0 { m } else { nil } } == "the frame is not valid JSON")
            try await probe.sendText(#"{"type":"DANCE","ref":"d1"}"#)
            let unknown = try await probe.error(ref: "d1").message
            #expect(unknown.contains("unknown frame type 'DANCE'"))
            try await probe.sendText(#"{"type":"JOIN_ROOM","ref":"j1"}"#)
            #expect(try await probe.error(ref: "j1").message == "ticketId: is required")
            try await probe.sendText(#"{"type":"SEND_MESSAGE","ref":"s1","ticketId":\#(ticket),"clientMessageId":"c","message":"   "}"#)
            #expect(try await probe.error(ref: "s1").message == "message: must not be empty")
            try await probe.send(.joinRoom(ticketId: ticket, sinceSeq: nil), ref: "ok")
            #expect(try await probe.next { if case .roomJoined(ticket, _, _) = $0 { true } else { nil } })
            #expect(!probe.isClosed)
            await probe.close()
        }
    }

    @Test func aFloodIsLimitedThenClosed() async throws {
        try await withCast(live: true) { api, cast, _ in
            let ticket = try await api.openTicket(cast.customer).id
            let probe = try await api.socket(cast.customer)
            for index in 0..<400 {
                try? await probe.send(.typingStop(ticketId: ticket, internal: false), ref: "t\(index)")
            }
            // Generous: with the whole suite running in parallel on two cores, 400 frames can take
            // a while to be read (a timing bound here measured the machine, and failed CI once).
            _ = try await probe.waitUntil(seconds: 60) { probe.isClosed }
            let limited = probe.events.compactMap { if case .error(.rateLimited, _, let ref) = $0 { ref } else { nil } }
            #expect(limited.count > 0)
            // Each refusal names the frame it refused, so a client knows what to send again.
            #expect(limited.allSatisfy { $0.hasPrefix("t") })
            #expect(probe.closeCode == .init(codeNumber: Int(CloseCode.rateLimited)))
        }
    }

    /// A client that stops reading (a dead network, a stopped process) must not make the server
    /// hold its frames without end: once its socket has taken nothing while `outboundBuffer`
    /// more frames came, it is closed (1008) and, as it cannot even read the close, cut.
    @Test func aClientThatStopsReadingIsClosedNotBufferedForever() async throws {
        try await withCast(
            live: true,
            configure: {
                $0.configuration.realtime.outboundBuffer = 16
                $0.configuration.realtime.closeTimeout = .seconds(1)
                // Thousands of messages by REST as fast as the server takes them: past any rate.
                $0.configuration.realtime.rateBurst = 1_000_000
            }
        ) { api, cast, _ in
            let ticket = try await api.openTicket(cast.customer).id
            let stalled = try await StalledSocket.open(port: api.port, token: cast.customer)
            try await stalled.sendText(#"{"type":"JOIN_ROOM","ticketId":\#(ticket)}"#)
            try await Task.sleep(for: .milliseconds(300))
            func connections() async throws -> Int {
                let statistics: ServerStatistics = try await api.get("/api/admin/support/server", token: cast.admin).decode()
                return statistics.connections
            }
            #expect(try await connections() == 1)
            // Each message comes back to the customer's room as a RECEIVE_MESSAGE of ~7 KB: the
            // socket's buffers fill after a few hundred.
            let big = String(repeating: "x", count: 7_000)
            var sent = 0
            var last: Message?
            while try await connections() == 1, sent < 3_000 {
                for _ in 0..<25 { last = try await api.send(cast.customer, ticket: ticket, big) }
                sent += 25
            }
            #expect(try await connections() == 0, "closed after \(sent) messages")
            #expect(try await stalled.drainsToTheEnd(within: 10))
            // Nothing was lost: every message is stored for the client to resume from.
            let page: MessagePage = try await api.get("/api/tickets/\(ticket)/messages?limit=1", token: cast.customer).decode()
            #expect(page.items.last?.id == last?.id)
        }
    }

    @Test func theSocketClosesWhenTheTokenExpires() async throws {
        try await withCast(live: true, configure: { $0.configuration.accessTokenLifetime = 1 }) { api, _, _ in
            let login = try await api.login("agent")
            let probe = try await WSProbe.connect(port: api.port, token: login.accessToken)
            _ = try await probe.waitUntil(seconds: 5) { probe.isClosed }
            #expect(probe.closeCode == .init(codeNumber: Int(CloseCode.tokenExpired)))
        }
    }

    @Test func logoutClosesThatLoginsSocketsOnly() async throws {
        try await withCast(live: true) { api, _, _ in
            let first = try await api.login("agent"), second = try await api.login("agent")
            let a = try await WSProbe.connect(port: api.port, token: first.accessToken)
            let b = try await WSProbe.connect(port: api.port, token: second.accessToken)
            #expect(try await api.call(.post, "/api/auth/logout", token: first.accessToken).status == 204)
            _ = try await a.waitUntil(seconds: 5) { a.isClosed }
            #expect(a.closeCode == .init(codeNumber: Int(CloseCode.loggedOut)))
            try await Task.sleep(for: .milliseconds(100))
            #expect(!b.isClosed)
            await b.close()
        }
    }

    /// A password set by another process on the same database (`switchboard users set-password`)
    /// ends that user's open sockets within the check interval; others stay.
    @Test func aLoginEndedBesideTheServerClosesItsSockets() async throws {
        try await withCast(live: true, configure: { $0.configuration.loginCheckInterval = .milliseconds(100) }) { api, cast, server in
            let a = try await WSProbe.connect(port: api.port, token: cast.agent)
            let b = try await WSProbe.connect(port: api.port, token: cast.agent2)
            let store = try await openStore(server.configuration, logger: .init(label: "test"))
            let hash = try await PasswordHasher(cost: 4).hash("another passphrase")
            #expect(try await store.setPassword(userId: cast.agentId, passwordHash: hash, now: server.clock.now))
            try await store.close()
            _ = try await a.waitUntil(seconds: 5) { a.isClosed }
            #expect(a.closeCode == .init(codeNumber: Int(CloseCode.loggedOut)))
            try await Task.sleep(for: .milliseconds(300))
            #expect(!b.isClosed)
            await b.close()
        }
    }

    @Test func connectionsPerUserAreCapped() async throws {
        try await withCast(live: true, configure: { $0.configuration.realtime.maxConnectionsPerUser = 2 }) { api, cast, _ in
            let one = try await api.socket(cast.customer), two = try await api.socket(cast.customer)
            await #expect(throws: (any Error).self) { try await api.socket(cast.customer) }
            let agent = try await api.socket(cast.agent)  // others are unaffected
            await one.close()
            _ = try await Task.sleep(for: .milliseconds(100))
            let three = try await api.socket(cast.customer)
            for probe in [two, three, agent] { await probe.close() }
        }
    }
}

@Suite struct RealtimeFramingTests {
    @Test func binaryFramesAreRefusedAndBadUTF8Closes() async throws {
        try await withCast(live: true) { api, cast, _ in
            let probe = try await api.socket(cast.customer)
            try await probe.sendBinary([0x7B, 0x7D])
            #expect(try await probe.next { if case .error(.invalid, let m, _) = $0 { m } else { nil } } == "frames are JSON text objects")
            try await probe.sendRawText([0x7B, 0xFF, 0xFE, 0x7D])  // not UTF-8: the server ends the connection at once
            // At once, with 1007 and a reason (it used to go silent and drop ~14 s later with no code).
            #expect(try await probe.waitUntil(seconds: 3) { probe.isClosed })
            #expect(probe.closeCode == .dataInconsistentWithMessage)
            #expect(probe.closeReason == "a text frame was not valid UTF-8")
            #expect(probe.events.count == 1)  // nothing was made of the bad frame
        }
    }

    /// A message may come in several frames: the server puts them together before reading it.
    @Test func aMessageInSeveralFramesIsReadAsOne() async throws {
        try await withCast(live: true) { api, cast, _ in
            let ticket = try await api.openTicket(cast.customer).id
            let probe = try await api.socket(cast.customer)
            let parts = [#"{"type":"JOIN_"#, #"ROOM","ticketId":"#, "\(ticket)}"]
            for (index, part) in parts.enumerated() {
                try await probe.sendFrame(
                    WebSocketFrame(
                        fin: index == parts.count - 1, opcode: index == 0 ? .text : .continuation,
                        data: ByteBuffer(string: part)))
            }
            #expect(try await probe.next { if case .roomJoined(ticket, _, _) = $0 { true } else { nil } })
            #expect(!probe.isClosed)
            await probe.close()
        }
    }

    /// Frames each under the limit whose message is over it close with 1009, like one big frame.
    @Test func fragmentsAddingUpPastTheLimitClose1009() async throws {
        try await withCast(live: true) { api, cast, _ in
            let probe = try await api.socket(cast.customer)
            let chunk = String(repeating: "x", count: 30_000)
            try await probe.sendFrame(WebSocketFrame(fin: false, opcode: .text, data: ByteBuffer(string: chunk)))
            try await probe.sendFrame(WebSocketFrame(fin: false, opcode: .continuation, data: ByteBuffer(string: chunk)))
            try await probe.sendFrame(WebSocketFrame(fin: true, opcode: .continuation, data: ByteBuffer(string: chunk)))
            #expect(try await probe.waitUntil(seconds: 5) { probe.isClosed })
            #expect(probe.closeCode == .messageTooLarge)
            #expect(probe.closeReason == "the message is too large")
            #expect(probe.events.map(\.type) == ["ERROR"])
            #expect(probe.events.first.map { if case .error(.tooLarge, _, nil) = $0 { true } else { false } } == true)
        }
    }

    @Test func framesOutOfPlaceCloseWith1002() async throws {
        try await withCast(live: true) { api, cast, _ in
            let orphan = try await api.socket(cast.customer)
            try await orphan.sendFrame(WebSocketFrame(fin: true, opcode: .continuation, data: ByteBuffer(string: "{}")))
            #expect(try await orphan.waitUntil(seconds: 5) { orphan.isClosed })
            #expect(orphan.closeCode == .protocolError)
            #expect(orphan.closeReason == "a continuation frame with no message to continue")

            let interrupted = try await api.socket(cast.customer)
            try await interrupted.sendFrame(WebSocketFrame(fin: false, opcode: .text, data: ByteBuffer(string: "{")))
            try await interrupted.sendFrame(WebSocketFrame(fin: true, opcode: .text, data: ByteBuffer(string: "{}")))
            #expect(try await interrupted.waitUntil(seconds: 5) { interrupted.isClosed })
            #expect(interrupted.closeCode == .protocolError)

            let reserved = try await api.socket(cast.customer)
            try await reserved.sendFrame(WebSocketFrame(fin: true, rsv1: true, opcode: .text, data: ByteBuffer(string: "{}")))
            #expect(try await reserved.waitUntil(seconds: 5) { reserved.isClosed })
            #expect(reserved.closeCode == .protocolError)
        }
    }

    /// The server pings; a client that never answers (a dead network) is let go after the next
    /// ping finds the last one unanswered, and then cut when even the close gets no answer.
    @Test func aClientThatDoesNotAnswerPingsIsLetGo() async throws {
        try await withCast(
            live: true,
            configure: {
                // Long enough for a WebSocketClient on a loaded CI machine to answer in time (at 1 s
                // one pong came late there, with all suites running at once on two cores).
                $0.configuration.realtime.pingInterval = .seconds(3)
                $0.configuration.realtime.closeTimeout = .milliseconds(500)
            }
        ) { api, cast, _ in
            let answering = try await api.socket(cast.agent)  // WebSocketClient answers pings
            let silent = try await StalledSocket.open(port: api.port, token: cast.customer)
            #expect(try await silent.drainsToTheEnd(within: 30), "the server ended the silent connection")
            var connections = 0
            for _ in 0..<50 {  // the hub forgets it a moment after the socket closes
                let statistics: ServerStatistics = try await api.get("/api/admin/support/server", token: cast.admin).decode()
                connections = statistics.connections
                if connections == 1 { break }
                try await Task.sleep(for: .milliseconds(100))
            }
            #expect(connections == 1)
            #expect(!answering.isClosed)
            await answering.close()
        }
    }

    @Test func originsAreCheckedWhenAnAllowlistIsSet() async throws {
        try await withCast(live: true, configure: { $0.configuration.realtime.allowedOrigins = ["https://support.example.com"] }) {
            api, cast, _ in
            let allowed = try await WSProbe.connect(port: api.port, token: cast.customer, origin: "https://support.example.com")
            await allowed.close()
            await #expect(throws: (any Error).self) {
                try await WSProbe.connect(port: api.port, token: cast.customer, origin: "https://evil.example.com")
            }
            // Terminal clients send no Origin at all.
            let terminal = try await api.socket(cast.customer)
            await terminal.close()
            // WebSocket libraries name the server itself with a ws:// origin (no browser sends one).
            let library = try await WSProbe.connect(port: api.port, token: cast.customer, origin: "ws://127.0.0.1")
            await library.close()
            // A page on another port of this machine, and a page whose name was rebound to this
            // address (Host and Origin agree on the attacker's name): both refused, once listed origins are set.
            for (host, origin) in [
                ("127.0.0.1:\(api.port)", "http://127.0.0.1:\(api.port + 1)"),
                ("127.0.0.1:\(api.port)", "http://127.0.0.1:\(api.port)"),
                ("rebound.example:\(api.port)", "http://rebound.example:\(api.port)"),
            ] {
                let answer = try await RawHTTP.upgrade(
                    port: api.port, query: "?access_token=\(cast.customer)", host: host,
                    headers: ["Origin: \(origin)"])
                #expect(answer.hasPrefix("HTTP/1.1 403"), "\(origin) via \(host): \(answer.prefix(80))")
            }
        }
    }
}
