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
/// A file message keeps its own copy of the file in `outbox-files/` beside the database until
/// the server stored the message, so it survives the original being moved and a restart.
public actor Outbox {
    public let account: String
    private let connection: SQLiteConnection
    private let files: URL
    private var rows: [OutgoingMessage]
    private var closed = false

    private init(account: String, connection: SQLiteConnection, files: URL, rows: [OutgoingMessage]) {
        self.account = account
        self.connection = connection
        self.files = files
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
            _ = try await connection.query(
                """
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
            try await addFileColumns(connection)
            let files = url.deletingLastPathComponent().appendingPathComponent("outbox-files")
            try await removeStrayCopies(in: files, connection)
            let found = try await connection.query(
                "SELECT * FROM outbox WHERE account = ? ORDER BY position", [.text(account)])
            return Outbox(
                account: account, connection: connection, files: files,
                rows: found.compactMap { Self.message(from: $0, files: files) })
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
    public func add(
        ticketId: Int, text: String, messageType: MessageType? = nil, isInternal: Bool = false,
        clientMessageId: String = UUID().uuidString.lowercased()
    ) async throws -> OutgoingMessage {
        guard !closed else { throw OutboxError.closed }
        guard !text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else { throw OutboxError.empty }
        let message = OutgoingMessage(
            clientMessageId: clientMessageId, ticketId: ticketId, text: text,
            messageType: messageType, isInternal: isInternal)
        _ = try await connection.query(
            """
            INSERT INTO outbox (account, client_message_id, ticket_id, body, message_type, internal, created_at)
            VALUES (?, ?, ?, ?, ?, ?, ?)
            """,
            [
                .text(account), .text(message.clientMessageId), .integer(ticketId), .text(text),
                messageType.map { .text($0.rawValue) } ?? .null, .integer(isInternal ? 1 : 0),
                .float(message.createdAt.timeIntervalSince1970),
            ])
        rows.append(message)
        return message
    }

    /// Copies the file at `url` into the outbox (fsynced) and queues a message carrying it; the
    /// connection uploads the copy before it sends the message.
    public func add(
        ticketId: Int, file url: URL, isInternal: Bool = false,
        clientMessageId: String = UUID().uuidString.lowercased()
    ) async throws -> OutgoingMessage {
        guard !closed else { throw OutboxError.closed }
        let copy = files.appendingPathComponent(clientMessageId)
        let size = try Self.copy(url, to: copy)
        let file = OutgoingFile(name: url.lastPathComponent, size: size, copy: copy)
        let message = OutgoingMessage(
            clientMessageId: clientMessageId, ticketId: ticketId, text: "",
            messageType: .file, isInternal: isInternal, file: file)
        do {
            _ = try await connection.query(
                """
                INSERT INTO outbox (account, client_message_id, ticket_id, body, message_type, internal, created_at,
                                    file_name, file_size, file_copy)
                VALUES (?, ?, ?, '', 'FILE', ?, ?, ?, ?, ?)
                """,
                [
                    .text(account), .text(clientMessageId), .integer(ticketId), .integer(isInternal ? 1 : 0),
                    .float(message.createdAt.timeIntervalSince1970), .text(file.name), .integer(size),
                    .text(clientMessageId),
                ])
        } catch {
            try? FileManager.default.removeItem(at: copy)
            throw error
        }
        rows.append(message)
        return message
    }

    /// The file of a queued message is on the server: the message now names it (kept on disk,
    /// so a restart sends the message without uploading again).
    @discardableResult
    ///
    /// These three follow the server, whatever the disk does: the rows in memory change first, and
    /// a write that fails throws `OutboxDiskError` with the message as it now is. (A row left on
    /// disk by a failed delete is sent again after a restart, under the same `clientMessageId`,
    /// which the server answers from what it stored; kept in memory, it was sent again at once,
    /// for ever.)
    public func uploaded(_ clientMessageId: String, as attachment: Attachment) async throws(OutboxDiskError) -> OutgoingMessage? {
        guard let index = rows.firstIndex(where: { $0.clientMessageId == clientMessageId }), rows[index].file != nil else { return nil }
        rows[index].file?.attachment = attachment
        rows[index].messageType = OutgoingFile.messageType(of: attachment)
        let message = rows[index]
        try await written(message, "keep the uploaded file's name") {
            let json = String(decoding: try WireJSON.encoder().encode(attachment), as: UTF8.self)
            _ = try await self.connection.query(
                "UPDATE outbox SET attachment = ?, message_type = ? WHERE client_message_id = ?",
                [.text(json), .text(OutgoingFile.messageType(of: attachment).rawValue), .text(clientMessageId)])
        }
        return message
    }

    /// The server stored it: it leaves the outbox. Returns the message it was, if it was here.
    @discardableResult
    public func acknowledged(_ clientMessageId: String) async throws(OutboxDiskError) -> OutgoingMessage? {
        guard let index = rows.firstIndex(where: { $0.clientMessageId == clientMessageId }) else { return nil }
        let message = rows.remove(at: index)
        try await written(message, "forget a message the server has") { try await self.delete(message) }
        return message
    }

    /// The server refused it for good: kept, marked failed with the reason, until retried or discarded.
    @discardableResult
    public func failed(_ clientMessageId: String, code: ErrorCode, reason: String) async throws(OutboxDiskError) -> OutgoingMessage? {
        guard let index = rows.firstIndex(where: { $0.clientMessageId == clientMessageId }) else { return nil }
        rows[index].state = .failed(code: code, reason: reason)
        let message = rows[index]
        try await written(message, "mark a refused message") {
            _ = try await self.connection.query(
                "UPDATE outbox SET failure_code = ?, failure = ? WHERE client_message_id = ?",
                [.text(code.rawValue), .text(reason), .text(clientMessageId)])
        }
        return message
    }

    private func written(_ message: OutgoingMessage, _ what: String, _ write: () async throws -> Void) async throws(OutboxDiskError) {
        do {
            try await write()
        } catch {
            throw OutboxDiskError(message: message, what: what, cause: String(describing: error))
        }
    }

    /// A failed message goes back in the queue, in its original place.
    @discardableResult
    public func retry(_ clientMessageId: String) async throws -> OutgoingMessage? {
        guard let index = rows.firstIndex(where: { $0.clientMessageId == clientMessageId }) else { return nil }
        _ = try await connection.query(
            "UPDATE outbox SET failure_code = NULL, failure = NULL WHERE client_message_id = ?",
            [.text(clientMessageId)])
        rows[index].state = .queued
        return rows[index]
    }

    /// The user gave up on it.
    @discardableResult
    public func discard(_ clientMessageId: String) async throws -> OutgoingMessage? {
        guard let index = rows.firstIndex(where: { $0.clientMessageId == clientMessageId }) else { return nil }
        try await delete(rows[index])
        return rows.remove(at: index)
    }

    public func close() async {
        guard !closed else { return }
        closed = true
        try? await connection.close()
    }

    private func delete(_ message: OutgoingMessage) async throws {
        _ = try await connection.query("DELETE FROM outbox WHERE client_message_id = ?", [.text(message.clientMessageId)])
        // The row went first: a crash between the two leaves a stray copy, removed at the next open.
        if let copy = message.file?.copy { try? FileManager.default.removeItem(at: copy) }
    }

    // MARK: Files

    /// Outbox files from before file messages existed get their columns.
    private static func addFileColumns(_ connection: SQLiteConnection) async throws {
        let present = Set(try await connection.query("PRAGMA table_info(outbox)").compactMap { $0.column("name")?.string })
        for (name, type) in [("file_name", "TEXT"), ("file_size", "INTEGER"), ("file_copy", "TEXT"), ("attachment", "TEXT")]
        where !present.contains(name) {
            _ = try await connection.query("ALTER TABLE outbox ADD COLUMN \(name) \(type)")
        }
    }

    /// Copies no row names (of any account sharing the file): left by a crash between a row's
    /// deletion and its copy's.
    private static func removeStrayCopies(in files: URL, _ connection: SQLiteConnection) async throws {
        guard let present = try? FileManager.default.contentsOfDirectory(atPath: files.path), !present.isEmpty else { return }
        let named = Set(
            try await connection.query("SELECT file_copy FROM outbox WHERE file_copy IS NOT NULL")
                .compactMap { $0.column("file_copy")?.string })
        for name in present where !named.contains(name) {
            try? FileManager.default.removeItem(at: files.appendingPathComponent(name))
        }
    }

    /// Copies a regular, readable file in pieces and fsyncs the copy; answers its size.
    private static func copy(_ source: URL, to target: URL) throws -> Int {
        let path = source.path
        guard let attributes = try? FileManager.default.attributesOfItem(atPath: path) else {
            throw OutboxError.noFile(path)
        }
        guard (attributes[.type] as? FileAttributeType) == .typeRegular else { throw OutboxError.notAFile(path) }
        guard let input = try? FileHandle(forReadingFrom: source) else { throw OutboxError.unreadable(path) }
        defer { try? input.close() }
        try FileManager.default.createDirectory(at: target.deletingLastPathComponent(), withIntermediateDirectories: true)
        guard FileManager.default.createFile(atPath: target.path, contents: nil),
            let output = try? FileHandle(forWritingTo: target)
        else { throw OutboxError.unwritable(target.deletingLastPathComponent().path) }
        var size = 0
        do {
            defer { try? output.close() }
            while true {
                let piece: Data
                do { piece = try input.read(upToCount: 256 << 10) ?? Data() } catch { throw OutboxError.unreadable(path) }
                if piece.isEmpty { break }
                do { try output.write(contentsOf: piece) } catch { throw OutboxError.unwritable(target.deletingLastPathComponent().path) }
                size += piece.count
            }
            try output.synchronize()
        } catch {
            try? FileManager.default.removeItem(at: target)
            throw error
        }
        return size
    }

    private static func message(from row: SQLiteRow, files: URL) -> OutgoingMessage? {
        guard let id = row.column("client_message_id")?.string, let ticketId = row.column("ticket_id")?.integer,
            let text = row.column("body")?.string, let created = row.column("created_at")?.double
        else { return nil }
        var state = OutgoingMessage.State.queued
        if let reason = row.column("failure")?.string {
            state = .failed(code: row.column("failure_code")?.string.flatMap(ErrorCode.init(rawValue:)) ?? .invalid, reason: reason)
        }
        var file: OutgoingFile?
        if let copy = row.column("file_copy")?.string, let name = row.column("file_name")?.string {
            file = OutgoingFile(
                name: name, size: row.column("file_size")?.integer ?? 0, copy: files.appendingPathComponent(copy),
                attachment: row.column("attachment")?.string.flatMap {
                    try? WireJSON.decoder().decode(Attachment.self, from: Data($0.utf8))
                })
        }
        return OutgoingMessage(
            clientMessageId: id, ticketId: ticketId, text: text,
            messageType: row.column("message_type")?.string.flatMap(MessageType.init(rawValue:)),
            isInternal: row.column("internal")?.integer == 1,
            createdAt: Date(timeIntervalSince1970: created), state: state, file: file)
    }
}

public enum OutboxError: Error, Equatable, CustomStringConvertible {
    case empty
    case closed
    case noFile(String)
    case notAFile(String)
    case unreadable(String)
    case unwritable(String)

    public var description: String {
        switch self {
        case .empty: "Nothing to send: the message is empty."
        case .closed: "The outbox is closed."
        case .noFile(let path): "There is no file \(path)."
        case .notAFile(let path): "\(path) is not a file (a folder or a device cannot be sent)."
        case .unreadable(let path): "\(path) cannot be read (check its permissions)."
        case .unwritable(let folder): "The outbox cannot keep a copy in \(folder) (is the disk full?)."
        }
    }
}

/// A write to the outbox file failed; `message` is the message as it now is in memory.
public struct OutboxDiskError: Error, Sendable {
    public let message: OutgoingMessage
    public let what: String
    public let cause: String

    /// For the screen: what could not be written, why, and what it means.
    public var sentence: String {
        "The outbox file could not \(what) (\(cause)) — is the disk full? Messages already sent are safe on the server."
    }
}
