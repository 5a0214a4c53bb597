import Foundation
import SQLiteNIO
import Testing

@testable import SwitchboardClient
@testable import SwitchboardProtocol

/// The outbox on a real SQLite file: what is written survives closing and opening again.
@Suite struct OutboxTests {
    let file = FileManager.default.temporaryDirectory.appendingPathComponent("outbox-\(UUID().uuidString)/outbox.sqlite")

    @Test func messagesSurviveAReopenInOrderWithTheirIds() async throws {
        defer { try? FileManager.default.removeItem(at: file.deletingLastPathComponent()) }
        let outbox = try await Outbox.open(at: file, account: "http://a alice")
        let first = try await outbox.add(ticketId: 1, text: "one")
        let second = try await outbox.add(ticketId: 2, text: "two", isInternal: true)
        let third = try await outbox.add(ticketId: 1, text: "three")
        // Not closed: as if the process died here. A second opening sees every row.
        let reopened = try await Outbox.open(at: file, account: "http://a alice")
        #expect(await reopened.messages.map(\.clientMessageId) == [first, second, third].map(\.clientMessageId))
        #expect(await reopened.messages.map(\.text) == ["one", "two", "three"])
        #expect(await reopened.messages[1].isInternal)
        #expect(await reopened.nextQueued?.clientMessageId == first.clientMessageId)
        await reopened.close()
        await outbox.close()
    }

    /// A write the file refuses (here its table gone under it, as a full disk or a read-only home
    /// refuses writes) is said, with the message as it now is — and an acknowledged message
    /// leaves the queue anyway: kept, it was sent again at once, for ever.
    @Test func aWriteTheFileRefusesIsSaidAndTheQueueStillFollowsTheServer() async throws {
        defer { try? FileManager.default.removeItem(at: file.deletingLastPathComponent()) }
        let outbox = try await Outbox.open(at: file, account: "me")
        let first = try await outbox.add(ticketId: 1, text: "one")
        let second = try await outbox.add(ticketId: 1, text: "two")
        let other = try await SQLiteConnection.open(storage: .file(path: file.path))
        _ = try await other.query("DROP TABLE outbox")
        try await other.close()
        do {
            try await outbox.acknowledged(first.clientMessageId)
            Issue.record("the delete did not fail")
        } catch {
            #expect(error.message.clientMessageId == first.clientMessageId)
            #expect(error.sentence.hasPrefix("The outbox file could not forget a message the server has ("), "\(error.sentence)")
        }
        #expect(await outbox.nextQueued?.clientMessageId == second.clientMessageId)
        do {
            try await outbox.failed(second.clientMessageId, code: .invalid, reason: "blocked")
            Issue.record("the update did not fail")
        } catch {
            #expect(error.message.state == .failed(code: .invalid, reason: "blocked"))
        }
        #expect(await outbox.nextQueued == nil)
        await outbox.close()
    }

    @Test func acknowledgedLeavesFailedStaysUntilRetriedOrDiscarded() async throws {
        defer { try? FileManager.default.removeItem(at: file.deletingLastPathComponent()) }
        let outbox = try await Outbox.open(at: file, account: "me")
        let first = try await outbox.add(ticketId: 1, text: "one")
        let second = try await outbox.add(ticketId: 1, text: "two")
        let third = try await outbox.add(ticketId: 1, text: "three")
        #expect(try await outbox.acknowledged(first.clientMessageId)?.text == "one")
        try await outbox.failed(second.clientMessageId, code: .conflict, reason: "Cannot do that now: the ticket is closed.")
        #expect(await outbox.nextQueued?.clientMessageId == third.clientMessageId)
        await outbox.close()

        let again = try await Outbox.open(at: file, account: "me")
        #expect(
            await again.messages.map(\.state) == [.failed(code: .conflict, reason: "Cannot do that now: the ticket is closed."), .queued])
        try await again.retry(second.clientMessageId)
        // Back in its own place, ahead of the later message.
        #expect(await again.nextQueued?.clientMessageId == second.clientMessageId)
        try await again.discard(second.clientMessageId)
        #expect(await again.messages.map(\.text) == ["three"])
        await again.close()
    }

    @Test func eachAccountSeesItsOwnRowsAndEmptyMessagesAreRefused() async throws {
        defer { try? FileManager.default.removeItem(at: file.deletingLastPathComponent()) }
        let alice = try await Outbox.open(at: file, account: "alice")
        let bob = try await Outbox.open(at: file, account: "bob")
        _ = try await alice.add(ticketId: 1, text: "from alice")
        _ = try await bob.add(ticketId: 1, text: "from bob")
        #expect(await alice.messages.map(\.text) == ["from alice"])
        let aliceAgain = try await Outbox.open(at: file, account: "alice")
        #expect(await aliceAgain.messages.map(\.text) == ["from alice"])
        await #expect(throws: OutboxError.empty) { try await alice.add(ticketId: 1, text: "  \n") }
        for outbox in [alice, bob, aliceAgain] { await outbox.close() }
        await #expect(throws: OutboxError.closed) { try await alice.add(ticketId: 1, text: "late") }
    }
}
