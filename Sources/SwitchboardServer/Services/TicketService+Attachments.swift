import Crypto
import Foundation
import SwitchboardProtocol

/// Files sent to a ticket: stored with their sha256 by its participants (its customer and
/// staff), typed by their bytes, served to participants only — to anyone else a ticket they
/// cannot see does not exist.
extension TicketService {
    public func upload(_ bytes: Data, fileName: String?, claimedType: String?, to ticketId: Int, by caller: Caller,
                       uploadsPerHour: Int) async throws -> Attachment {
        _ = try await visibleTicket(ticketId, to: caller)
        let now = clock()
        guard try await store.uploads(by: caller.id, since: now.addingTimeInterval(-3_600)) < uploadsPerHour else {
            throw ContractError(.rateLimited, "at most \(uploadsPerHour) files an hour: try again later")
        }
        guard !bytes.isEmpty else { throw ContractError(.invalid, "the file is empty") }
        guard let type = AttachmentRules.contentType(claimed: claimedType, bytes: bytes) else {
            throw ContractError(.invalid, "Content-Type: the file is not \(claimedType ?? "")"
                                    + (AttachmentRules.sniff(bytes).map { " (its bytes are \($0))" } ?? ""))
        }
        let digest = SHA256.hash(data: bytes).map { String(format: "%02x", $0) }.joined()
        return try await store.createAttachment(NewAttachment(ticketId: ticketId, uploaderId: caller.id,
                                                              fileName: AttachmentRules.fileName(fileName), contentType: type,
                                                              bytes: bytes, sha256: digest), now: now)
    }

    /// The file and its bytes, for a participant of its ticket.
    public func download(_ id: Int, by caller: Caller) async throws -> (attachment: Attachment, bytes: Data) {
        guard let record = try await store.attachment(id: id),
              (try? await visibleTicket(record.attachment.ticketId, to: caller)) != nil,
              let bytes = try await store.attachmentBytes(id: id)
        else { throw ContractError(.notFound, "no attachment #\(id)") }
        return (record.attachment, bytes)
    }

    /// The attachment an IMAGE or FILE message names: uploaded to this ticket by the sender.
    func attachment(for request: PostMessageRequest, on ticketId: Int, by caller: Caller) async throws -> Attachment? {
        let type = request.messageType ?? .text
        guard type != .text else {
            if request.attachmentId != nil { throw ContractError(.invalid, "attachmentId: only IMAGE and FILE messages carry a file") }
            return nil
        }
        guard let id = request.attachmentId else {
            throw ContractError(.invalid, "attachmentId: \(type.rawValue) messages need an uploaded attachment")
        }
        guard let record = try await store.attachment(id: id), record.attachment.ticketId == ticketId else {
            throw ContractError(.notFound, "attachmentId: no attachment #\(id) on ticket #\(ticketId)")
        }
        guard record.uploaderId == caller.id else {
            throw ContractError(.invalid, "attachmentId: #\(id) was uploaded by someone else; send your own")
        }
        if type == .image, !record.attachment.contentType.hasPrefix("image/") {
            throw ContractError(.invalid, "attachmentId: #\(id) is \(record.attachment.contentType), not an image: send it as FILE")
        }
        return record.attachment
    }
}
