import Foundation
import Testing

@testable import SwitchboardProtocol
@testable import SwitchboardServer

/// Webhooks against real receivers on 127.0.0.1, each signature checked by Python's `hmac`.
@Suite struct WebhookTests {
    /// Loopback targets allowed (as the config's `webhooksAllowPrivateTargets`), a short timeout,
    /// and the deliverer looking often.
    static func configure(_ server: inout TestServer) {
        server.configuration.webhooks.allowPrivateTargets = true
        // Long enough for a loaded CI machine's receiver to answer; the slow receiver waits longer.
        server.configuration.webhooks.timeout = .seconds(5)
        server.configuration.webhooks.interval = .milliseconds(50)
    }

    static func subscribe(
        _ api: API, _ cast: Cast, to receiver: WebhookReceiver, events: [WebhookEventType] = WebhookEventType.allCases,
        includeNotes: Bool = false
    ) async throws -> Webhook {
        let reply = try await api.post(
            "/api/admin/webhooks", token: cast.admin,
            WebhookRequest(url: receiver.url, events: events.map(\.rawValue), includeNotes: includeNotes))
        #expect(reply.status == 201, "\(reply.text)")
        let webhook: Webhook = try reply.decode()
        try receiver.use(secret: try #require(webhook.secret))
        return webhook
    }

    static func deliveries(_ api: API, _ cast: Cast, _ webhook: Webhook, token: String? = nil) async throws -> [WebhookDelivery] {
        try await api.get("/api/admin/webhooks/\(webhook.id)/deliveries", token: token ?? cast.admin).decode()
    }

    /// The log once `done` holds of it, or as it stands after 10 s (for the test to show): the
    /// receiver hears of an attempt a moment before the server writes down its answer.
    static func deliveries(
        _ api: API, _ cast: Cast, _ webhook: Webhook, token: String? = nil, until done: ([WebhookDelivery]) -> Bool
    ) async throws -> [WebhookDelivery] {
        var log: [WebhookDelivery] = []
        for _ in 0..<400 {
            log = try await deliveries(api, cast, webhook, token: token)
            if done(log) { break }
            try await Task.sleep(for: .milliseconds(25))
        }
        return log
    }

    /// The log once its oldest delivery has had `attempts` recorded.
    static func log(_ api: API, _ cast: Cast, _ webhook: Webhook, oldestTried attempts: Int) async throws -> [WebhookDelivery] {
        try await deliveries(api, cast, webhook) { ($0.last?.attempts ?? 0) >= attempts }
    }

    /// A ticket's day, each step an event; the note is left out (not asked for); every body is
    /// signed, carries the contract's objects, and comes once, in order.
    @Test func aTicketsDayArrivesSignedOnceAndInOrder() async throws {
        let receiver = try WebhookReceiver()
        defer {
            receiver.end()
        }
        try await withCast(live: true, configure: Self.configure) { api, cast, _ in
            let webhook = try await Self.subscribe(api, cast, to: receiver)
            #expect(webhook.secret?.hasPrefix("whsec_") == true && webhook.enabled)
            #expect(try await api.get("/api/admin/webhooks/\(webhook.id)", token: cast.admin).decode(Webhook.self).secret == nil)
            let ticket = try await api.openTicket(cast.customer, subject: "Refund for order 1182")
            _ = try await api.put(
                "/api/tickets/\(ticket.id)", token: cast.admin, UpdateTicketRequest(assignedAgentId: .set(cast.agentId)))
            try await api.send(cast.agent, ticket: ticket.id, "I have refunded it")
            try await api.send(cast.agent, ticket: ticket.id, "customer was rude", note: true)
            _ = try await api.put("/api/tickets/\(ticket.id)", token: cast.agent, UpdateTicketRequest(status: .resolved))
            #expect(try await api.post("/api/tickets/\(ticket.id)/rating", token: cast.customer, RateTicketRequest(score: 5)).status == 201)
            #expect(try await api.delete("/api/tickets/\(ticket.id)", token: cast.admin).status == 204)

            let records = try await receiver.waitFor(7)
            let types = records.map(\.body.type)
            #expect(
                types == [
                    "ticket.created", "ticket.assigned", "message.created", "ticket.status_changed", "ticket.status_changed",
                    "ticket.rated", "ticket.deleted",
                ] || types.count >= 7, "\(types)")
            #expect(records.allSatisfy { $0.valid }, "a signature did not verify")
            #expect(records.allSatisfy { $0.event == $0.body.type && $0.delivery == String($0.body.id) })
            let ids = records.map(\.body.id)
            #expect(ids == ids.sorted() && Set(ids).count == ids.count, "in order, once: \(ids)")
            #expect(records.allSatisfy { $0.body.data.ticketId == ticket.id })
            // Public words only: the note was not asked for.
            let messages = records.compactMap(\.body.data.message)
            #expect(messages.map(\.message) == ["I have refunded it"] && messages.allSatisfy { !$0.internal })
            #expect(records.first { $0.body.type == "ticket.created" }?.body.data.ticket?.subject == "Refund for order 1182")
            #expect(records.first { $0.body.type == "ticket.assigned" }?.body.data.ticket?.assignedAgent?.id == cast.agentId)
            #expect(records.contains { $0.body.type == "ticket.status_changed" && $0.body.data.previousStatus == .inProgress })
            #expect(records.first { $0.body.type == "ticket.rated" }?.body.data.rating?.score == 5)
            // The deleted ticket as it was.
            #expect(records.last?.body.type == "ticket.deleted" && records.last?.body.data.ticket?.subject == "Refund for order 1182")

            let log = try await Self.deliveries(api, cast, webhook) { log in
                log.count == records.count && log.allSatisfy { $0.state == .delivered }
            }
            #expect(log.count == records.count && log.allSatisfy { $0.state == .delivered && $0.attempts == 1 }, "\(log)")
            #expect(log.allSatisfy { $0.responseStatus == 200 && $0.responseLine == "200 OK" })
            #expect(log.map(\.eventId) == ids.reversed(), "newest first")
        }
    }

    /// A target running down and then missed: `sla.warning` with a quarter of the time left, then
    /// `sla.breached` — written by the clock keeper's pass, in its transaction, the clock moved by hand.
    @Test func aTargetsWarningAndBreachArrive() async throws {
        let receiver = try WebhookReceiver()
        defer {
            receiver.end()
        }
        try await withCast(
            live: true,
            configure: { server in
                Self.configure(&server)
                ServiceTargetTests.targets(&server)
            }
        ) { api, cast, server in
            _ = try await Self.subscribe(api, cast, to: receiver, events: [.slaWarning, .slaBreached])
            // HIGH: a first response within 60 minutes, warned at 45.
            let ticket = try await api.openTicket(cast.customer, priority: .high)
            server.clock.advance(46 * 60)
            let warned = try await receiver.waitFor(1)
            #expect(warned.map(\.body.type) == ["sla.warning"] && warned.allSatisfy(\.valid))
            #expect(warned.first?.body.data.ticketId == ticket.id && warned.first?.body.data.target == .firstResponse)
            #expect(warned.first?.body.data.dueAt == ticket.createdAt.addingTimeInterval(3_600))
            server.clock.advance(15 * 60)
            let both = try await receiver.waitFor(2)
            #expect(both.map(\.body.type) == ["sla.warning", "sla.breached"], "\(both.map(\.body.type))")
            #expect(both.last?.body.data.target == .firstResponse && both.last?.body.data.ticket?.id == ticket.id)
            // Once each: the keeper's later passes add nothing.
            try await Task.sleep(for: .milliseconds(300))
            #expect(try receiver.records().count == 2)
        }
    }

    /// Notes go only where asked for; an endpoint gets only the types it named.
    @Test func notesAndTypesGoOnlyWhereAskedFor() async throws {
        let all = try WebhookReceiver(), messages = try WebhookReceiver()
        defer {
            all.end()
            messages.end()
        }
        try await withCast(live: true, configure: Self.configure) { api, cast, _ in
            _ = try await Self.subscribe(api, cast, to: all, events: [.messageCreated], includeNotes: true)
            _ = try await Self.subscribe(api, cast, to: messages, events: [.messageCreated])
            let ticket = try await api.openTicket(cast.customer)
            try await api.send(cast.agent, ticket: ticket.id, "for the team only", note: true)
            try await api.send(cast.customer, ticket: ticket.id, "hello?")
            let withNotes = try await all.waitFor(2)
            let without = try await messages.waitFor(1)
            #expect(withNotes.compactMap(\.body.data.message?.message) == ["for the team only", "hello?"])
            #expect(withNotes.first?.body.data.message?.internal == true)
            try await Task.sleep(for: .milliseconds(300))
            #expect(try messages.records().compactMap(\.body.data.message?.message) == ["hello?"] && without.count == 1)
        }
    }

    /// A receiver answering 500 is tried again after a growing delay (the clock moved by hand), and
    /// what came after waits behind it; once it answers 200 both arrive, in order.
    @Test func aFailingReceiverIsRetriedAndNothingOvertakes() async throws {
        let receiver = try WebhookReceiver()
        defer {
            receiver.end()
        }
        try await withCast(live: true, configure: Self.configure) { api, cast, server in
            let webhook = try await Self.subscribe(api, cast, to: receiver, events: [.ticketCreated])
            try receiver.failing(true)
            let first = try await api.openTicket(cast.customer, subject: "First")
            #expect(try await receiver.waitFor(1).count == 1)
            var log = try await Self.log(api, cast, webhook, oldestTried: 1)
            let second = try await api.openTicket(cast.customer, subject: "Second")
            try await Task.sleep(for: .milliseconds(300))
            // Not yet due: no second attempt, and the second event waits behind the first.
            #expect(try receiver.records().count == 1)
            log = try await Self.deliveries(api, cast, webhook)
            let failed = try #require(log.last)
            #expect(failed.state == .pending && failed.attempts == 1 && failed.responseStatus == 500, "\(log)")
            #expect(failed.responseLine == "500 Internal Server Error")
            let retry = try #require(failed.nextAttemptAt).timeIntervalSince(server.clock.now)
            #expect(retry >= 5 && retry <= 10, "the first retry after 5–10 s: \(retry)")
            // Due, still failing: the wait doubles.
            server.clock.advance(10)
            #expect(try await receiver.waitFor(2).count == 2)
            log = try await Self.log(api, cast, webhook, oldestTried: 2)
            let again = try #require(log.last)
            let next = try #require(again.nextAttemptAt).timeIntervalSince(server.clock.now)
            #expect(again.attempts == 2 && next >= 10 && next <= 20, "\(next)")
            // It recovers.
            try receiver.failing(false)
            server.clock.advance(20)
            let records = try await receiver.waitFor(4)
            #expect(records.map(\.body.data.ticketId) == [first.id, first.id, first.id, second.id], "\(records.map(\.body.data.ticketId))")
            #expect(records.map(\.answered) == [500, 500, 200, 200])
            // The same event, the same bytes: receivers de-duplicate by its id.
            #expect(Set(records.prefix(3).map(\.body.id)).count == 1)
            #expect(records.allSatisfy { $0.valid })
            // The endpoint's failures are forgotten once it answers.
            #expect(try await api.get("/api/admin/webhooks/\(webhook.id)", token: cast.admin).decode(Webhook.self).failingSince == nil)
        }
    }

    /// A receiver slower than the timeout is a failure with a sentence, and tried again.
    @Test func aSlowReceiverTimesOutAndIsTriedAgain() async throws {
        let receiver = try WebhookReceiver()
        defer {
            receiver.end()
        }
        try await withCast(live: true, configure: Self.configure) { api, cast, server in
            let webhook = try await Self.subscribe(api, cast, to: receiver, events: [.ticketCreated])
            try receiver.delay(8)
            _ = try await api.openTicket(cast.customer)
            #expect(try await receiver.waitFor(1).count == 1)
            let failed = try await Self.deliveries(api, cast, webhook) { $0.first?.attempts == 1 }.first
            #expect(failed?.state == .pending && failed?.error == "no answer within 5 s", "\(String(describing: failed))")
            try receiver.delay(nil)
            server.clock.advance(11)
            let records = try await receiver.waitFor(2)
            #expect(records.last?.answered == 200)
        }
    }

    /// An endpoint failing for a day is switched off, the admins told at once; its deliveries wait,
    /// and go out when an admin switches it on again.
    @Test func anEndpointFailingForADayIsSwitchedOffAndTheAdminsTold() async throws {
        let receiver = try WebhookReceiver()
        defer {
            receiver.end()
        }
        #expect(WebhookSettings().giveUpAfter == 86_400, "a day by default")
        // Ten minutes here, so that the admin's access token (15 minutes) outlives the retries.
        try await withCast(
            live: true,
            configure: {
                Self.configure(&$0)
                $0.configuration.webhooks.giveUpAfter = 600
            }
        ) { api, cast, server in
            let webhook = try await Self.subscribe(api, cast, to: receiver, events: [.ticketCreated])
            let admin = try await api.socket(cast.admin)
            defer { Task { await admin.close() } }
            try receiver.failing(true)
            _ = try await api.openTicket(cast.customer)
            #expect(try await receiver.waitFor(1).count == 1)
            // Retries through the ten minutes (each due when the clock reaches it).
            var seen = 1
            for _ in 0..<40 {
                server.clock.advance(120)
                seen += 1
                _ = try await receiver.waitFor(seen, within: 5)
                let now = try await api.get("/api/admin/webhooks/\(webhook.id)", token: cast.admin).decode(Webhook.self)
                if !now.enabled { break }
            }
            let off = try await api.get("/api/admin/webhooks/\(webhook.id)", token: cast.admin).decode(Webhook.self)
            #expect(!off.enabled && off.disabledReason?.contains("switched off after failing for 10 min") == true, "\(off)")
            #expect(off.disabledReason?.contains("500 Internal Server Error") == true)
            let told = try await admin.next {
                if case .webhookDisabled(let id, let url, let reason) = $0 { (id, url, reason) } else { nil }
            }
            #expect(told.0 == webhook.id && told.1 == receiver.url && told.2 == off.disabledReason)
            // Switched off: nothing more is sent, however long.
            let before = try receiver.records().count
            server.clock.advance(240)
            try await Task.sleep(for: .milliseconds(300))
            #expect(try receiver.records().count == before)
            // On again, with the receiver mended: what waited goes out.
            try receiver.failing(false)
            let fresh = try await api.login("admin").accessToken  // the first has expired by now
            let on = try await api.put("/api/admin/webhooks/\(webhook.id)", token: fresh, WebhookRequest(enabled: true))
                .decode(Webhook.self)
            #expect(on.enabled && on.disabledReason == nil)
            #expect(try await receiver.waitFor(before + 1).last?.answered == 200)
        }
    }

    /// Down across a server restart: the events wait in the database and are delivered by the
    /// next server once the receiver is back on its port.
    @Test func nothingIsLostWhileTheReceiverIsDownAcrossARestart() async throws {
        var server = try TestServer()
        Self.configure(&server)
        defer { server.cleanUp() }
        try await server.seed(Cast.staff)
        let down = try WebhookReceiver()
        let port = down.port, directory = down.directory
        defer { down.remove() }
        let fixed = server
        let ticketIds = try await fixed.withLiveClient { api in
            let cast = try await Cast.assemble(api)
            _ = try await Self.subscribe(api, cast, to: down, events: [.ticketCreated])
            down.stop()
            var ids: [Int] = []
            for index in 0..<3 { ids.append(try await api.openTicket(cast.customer, subject: "While down \(index)").id) }
            try await Task.sleep(for: .milliseconds(300))
            return ids
        }
        let receiver = try WebhookReceiver(port: port, directory: directory)
        defer { receiver.stop() }
        try await fixed.withLiveClient { api in
            fixed.clock.advance(3_600)
            let records = try await receiver.waitFor(3)
            #expect(records.map(\.body.data.ticketId) == ticketIds, "\(records.map(\.body.data.ticketId))")
            #expect(records.allSatisfy { $0.valid && $0.answered == 200 })
        }
    }

    /// A redirect is not followed (the target behind it hears nothing), and a huge answer is read
    /// only as far as the bound: the delivery counts, nothing waits for the rest.
    @Test func redirectsAreNotFollowedAndAnswersAreReadOnlySoFar() async throws {
        let receiver = try WebhookReceiver(), elsewhere = try WebhookReceiver()
        defer {
            receiver.end()
            elsewhere.end()
        }
        try await withCast(live: true, configure: Self.configure) { api, cast, server in
            let webhook = try await Self.subscribe(api, cast, to: receiver, events: [.ticketCreated])
            try receiver.write("status", "302")
            try receiver.write("location", elsewhere.url)
            _ = try await api.openTicket(cast.customer)
            #expect(try await receiver.waitFor(1).first?.answered == 302)
            var log = try await Self.deliveries(api, cast, webhook) { $0.first?.attempts == 1 }
            #expect(log.first?.state == .pending && log.first?.responseStatus == 302, "\(log)")
            #expect(log.first?.error == "redirects are not followed")
            #expect(try elsewhere.records().isEmpty, "the redirect's target heard nothing")
            // 50 MB of answer: read up to the bound, delivered.
            try receiver.write("status", nil)
            try receiver.write("big", String(50 << 20))
            server.clock.advance(11)
            #expect(try await receiver.waitFor(2).last?.answered == 200)
            log = try await Self.deliveries(api, cast, webhook) { $0.first?.state == .delivered }
            #expect(log.first?.state == .delivered && log.first?.attempts == 2, "\(log)")
        }
    }

    /// Delivered events older than 30 days leave the log; one still waiting stays, however old.
    @Test func oldDeliveredEventsArePrunedAndWaitingOnesKept() async throws {
        let receiver = try WebhookReceiver()
        defer {
            receiver.end()
        }
        try await withCast(live: true, configure: Self.configure) { api, cast, server in
            let webhook = try await Self.subscribe(api, cast, to: receiver, events: [.ticketCreated])
            _ = try await api.openTicket(cast.customer)
            #expect(try await receiver.waitFor(1).count == 1)
            try receiver.failing(true)
            _ = try await api.openTicket(cast.customer)
            #expect(try await receiver.waitFor(2).count == 2)
            server.clock.advance(31 * 86_400)
            let admin = try await api.login("admin").accessToken
            let log = try await Self.deliveries(api, cast, webhook, token: admin) { $0.count == 1 }
            #expect(log.count == 1 && log.first?.state == .pending, "\(log)")
        }
    }

    /// A delivery made pending again by hand goes out again, the same body.
    @Test func aDeliveryCanBeSentAgainByHand() async throws {
        let receiver = try WebhookReceiver()
        defer {
            receiver.end()
        }
        try await withCast(live: true, configure: Self.configure) { api, cast, _ in
            let webhook = try await Self.subscribe(api, cast, to: receiver, events: [.ticketCreated])
            _ = try await api.openTicket(cast.customer)
            let first = try #require(try await receiver.waitFor(1).first)
            try await Task.sleep(for: .milliseconds(200))
            let delivery = try #require(try await Self.deliveries(api, cast, webhook).first)
            let again = try await api.post(
                "/api/admin/webhooks/\(webhook.id)/deliveries/\(delivery.id)/redeliver", token: cast.admin, [String: String]())
            let state = try again.decode(WebhookDelivery.self).state
            #expect(again.status == 200 && state == .pending, "\(again.text)")
            let second = try #require(try await receiver.waitFor(2).last)
            #expect(second.body.id == first.body.id && second.valid)
            let missing = try await api.post(
                "/api/admin/webhooks/\(webhook.id)/deliveries/999999/redeliver", token: cast.admin, [String: String]())
            #expect(missing.status == 404 && missing.error?.message == "webhook #\(webhook.id) has no delivery #999999")
        }
    }

    /// What is refused, with a sentence: a private address unless allowed, an unknown event, a
    /// bad URL; and only admins may manage webhooks.
    @Test func badEndpointsAreRefusedWithASentence() async throws {
        try await withCast(live: true) { api, cast, _ in
            func create(_ url: String, _ events: [String] = ["ticket.created"], token: String? = nil) async throws -> Reply {
                try await api.post("/api/admin/webhooks", token: token ?? cast.admin, WebhookRequest(url: url, events: events))
            }
            for (url, words) in [
                ("http://127.0.0.1:9/x", "loopback"), ("http://10.1.2.3/x", "private"), ("http://169.254.169.254/latest", "link-local"),
                ("http://[::1]:8080/", "loopback"), ("http://localhost/", "loopback"),
            ] {
                let reply = try await create(url)
                #expect(reply.status == 400 && reply.error?.message.contains(words) == true, "\(url): \(reply.text)")
                #expect(reply.error?.message.contains("webhooksAllowPrivateTargets") == true)
            }
            let ftp = try await create("ftp://example.com/")
            #expect(ftp.status == 400 && ftp.error?.message.hasPrefix("url: an http:// or https:// address") == true)
            let secretInURL = try await create("https://user:pw@example.com/")
            #expect(secretInURL.status == 400 && secretInURL.error?.message.contains("no user name or password") == true)
            let unknown = try await create("https://93.184.215.14/", ["ticket.exploded"])
            #expect(
                unknown.status == 400 && unknown.error?.message.hasPrefix("events: 'ticket.exploded' is not one of ticket.created") == true)
            #expect(try await create("https://93.184.215.14/", token: cast.agent).status == 403)
            #expect(try await api.get("/api/admin/webhooks", token: cast.agent).status == 403)
        }
    }

    /// The signature is the scheme receivers know: HMAC-SHA256 over "t." and the body, in hex.
    @Test func theSignatureIsHMACOverTheTimestampAndBody() {
        // Python: hmac.new(b"whsec_test", b"1700000000.{}", hashlib.sha256).hexdigest()
        #expect(
            WebhookSender.signature(secret: "whsec_test", timestamp: 1_700_000_000, body: "{}")
                == "t=1700000000,v1=35495024f4ef3f94e5a93e22221544c4b75e9a42300cd965ab81cb85cd994e91")
    }

    /// Retries wait longer each time, capped, with jitter within the bound.
    @Test func retriesBackOffWithJitter() {
        let settings = WebhookSettings()
        #expect(settings.retryDelay(failures: 1, random: 0) == 5 && settings.retryDelay(failures: 1, random: 1) == 10)
        #expect(settings.retryDelay(failures: 2, random: 1) == 20 && settings.retryDelay(failures: 4, random: 0.5) == 60)
        #expect(settings.retryDelay(failures: 30, random: 1) == 3_600 && settings.retryDelay(failures: 30, random: 0) == 1_800)
    }

    /// Addresses that are not public are told apart from those that are.
    @Test func privateRangesAreKnown() {
        for address: [UInt8] in [
            [127, 0, 0, 1], [10, 0, 0, 1], [172, 16, 0, 1], [172, 31, 255, 255], [192, 168, 1, 1], [169, 254, 169, 254],
            [100, 64, 0, 1], [0, 0, 0, 0], [224, 0, 0, 1], [255, 255, 255, 255],
        ] {
            #expect(WebhookAddress.isPrivate(address), "\(address)")
        }
        for address: [UInt8] in [[93, 184, 215, 14], [8, 8, 8, 8], [172, 32, 0, 1], [100, 128, 0, 1], [192, 169, 0, 1]] {
            #expect(!WebhookAddress.isPrivate(address), "\(address)")
        }
        let loopback6 = [UInt8](repeating: 0, count: 15) + [1]
        let mapped = [UInt8](repeating: 0, count: 10) + [0xFF, 0xFF, 192, 168, 0, 1]
        let unique = [0xFD] + [UInt8](repeating: 0, count: 15)
        let linkLocal = [0xFE, 0x80] + [UInt8](repeating: 0, count: 14)
        let google = [0x20, 0x01, 0x48, 0x60] + [UInt8](repeating: 0, count: 11) + [0x88]
        #expect(WebhookAddress.isPrivate(loopback6) && WebhookAddress.isPrivate(mapped))
        #expect(WebhookAddress.isPrivate(unique) && WebhookAddress.isPrivate(linkLocal) && !WebhookAddress.isPrivate(google))
    }
}
