import Foundation
import Logging
import SQLiteNIO
import SwitchboardProtocol

/// The durable offline outbox: every message is on disk (SQLite, WAL, `synchronous=FULL`, so each
/// change is fsynced) before anything is sent, and leaves only when the server acknowledged it or
/// the user discarded it. One file can hold the outboxes of several accounts (server + user);
/// each `Outbox` sees its own account's rows only.
///
/// Keeps the rows in memory as well, in order: the connection asks for the next one on every ACK.
public actor Outbox {
    public let account: String
    private let connection: SQLiteConnection
    private var rows: [OutgoingMessage]
    private var closed = false

    private init(account: String, connection: SQLiteConnection, rows: [OutgoingMessage]) {
        self.account = account
        self.connection = connection
        self.rows = rows
    }

    /// Opens (creating if needed) the outbox file at `url` for `account`, e.g. "http://host:8080 alice".
    public static func open(at url: URL, account: String) async throws -> Outbox {
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        var logger = Logger(label: "switchboard.outbox")
        logger.logLevel = .critical
        let connection = try await SQLiteConnection.open(storage: .file(path: url.path), logger: logger)
        do {
            for pragma in ["PRAGMA journal_mode=WAL", "PRAGMA synchronous=FULL", "PRAGMA busy_timeout=5000"] {
                _ = try await connection.query(pragma)
            }
            _ = try await connection.query("""
                CREATE TABLE IF NOT EXISTS outbox (
                    position INTEGER PRIMARY KEY AUTOINCREMENT,
                    account TEXT NOT NULL,
                    client_message_id TEXT NOT NULL UNIQUE,
                    ticket_id INTEGER NOT NULL,
                    body TEXT NOT NULL,
                    message_type TEXT,
                    internal INTEGER NOT NULL DEFAULT 0,
                    created_at REAL NOT NULL,
                    failure_code TEXT,
                    failure TEXT)
                """)
            let found = try await connection.query(
                "SELECT * FROM outbox WHERE account = ? ORDER BY position", [.text(account)])
            return Outbox(account: account, connection: connection, rows: found.compactMap(Self.message(from:)))
        } catch {
            try? await connection.close()
            throw error
        }
    }

    /// Messages waiting or failed, oldest first.
    public var messages: [OutgoingMessage] { rows }

    /// The oldest message still to send.
    public var nextQueued: OutgoingMessage? { rows.first { $0.state == .queued } }

    /// Writes a new message to disk (fsynced) and returns it, queued.
    public func add(ticketId: Int, text: String, messageType: MessageType? = nil, isInternal: Bool = false,
                    clientMessageId: String = UUID().uuidString.lowercased()) async throws -> OutgoingMessage {
        guard !closed else { throw OutboxError.closed }
        guard !text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else { throw OutboxError.empty }
        let message = OutgoingMessage(clientMessageId: clientMessageId, ticketId: ticketId, text: text,
                                      messageType: messageType, isInternal: isInternal)
        _ = try await connection.query("""
            INSERT INTO outbox (account, client_message_id, ticket_id, body, message_type, internal, created_at)
            VALUES (?, ?, ?, ?, ?, ?, ?)
            """, [.text(account), .text(message.clientMessageId), .integer(ticketId), .text(text),
                  messageType.map { .text($0.rawValue) } ?? .null, .integer(isInternal ? 1 : 0),
                  .float(message.createdAt.timeIntervalSince1970)])
        rows.append(message)
        return message
    }

    /// The server stored it: it leaves the outbox. Returns the message it was, if it was here.
    @discardableResult
    public func acknowledged(_ clientMessageId: String) async throws -> OutgoingMessage? {
        guard let index = rows.firstIndex(where: { $0.clientMessageId == clientMessageId }) else { return nil }
        try await delete(clientMessageId)
        return rows.remove(at: index)
    }

    /// The server refused it for good: kept, marked failed with the reason, until retried or discarded.
    @discardableResult
    public func failed(_ clientMessageId: String, code: ErrorCode, reason: String) async throws -> OutgoingMessage? {
        guard let index = rows.firstIndex(where: { $0.clientMessageId == clientMessageId }) else { return nil }
        _ = try await connection.query("UPDATE outbox SET failure_code = ?, failure = ? WHERE client_message_id = ?",
                                       [.text(code.rawValue), .text(reason), .text(clientMessageId)])
        rows[index].state = .failed(code: code, reason: reason)
        return rows[index]
    }

    /// A failed message goes back in the queue, in its original place.
    @discardableResult
    public func retry(_ clientMessageId: String) async throws -> OutgoingMessage? {
        guard let index = rows.firstIndex(where: { $0.clientMessageId == clientMessageId }) else { return nil }
        _ = try await connection.query("UPDATE outbox SET failure_code = NULL, failure = NULL WHERE client_message_id = ?",
                                       [.text(clientMessageId)])
        rows[index].state = .queued
        return rows[index]
    }

    /// The user gave up on it.
    @discardableResult
    public func discard(_ clientMessageId: String) async throws -> OutgoingMessage? {
        guard let index = rows.firstIndex(where: { $0.clientMessageId == clientMessageId }) else { return nil }
        try await delete(clientMessageId)
        return rows.remove(at: index)
    }

    public func close() async {
        guard !closed else { return }
        closed = true
        try? await connection.close()
    }

    private func delete(_ clientMessageId: String) async throws {
        _ = try await connection.query("DELETE FROM outbox WHERE client_message_id = ?", [.text(clientMessageId)])
    }

    private static func message(from row: SQLiteRow) -> OutgoingMessage? {
        guard let id = row.column("client_message_id")?.string, let ticketId = row.column("ticket_id")?.integer,
              let text = row.column("body")?.string, let created = row.column("created_at")?.double
        else { return nil }
        var state = OutgoingMessage.State.queued
        if let reason = row.column("failure")?.string {
            state = .failed(code: row.column("failure_code")?.string.flatMap(ErrorCode.init(rawValue:)) ?? .invalid, reason: reason)
        }
        return OutgoingMessage(clientMessageId: id, ticketId: ticketId, text: text,
                               messageType: row.column("message_type")?.string.flatMap(MessageType.init(rawValue:)),
                               isInternal: row.column("internal")?.integer == 1,
                               createdAt: Date(timeIntervalSince1970: created), state: state)
    }
}

public enum OutboxError: Error, Equatable, CustomStringConvertible {
    case empty
    case closed

    public var description: String {
        switch self {
        case .empty: "Nothing to send: the message is empty."
        case .closed: "The outbox is closed."
        }
    }
}
