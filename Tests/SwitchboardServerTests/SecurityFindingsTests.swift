import Foundation
import HTTPTypes
import NIOCore
import Testing

@testable import SwitchboardProtocol
@testable import SwitchboardServer

/// What an attacker broke from outside (issue 29), each with the real server on 127.0.0.1.
@Suite struct SecurityFindingsTests {
    /// Many requests held back until all are ready, then released together.
    actor Gate {
        private var open = false
        private var waiting: [CheckedContinuation<Void, Never>] = []

        func wait() async {
            if open { return }
            await withCheckedContinuation { waiting.append($0) }
        }

        func release() {
            open = true
            for waiter in waiting { waiter.resume() }
            waiting = []
        }
    }

    /// Runs `count` copies of `request` released at once; answers their statuses.
    static func parallel(_ count: Int, _ request: @escaping @Sendable (Int) async throws -> Reply) async throws -> [Reply] {
        let gate = Gate()
        return try await withThrowingTaskGroup(of: Reply.self) { group in
            for index in 0..<count {
                group.addTask {
                    await gate.wait()
                    return try await request(index)
                }
            }
            try await Task.sleep(for: .milliseconds(100))
            await gate.release()
            return try await group.reduce(into: []) { $0.append($1) }
        }
    }

    // MARK: 2. One backtracking rule must not stall everyone

    /// `(a+)+b` once took 132 s on 200 `a`s, on the event loop: now the server refuses it at start.
    @Test func aCatastrophicRuleStopsTheServerAtStart() throws {
        for pattern in ["(a+)+b", "(x*)*y", "([a-z]+)*!", "(\\d+)+$"] {
            #expect(throws: ConfigError.self, "\(pattern)") { _ = try ContentFilter.Rule(name: "bad", pattern: pattern) }
        }
        do {
            _ = try ContentFilter.Rule(name: "nested", pattern: "(a+)+b")
        } catch {
            #expect(error.description.contains("backtracks catastrophically"), "\(error)")
        }
        // Ordinary rules pass the same check.
        for pattern in ["sk_live_[A-Za-z0-9]{16,}", "(?i)password\\s*[:=]\\s*\\S+", "\\b\\d{3}-\\d{2}-\\d{4}\\b"] {
            #expect(throws: Never.self, "\(pattern)") { _ = try ContentFilter.Rule(name: "fine", pattern: pattern) }
        }
    }

    /// A rule that slips past the start-up check (`((ab)+)+c` backtracks on `abab…`, which no
    /// probe of single characters shows) runs within its bound, off the event loop: the message is
    /// refused with a sentence, the admins see the rule, and `/health` answers meanwhile.
    @Test func aSlowRuleRefusesItsMessageAndStallsNobody() async throws {
        try await withCast(
            live: true,
            configure: {
                $0.configuration.contentFilter.masks = [try! ContentFilter.Rule(name: "nested", pattern: "((ab)+)+c")]
                $0.configuration.contentFilter.timeBound = .milliseconds(200)
            }
        ) { api, cast, _ in
            let ticket = try await api.openTicket(cast.customer).id
            let hostile = String(repeating: "ab", count: 40) + "d"
            async let first = api.post("/api/tickets/\(ticket)/messages", token: cast.customer, PostMessageRequest(message: hostile))
            async let second = api.post("/api/tickets/\(ticket)/messages", token: cast.customer, PostMessageRequest(message: hostile + "!"))
            // Meanwhile the server answers others (two such messages once held /health for 28 s).
            try await Task.sleep(for: .milliseconds(50))
            let asked = ContinuousClock.now
            #expect(try await api.get("/health", token: nil).status == 200)
            // A bound, not a timing check: the fault held /health for 28 s; a loaded CI machine took
            // over 5 s to answer it at all.
            #expect(ContinuousClock.now - asked < .seconds(20), "the health check waited behind the rule")
            for reply in [try await first, try await second] {
                #expect(reply.status == 400 && reply.error?.code == .invalid, "\(reply.text)")
                #expect(reply.error?.message.contains("'nested' rule took too long") == true, "\(reply.text)")
            }
            #expect(try await api.ticket(ticket, token: cast.agent).messageCount == 0)
            let statistics: ServerStatistics = try await api.get("/api/admin/support/server", token: cast.admin).decode()
            #expect(statistics.slowRules.map(\.rule) == ["nested"] && statistics.slowRules.first?.count == 2)
            // Over the socket too: an ERROR for that frame, and the socket stays.
            let socket = try await api.socket(cast.customer)
            defer { Task { await socket.close() } }
            try await socket.send(
                .sendMessage(
                    ticketId: ticket, clientMessageId: "slow-1", message: hostile, messageType: nil,
                    internal: nil, attachmentId: nil), ref: "slow")
            let refusal = try await socket.next { if case .error(let code, let message, "slow") = $0 { (code, message) } else { nil } }
            #expect(refusal.0 == .invalid && refusal.1.contains("took too long"))
            // An ordinary message still goes through the rule (and is masked where it matches).
            let fine = try await api.send(cast.customer, ticket: ticket, "code ababc please")
            #expect(fine.message == "code ••••c please" || fine.message == "code •••• please", "\(fine.message)")
        }
    }

    // MARK: 3. Limits taken atomically, before the body

    /// 60 parallel uploads by one customer with `uploadsPerHour` 30 all got 201; now exactly as many
    /// as the limit do, and the rest are told the real wait. Each upload has a connection of its
    /// own, so the server really handles them at once (the test client's one connection answered
    /// them one after another: no race, and under load a queue that passed its 20 s read timeout).
    @Test func parallelUploadsCannotRacePastTheHourlyLimit() async throws {
        try await withCast(live: true, configure: { $0.configuration.uploads.perHour = 8 }) { api, cast, _ in
            let ticket = try await api.openTicket(cast.customer).id
            let file = [UInt8](repeating: 65, count: 16 << 10)
            let replies = try await Self.parallel(16) { index in
                try await api.uploadOnItsOwnConnection(file, to: ticket, name: "part-\(index).txt", token: cast.customer)
            }
            #expect(replies.count { $0.status == 201 } == 8, "\(replies.map(\.status))")
            #expect(replies.count { $0.status == 429 } == 8)
            let refused = try #require(replies.first { $0.status == 429 })
            let wait = try #require(refused.headers[.retryAfter].flatMap(Int.init))
            #expect(wait > 3_000 && wait <= 3_600, "Retry-After \(wait) for an hourly limit")
        }
    }

    /// A byte budget per hour: one customer cannot fill the disk with files under the count limit.
    @Test func uploadsHaveAnHourlyByteBudget() async throws {
        try await withCast(live: true, configure: { $0.configuration.uploads.bytesPerHour = 5 << 20 }) { api, cast, server in
            let ticket = try await api.openTicket(cast.customer).id
            let file = [UInt8](repeating: 66, count: 1 << 20)
            let replies = try await Self.parallel(7) { index in
                try await api.uploadOnItsOwnConnection(file, to: ticket, name: "big-\(index).txt", token: cast.customer)
            }
            #expect(replies.count { $0.status == 201 } == 5, "\(replies.map(\.status))")
            let refused = try #require(replies.first { $0.status == 429 })
            #expect(refused.error?.message.contains("5 MiB of files an hour") == true, "\(refused.text)")
            // Another customer has a budget of their own; an hour later the first has theirs back.
            let other = try await api.openTicket(cast.customer2).id
            #expect(try await api.upload(file, to: other, type: "text/plain", token: cast.customer2).status == 201)
            server.clock.advance(3_601)
            let fresh = try await api.login("customer").accessToken  // the old access token has expired by now
            #expect(try await api.upload(file, to: ticket, type: "text/plain", token: fresh).status == 201)
        }
    }

    /// Refusals are answered before a large body is read: the client has sent only the head.
    @Test func refusalsComeBeforeTheBody() async throws {
        try await withCast(live: true, configure: { $0.configuration.uploads.perHour = 1 }) { api, cast, _ in
            let mine = try await api.openTicket(cast.customer).id
            let theirs = try await api.openTicket(cast.customer2).id
            func head(_ ticket: Int, token: String?) -> [UInt8] {
                Array(RawHTTP.uploadHead(ticket: ticket, token: token, length: 5_000_000).utf8)
            }
            /// The answer to a head whose 5 MB body is never sent.
            func answer(_ head: [UInt8]) async throws -> String {
                let connection = try await RawConnection.open(port: api.port)
                defer { Task { await connection.close() } }
                try await connection.write(String(decoding: head, as: UTF8.self))
                for _ in 0..<100 where !connection.received.contains("\r\n\r\n") { try await Task.sleep(for: .milliseconds(50)) }
                return connection.received
            }
            for (ticket, token, status) in [(theirs, cast.customer, "404"), (mine, nil, "401")] {
                let reply = try await answer(head(ticket, token: token))
                #expect(reply.hasPrefix("HTTP/1.1 \(status)"), "\(reply.prefix(200))")
            }
            #expect(try await api.upload([1, 2, 3], to: mine, type: nil, token: cast.customer).status == 201)
            let limited = try await answer(head(mine, token: cast.customer))
            #expect(limited.hasPrefix("HTTP/1.1 429") && limited.contains("Retry-After: "), "\(limited.prefix(200))")
            // A chunked body has no bound: its refusal ends the connection.
            let chunked = Array(RawHTTP.uploadHead(ticket: theirs, token: cast.customer, name: nil, length: nil).utf8)
            let cut = try await RawHTTP.converse(port: api.port, chunked, waitAtMost: .seconds(10))
            #expect(cut.status == 404 && cut.closed, "\(cut.text.prefix(200))")
        }
    }

    /// Thirty parallel guesses at one password: only the free ones are weighed.
    @Test func parallelLoginGuessesAreThrottledAsOne() async throws {
        try await withCast(live: true) { api, _, _ in
            let replies = try await Self.parallel(30) { _ in
                try await api.post("/api/auth/login", LoginRequest(username: "agent", password: "wrong password"))
            }
            #expect(replies.count { $0.status == 401 } <= 5, "\(replies.map(\.status))")
            #expect(replies.count { $0.status == 429 } >= 25)
        }
    }

    /// Messages by REST draw on the socket's per-user bucket: past it, 429 with `Retry-After` and a
    /// sentence, nothing stored; someone else writes on.
    @Test func restMessagesKeepTheSocketsRate() async throws {
        try await withCast(
            configure: {
                $0.configuration.realtime.rateBurst = 5
                $0.configuration.realtime.ratePerSecond = 0.001
            }
        ) { api, cast, _ in
            let ticket = try await api.openTicket(cast.customer).id
            var statuses: [Int] = []
            for index in 0..<7 {
                let reply = try await api.post(
                    "/api/tickets/\(ticket)/messages", token: cast.customer, PostMessageRequest(message: "hello \(index)"))
                statuses.append(reply.status)
                if reply.status == 429 {
                    #expect(reply.error?.code == .rateLimited && reply.error?.message.contains("too many messages") == true)
                    #expect(reply.headers[.retryAfter] == "1")
                }
            }
            #expect(statuses == [201, 201, 201, 201, 201, 429, 429], "\(statuses)")
            #expect(try await api.ticket(ticket, token: cast.agent).messageCount == 5)
            let other = try await api.openTicket(cast.customer2).id
            #expect(
                try await api.post("/api/tickets/\(other)/messages", token: cast.customer2, PostMessageRequest(message: "me too"))
                    .status == 201)
        }
    }

    /// New accounts per address: taken in the same lock as the check.
    @Test func parallelRegistrationsKeepTheHourlyLimit() async throws {
        try await withCast(live: true, configure: { $0.configuration.registrationsPerHour = 8 }) { api, _, _ in
            // Cast.assemble registered two already from this address.
            let replies = try await Self.parallel(12) { index in
                try await api.post(
                    "/api/auth/register",
                    RegisterRequest(
                        username: "burst\(index)", password: TestServer.password,
                        displayName: "Burst \(index)"))
            }
            #expect(replies.count { $0.status == 201 } == 6, "\(replies.map(\.status))")
        }
    }

    // MARK: 4. Card numbers in every field

    static let card = "4111111111111111"

    @Test func cardNumbersWrittenWithOtherSeparatorsAreMasked() {
        let mask = "•••• •••• •••• 1111"
        for separator in ["\t", "\n", "\u{A0}", "\u{2013}", ",", ", ", " - ", ".", "\u{202F}", "\u{2014}", "  ", "/"] {
            let number = ["4111", "1111", "1111", "1111"].joined(separator: separator)
            let masked = CardNumbers.mask("card: \(number) thanks")
            #expect(masked.count == 1 && masked.text == "card: \(mask) thanks", "separator \(separator.debugDescription): \(masked.text)")
        }
        // Full-width digits, and a card glued to Japanese text (no spaces in that script).
        #expect(CardNumbers.mask("４１１１ １１１１ １１１１ １１１１").text == mask)
        #expect(CardNumbers.mask("カードは4111111111111111です").text == "カードは\(mask)です")
        // Four separators are too many to be one number.
        #expect(CardNumbers.mask("4111    1111    1111    1111").count == 0)
    }

    @Test func everyStoredTextGoesThroughTheFilter() async throws {
        try await withCast(configure: {
            $0.configuration.contentFilter.blocks = [try! ContentFilter.Rule(name: "secret", pattern: "(?i)topsecret")]
        }) { api, cast, _ in
            // Names, addresses and ids are refused, never altered.
            for (username, name, email) in [
                ("dn1", "Pay \(Self.card)", nil), ("em1", "Em", "\(Self.card)@example.com"),
                ("bl1", "TopSecret Agent", nil), (Self.card, "Card", nil),
            ] {
                let reply = try await api.post(
                    "/api/auth/register",
                    RegisterRequest(
                        username: username, password: TestServer.password,
                        displayName: name, email: email))
                #expect(reply.status == 400 && reply.error?.code == .invalid, "\(username): \(reply.text)")
                #expect(reply.text.contains(Self.card) == false)
            }
            let ticket = try await api.openTicket(cast.customer).id
            let id = try await api.post(
                "/api/tickets/\(ticket)/messages", token: cast.customer,
                PostMessageRequest(message: "hello", clientMessageId: "cm-\(Self.card)"))
            #expect(id.status == 400 && id.error?.message.hasPrefix("clientMessageId") == true, "\(id.text)")
            // Message text written with a tab, a newline, no-break spaces, en dashes and commas.
            for number in [
                "4111\t1111\t1111\t1111", "4111\n1111\n1111\n1111", "4111\u{A0}1111\u{A0}1111\u{A0}1111",
                "4111–1111–1111–1111", "4111,1111,1111,1111",
            ] {
                let stored = try await api.send(cast.customer, ticket: ticket, "pay with \(number)")
                #expect(stored.message == "pay with •••• •••• •••• 1111", "\(number.debugDescription) → \(stored.message)")
            }
            // A file's name is masked (and a block rule refuses the file).
            let file: SwitchboardProtocol.Attachment = try await api.upload(
                Array("receipt".utf8), to: ticket,
                name: "card \(Self.card).txt", type: "text/plain",
                token: cast.customer
            ).decode()
            #expect(file.fileName == "card •••• •••• •••• 1111.txt")
            let blocked = try await api.upload(Array("x".utf8), to: ticket, name: "topsecret.txt", type: "text/plain", token: cast.customer)
            #expect(blocked.status == 400 && blocked.error?.message.contains("'secret' rule") == true)
            // Canned responses: title and body.
            let canned = try await api.post(
                "/api/canned-responses", token: cast.agent,
                CannedResponseRequest(
                    shortcut: "pay", title: "Card \(Self.card)",
                    body: "Use 4111 1111 1111 1111"))
            #expect(canned.status == 201, "\(canned.text)")
            #expect(canned.text.contains(Self.card) == false && canned.text.contains("4111 1111") == false, "\(canned.text)")
        }
    }

    // MARK: 5. Registration tells nothing of who exists

    @Test func registrationDoesNotConfirmUsernamesAndRefusesStaffLookAlikes() async throws {
        try await withCast(live: true) { api, _, _ in
            func register(_ username: String, _ name: String = "Someone") async throws -> Reply {
                try await api.post(
                    "/api/auth/register", RegisterRequest(username: username, password: TestServer.password, displayName: name))
            }
            // Taken, reserved and look-alike names all get the one answer, naming no one.
            let taken = try await register("customer")
            #expect(taken.status == 409 && taken.error?.message == AccountService.unavailable, "\(taken.text)")
            #expect(taken.text.contains("'customer'") == false)
            for name in ["support", "Supp0rt_1", "ADMIN"] {
                let reply = try await register(name)
                #expect(reply.status == 409 && reply.error?.message == AccountService.unavailable, "\(name): \(reply.text)")
            }
            // An agent's display name, in any case or spacing.
            let posing = try await register("posing", "  agent2 ")
            #expect(posing.status == 409 && posing.error?.message.hasPrefix("displayName") == true, "\(posing.text)")
            // Those answers counted as failed logins do, per address: past the free ones, even a free name waits.
            let waiting = try await register("freshname")
            #expect(waiting.status == 429 && waiting.headers[.retryAfter] != nil, "\(waiting.text)")
        }
    }

    // MARK: 6. Slow bodies and connection caps

    /// A body trickling a byte at a time is answered 408 and closed (it held its connection for 152 s).
    @Test func aTricklingBodyIsAnswered408AndClosed() async throws {
        try await withCast(
            live: true,
            configure: {
                $0.configuration.headerTimeout = .seconds(2)
                $0.configuration.minimumBodyRate = 100
            }
        ) { api, _, _ in
            let connection = try await RawConnection.open(port: api.port)
            try await connection.write(
                "POST /api/auth/register HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                    + "Content-Length: 100000\r\n\r\n")
            let started = ContinuousClock.now
            var answer = ""
            while ContinuousClock.now - started < .seconds(20), !connection.isClosed {
                try? await connection.write("a")
                try await Task.sleep(for: .milliseconds(500))
                answer = connection.received
            }
            #expect(connection.isClosed, "the trickle was never cut off")
            #expect(answer.hasPrefix("HTTP/1.1 408"), "\(answer.prefix(200))")
            #expect(answer.contains("slower than 100 bytes a second"))
            #expect(ContinuousClock.now - started < .seconds(10))
        }
    }

    /// Per address while speaking HTTP (429), and in all (503): the next connection is answered and closed.
    @Test func connectionsAreCappedPerAddressAndInAll() async throws {
        try await withCast(
            live: true,
            configure: {
                $0.configuration.connectionCaps = ConnectionCounter.Caps(total: 1_000, perAddress: 4, exempt: [])
            }
        ) { api, _, _ in
            var held: [RawConnection] = []
            for _ in 0..<4 { held.append(try await RawConnection.open(port: api.port)) }
            // The test client's own connection may count too: at most four are let in.
            let refused = try await RawHTTP.converse(
                port: api.port, Array("GET /health HTTP/1.1\r\nHost: x\r\n\r\n".utf8),
                waitAtMost: .seconds(10))
            #expect(refused.status == 429 && refused.closed, "\(refused.text.prefix(200))")
            #expect(refused.text.contains("Retry-After: 1"))
            for socket in held { await socket.close() }
            var again: Int?
            for _ in 0..<50 where again != 200 {
                try await Task.sleep(for: .milliseconds(100))
                again = try await RawHTTP.converse(
                    port: api.port, Array("GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".utf8),
                    waitAtMost: .seconds(5)
                ).status
            }
            #expect(again == 200, "a place is free again once the held connections close")
        }
        try await withCast(
            live: true,
            configure: {
                $0.configuration.connectionCaps = ConnectionCounter.Caps(total: 3, perAddress: 100, exempt: [])
            }
        ) { api, _, _ in
            var held: [RawConnection] = []
            for _ in 0..<3 { held.append(try await RawConnection.open(port: api.port)) }
            let refused = try await RawHTTP.converse(
                port: api.port, Array("GET /health HTTP/1.1\r\nHost: x\r\n\r\n".utf8),
                waitAtMost: .seconds(10))
            #expect(refused.status == 503 && refused.closed, "\(refused.text.prefix(200))")
            for socket in held { await socket.close() }
        }
    }

    // MARK: Also

    /// Every answer carries a policy fit for an API, whoever wrote it: a route, the router's 404,
    /// the connection guard's 400.
    @Test func everyAnswerCarriesAContentSecurityPolicy() async throws {
        try await withCast(live: true) { api, _, _ in
            for request in [
                "GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
                "GET /nothing-here HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", "GARBAGE\r\n\r\n",
            ] {
                let reply = try await RawHTTP.converse(port: api.port, Array(request.utf8), waitAtMost: .seconds(10))
                #expect(
                    reply.text.contains("Content-Security-Policy: default-src 'none'; frame-ancestors 'none'"),
                    "\(request.prefix(20)): \(reply.text.prefix(300))")
                #expect(reply.text.contains("X-Content-Type-Options: nosniff"))
            }
        }
    }

    /// A PNG named `poly.html` is stored as a PNG named `poly.png`: no program opens it as a page.
    @Test func aFilesExtensionAgreesWithItsType() async throws {
        try await withCast { api, cast, _ in
            let ticket = try await api.openTicket(cast.customer).id
            let stored: SwitchboardProtocol.Attachment = try await api.upload(
                AttachmentRouteTests.png, to: ticket, name: "poly.html",
                type: "image/png", token: cast.customer
            ).decode()
            #expect(stored.contentType == "image/png" && stored.fileName == "poly.png")
            let dotted: SwitchboardProtocol.Attachment = try await api.upload(
                Array("echo hi".utf8), to: ticket, name: ".bash_profile",
                type: nil, token: cast.customer
            ).decode()
            #expect(dotted.fileName == "bash_profile")
        }
    }
}
