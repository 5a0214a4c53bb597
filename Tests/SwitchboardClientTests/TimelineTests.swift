import Foundation
import Testing

@testable import SwitchboardClient
@testable import SwitchboardProtocol

/// The local timeline: order, no duplicates, check marks, typing and presence, bounded memory.
@Suite struct TimelineTests {
    let me = UserRef(id: 1, displayName: "Casey", role: .customer, isOnline: true)
    let agent = UserRef(id: 2, displayName: "Alex", role: .agent, isOnline: true)

    func message(_ seq: Int, from sender: UserRef? = nil, _ text: String? = nil) -> Message {
        Message(
            id: 100 + seq, ticketId: 7, seq: seq, clientMessageId: nil, sender: sender ?? agent,
            senderType: (sender ?? agent).role == .customer ? .customer : .agent, message: text ?? "m\(seq)",
            messageType: .text, internal: false, isRead: false, timestamp: Date(timeIntervalSince1970: Double(seq)), attachment: nil)
    }

    @Test func messagesStayInSeqOrderWithoutDuplicates() {
        var timeline = Timeline(ticketId: 7, me: me)
        for seq in [3, 1, 2, 3, 5, 4, 1] { timeline.apply(.receiveMessage(ticketId: 7, message: message(seq))) }
        timeline.apply(.receiveMessage(ticketId: 8, message: message(9)))  // another ticket's
        #expect(timeline.messages.map(\.seq) == [1, 2, 3, 4, 5])
        // A replayed page that overlaps what is held adds nothing twice.
        timeline.insertOlder(MessagePage(items: (1...3).map { message($0) }, hasMore: false))
        #expect(timeline.messages.map(\.seq) == [1, 2, 3, 4, 5])
        #expect(!timeline.hasOlder)
    }

    @Test func aPageSaysWhichOfMyMessagesWereReadAlready() {
        var timeline = Timeline(ticketId: 7, me: me)
        var first = message(1, from: me), second = message(2, from: me)
        first.isRead = true
        second.isRead = false
        timeline.insertLatest(MessagePage(items: [first, second, message(3)], hasMore: false))
        #expect(timeline.delivery(of: first) == .read && timeline.delivery(of: second) == .sent)
        #expect(timeline.delivery(of: timeline.messages[2]) == nil)
    }

    @Test func myMessageGoesFromQueuedToSentToDeliveredToRead() {
        var timeline = Timeline(ticketId: 7, me: me)
        var outgoing = OutgoingMessage(ticketId: 7, text: "hello")
        timeline.apply(.outgoing(outgoing))
        #expect(timeline.outgoing.map { Timeline.delivery(of: $0) } == [.queued])
        outgoing.state = .sent(messageId: 501, seq: 1, timestamp: Date())
        timeline.apply(.outgoing(outgoing))
        #expect(timeline.outgoing.isEmpty)
        let stored = try! #require(timeline.messages.first)
        #expect(stored.message == "hello" && stored.sender == me && stored.clientMessageId == outgoing.clientMessageId)
        #expect(timeline.delivery(of: stored) == .sent)
        timeline.apply(.messagesDelivered(ticketId: 7, userId: agent.id, upToSeq: 1))
        #expect(timeline.delivery(of: stored) == .delivered)
        timeline.apply(.messagesRead(ticketId: 7, userId: me.id, upToSeq: 1))  // my own read mark says nothing
        #expect(timeline.delivery(of: stored) == .delivered)
        timeline.apply(.messagesRead(ticketId: 7, userId: agent.id, upToSeq: 1))
        #expect(timeline.delivery(of: stored) == .read)
        // The same message replayed by the server after a reconnect: still one.
        var replayed = stored
        replayed.isRead = true
        timeline.apply(.receiveMessage(ticketId: 7, message: replayed))
        #expect(timeline.messages.count == 1)
        // Others' messages have no check marks.
        #expect(timeline.delivery(of: message(2)) == nil)
    }

    @Test func failedMessagesShowTheirReasonUntilDiscarded() {
        var timeline = Timeline(ticketId: 7, me: me)
        var outgoing = OutgoingMessage(ticketId: 7, text: "late")
        outgoing.state = .failed(code: .conflict, reason: "Cannot do that now: the ticket is closed.")
        timeline.apply(.outgoing(outgoing))
        #expect(timeline.outgoing.map { Timeline.delivery(of: $0) } == [.failed(reason: "Cannot do that now: the ticket is closed.")])
        timeline.apply(.discarded(clientMessageId: outgoing.clientMessageId, ticketId: 7))
        #expect(timeline.outgoing.isEmpty)
    }

    @Test func typingAndPresenceAreResetAcrossADrop() {
        var timeline = Timeline(ticketId: 7, me: me)
        timeline.apply(.roomJoined(ticketId: 7, lastSeq: 0, participants: [me, agent]))
        #expect(timeline.presenceKnown && timeline.participants[agent.id]?.isOnline == true)
        timeline.apply(.typingStart(ticketId: 7, user: agent, internal: false))
        timeline.apply(.typingStart(ticketId: 7, user: agent, internal: false))
        timeline.apply(.typingStart(ticketId: 7, user: me, internal: false))  // my own typing is not shown to me
        #expect(timeline.typing == [agent])
        // A message from the typist ends their typing.
        timeline.apply(.receiveMessage(ticketId: 7, message: message(1)))
        #expect(timeline.typing.isEmpty)
        timeline.apply(.typingStart(ticketId: 7, user: agent, internal: false))
        timeline.apply(.userOffline(agent))
        #expect(timeline.participants[agent.id]?.isOnline == false)
        timeline.connectionLost()
        #expect(timeline.typing.isEmpty && !timeline.presenceKnown)
        var back = agent
        back.isOnline = true
        timeline.apply(.roomJoined(ticketId: 7, lastSeq: 1, participants: [me, back]))
        #expect(timeline.presenceKnown && timeline.participants[agent.id]?.isOnline == true)
    }

    @Test func memoryIsBoundedAndPagingMovesTheWindow() {
        var timeline = Timeline(ticketId: 7, me: me, capacity: 10)
        timeline.insertLatest(MessagePage(items: (91...100).map { message($0) }, hasMore: true))
        #expect(timeline.hasOlder && timeline.messages.count == 10)
        // Live messages push the oldest out.
        for seq in 101...105 { timeline.apply(.receiveMessage(ticketId: 7, message: message(seq))) }
        #expect(timeline.messages.map(\.seq) == Array(96...105))
        // Paging back far pushes the newest out: the window leaves the live end…
        timeline.insertOlder(MessagePage(items: (86...95).map { message($0) }, hasMore: true))
        #expect(timeline.messages.map(\.seq) == Array(86...95))
        #expect(timeline.hasNewer && timeline.hasOlder)
        // …so a live message is not stuck on after a gap; it waits on the server.
        let heldBack = timeline.apply(.receiveMessage(ticketId: 7, message: message(106)))
        #expect(!heldBack)
        #expect(timeline.messages.map(\.seq) == Array(86...95))
        // Paging forward returns to the live end.
        timeline.insertNewer(MessagePage(items: (96...105).map { message($0) }, hasMore: true))
        timeline.insertNewer(MessagePage(items: [message(106)], hasMore: false))
        #expect(!timeline.hasNewer && timeline.messages.map(\.seq) == Array(97...106))
        let appended = timeline.apply(.receiveMessage(ticketId: 7, message: message(107)))
        #expect(appended)
        #expect(timeline.newestSeq == 107 && timeline.messages.count == 10)
    }
}
