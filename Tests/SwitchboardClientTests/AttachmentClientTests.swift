import Foundation
import Synchronization
import Testing

@testable import SwitchboardClient
@testable import SwitchboardProtocol

@Suite struct AttachmentClientTests {
    @Test func aFileGoesUpInPiecesAndComesBackVerifiedUnderAFreeName() async throws {
        let server = try LiveServer()
        try await server.run { url in
            let customer = APIClient(server: url)
            try await customer.register(RegisterRequest(username: "casey", password: LiveServer.password, displayName: "Casey"))
            let ticket = try await customer.openTicket(CreateTicketRequest(subject: "Receipt", description: "Attached", category: .payment))
            let folder = server.directory.appendingPathComponent("files")
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            let file = folder.appendingPathComponent("receipt.txt")
            let text = String(repeating: "Order 4410 — 24,90 €\n", count: 10_000)  // ~230 KB: several pieces
            try text.write(to: file, atomically: true, encoding: .utf8)
            let heard = Mutex<[Int]>([])
            let stored = try await customer.upload(file, to: ticket.id) { sent, total in
                heard.withLock { $0.append(sent) }
                #expect(total == text.utf8.count)
            }
            #expect(stored.fileName == "receipt.txt" && stored.contentType == "text/plain" && stored.size == text.utf8.count)
            #expect(heard.withLock { $0.count > 1 && $0.last == text.utf8.count }, "progress in pieces")
            let message = try await customer.post(
                PostMessageRequest(
                    message: "", messageType: .file, clientMessageId: "f1",
                    attachmentId: stored.id), ticket: ticket.id)
            #expect(message.attachment == stored)

            let downloads = folder.appendingPathComponent("downloads")
            let first = try await customer.download(stored, into: downloads)
            let second = try await customer.download(stored, into: downloads)
            #expect(first.lastPathComponent == "receipt.txt" && second.lastPathComponent == "receipt (1).txt")
            #expect(try String(contentsOf: second, encoding: .utf8) == text)
            // A digest that does not match: nothing is saved.
            var tampered = stored
            tampered.sha256 = String(repeating: "0", count: 64)
            await #expect(throws: APIError.self) { _ = try await customer.download(tampered, into: downloads) }
            #expect(try FileManager.default.contentsOfDirectory(atPath: downloads.path).sorted() == ["receipt (1).txt", "receipt.txt"])
            // A missing file is a sentence, not a crash.
            do {
                _ = try await customer.upload(folder.appendingPathComponent("nope.png"), to: ticket.id)
                Issue.record("uploaded a missing file")
            } catch {
                #expect((error as? APIError)?.message.hasSuffix("nope.png cannot be read") == true)
            }
        }
    }

    /// Whatever name the server sends (a hostile one stored by an older server, or a hostile
    /// server), the file is written under a plain one, inside the folder.
    @Test func aSavedFileAlwaysGetsAPlainName() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("names-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        for (sent, saved) in [
            (".bash_profile", "bash_profile"), ("../../.ssh/authorized_keys", "authorized_keys"), ("-rf", "rf"),
            ("CON", "file-CON"), ("NUL.txt", "file-NUL.txt"), ("\u{200B}.\u{200B}.", "file"),
            ("a\u{2028}b.txt", "ab.txt"), ("~", "file"), ("report.pdf", "report.pdf"),
        ] {
            let target = APIClient.freeName(for: sent, in: folder)
            #expect(target.lastPathComponent == saved, "\(sent.debugDescription)")
            #expect(target.deletingLastPathComponent().path == folder.path)
        }
    }
}
