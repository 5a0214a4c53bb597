import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import SwitchboardProtocol

/// `POST /api/tickets/{id}/attachments` (the file as the raw body) and `GET /api/attachments/{id}`.
struct AttachmentsController {
    let tickets: TicketService
    let limits: Limits
    let uploads: UploadLimits

    static let fileNameHeader = HTTPField.Name("X-File-Name")!

    func addRoutes(tickets group: RouterGroup<SupportRequestContext>, attachments: RouterGroup<SupportRequestContext>) {
        group.post(":id/attachments", use: upload)
        attachments.get(":id", use: download)
    }

    /// Everything that can refuse the file — who asks, the ticket, the declared size, the hourly
    /// limits (a place taken atomically) — is decided before a byte of the body is read; then the
    /// body is read as it comes and refused with 413 the moment it passes the limit, without
    /// reading the rest (a refusal closes the connection, `ErrorMiddleware`).
    @Sendable func upload(_ request: Request, context: SupportRequestContext) async throws -> EditedResponse<Attachment> {
        let caller = try context.requireCaller(), ticketId = try context.id()
        let limit = limits.attachmentBytes
        let declared = request.headers[.contentLength].flatMap(Int.init)
        if let declared, declared > limit { throw ContractError(.tooLarge, "the file is over \(limit) bytes") }
        let grant = try await tickets.reserveUpload(to: ticketId, bytes: declared ?? limit, by: caller, limits: uploads)
        do {
            var bytes = Data()
            for try await buffer in request.body {
                guard bytes.count + buffer.readableBytes <= limit else { throw ContractError(.tooLarge, "the file is over \(limit) bytes") }
                bytes.append(contentsOf: buffer.readableBytesView)
            }
            let attachment = try await tickets.upload(
                bytes, fileName: request.headers[Self.fileNameHeader],
                claimedType: request.headers[.contentType], to: ticketId, by: caller, grant: grant)
            return EditedResponse(status: .created, response: attachment)
        } catch {
            await tickets.releaseUpload(grant)
            throw error
        }
    }

    /// The bytes, as a download under their safe name, never to be sniffed into something else.
    @Sendable func download(_ request: Request, context: SupportRequestContext) async throws -> Response {
        let (attachment, bytes) = try await tickets.download(try context.id(), by: try context.requireCaller())
        var headers = HTTPFields()
        headers[.contentType] = attachment.contentType
        headers[.contentLength] = String(bytes.count)
        headers[.contentDisposition] = Self.disposition(attachment.fileName)
        headers[HTTPField.Name("X-Content-Type-Options")!] = "nosniff"
        headers[HTTPField.Name("Digest")!] = "sha-256=" + Self.base64(hex: attachment.sha256)
        return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: bytes)))
    }

    /// `attachment; filename="plain ASCII"; filename*=UTF-8''percent-encoded` (RFC 6266).
    static func disposition(_ name: String) -> String {
        let ascii = String(name.unicodeScalars.map { $0.isASCII && $0 != "\"" && $0 != "\\" ? Character($0) : "_" })
        let encoded =
            name.addingPercentEncoding(
                withAllowedCharacters: CharacterSet(
                    charactersIn:
                        "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789!#$&+-.^_`|~")) ?? ascii
        return "attachment; filename=\"\(ascii)\"; filename*=UTF-8''\(encoded)"
    }

    static func base64(hex: String) -> String {
        var bytes: [UInt8] = [], index = hex.startIndex
        while index < hex.endIndex, let next = hex.index(index, offsetBy: 2, limitedBy: hex.endIndex) {
            bytes.append(UInt8(hex[index..<next], radix: 16) ?? 0)
            index = next
        }
        return Data(bytes).base64EncodedString()
    }
}
