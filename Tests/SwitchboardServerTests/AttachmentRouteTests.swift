import Crypto
import Foundation
import HTTPTypes
import NIOCore
import Testing

@testable import SwitchboardProtocol
@testable import SwitchboardServer

extension API {
    /// A file as the raw body, its name in `X-File-Name`, its type in `Content-Type`.
    func upload(_ bytes: [UInt8], to ticket: Int, name: String? = "file", type: String?, token: String?) async throws -> Reply {
        var headers = HTTPFields()
        if let token { headers[.authorization] = "Bearer \(token)" }
        if let type { headers[.contentType] = type }
        if let name { headers[HTTPField.Name("X-File-Name")!] = name }
        let response = try await client.execute(
            uri: "/api/tickets/\(ticket)/attachments", method: .post, headers: headers,
            body: ByteBuffer(bytes: bytes))
        return Reply(status: Int(response.status.code), body: Data(buffer: response.body), headers: response.headers)
    }

    /// The same upload (a text file) on a connection of its own: parallel ones then reach the
    /// server at once, where the test client's one connection has them answered in turn.
    func uploadOnItsOwnConnection(_ bytes: [UInt8], to ticket: Int, name: String, token: String) async throws -> Reply {
        let head = RawHTTP.uploadHead(ticket: ticket, token: token, name: name, length: bytes.count, close: true)
        let answer = try await RawHTTP.converse(port: port, Array(head.utf8) + bytes, waitAtMost: .seconds(60))
        guard let reply = answer.reply else { throw RawHTTP.Unanswered(text: answer.text) }
        return reply
    }
}

@Suite struct AttachmentRouteTests {
    static let png: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] + Array(repeating: 7, count: 24)
    static let samples: [(type: String, bytes: [UInt8])] = [
        ("image/png", png),
        ("image/jpeg", [0xFF, 0xD8, 0xFF, 0xE0, 1, 2, 3]),
        ("image/gif", Array("GIF89a".utf8) + [1, 2]),
        ("image/webp", Array("RIFF".utf8) + [0, 0, 0, 0] + Array("WEBPVP8 ".utf8)),
        ("application/pdf", Array("%PDF-1.7\n".utf8)),
        ("application/zip", [0x50, 0x4B, 0x03, 0x04, 20, 0]),
        ("text/plain; charset=utf-8", Array("Receipt: 24,90 € ✓\n".utf8)),
    ]

    @Test func eachCheckedTypeIsStoredWithItsDigestAndServedToParticipantsOnly() async throws {
        try await withCast { api, cast, _ in
            let ticket = try await api.openTicket(cast.customer)
            for sample in Self.samples {
                let reply = try await api.upload(sample.bytes, to: ticket.id, name: "sample", type: sample.type, token: cast.customer)
                #expect(reply.status == 201, "\(sample.type): \(reply.text)")
                let stored: SwitchboardProtocol.Attachment = try reply.decode()
                #expect(stored.contentType == sample.type.split(separator: ";")[0].lowercased() && stored.size == sample.bytes.count)
                let hex = SHA256Hex.of(sample.bytes)
                #expect(stored.sha256 == hex)
            }
            let stored: SwitchboardProtocol.Attachment = try await api.upload(
                Self.png, to: ticket.id, name: "../../etc/ph%1Boto%E2%80%AE.png", type: "image/png",
                token: cast.customer
            ).decode()
            #expect(stored.fileName == "photo.png")
            let download = try await api.get("/api/attachments/\(stored.id)", token: cast.agent)
            #expect(download.status == 200 && Array(download.body) == Self.png)
            #expect(download.headers[.contentType] == "image/png")
            #expect(download.headers[.contentDisposition] == "attachment; filename=\"photo.png\"; filename*=UTF-8''photo.png")
            #expect(download.headers[HTTPField.Name("X-Content-Type-Options")!] == "nosniff")
            // Another customer: the file does not exist for them, nor may they add to the ticket.
            #expect(try await api.get("/api/attachments/\(stored.id)", token: cast.customer2).status == 404)
            #expect(try await api.upload(Self.png, to: ticket.id, type: "image/png", token: cast.customer2).status == 404)
            #expect(try await api.upload(Self.png, to: ticket.id, type: "image/png", token: nil).status == 401)
        }
    }

    @Test func aClaimTheBytesDoNotBearOutIsRefusedAndOtherTypesAreOctetStreams() async throws {
        try await withCast { api, cast, _ in
            let ticket = try await api.openTicket(cast.customer)
            let mismatch = try await api.upload(Array("%PDF-1.4".utf8), to: ticket.id, type: "image/png", token: cast.customer)
            #expect(mismatch.status == 400 && mismatch.error?.code == .invalid)
            #expect(mismatch.error?.message == "Content-Type: the file is not image/png (its bytes are application/pdf)")
            #expect(try await api.upload([0, 1, 2, 0xFF], to: ticket.id, type: "text/plain", token: cast.customer).status == 400)
            let other: SwitchboardProtocol.Attachment = try await api.upload(
                [1, 2, 3], to: ticket.id, name: "data.bin", type: "application/x-custom",
                token: cast.customer
            ).decode()
            #expect(other.contentType == "application/octet-stream")
            #expect(try await api.upload([], to: ticket.id, type: "text/plain", token: cast.customer).status == 400)
            let long: SwitchboardProtocol.Attachment = try await api.upload(
                Self.png, to: ticket.id, name: String(repeating: "é", count: 300) + ".png",
                type: "image/png", token: cast.customer
            ).decode()
            #expect(long.fileName.utf8.count <= 255 && long.fileName.hasSuffix(".png"))
        }
    }

    @Test func theLimitIsKeptAtItsByteAndUploadsAreRateLimited() async throws {
        try await withCast(configure: { server in
            server.configuration.limits.attachmentBytes = 64
            server.configuration.uploads.perHour = 3
        }) { api, cast, _ in
            let ticket = try await api.openTicket(cast.customer)
            #expect(
                try await api.upload(Array(repeating: 65, count: 64), to: ticket.id, type: "text/plain", token: cast.customer).status == 201
            )
            let over = try await api.upload(Array(repeating: 65, count: 65), to: ticket.id, type: "text/plain", token: cast.customer)
            #expect(over.status == 413 && over.error?.code == .tooLarge)
            #expect(
                try await api.upload(Array(repeating: 65, count: 10), to: ticket.id, type: "text/plain", token: cast.customer).status == 201
            )
            #expect(
                try await api.upload(Array(repeating: 65, count: 10), to: ticket.id, type: "text/plain", token: cast.customer).status == 201
            )
            let limited = try await api.upload(Array(repeating: 65, count: 10), to: ticket.id, type: "text/plain", token: cast.customer)
            #expect(limited.status == 429)
        }
    }

    /// A body that goes past the limit is answered the moment it does, without waiting for the rest.
    @Test func anOversizedStreamIsRefusedBeforeItEnds() async throws {
        try await withCast(live: true, configure: { $0.configuration.limits.attachmentBytes = 1_024 }) { api, cast, _ in
            let ticket = try await api.openTicket(cast.customer).id
            let chunk = String(repeating: "A", count: 2_000)
            // Chunked, with no length declared, and never finished.
            let request =
                RawHTTP.uploadHead(ticket: ticket, token: cast.customer, length: nil) + String(chunk.count, radix: 16) + "\r\n" + chunk
                + "\r\n"
            let reply = try await RawHTTP.converse(port: api.port, Array(request.utf8), waitAtMost: .seconds(5))
            #expect(reply.status == 413, "\(reply.text)")
            #expect(reply.closed, "answered and closed without the rest of the body")
            let page: MessagePage = try await api.get("/api/tickets/\(ticket)/messages", token: cast.customer).decode()
            #expect(page.items.isEmpty)
        }
    }

    @Test func messagesCarryTheirAttachmentAndDeletingTheTicketDeletesIt() async throws {
        try await withCast { api, cast, _ in
            let ticket = try await api.openTicket(cast.customer), other = try await api.openTicket(cast.customer, subject: "Other")
            let photo: SwitchboardProtocol.Attachment = try await api.upload(
                Self.png, to: ticket.id, name: "lamp.png", type: "image/png",
                token: cast.customer
            ).decode()
            let sent = try await api.post(
                "/api/tickets/\(ticket.id)/messages", token: cast.customer,
                PostMessageRequest(message: "", messageType: .image, attachmentId: photo.id))
            #expect(sent.status == 201, "\(sent.text)")
            let message: Message = try sent.decode()
            #expect(message.attachment == photo && message.message == "lamp.png")
            let page: MessagePage = try await api.get("/api/tickets/\(ticket.id)/messages", token: cast.agent).decode()
            #expect(page.items.last?.attachment == photo)
            // Another ticket's file, someone else's file, a file with TEXT, an IMAGE without one.
            #expect(
                try await api.post(
                    "/api/tickets/\(other.id)/messages", token: cast.customer,
                    PostMessageRequest(message: "x", messageType: .file, attachmentId: photo.id)
                ).status == 404)
            #expect(
                try await api.post(
                    "/api/tickets/\(ticket.id)/messages", token: cast.admin,
                    PostMessageRequest(message: "x", messageType: .file, attachmentId: photo.id)
                ).status == 400)
            #expect(
                try await api.post(
                    "/api/tickets/\(ticket.id)/messages", token: cast.customer,
                    PostMessageRequest(message: "x", attachmentId: photo.id)
                ).status == 400)
            #expect(
                try await api.post(
                    "/api/tickets/\(ticket.id)/messages", token: cast.customer,
                    PostMessageRequest(message: "x", messageType: .image)
                ).status == 400)
            let pdf: SwitchboardProtocol.Attachment = try await api.upload(
                Array("%PDF-1.4".utf8), to: ticket.id, name: "bill.pdf", type: "application/pdf",
                token: cast.customer
            ).decode()
            #expect(
                try await api.post(
                    "/api/tickets/\(ticket.id)/messages", token: cast.customer,
                    PostMessageRequest(message: "x", messageType: .image, attachmentId: pdf.id)
                ).status == 400)
            #expect(try await api.delete("/api/tickets/\(ticket.id)", token: cast.admin).status == 204)
            #expect(try await api.get("/api/attachments/\(photo.id)", token: cast.admin).status == 404)
        }
    }

    @Test func aFileSentOverTheSocketArrivesWithItsAttachment() async throws {
        try await withCast(live: true, configure: RealtimeChatTests.fast) { api, cast, _ in
            let ticket = try await api.openTicket(cast.customer).id
            let photo: SwitchboardProtocol.Attachment = try await api.upload(
                Self.png, to: ticket, name: "lamp.png", type: "image/png",
                token: cast.customer
            ).decode()
            let customer = try await api.socket(cast.customer), agent = try await api.socket(cast.agent)
            for probe in [customer, agent] {
                try await probe.send(.joinRoom(ticketId: ticket, sinceSeq: 0))
                _ = try await probe.next { if case .roomJoined(ticket, _, _) = $0 { true } else { nil } }
            }
            try await customer.send(
                .sendMessage(
                    ticketId: ticket, clientMessageId: "f-1", message: "the lamp", messageType: .image,
                    internal: nil, attachmentId: photo.id))
            _ = try await customer.next { if case .ack("f-1", _, ticket, _, _, _, _) = $0 { true } else { nil } }
            let relayed = try await agent.next { if case .receiveMessage(ticket, let message) = $0 { message } else { nil } }
            #expect(relayed.attachment == photo && relayed.messageType == .image && relayed.message == "the lamp")
            // A frame naming a file of another ticket is refused with the contract's error, the socket open.
            try await customer.send(
                .sendMessage(
                    ticketId: ticket, clientMessageId: "f-2", message: "x", messageType: .file, internal: nil,
                    attachmentId: 9_999), ref: "bad-file")
            let error = try await customer.next { if case .error(let code, let message, "bad-file") = $0 { (code, message) } else { nil } }
            #expect(error.0 == .notFound && error.1 == "attachmentId: no attachment #9999 on ticket #\(ticket)")
        }
    }

    @Test func safeNames() {
        func name(_ raw: String?, _ type: String = "application/octet-stream") -> String {
            AttachmentRules.fileName(raw, contentType: type)
        }
        #expect(name("C:\\Users\\me\\receipt.pdf") == "receipt.pdf")
        #expect(name("..") == "file" && name(nil) == "file" && name("  ") == "file")
        #expect(name("r%C3%A9sum%C3%A9.txt") == "résumé.txt")
        #expect(name("a\u{0}b\u{7}c.txt") == "abc.txt")
        // Names a shell, a tool or Windows treats specially are made plain (issue 29).
        #expect(name(".bash_profile") == "bash_profile" && name("...ssh") == "ssh" && name("%2Eprofile") == "profile")
        #expect(name("-rf") == "rf" && name("--help.txt") == "help.txt" && name("~root") == "root")
        #expect(
            name("CON") == "file-CON" && name("nul.txt") == "file-nul.txt" && name("Com1.log") == "file-Com1.log"
                && name("LPT9") == "file-LPT9" && name("console.txt") == "console.txt" && name("COM10") == "COM10")
        #expect(name("\u{200B}.\u{200B}.") == "file" && name(".\u{FEFF}.") == "file")
        #expect(name("a\u{2028}b\u{2029}c.txt") == "abc.txt" && name("report. . ") == "report")
        // The extension agrees with the type the bytes were found to be.
        #expect(name("poly.html", "image/png") == "poly.png" && name("photo", "image/png") == "photo.png")
        #expect(name("scan.JPG", "image/jpeg") == "scan.JPG" && name("notes.sh", "text/plain") == "notes.txt")
        #expect(name("report.docx", "application/zip") == "report.docx" && name("page.html") == "page.html")
    }
}

/// The digest as the server writes it, computed here from the bytes sent.
enum SHA256Hex {
    static func of(_ bytes: [UInt8]) -> String {
        SHA256.hash(data: bytes).map { String(format: "%02x", $0) }.joined()
    }
}
