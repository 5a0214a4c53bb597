import Foundation
import Testing

@testable import SwitchboardClient
@testable import SwitchboardProtocol

/// The connection's frame handling without sockets: what each frame in does to rooms, marks and
/// the message on the wire, and what a new socket must say again.
struct RealtimeFramesTests {
    static let casey = UserRef(id: 7, displayName: "Casey", role: .customer, isOnline: true)
    static let alex = UserRef(id: 3, displayName: "Alex", role: .agent, isOnline: true)
    static let at = Date(timeIntervalSince1970: 1_795_000_000)

    static func message(_ seq: Int, from sender: UserRef, in ticketId: Int = 1) -> ServerEvent {
        .receiveMessage(
            ticketId: ticketId,
            message: Message(
                id: 100 + seq, ticketId: ticketId, seq: seq, clientMessageId: nil, sender: sender,
                senderType: sender.role == .customer ? .customer : .agent, message: "m\(seq)", messageType: .text,
                internal: false, isRead: false, timestamp: at, attachment: nil))
    }

    static func queued(_ id: String) -> OutgoingMessage {
        OutgoingMessage(clientMessageId: id, ticketId: 1, text: "hello", createdAt: at)
    }

    func session() -> RealtimeFrames {
        var session = RealtimeFrames()
        session.me = Self.casey.id
        return session
    }

    @Test func aPresenceFrameReachesTheModesAsOneChangePerUser() throws {
        var away = Self.alex
        away.isOnline = false
        let text =
            #"{"type":"PRESENCE","users":[{"id":7,"displayName":"Casey","role":"CUSTOMER","isOnline":true},"#
            + #"{"id":3,"displayName":"Alex","role":"AGENT","isOnline":false}]}"#
        var session = session()
        #expect(
            session.received(text, decoder: WireJSON.decoder()) == [
                .emit(.server(.userOnline(Self.casey))), .emit(.server(.userOffline(away))),
            ])
        #expect(
            String(decoding: try WireJSON.encoder().encode(ServerEvent.presence(users: [Self.casey])), as: UTF8.self)
                .contains(#""type":"PRESENCE","users":[{"#))
    }

    @Test func messagesRaiseTheHeldSeqOfJoinedRoomsOnlyAndAskForReceiptsForOthersMessages() {
        var session = session()
        #expect(session.join(1, sinceSeq: 4) == ClientFrame(.joinRoom(ticketId: 1, sinceSeq: 4)))
        #expect(session.received(Self.message(5, from: Self.alex)) == [.emit(.server(Self.message(5, from: Self.alex))), .receiptsDue])
        // One's own message: no receipt; the held seq still moves.
        #expect(session.received(Self.message(6, from: Self.casey)) == [.emit(.server(Self.message(6, from: Self.casey)))])
        // A replay of an older one does not move it back, and asks for no second receipt.
        #expect(session.received(Self.message(3, from: Self.alex)) == [.emit(.server(Self.message(3, from: Self.alex)))])
        #expect(session.rooms == [1: 6])
        // A room not joined (a frame after leaving) is not taken up.
        _ = session.received(Self.message(9, from: Self.alex, in: 2))
        #expect(session.rooms == [1: 6])
        // Receipts: one per room, the highest seq, then none.
        #expect(
            session.takeReceipts() == [
                ClientFrame(.markDelivered(ticketId: 1, upToSeq: 5)),
                ClientFrame(.markDelivered(ticketId: 2, upToSeq: 9)),
            ])
        #expect(session.takeReceipts().isEmpty)
    }

    @Test func withoutReceiptsNoneAreAskedFor() {
        var session = RealtimeFrames(deliveryReceipts: false)
        _ = session.join(1, sinceSeq: nil)
        #expect(session.received(Self.message(1, from: Self.alex)) == [.emit(.server(Self.message(1, from: Self.alex)))])
        #expect(session.takeReceipts().isEmpty)
    }

    @Test func oneMessageOnTheWireUntilItsAckAndARefusalNamesIt() {
        var session = session()
        #expect(session.canSend)
        #expect(session.sending(Self.queued("c1")) == Self.queued("c1").frame)
        #expect(!session.canSend)
        // The ACK is told, and the wire stays taken until the outbox has forgotten the message
        // (else it would be "next" again and go twice).
        let ack = ServerEvent.ack(clientMessageId: "c1", messageId: 41, ticketId: 1, seq: 3, timestamp: Self.at)
        #expect(
            session.received(ack) == [
                .emit(.server(ack)),
                .acknowledged(
                    clientMessageId: "c1", messageId: 41, seq: 3, timestamp: Self.at,
                    redactions: [], storedText: nil),
            ])
        #expect(!session.canSend)
        // Another message stored (a late ACK from an earlier socket) does not free it.
        session.stored("c0")
        #expect(!session.canSend)
        session.stored("c1")
        #expect(session.canSend)

        _ = session.sending(Self.queued("c2"))
        #expect(session.refusedTransiently() == 1)
        #expect(session.refusedTransiently() == 2)
        // An ERROR naming another ref is only shown; one naming the message on the wire refuses it.
        let unrelated = ServerEvent.error(code: .notFound, message: "no such ticket", ref: "join-9")
        #expect(session.received(unrelated) == [.emit(.server(unrelated))])
        let refusal = ServerEvent.error(code: .tooLarge, message: "message too long", ref: "c2")
        #expect(
            session.received(refusal) == [
                .emit(.server(refusal)),
                .refused(clientMessageId: "c2", APIError(code: .tooLarge, message: "message too long", status: 413)),
            ])
        // Taken until the refusal is dealt with (failed on disk, or its pause over).
        #expect(!session.canSend)
        session.release("c1")
        #expect(!session.canSend)
        session.release("c2")
        #expect(session.canSend)
        session.accepted()
        #expect(session.refusedTransiently() == 1)
    }

    @Test func aNewSocketSaysAgainEverythingThatMustHoldAndForgetsTheWire() {
        var session = session()
        _ = session.join(2, sinceSeq: 10)
        _ = session.join(1, sinceSeq: nil)
        #expect(session.markRead(2, upToSeq: 9) != nil)
        #expect(session.markRead(2, upToSeq: 8) == nil)  // never backwards
        _ = session.setStatus(.away)
        _ = session.received(Self.message(1, from: Self.alex))
        _ = session.sending(Self.queued("c1"))
        session.socketClosed()
        #expect(session.canSend)  // the message goes again on the next socket
        #expect(
            session.socketOpened() == [
                ClientFrame(.joinRoom(ticketId: 1, sinceSeq: 1)),
                ClientFrame(.joinRoom(ticketId: 2, sinceSeq: 10)),
                ClientFrame(.markRead(ticketId: 2, upToSeq: 9)),
                ClientFrame(.setStatus(.away)),
                ClientFrame(.markDelivered(ticketId: 1, upToSeq: 1)),
            ])
        // Left rooms and their read marks are not said again.
        #expect(session.leave(2) == ClientFrame(.leaveRoom(ticketId: 2)))
        #expect(session.leave(2) == nil)
        #expect(session.socketOpened() == [ClientFrame(.joinRoom(ticketId: 1, sinceSeq: 1)), ClientFrame(.setStatus(.away))])
    }

    @Test func textThatIsNotAnEventIsShownAsItCame() {
        var session = session()
        #expect(
            session.received("{\"type\":\"NEW_THING\"}", decoder: WireJSON.decoder()) == [.emit(.undecodable("{\"type\":\"NEW_THING\"}"))])
    }
}
