import Foundation
import SQLKit
import SwitchboardProtocol

extension SQLStore {
    static let attachmentColumns = "id, ticket_id, uploader_id, file_name, content_type, size, sha256"

    static func attachment(_ row: any SQLRow) throws -> AttachmentRecord {
        AttachmentRecord(
            attachment: Attachment(
                id: try row.int("id"), ticketId: try row.int("ticket_id"), fileName: try row.string("file_name"),
                contentType: try row.string("content_type"), size: try row.int("size"), sha256: try row.string("sha256")),
            uploaderId: try row.int("uploader_id"))
    }

    public func createAttachment(_ new: NewAttachment, now: Date) async throws -> Attachment {
        try await driver.transaction { db in
            guard
                let row = try await db.raw(
                    """
                    INSERT INTO attachments (ticket_id, uploader_id, file_name, content_type, size, sha256, bytes, created_at)
                    VALUES (\(bind: new.ticketId), \(bind: new.uploaderId), \(bind: new.fileName), \(bind: new.contentType),
                            \(bind: new.bytes.count), \(bind: new.sha256), \(bind: new.bytes), \(bind: millis(now)))
                    RETURNING \(unsafeRaw: Self.attachmentColumns)
                    """
                ).first()
            else { throw StorageError.missingRow("attachment") }
            return try Self.attachment(row).attachment
        }
    }

    public func attachment(id: Int) async throws -> AttachmentRecord? {
        try await reader.raw("SELECT \(unsafeRaw: Self.attachmentColumns) FROM attachments WHERE id = \(bind: id)").first().map(
            Self.attachment)
    }

    public func attachmentBytes(id: Int) async throws -> Data? {
        try await reader.raw("SELECT bytes FROM attachments WHERE id = \(bind: id)").first()?.decode(column: "bytes", as: Data.self)
    }
}
