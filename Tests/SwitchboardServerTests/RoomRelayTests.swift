import Foundation
import Testing

@testable import SwitchboardProtocol
@testable import SwitchboardServer

/// The room's relay order without sockets or a database: what it answers for each arrival.
@Suite struct RoomRelayTests {
    static let sender = UserRef(id: 7, displayName: "Casey", role: .customer, isOnline: true)

    static func message(_ seq: Int, ticket: Int = 1) -> Message {
        Message(
            id: 100 + seq, ticketId: ticket, seq: seq, clientMessageId: "c\(seq)", sender: sender, senderType: .customer,
            message: "m\(seq)", messageType: .text, internal: false, isRead: false,
            timestamp: Date(timeIntervalSince1970: 1_795_000_000), attachment: nil)
    }

    static func delivered(_ actions: [RoomRelay.Action]) -> [Int] {
        actions.compactMap { if case .deliver(let message, _) = $0 { message.seq } else { nil } }
    }

    @Test func inOrderGoesStraightThroughWithItsOrigin() {
        var relay = RoomRelay()
        #expect(relay.start(at: 0).isEmpty)
        #expect(relay.receive(Self.message(1), origin: 5) == [.deliver(Self.message(1), origin: 5)])
        #expect(Self.delivered(relay.receive(Self.message(2), origin: nil)) == [2])
        #expect(relay.lastRelayed == 2 && relay.pending.isEmpty && !relay.gapTimerArmed)
    }

    @Test func aMessageAheadOfAGapWaitsAndTheGapClosingReleasesBoth() {
        var relay = RoomRelay()
        _ = relay.start(at: 3)
        #expect(relay.receive(Self.message(5), origin: 9) == [.armGapTimer], "5 waits for 4; the timer is armed once")
        #expect(relay.receive(Self.message(6), origin: nil).isEmpty, "already armed")
        let actions = relay.receive(Self.message(4), origin: 2)
        #expect(
            actions == [
                .deliver(Self.message(4), origin: 2), .deliver(Self.message(5), origin: 9),
                .deliver(Self.message(6), origin: nil), .disarmGapTimer,
            ])
        #expect(relay.lastRelayed == 6 && relay.pending.isEmpty)
    }

    @Test func theGapFillReadsFromTheRelayPointAndKeepsOrigins() {
        var relay = RoomRelay()
        _ = relay.start(at: 10)
        _ = relay.receive(Self.message(13), origin: 4)
        #expect(relay.fillFrom == 10)
        relay.gapTimerFired()
        // The tables have 11, 12 and 13 (13 as stored: no origin); the waiting 13 keeps its sender's.
        let actions = relay.filled([Self.message(11), Self.message(12), Self.message(13)])
        #expect(
            actions == [
                .deliver(Self.message(11), origin: nil), .deliver(Self.message(12), origin: nil),
                .deliver(Self.message(13), origin: 4),
            ], "no disarm: the timer had gone off")
        #expect(!relay.gapTimerArmed)
    }

    @Test func aFillThatFindsNothingArmsTheTimerAgain() {
        var relay = RoomRelay()
        _ = relay.start(at: 0)
        _ = relay.receive(Self.message(3), origin: nil)
        relay.gapTimerFired()
        #expect(relay.filled([]) == [.armGapTimer], "1 and 2 are not readable yet: look again later")
        #expect(relay.filled([Self.message(1), Self.message(2)]).count == 4, "1, 2, 3 and the disarm")
    }

    @Test func whileStartingMessagesWaitAndThoseTheReplayCoversAreDropped() {
        var relay = RoomRelay()
        #expect(relay.receive(Self.message(8), origin: nil).isEmpty, "the starting point is not known yet")
        #expect(relay.receive(Self.message(9), origin: 3).isEmpty)
        #expect(relay.fillFrom == nil)
        // The room's last seq was 8 when read: 8 reaches the joiner by replay; 9 is live.
        #expect(relay.start(at: 8) == [.deliver(Self.message(9), origin: 3)])
    }

    @Test func repeatsAndOldMessagesAreNotRelayedTwice() {
        var relay = RoomRelay()
        _ = relay.start(at: 0)
        _ = relay.receive(Self.message(1), origin: nil)
        #expect(relay.receive(Self.message(1), origin: nil).isEmpty)
        #expect(relay.filled([Self.message(1)]).isEmpty)
        _ = relay.receive(Self.message(3), origin: 1)
        #expect(relay.receive(Self.message(3), origin: 2).isEmpty, "the first copy and its origin stay")
        #expect(
            relay.receive(Self.message(2), origin: nil) == [
                .deliver(Self.message(2), origin: nil),
                .deliver(Self.message(3), origin: 1), .disarmGapTimer,
            ])
    }
}
