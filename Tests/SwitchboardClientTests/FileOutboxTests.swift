import Crypto
import Foundation
import SQLiteNIO
import Testing

@testable import SwitchboardClient
@testable import SwitchboardProtocol

/// File messages in the outbox: a copy kept on disk from `/attach` until the server stored the
/// message, uploaded and sent in order, across a server outage and a client restart.
@Suite(.serialized) struct FileOutboxTests {
    static func sha256(_ data: Data) -> String { SHA256.hash(data: data).map { String(format: "%02x", $0) }.joined() }

    static func copies(_ outboxFile: URL) -> [String] {
        (try? FileManager.default.contentsOfDirectory(
            atPath: outboxFile.deletingLastPathComponent()
                .appendingPathComponent("outbox-files").path)) ?? []
    }

    @Test func aFileSentOfflineSurvivesAClientRestartAndArrivesOnceInOrder() async throws {
        let server = try LiveServer()
        let url = try await server.start()
        let scene = try await RealtimeConnectionTests.scene(at: url)
        let ticket = scene.ticket.id
        let outboxFile = server.directory.appendingPathComponent("client/outbox.sqlite")
        let original = server.directory.appendingPathComponent("label.pdf")
        let bytes = Data("%PDF-1.4\n".utf8) + Data((0..<300_000).map { UInt8(truncatingIfNeeded: $0 &* 31) })
        try bytes.write(to: original)
        let agent = try await RealtimeConnectionTests.watch(
            scene.agent, ticket: ticket,
            outbox: try await freshOutbox(in: server.directory, "alex"))
        do {
            await server.stop()
            // Offline: a text, the file, a text — written to the outbox, the file copied into it.
            let offline = try await RealtimeConnectionTests.watch(
                scene.customer, ticket: ticket, outbox: try await Outbox.open(at: outboxFile, account: "casey"))
            await offline.connection.start()
            try await offline.connection.send("before the file", to: ticket)
            let file = try await offline.connection.sendFile(original, to: ticket)
            try await offline.connection.send("after the file", to: ticket)
            #expect(file.file?.size == bytes.count && file.file?.attachment == nil)
            #expect(Self.copies(outboxFile) == [file.clientMessageId])
            // The user moves the original away: the outbox's copy is what goes.
            try FileManager.default.removeItem(at: original)
            await offline.stop()

            // The client starts again (a new process would open the same file) while the server is back.
            try await server.start()
            let reopened = try await Outbox.open(at: outboxFile, account: "casey")
            #expect(await reopened.messages.map(\.text) == ["before the file", "", "after the file"])
            let waiting = await reopened.messages[1]
            #expect(waiting.file?.name == "label.pdf" && waiting.needsUpload)
            let customer = try await RealtimeConnectionTests.watch(scene.customer, ticket: ticket, outbox: reopened)
            for side in [customer, agent] {
                await side.connection.start()
                await side.connection.join(ticket)
            }
            try await eventually("all three stored and seen by the agent") {
                agent.texts.count == 3 && customer.timeline.outgoing.isEmpty
            }
            #expect(
                customer.events.contains {
                    if case .uploading(let m, let sent) = $0 { m.clientMessageId == file.clientMessageId && sent > 0 } else { false }
                })
            let stored = try await scene.agent.messages(ticket: ticket).items
            #expect(stored.map(\.seq) == [1, 2, 3])
            #expect(stored.map(\.message) == ["before the file", "label.pdf", "after the file"])
            let attachment = try #require(stored[1].attachment)
            #expect(stored[1].messageType == .file && attachment.contentType == "application/pdf")
            #expect(attachment.size == bytes.count && attachment.sha256 == Self.sha256(bytes))
            #expect(agent.timeline.messages[1].attachment == attachment)
            #expect(customer.timeline.messages[1].attachment == attachment, "the sender's own copy names the stored file")
            // Once stored, the outbox lets go of the row and of its copy; the file was uploaded once.
            #expect(await reopened.messages.isEmpty && Self.copies(outboxFile).isEmpty)
            let saved = try await scene.agent.download(attachment, into: server.directory.appendingPathComponent("saved"))
            #expect(try Data(contentsOf: saved) == bytes)
            await customer.stop()
        } catch is CancellationError {
            // `eventually` has recorded what did not happen.
        } catch {
            Issue.record(error)
        }
        await agent.stop()
        await server.stop()
        try? FileManager.default.removeItem(at: server.directory)
    }

    @Test func aRefusedFileFailsWithTheServersReasonAndItsCopyGoesWhenDiscarded() async throws {
        let server = try LiveServer { $0.limits.attachmentBytes = 64 << 10 }
        try await server.run { url in
            let scene = try await RealtimeConnectionTests.scene(at: url)
            let outboxFile = server.directory.appendingPathComponent("client/outbox.sqlite")
            let customer = try await RealtimeConnectionTests.watch(
                scene.customer, ticket: scene.ticket.id, outbox: try await Outbox.open(at: outboxFile, account: "casey"))
            await customer.connection.start()
            let big = server.directory.appendingPathComponent("big.txt")
            try Data(repeating: 0x61, count: 200 << 10).write(to: big)
            let refused = try await customer.connection.sendFile(big, to: scene.ticket.id)
            try await customer.connection.send("still goes", to: scene.ticket.id)
            try await eventually("the file failed as too large, the text after it went") {
                customer.timeline.outgoing.map { Timeline.delivery(of: $0) }.first.map {
                    if case .failed(let reason) = $0 { reason.hasPrefix("Too large:") } else { false }
                } == true && customer.texts == ["still goes"]
            }
            #expect(Self.copies(outboxFile) == [refused.clientMessageId], "kept until the user decides")
            try await customer.connection.discard(refused.clientMessageId)
            #expect(Self.copies(outboxFile).isEmpty)

            // What cannot be sent at all is refused before it is queued, with a sentence.
            await #expect(throws: OutboxError.noFile(server.directory.appendingPathComponent("nope.png").path)) {
                try await customer.connection.sendFile(server.directory.appendingPathComponent("nope.png"), to: scene.ticket.id)
            }
            await #expect(throws: OutboxError.notAFile(server.directory.path)) {
                try await customer.connection.sendFile(server.directory, to: scene.ticket.id)
            }
            let locked = server.directory.appendingPathComponent("locked.txt")
            try Data("secret".utf8).write(to: locked)
            try FileManager.default.setAttributes([.posixPermissions: 0o000], ofItemAtPath: locked.path)
            if getuid() != 0 {  // root reads anything
                await #expect(throws: OutboxError.unreadable(locked.path)) {
                    try await customer.connection.sendFile(locked, to: scene.ticket.id)
                }
            }
            #expect(await customer.connection.outbox.messages.isEmpty && Self.copies(outboxFile).isEmpty)
            await customer.stop()
        }
    }

    @Test func anOutboxFromBeforeFilesGainsTheirColumnsAndKeepsItsMessages() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("outbox-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("outbox.sqlite")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        // The table as the first release wrote it, with one message waiting.
        let old = try await SQLiteConnection.open(storage: .file(path: file.path))
        _ = try await old.query(
            """
            CREATE TABLE outbox (position INTEGER PRIMARY KEY AUTOINCREMENT, account TEXT NOT NULL,
                client_message_id TEXT NOT NULL UNIQUE, ticket_id INTEGER NOT NULL, body TEXT NOT NULL, message_type TEXT,
                internal INTEGER NOT NULL DEFAULT 0, created_at REAL NOT NULL, failure_code TEXT, failure TEXT)
            """)
        _ = try await old.query(
            "INSERT INTO outbox (account, client_message_id, ticket_id, body, created_at) VALUES ('a', 'm1', 3, 'hello', 0)")
        try await old.close()
        let outbox = try await Outbox.open(at: file, account: "a")
        let kept = await outbox.messages
        #expect(kept.map(\.text) == ["hello"] && kept[0].file == nil)
        let attached = directory.appendingPathComponent("note.txt")
        try Data("a note".utf8).write(to: attached)
        let message = try await outbox.add(ticketId: 3, file: attached)
        #expect(await outbox.messages.count == 2)
        #expect(message.file?.size == 6)
        await outbox.close()
        // A copy no row names (a crash between the row's deletion and the copy's) is cleared at open.
        try Data("stray".utf8).write(to: directory.appendingPathComponent("outbox-files/stray"))
        let again = try await Outbox.open(at: file, account: "a")
        #expect(Self.copies(file) == [message.clientMessageId])
        #expect(await again.messages.last?.file?.name == "note.txt")
        await again.close()
    }
}
