import Foundation
import SQLKit

/// `switchboard migrate`: every row of one database copied into another, empty one, with the
/// same ids — users with their password hashes, logins and refresh-token digests, tickets with
/// their `last_seq`, messages with their seq, read marks, sessions, canned responses,
/// attachments — in one transaction on the destination, then counted on both sides.
public enum DatabaseCopy {
    enum Kind { case int, text, bool, bytes }

    struct Table {
        var name: String
        var columns: [(String, Kind)]
        /// Its ids come from an identity sequence (PostgreSQL), moved past the copied ids.
        var hasIdentity: Bool
    }

    /// In the order foreign keys need them. (`nodes` and `node_users` describe running processes:
    /// not copied.)
    static let tables: [Table] = [
        Table(
            name: "users",
            columns: [
                ("id", .int), ("username", .text), ("username_key", .text), ("display_name", .text),
                ("email", .text), ("role", .text), ("password_hash", .text), ("is_online", .bool),
                ("last_seen_at", .int), ("agent_status", .text), ("capacity", .int), ("created_at", .int),
                ("last_assigned_at", .int), ("is_bot", .bool),
            ], hasIdentity: true),
        Table(name: "logins", columns: [("id", .text), ("user_id", .int), ("created_at", .int), ("revoked_at", .int)], hasIdentity: false),
        Table(
            name: "refresh_tokens", columns: [("token_hash", .text), ("login_id", .text), ("expires_at", .int), ("used_at", .int)],
            hasIdentity: false),
        Table(
            name: "tickets",
            columns: [
                ("id", .int), ("subject", .text), ("description", .text), ("status", .text), ("priority", .text),
                ("priority_rank", .int), ("category", .text), ("customer_id", .int), ("assigned_agent_id", .int),
                ("last_seq", .int), ("first_response_at", .int), ("first_response_agent_id", .int),
                ("created_at", .int), ("updated_at", .int), ("resolved_at", .int), ("waiting_since", .int),
                ("answered_wait_since", .int), ("answered_at", .int), ("first_resolved_at", .int), ("assigned_at", .int),
                ("reassign_round", .int), ("reassign_tried", .text), ("clock_warned", .text), ("clock_due_at", .int),
                ("snoozed_until", .int), ("snooze_through_replies", .bool), ("last_reply_at", .int), ("auto_resolve_warned_at", .int),
                ("resolution", .int), ("rating_asks", .int), ("merged_into_id", .int), ("search_text", .text),
            ], hasIdentity: true),
        Table(
            name: "ticket_ratings",
            columns: [
                ("ticket_id", .int), ("resolution", .int), ("score", .int), ("comment", .text), ("at", .int),
                ("agent_id", .int), ("category", .text),
            ], hasIdentity: false),
        Table(
            name: "sla_outcomes",
            columns: [
                ("ticket_id", .int), ("target", .text), ("started_at", .int), ("breached", .bool), ("at", .int),
                ("agent_id", .int), ("priority", .text), ("category", .text),
            ], hasIdentity: false),
        Table(
            name: "attachments",
            columns: [
                ("id", .int), ("ticket_id", .int), ("uploader_id", .int), ("file_name", .text),
                ("content_type", .text), ("size", .int), ("sha256", .text), ("bytes", .bytes),
                ("created_at", .int),
            ], hasIdentity: true),
        Table(
            name: "messages",
            columns: [
                ("id", .int), ("ticket_id", .int), ("seq", .int), ("client_message_id", .text), ("sender_id", .int),
                ("sender_type", .text), ("body", .text), ("message_type", .text), ("internal", .bool),
                ("created_at", .int), ("attachment_id", .int), ("redactions", .text),
                ("merged_from_ticket_id", .int), ("search_text", .text),
            ], hasIdentity: true),
        Table(
            name: "mentions",
            columns: [("user_id", .int), ("message_id", .int), ("by_id", .int), ("created_at", .int), ("seen_at", .int)],
            hasIdentity: false),
        Table(
            name: "ticket_reads", columns: [("ticket_id", .int), ("user_id", .int), ("read_seq", .int), ("delivered_seq", .int)],
            hasIdentity: false),
        Table(
            name: "chat_sessions",
            columns: [
                ("id", .int), ("ticket_id", .int), ("status", .text), ("started_at", .int), ("ended_at", .int),
                ("last_activity_at", .int),
            ], hasIdentity: true),
        Table(
            name: "canned_responses",
            columns: [
                ("id", .int), ("owner_id", .int), ("shortcut", .text), ("title", .text), ("body", .text),
                ("shared", .bool), ("created_at", .int), ("updated_at", .int),
            ], hasIdentity: true),
        Table(name: "server_secrets", columns: [("name", .text), ("value", .text), ("created_at", .int)], hasIdentity: false),
        Table(name: "server_settings", columns: [("name", .text), ("value", .text), ("updated_at", .int)], hasIdentity: false),
        Table(
            name: "api_tokens",
            columns: [
                ("id", .int), ("name", .text), ("token_hash", .text), ("scopes", .text), ("bot_user_id", .int), ("login_id", .text),
                ("created_by_id", .int), ("created_at", .int), ("last_used_at", .int), ("revoked_at", .int),
            ], hasIdentity: true),
        // Last: the triggers write events only while an endpoint exists, so copying the tickets and
        // messages before them adds none.
        Table(
            name: "webhooks",
            columns: [
                ("id", .int), ("url", .text), ("events", .text), ("include_notes", .bool), ("secret", .text), ("enabled", .bool),
                ("created_at", .int), ("failing_since", .int), ("disabled_reason", .text), ("lease_node", .text), ("lease_until", .int),
            ], hasIdentity: true),
        Table(
            name: "webhook_events",
            columns: [
                ("id", .int), ("type", .text), ("ticket_id", .int), ("message_id", .int), ("internal", .bool), ("at", .int),
                ("detail", .text), ("payload", .text), ("fanned_out", .bool),
            ], hasIdentity: true),
        Table(
            name: "webhook_deliveries",
            columns: [
                ("id", .int), ("webhook_id", .int), ("event_id", .int), ("state", .text), ("attempts", .int), ("next_attempt_at", .int),
                ("last_attempt_at", .int), ("response_status", .int), ("response_line", .text), ("error", .text),
            ], hasIdentity: true),
    ]

    public struct Count: Equatable, Sendable {
        public var table: String
        public var source: Int
        public var destination: Int
    }

    public enum CopyError: Error, CustomStringConvertible {
        case destinationNotEmpty(table: String, rows: Int)
        case countsDiffer([Count])

        public var description: String {
            switch self {
            case .destinationNotEmpty(let table, let rows):
                "the destination already holds data (\(rows) rows in \(table)): migrate into an empty database"
            case .countsDiffer(let counts):
                "the copy does not match: " + counts.map { "\($0.table) \($0.source) → \($0.destination)" }.joined(separator: ", ")
            }
        }
    }

    /// Copies `source` into `destination` (both migrated to the newest schema first); `secret`,
    /// the source installation's JWT key (kept in its data directory), is kept in the destination
    /// so tokens issued before stay good. Answers each table's counts, which match.
    public static func run(
        from source: any SQLDriver, to destination: any SQLDriver, secret: String? = nil,
        progress: @escaping @Sendable (String, Int) -> Void = { _, _ in }
    ) async throws -> [Count] {
        for table in tables {
            let rows = try await count(table.name, in: destination.reader)
            guard rows == 0 else { throw CopyError.destinationNotEmpty(table: table.name, rows: rows) }
        }
        // Read outside the destination's transaction; one table at a time in memory.
        var copied: [String: [[SQLQueryString]]] = [:]
        for table in tables {
            let columns = table.columns.map(\.0).joined(separator: ", ")
            let rows = try await source.reader.raw("SELECT \(unsafeRaw: columns) FROM \(ident: table.name)").all()
            copied[table.name] = try rows.map { row in try table.columns.map { try value(row, $0.0, $0.1) } }
        }
        let rowsByTable = copied
        try await destination.transaction { db in
            for table in tables {
                let values = rowsByTable[table.name] ?? []
                let columns = table.columns.map(\.0).joined(separator: ", ")
                // Several rows per statement: far fewer round trips than one each.
                for batch in stride(from: 0, to: values.count, by: 200) {
                    let rows = values[batch..<min(batch + 200, values.count)].map { "(\($0.joined(separator: ", ")))" as SQLQueryString }
                    try await db.raw("INSERT INTO \(ident: table.name) (\(unsafeRaw: columns)) VALUES \(rows.joined(separator: ", "))")
                        .run()
                }
                if table.hasIdentity, destination.flavor == .postgres {
                    // New rows must not take a copied id.
                    try await db.raw(
                        """
                        SELECT setval(pg_get_serial_sequence(\(bind: table.name), 'id'), COALESCE((SELECT MAX(id) FROM \(ident: table.name)), 0) + 1, false)
                        """
                    ).run()
                }
                progress(table.name, values.count)
            }
            if let secret {
                try await db.raw(
                    """
                    INSERT INTO server_secrets (name, value, created_at) VALUES ('jwt', \(bind: secret), \(bind: Int64(Date().timeIntervalSince1970 * 1000)))
                    ON CONFLICT (name) DO NOTHING
                    """
                ).run()
            }
        }
        var counts: [Count] = []
        for table in tables {
            counts.append(
                Count(
                    table: table.name, source: try await count(table.name, in: source.reader),
                    destination: try await count(table.name, in: destination.reader)))
        }
        // The secret brought along is one more row than the source's table had.
        let differing = counts.filter { $0.source != $0.destination && !($0.table == "server_secrets" && secret != nil) }
        guard differing.isEmpty else { throw CopyError.countsDiffer(differing) }
        return counts
    }

    static func count(_ table: String, in db: any SQLDatabase) async throws -> Int {
        try await db.raw("SELECT COUNT(*) AS n FROM \(ident: table)").first(decodingColumn: "n", as: Int.self) ?? 0
    }

    /// One column of a row as SQL for the destination: NULL, or the value bound in its own type.
    static func value(_ row: any SQLRow, _ column: String, _ kind: Kind) throws -> SQLQueryString {
        if try row.decodeNil(column: column) { return "NULL" }
        switch kind {
        case .int: return "\(bind: try row.decode(column: column, as: Int64.self))"
        case .text: return "\(bind: try row.decode(column: column, as: String.self))"
        case .bool: return "\(bind: try row.bool(column))"
        case .bytes: return "\(bind: try row.decode(column: column, as: Data.self))"
        }
    }
}
