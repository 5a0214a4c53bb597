import Foundation
import SQLKit
import SwitchboardProtocol

/// Webhook endpoints, their events and deliveries (see `Schema.integrations`).
extension SQLStore {
    static let webhookColumns = """
        w.id, w.url, w.events, w.include_notes, w.enabled, w.created_at, w.failing_since, w.disabled_reason,
        (SELECT COUNT(*) FROM webhook_deliveries d WHERE d.webhook_id = w.id AND d.state = 'PENDING') AS pending
        """

    static func webhook(_ row: any SQLRow) throws -> Webhook {
        Webhook(
            id: try row.int("id"), url: try row.string("url"), events: wireList(try row.string("events")),
            includeNotes: try row.bool("include_notes"), enabled: try row.bool("enabled"), createdAt: try row.date("created_at"),
            failingSince: try row.optionalDate("failing_since"), disabledReason: try row.optionalString("disabled_reason"),
            pending: try row.int("pending"))
    }

    /// `,ticket.created,message.created,`: a `LIKE '%,name,%'` finds a name, and nothing else.
    static func eventColumn(_ events: [WebhookEventType]) -> String { "," + events.map(\.rawValue).joined(separator: ",") + "," }
    /// A column of comma-separated wire values (an endpoint's events, a token's scopes).
    static func wireList<E: WireEnum>(_ column: String) -> [E] {
        column.split(separator: ",").compactMap { E(rawValue: String($0)) }
    }

    public func createWebhook(_ new: NewWebhook, now: Date) async throws -> Webhook {
        let id = try await driver.transaction { db in
            try await db.raw(
                """
                INSERT INTO webhooks (url, events, include_notes, secret, enabled, created_at)
                VALUES (\(bind: new.url), \(bind: Self.eventColumn(new.events)), \(bind: new.includeNotes), \(bind: new.secret),
                        \(bind: true), \(bind: millis(now)))
                RETURNING id
                """
            ).first(decodingColumn: "id", as: Int.self)
        }
        guard let id, var webhook = try await webhook(id: id) else { throw StorageError.missingRow("webhook") }
        webhook.secret = new.secret
        return webhook
    }

    public func webhooks() async throws -> [Webhook] {
        try await reader.raw("SELECT \(unsafeRaw: Self.webhookColumns) FROM webhooks w ORDER BY w.id").all().map(Self.webhook)
    }

    public func webhook(id: Int) async throws -> Webhook? {
        try await reader.raw("SELECT \(unsafeRaw: Self.webhookColumns) FROM webhooks w WHERE w.id = \(bind: id)").first().map(Self.webhook)
    }

    public func updateWebhook(id: Int, _ change: WebhookChange, now: Date) async throws -> Webhook? {
        var sets: [SQLQueryString] = []
        if let url = change.url { sets.append("url = \(bind: url)") }
        if let events = change.events { sets.append("events = \(bind: Self.eventColumn(events))") }
        if let includeNotes = change.includeNotes { sets.append("include_notes = \(bind: includeNotes)") }
        if let enabled = change.enabled {
            sets.append("enabled = \(bind: enabled)")
            // On again by hand: its failures start over; what waited is delivered now.
            if enabled { sets += ["failing_since = NULL", "disabled_reason = NULL"] }
        }
        if !sets.isEmpty {
            let sets = sets
            let found = try await driver.transaction { db in
                let found = try await db.raw("UPDATE webhooks SET \(sets.joined(separator: ", ")) WHERE id = \(bind: id) RETURNING id")
                    .first()
                if found != nil, change.enabled == true {
                    try await db.raw(
                        """
                        UPDATE webhook_deliveries SET next_attempt_at = \(bind: millis(now))
                        WHERE webhook_id = \(bind: id) AND state = 'PENDING' AND next_attempt_at > \(bind: millis(now))
                        """
                    ).run()
                }
                return found
            }
            guard found != nil else { return nil }
        }
        return try await webhook(id: id)
    }

    public func deleteWebhook(id: Int) async throws -> Bool {
        try await driver.transaction { db in
            try await db.raw("DELETE FROM webhook_deliveries WHERE webhook_id = \(bind: id)").run()
            return try await db.raw("DELETE FROM webhooks WHERE id = \(bind: id) RETURNING id").first() != nil
        }
    }

    static let deliverySelect: SQLQueryString = """
        SELECT d.id, d.event_id, d.state, d.attempts, d.next_attempt_at, d.last_attempt_at, d.response_status,
               d.response_line, d.error, e.type, e.ticket_id, e.at
        FROM webhook_deliveries d JOIN webhook_events e ON e.id = d.event_id
        """

    static func delivery(_ row: any SQLRow) throws -> WebhookDelivery {
        let state: DeliveryState = try row.wire("state")
        return WebhookDelivery(
            id: try row.int("id"), eventId: try row.int("event_id"), type: try row.wire("type"), ticketId: try row.int("ticket_id"),
            createdAt: try row.date("at"), state: state, attempts: try row.int("attempts"),
            lastAttemptAt: try row.optionalDate("last_attempt_at"),
            nextAttemptAt: state == .pending ? try row.date("next_attempt_at") : nil,
            responseStatus: try row.optionalInt("response_status"), responseLine: try row.optionalString("response_line"),
            error: try row.optionalString("error"))
    }

    public func deliveries(webhookId: Int, before: Int?, limit: Int) async throws -> [WebhookDelivery] {
        let older: SQLQueryString = before.map { "AND d.id < \(bind: $0)" } ?? ""
        return try await reader.raw(
            "\(Self.deliverySelect) WHERE d.webhook_id = \(bind: webhookId) \(older) ORDER BY d.event_id DESC, d.id DESC LIMIT \(bind: limit)"
        ).all().map(Self.delivery)
    }

    public func redeliver(webhookId: Int, deliveryId: Int, now: Date) async throws -> WebhookDelivery? {
        let found = try await driver.transaction { db in
            try await db.raw(
                """
                UPDATE webhook_deliveries SET state = 'PENDING', next_attempt_at = \(bind: millis(now))
                WHERE id = \(bind: deliveryId) AND webhook_id = \(bind: webhookId) RETURNING id
                """
            ).first()
        }
        guard found != nil else { return nil }
        return try await reader.raw("\(Self.deliverySelect) WHERE d.id = \(bind: deliveryId)").first().map(Self.delivery)
    }

    // MARK: Delivering

    public func anyWebhookEnabled() async throws -> Bool {
        try await reader.raw("SELECT id FROM webhooks WHERE enabled LIMIT 1").first() != nil
    }

    public func fanOutWebhookEvents(limit: Int) async throws -> Int {
        // Read first: on SQLite a write transaction is a turn of the one writer even when idle.
        guard try await reader.raw("SELECT id FROM webhook_events WHERE NOT fanned_out LIMIT 1").first() != nil else { return 0 }
        return try await driver.transaction { db in
            let ids = try await db.raw("SELECT id FROM webhook_events WHERE NOT fanned_out ORDER BY id LIMIT \(bind: limit)")
                .all(decodingColumn: "id", as: Int.self)
            guard let last = ids.last, let first = ids.first else { return 0 }
            // Each endpoint on now that wants the type (notes only where asked), from its creation on.
            try await db.raw(
                """
                INSERT INTO webhook_deliveries (webhook_id, event_id, state, next_attempt_at)
                SELECT w.id, e.id, 'PENDING', e.at FROM webhook_events e JOIN webhooks w
                  ON w.enabled AND w.events LIKE '%,' || e.type || ',%' AND (NOT e.internal OR w.include_notes) AND e.at >= w.created_at
                WHERE e.id BETWEEN \(bind: first) AND \(bind: last) AND NOT e.fanned_out
                ON CONFLICT (webhook_id, event_id) DO NOTHING
                """
            ).run()
            try await db.raw("UPDATE webhook_events SET fanned_out = \(bind: true) WHERE id BETWEEN \(bind: first) AND \(bind: last)").run()
            return ids.count
        }
    }

    public func leaseWebhooks(node: String, now: Date, until: Date) async throws -> [WebhookTarget] {
        let due: SQLQueryString = """
            EXISTS (SELECT 1 FROM webhook_deliveries d WHERE d.webhook_id = webhooks.id AND d.state = 'PENDING'
                    AND d.next_attempt_at <= \(bind: millis(now)))
            """
        let free: SQLQueryString = "(lease_until < \(bind: millis(now)) OR lease_node = \(bind: node))"
        guard try await reader.raw("SELECT id FROM webhooks WHERE enabled AND \(free) AND \(due) LIMIT 1").first() != nil else {
            return []
        }
        return try await driver.transaction { db in
            try await db.raw(
                """
                UPDATE webhooks SET lease_node = \(bind: node), lease_until = \(bind: millis(until))
                WHERE enabled AND \(free) AND \(due)
                RETURNING id, url, secret, failing_since
                """
            ).all().map { row in
                WebhookTarget(
                    id: try row.int("id"), url: try row.string("url"), secret: try row.string("secret"),
                    failingSince: try row.optionalDate("failing_since"))
            }
        }
    }

    public func nextDelivery(webhookId: Int, now: Date) async throws -> PendingDelivery? {
        guard
            let row = try await reader.raw(
                """
                SELECT d.id, d.attempts, d.next_attempt_at, e.id AS e_id, e.type, e.ticket_id, e.message_id, e.at, e.detail
                FROM webhook_deliveries d JOIN webhook_events e ON e.id = d.event_id
                WHERE d.webhook_id = \(bind: webhookId) AND d.state = 'PENDING' ORDER BY d.event_id LIMIT 1
                """
            ).first(), try row.date("next_attempt_at") <= now
        else { return nil }
        return PendingDelivery(
            id: try row.int("id"), webhookId: webhookId, attempts: try row.int("attempts"),
            event: WebhookEventRow(
                id: try row.int("e_id"), type: try row.wire("type"), ticketId: try row.int("ticket_id"),
                messageId: try row.optionalInt("message_id"), at: try row.date("at"), detail: try row.optionalString("detail")))
    }

    public func eventPayload(eventId: Int) async throws -> String? {
        try await reader.raw("SELECT payload FROM webhook_events WHERE id = \(bind: eventId)").first().flatMap {
            try $0.optionalString("payload")
        }
    }

    public func keepEventPayload(eventId: Int, payload: String) async throws -> String {
        try await driver.transaction { db in
            try await db.raw("UPDATE webhook_events SET payload = \(bind: payload) WHERE id = \(bind: eventId) AND payload IS NULL").run()
            return try await db.raw("SELECT payload FROM webhook_events WHERE id = \(bind: eventId)").first()
                .flatMap { try $0.optionalString("payload") } ?? payload
        }
    }

    public func recordAttempt(
        _ attempt: DeliveryAttempt, node: String, now: Date, leaseUntil: Date, disableAfter: TimeInterval
    ) async throws -> AttemptRecorded {
        try await driver.transaction { db in
            guard
                let held = try await db.raw(
                    "SELECT url, failing_since FROM webhooks WHERE id = \(bind: attempt.webhookId) AND lease_node = \(bind: node)"
                ).first()
            else { return .leaseLost }
            try await db.raw("UPDATE webhooks SET lease_until = \(bind: millis(leaseUntil)) WHERE id = \(bind: attempt.webhookId)").run()
            let state = attempt.delivered ? "DELIVERED" : "PENDING"
            try await db.raw(
                """
                UPDATE webhook_deliveries SET state = \(bind: state), attempts = attempts + 1, last_attempt_at = \(bind: millis(now)),
                  next_attempt_at = \(bind: millis(attempt.retryAt ?? now)), response_status = \(bind: attempt.responseStatus),
                  response_line = \(bind: attempt.responseLine), error = \(bind: attempt.error)
                WHERE id = \(bind: attempt.deliveryId)
                """
            ).run()
            if attempt.delivered {
                try await db.raw("UPDATE webhooks SET failing_since = NULL WHERE id = \(bind: attempt.webhookId)").run()
                return .recorded
            }
            guard let since = try held.optionalDate("failing_since") else {
                try await db.raw("UPDATE webhooks SET failing_since = \(bind: millis(now)) WHERE id = \(bind: attempt.webhookId)").run()
                return .recorded
            }
            guard now.timeIntervalSince(since) >= disableAfter else { return .recorded }
            let span = disableAfter >= 3_600 ? "\(Int(disableAfter / 3_600)) h" : "\(Int(disableAfter / 60)) min"
            let reason = "switched off after failing for \(span); the last answer: \(attempt.responseLine ?? attempt.error ?? "none")"
            try await db.raw(
                """
                UPDATE webhooks SET enabled = \(bind: false), disabled_reason = \(bind: reason), lease_node = NULL, lease_until = 0
                WHERE id = \(bind: attempt.webhookId)
                """
            ).run()
            return .switchedOff(url: try held.string("url"), reason: reason)
        }
    }

    public func deletedTicket(id: Int) async throws -> Ticket? {
        let detail = try await reader.raw(
            "SELECT detail FROM webhook_events WHERE ticket_id = \(bind: id) AND type = 'ticket.deleted' ORDER BY id DESC LIMIT 1"
        ).first().flatMap { try $0.optionalString("detail") }
        return try detail.flatMap { try WireJSON.decoder().decode(WebhookDetail.self, from: Data($0.utf8)).ticket }
    }

    public func webhookMessage(id: Int) async throws -> Message? {
        try await reader.raw("\(Self.messageSelect) WHERE m.id = \(bind: id)").first().map(Self.message)
    }

    public func pruneWebhookEvents(before: Date) async throws -> Int {
        let old: SQLQueryString = """
            e.at < \(bind: millis(before)) AND e.fanned_out
              AND NOT EXISTS (SELECT 1 FROM webhook_deliveries d WHERE d.event_id = e.id AND d.state = 'PENDING')
            """
        guard try await reader.raw("SELECT e.id FROM webhook_events e WHERE \(old) LIMIT 1").first() != nil else { return 0 }
        return try await driver.transaction { db in
            let ids = try await db.raw("SELECT e.id FROM webhook_events e WHERE \(old) LIMIT 5000").all(decodingColumn: "id", as: Int.self)
            guard !ids.isEmpty else { return 0 }
            try await db.raw("DELETE FROM webhook_deliveries WHERE event_id IN (\(binds: ids))").run()
            try await db.raw("DELETE FROM webhook_events WHERE id IN (\(binds: ids))").run()
            return ids.count
        }
    }

    public func releaseWebhooks(node: String) async throws {
        try await driver.transaction { db in
            try await db.raw("UPDATE webhooks SET lease_node = NULL, lease_until = 0 WHERE lease_node = \(bind: node)").run()
        }
    }

    /// An event the store writes itself (the triggers write the rest): only while an endpoint is on.
    static func recordWebhookEvent(
        _ type: WebhookEventType, ticketId: Int, at: Date, detail: WebhookDetail?, in db: any SQLDatabase
    ) async throws {
        let json = try detail.map { String(decoding: try WireJSON.encoder().encode($0), as: UTF8.self) }
        try await db.raw(
            """
            INSERT INTO webhook_events (type, ticket_id, at, detail)
            SELECT \(bind: type.rawValue), \(bind: ticketId), \(bind: millis(at)), \(bind: json)
            WHERE EXISTS (SELECT 1 FROM webhooks WHERE enabled)
            """
        ).run()
    }
}

/// What an event's row no longer tells afterwards, kept as its `detail`. The triggers write the
/// first fields (with database JSON functions); the store writes a deleted ticket and targets.
public struct WebhookDetail: Codable, Sendable, Equatable {
    public var previousStatus: TicketStatus?
    public var previousAgentId: Int?
    public var mergedIntoId: Int?
    public var previous: Previous?
    public var resolution: Int?
    /// A rating as given (the ticket may be reopened or gone by the time it is sent).
    public var score: Int?
    public var comment: String?
    /// A deleted ticket, as it was.
    public var ticket: Ticket?
    public var target: SLATarget?
    public var dueAt: Date?

    public struct Previous: Codable, Sendable, Equatable {
        public var subject: String?
        public var priority: Priority?
        public var category: Category?
    }

    public init(ticket: Ticket? = nil, target: SLATarget? = nil, dueAt: Date? = nil) {
        self.ticket = ticket
        self.target = target
        self.dueAt = dueAt
    }
}
