import Foundation
import Testing

@testable import SwitchboardProtocol
@testable import SwitchboardServer

/// The doorbell's notes as text, without a database: every kind read back as written, and the
/// batches one NOTIFY statement carries.
@Suite struct NodeNoteTests {
    @Test(arguments: [
        NodeNote.Change.message(ticketId: 4, seq: 17),
        .read(ticketId: 4, userId: 9, upToSeq: 16),
        .delivered(ticketId: 4, userId: 9, upToSeq: 17),
        .ticketCreated(ticketId: 5, customerId: 9),
        .ticketChanged(ticketId: 5, previousAgentId: 3, previousStatus: .open, byUserId: 3),
        .ticketChanged(ticketId: 5, previousAgentId: nil, previousStatus: .resolved, byUserId: 9),
        .ticketDeleted(ticketId: 5, customerId: 9),
        .agentStatus(agentId: 3, status: .away),
        .loginEnded(loginId: "2f1c"),
        .typing(ticketId: 4, userId: 9, isNote: true, active: false),
        .presence(userId: 9, online: true),
        .slaWarning(ticketId: 4, target: .firstResponse, dueAt: Date(timeIntervalSince1970: 1_800_000_000), agentId: 3),
        .ticketReassigned(ticketId: 4, from: 3, to: nil),
        .ticketRated(ticketId: 4, customerId: 9),
        .ticketMerged(ticketId: 4, intoTicketId: 2, customerId: 9),
        .mentioned(ticketId: 4, seq: 3, userId: 7, byUserId: 3),
        .webhookSwitchedOff(webhookId: 2),
    ])
    func everyNoteReadsBackAsWritten(_ change: NodeNote.Change) {
        let note = NodeNote(node: "node-a", change: change)
        #expect(NodeNote(payload: note.payload) == note)
        #expect(!note.payload.contains("\n"))
    }

    @Test func aNoteThisBuildDoesNotKnowIsIgnored() {
        #expect(NodeNote(payload: "node-b|zz|1|2") == nil)
        #expect(NodeNote(payload: "node-b|m|1") == nil)  // a field missing
        #expect(NodeNote(payload: "node-b|m|x|2") == nil)
        #expect(NodeNote(payload: "") == nil)
    }

    @Test func batchesKeepTheOrderAndCutWhereAPayloadRepeats() {
        #expect(Doorbell.batches([]) == [])
        #expect(Doorbell.batches(["a", "b", "c"]) == [["a", "b", "c"]])
        // PostgreSQL would deliver the second "online" of one transaction not at all.
        #expect(Doorbell.batches(["p|9|1", "p|9|0", "p|9|1", "m|4|2", "p|9|0"]) == [["p|9|1", "p|9|0"], ["p|9|1", "m|4|2", "p|9|0"]])
    }
}
