import Crypto
import Foundation
import SwitchboardProtocol

/// Files sent to a ticket: stored with their sha256 by its participants (its customer and
/// staff), typed by their bytes, served to participants only — to anyone else a ticket they
/// cannot see does not exist.
extension TicketService {
    /// A place for one file of at most `bytes`, taken before a byte of it is read: the ticket must
    /// be one the caller may see (else `404`), and the caller within their hourly limits — files
    /// and bytes — taken atomically, so parallel uploads cannot all slip under them (`429` with the
    /// real wait). Answers the grant that `upload` settles or `releaseUpload` gives back.
    public func reserveUpload(to ticketId: Int, bytes: Int, by caller: Caller, limits: UploadLimits) async throws -> Int {
        _ = try await visibleTicket(ticketId, to: caller)
        let limit = GrantLimit(window: 3_600, count: limits.perHour, amount: limits.bytesPerHour)
        switch try await store.takeGrant(key: "upload:\(caller.id)", amount: bytes, limit: limit, now: clock()) {
        case .granted(let id):
            return id
        case .refused(let wait, let overBytes):
            let seconds = SignInGuard.seconds(wait)
            throw ContractError(
                .rateLimited,
                overBytes
                    ? "at most \(Self.mebibytes(limits.bytesPerHour)) of files an hour: try again in \(seconds) s"
                    : "at most \(limits.perHour) files an hour: try again in \(seconds) s", retryAfter: seconds)
        }
    }

    static func mebibytes(_ bytes: Int) -> String {
        bytes % (1 << 20) == 0 ? "\(bytes >> 20) MiB" : "\(bytes) bytes"
    }

    /// Gives back a reserved place whose file was refused (too large, a wrong type, …).
    public func releaseUpload(_ grant: Int) async {
        try? await store.settleGrant(id: grant, amount: nil)
    }

    /// Stores a file in the place `grant` reserved, which then counts the file's real size.
    public func upload(
        _ bytes: Data, fileName: String?, claimedType: String?, to ticketId: Int, by caller: Caller,
        grant: Int
    ) async throws -> Attachment {
        let now = clock()
        guard !bytes.isEmpty else { throw ContractError(.invalid, "the file is empty") }
        guard let type = AttachmentRules.contentType(claimed: claimedType, bytes: bytes) else {
            throw ContractError(
                .invalid,
                "Content-Type: the file is not \(claimedType ?? "")"
                    + (AttachmentRules.sniff(bytes).map { " (its bytes are \($0))" } ?? ""))
        }
        let digest = SHA256.hash(data: bytes).lowercaseHex
        // The name is stored and shown to everyone on the ticket: it goes through the content filter too.
        let name = FileNames.plain(
            try await validator.filter.filterOffLoop(
                AttachmentRules.fileName(fileName, contentType: type),
                field: "fileName"
            ).text)
        let attachment = try await store.createAttachment(
            NewAttachment(
                ticketId: ticketId, uploaderId: caller.id, fileName: name,
                contentType: type, bytes: bytes, sha256: digest), now: now)
        try await store.settleGrant(id: grant, amount: bytes.count)
        return attachment
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
        guard let record = try await store.attachment(id: try Validator.id(id, field: "attachmentId")),
            record.attachment.ticketId == ticketId
        else {
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

/// What one user may upload in an hour: files, and bytes in all (so one customer cannot fill the disk).
public struct UploadLimits: Sendable, Equatable {
    public var perHour = 60
    public var bytesPerHour = 200 << 20

    public init() {}
}
