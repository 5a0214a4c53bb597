import Foundation
import Testing

@testable import SwitchboardProtocol
@testable import SwitchboardServer

/// The hub's state machines, each driven with the time as an input: no sockets, no store, no sleeps.
@Suite struct DeadlinesTests {
    let start = ContinuousClock.now

    @Test func theEarliestLiveDeadlineIsNextAndDueKeysComeInOrder() {
        var deadlines = Deadlines<String>()
        deadlines.set("b", at: start + .seconds(2))
        deadlines.set("a", at: start + .seconds(1))
        deadlines.set("c", at: start + .seconds(3))
        #expect(deadlines.next == start + .seconds(1))
        deadlines.set("a", at: start + .seconds(5))  // moved later: its old entry no longer counts
        #expect(deadlines.next == start + .seconds(2))
        deadlines.remove("b")
        #expect(deadlines.next == start + .seconds(3) && deadlines.count == 2)
        #expect(deadlines.due(now: start + .seconds(4)) == ["c"])
        #expect(deadlines.due(now: start + .seconds(10)) == ["a"])
        #expect(deadlines.isEmpty && deadlines.next == nil)
    }

    /// A storm: every key set many times. What is left over is swept, and the answers stay right.
    @Test func keysSetOverAndOverLeaveNothingBehind() {
        var deadlines = Deadlines<Int>()
        for round in 0..<50 {
            for key in 0..<200 { deadlines.set(key, at: start + .milliseconds(key * 10 + round)) }
        }
        #expect(deadlines.count == 200 && deadlines.next == start + .milliseconds(49))
        let due = deadlines.due(now: start + .milliseconds(1_049))
        #expect(due == Array(0...100))
        #expect(deadlines.count == 99 && deadlines[150] == start + .milliseconds(1_549))
    }
}

@Suite struct PresenceDeskTests {
    let start = ContinuousClock.now
    static let dana = UserRef(id: 3, displayName: "Dana Doe", role: .customer, isOnline: true)
    static let alex = UserRef(id: 1, displayName: "Alex Agent", role: .agent, isOnline: true)

    static func listener(_ userId: Int, batched: Bool = false, inViewOnly: Bool = false, rooms: Set<Int> = []) -> PresenceDesk.Listener {
        PresenceDesk.Listener(userId: userId, batched: batched, inViewOnly: inViewOnly, rooms: rooms)
    }

    @Test func singleFrameListenersHearAtOnceAndBatchedOnesWithTheNextPresenceFrame() {
        var desk = PresenceDesk(grace: .seconds(5), batchInterval: .milliseconds(250))
        let listeners = [10: Self.listener(1), 11: Self.listener(2, batched: true), 12: Self.listener(4, batched: true)]
        #expect(desk.changed(Self.alex, listeners: listeners, customerTickets: [], now: start) == [.send(.userOnline(Self.alex), to: [10])])
        #expect(desk.nextDeadline == start + .milliseconds(250))
        var away = Self.alex
        away.isOnline = false
        _ = desk.changed(away, listeners: listeners, customerTickets: [], now: start + .milliseconds(100))
        #expect(desk.due(now: start + .milliseconds(249)).isEmpty, "the batch's time has not come")
        // The latest state of each user, once, to both batched connections in one frame.
        #expect(desk.due(now: start + .milliseconds(250)) == [.send(.presence(users: [away]), to: [11, 12])])
        #expect(desk.nextDeadline == nil && desk.pending.isEmpty)
    }

    @Test func anAgentWhoAskedForTheirViewHearsOfACustomerOnlyWhileTheCustomerIsInIt() {
        var desk = PresenceDesk(grace: .seconds(5), batchInterval: .milliseconds(250))
        let queue = Self.listener(1, batched: true, inViewOnly: true)  // sees unassigned tickets
        let other = Self.listener(2, batched: true, inViewOnly: true)
        let inRoom = Self.listener(2, batched: true, inViewOnly: true, rooms: [8])
        let tickets = [PresenceTicket(ticketId: 8, agentId: 1, active: true)]
        _ = desk.changed(Self.dana, listeners: [10: queue, 11: other, 12: inRoom], customerTickets: tickets, now: start)
        #expect(desk.due(now: start + .seconds(1)) == [.send(.presence(users: [Self.dana]), to: [10, 12])])
        // A colleague's agent status is no customer's: everyone hears of it.
        _ = desk.changed(Self.alex, listeners: [11: other], customerTickets: [], now: start + .seconds(2))
        #expect(desk.due(now: start + .seconds(3)) == [.send(.presence(users: [Self.alex]), to: [11])])
    }

    @Test func aDepartureIsToldOnlyAfterItsGraceAndAClosedConnectionsBatchIsDropped() {
        var desk = PresenceDesk(grace: .seconds(5), batchInterval: .milliseconds(250))
        let user = DepartureGraceTests.user(3)
        desk.left(user, now: start)
        desk.left(DepartureGraceTests.user(4), now: start + .seconds(1))
        let back = desk.back(userId: 4)
        #expect(back, "back within the grace: nobody is told")
        #expect(desk.nextDeadline == start + .seconds(5))
        #expect(desk.due(now: start + .seconds(5)) == [.wentAway(user)])
        _ = desk.changed(Self.dana, listeners: [11: Self.listener(1, batched: true)], customerTickets: [], now: start)
        desk.forget(11)
        #expect(desk.nextDeadline == nil && desk.due(now: start + .seconds(9)).isEmpty)
    }
}

@Suite struct RoomsTests {
    let start = ContinuousClock.now
    static let casey = UserRef(id: 7, displayName: "Casey", role: .customer, isOnline: true)
    static let alex = UserRef(id: 1, displayName: "Alex Agent", role: .agent, isOnline: true)

    static func rooms() -> Rooms {
        var rooms = Rooms(gapWait: .seconds(1))
        rooms.connected(1, as: Rooms.Member(user: casey, isStaff: false))
        rooms.connected(2, as: Rooms.Member(user: casey, isStaff: false))  // a second tab
        rooms.connected(3, as: Rooms.Member(user: alex, isStaff: true))
        return rooms
    }

    static func message(_ seq: Int, internal: Bool = false) -> Message {
        var message = RoomRelayTests.message(seq)
        message.`internal` = `internal`
        return message
    }

    @Test func aJoiningMemberHoldsRoomFramesUntilItsReplayIsQueued() {
        var rooms = Self.rooms()
        let (isNew, announced) = rooms.join(1, 1)
        #expect(isNew && announced.isEmpty, "no staff in the room yet: no members list")
        #expect(rooms.start(1, at: 4, now: start).isEmpty && rooms.relayPoint(1) == 4)
        let (again, members) = rooms.join(3, 1)
        #expect(!again && members == [.send(.roomMembers(ticketId: 1, members: [Self.casey, Self.alex]), to: [3], ticketId: 1)])
        #expect(rooms.receive(Self.message(5), origin: nil, now: start) == [.relay(Self.message(5), origin: nil, to: [1, 3])])
        #expect(rooms.hand("five", to: [1, 3], in: 1).isEmpty, "both still replay")
        #expect(rooms.finishJoin(1, 1) == ["five"] && rooms.finishJoin(1, 1) == nil)
        #expect(rooms.hand("six", to: [1, 3], in: 1) == [1])
        #expect(rooms.finishJoin(3, 1) == ["five", "six"])
    }

    @Test func notesGoToStaffOnlyAndTheSenderGetsNoCopyOfItsOwn() {
        var rooms = Self.rooms()
        for id in [1, 2, 3] { _ = rooms.join(id, 1) }
        _ = rooms.start(1, at: 0, now: start)
        #expect(rooms.receive(Self.message(1), origin: 1, now: start) == [.relay(Self.message(1), origin: 1, to: [2, 3])])
        #expect(
            rooms.receive(Self.message(2, internal: true), origin: 3, now: start) == [
                .relay(Self.message(2, internal: true), origin: 3, to: [])
            ])
        #expect(rooms.typingAudience(1, userId: Self.casey.id, isNote: false) == [3])
        #expect(rooms.typingAudience(1, userId: Self.alex.id, isNote: true).isEmpty)
    }

    /// Leaving: typing ends when the user's last connection leaves; the last member closes the room.
    @Test func leavingEndsTypingWithTheLastConnectionAndTheLastMemberClosesTheRoom() {
        var rooms = Self.rooms()
        for id in [1, 2, 3] { _ = rooms.join(id, 1) }
        #expect(rooms.leave(1, 1) == [.send(.roomMembers(ticketId: 1, members: [Self.casey, Self.alex]), to: [3], ticketId: 1)])
        #expect(rooms.leave(1, 1).isEmpty, "not in it any more")
        #expect(
            rooms.disconnected(2) == [
                .typingEnds(ticketId: 1, userId: Self.casey.id),
                .send(.roomMembers(ticketId: 1, members: [Self.alex]), to: [3], ticketId: 1),
            ])
        #expect(rooms.leave(3, 1) == [.typingEnds(ticketId: 1, userId: Self.alex.id)])
        #expect(rooms.count == 0 && rooms.relayPoint(1) == nil)
    }

    /// A gap stays open for `gapWait`, then the room reads the tables — one read at a time, one
    /// more if asked meanwhile (another node's note).
    @Test func aGapThatStaysOpenIsReadOnceAtATime() {
        var rooms = Self.rooms()
        _ = rooms.join(3, 1)
        _ = rooms.start(1, at: 0, now: start)
        #expect(rooms.receive(Self.message(2), origin: nil, now: start).isEmpty)
        #expect(rooms.nextDeadline == start + .seconds(1))
        #expect(rooms.due(now: start + .milliseconds(999)).isEmpty)
        #expect(rooms.due(now: start + .seconds(1)) == [.read(ticketId: 1)] && rooms.readFrom(1) == 0)
        #expect(rooms.wantRead(1).isEmpty, "a read is under way: one more after it")
        #expect(
            rooms.read(1, found: [Self.message(1), Self.message(2)], now: start + .seconds(1))
                == [.relay(Self.message(1), origin: nil, to: [3]), .relay(Self.message(2), origin: nil, to: [3]), .read(ticketId: 1)])
        #expect(rooms.read(1, found: [], now: start + .seconds(1)).isEmpty && rooms.reading.isEmpty && rooms.nextDeadline == nil)
    }

    @Test func aFailedReadArmsTheGapAgain() {
        var rooms = Self.rooms()
        _ = rooms.join(3, 1)
        _ = rooms.start(1, at: 0, now: start)
        _ = rooms.receive(Self.message(2), origin: nil, now: start)
        _ = rooms.due(now: start + .seconds(1))
        #expect(rooms.read(1, found: nil, now: start + .seconds(1)).isEmpty)
        #expect(rooms.nextDeadline == start + .seconds(2))
    }
}

@Suite struct ConnectionsTests {
    static func handle(
        _ id: ConnectionID, _ user: User, tickets: TicketFrames = .all,
        closesIn seconds: Int = 3_600
    ) -> (ConnectionHandle, RecordingOutlet) {
        let outlet = RecordingOutlet()
        return (
            ConnectionHandle(
                id: id, caller: Caller(user: user, loginId: "login-\(user.id)"), options: ConnectionOptions(tickets: tickets),
                closesAt: .now + .seconds(seconds), outlet: outlet, capacity: 10), outlet
        )
    }

    static func user(_ id: Int, _ role: Role) -> User {
        User(
            id: id, username: "u\(id)", displayName: "User \(id)", role: role, isOnline: true, lastSeenAt: nil, agentStatus: nil,
            capacity: nil, email: nil)
    }

    /// An agent who asked for their queue hears of a ticket only while it is in it (or in a room
    /// they are in); admins and agents who asked for all hear of every ticket.
    @Test func aTicketChangeIsHeardByTheStaffWhoHaveItInView() {
        var connections = Connections()
        let first = connections.add(Self.handle(1, Self.user(1, .agent), tickets: .queue).0)
        let second = connections.add(Self.handle(2, Self.user(1, .agent), tickets: .queue).0)
        #expect(first && !second, "the same agent's second socket is not their first")
        _ = connections.add(Self.handle(3, Self.user(2, .agent), tickets: .queue).0)
        _ = connections.add(Self.handle(4, Self.user(3, .admin), tickets: .queue).0)
        _ = connections.add(Self.handle(5, Self.user(9, .customer)).0)
        let mine = PresenceTicket(ticketId: 8, agentId: 1, active: true)
        let unassigned = PresenceTicket(ticketId: 8, agentId: nil, active: true)
        let resolved = PresenceTicket(ticketId: 8, agentId: 1, active: false)
        #expect(connections.ticketAudience(mine, mine, inRoom: []) == [1, 2, 4])
        #expect(connections.ticketAudience(unassigned, mine, inRoom: []) == [1, 2, 3, 4], "it was in every queue")
        #expect(connections.ticketAudience(resolved, resolved, inRoom: [3, 5]) == [3, 4])
        #expect(connections.staffByUser([1, 2, 3, 5]) == [1: [1, 2], 2: [3]])
        #expect(TicketViews.byUnread([1: [1, 2], 2: [3], 3: [4]], unread: [1: 2]).map(\.unread) == [0, 2])
        let last = connections.remove(2)
        #expect(last?.last == false && connections.remove(1)?.last == true && !connections.isOnline(1))
    }

    @Test func expiredTokensAreAnsweredOnceAndACopyFromTheTablesSkipsItsStoringSender() async {
        var connections = Connections()
        let (soon, _) = Self.handle(1, Self.user(7, .customer), closesIn: 0)
        let (later, _) = Self.handle(2, Self.user(7, .customer))
        _ = connections.add(soon)
        _ = connections.add(later)
        #expect(connections.expired(now: .now).map(\.id) == [1] && connections.expired(now: .now).isEmpty)
        let message = RoomsTests.message(1)  // sent by user 7, "c1"
        await soon.storing("c1") {
            #expect(connections.recipients(of: message, origin: nil, among: [1, 2]) == [2], "the copy has no origin")
            #expect(connections.recipients(of: message, origin: 1, among: [2]) == [2])
        }
        #expect(connections.recipients(of: message, origin: nil, among: [1, 2]) == [1, 2], "answered: no longer storing")
    }
}

@Suite struct AlarmTests {
    /// The timer's loop sleeps until its deadline; an earlier one wakes it, a later one does not.
    @Test func anEarlierDeadlineWakesTheSleeperAndALaterOneDoesNot() async {
        let alarm = Alarm()
        alarm.wake(by: .now)  // the loop is at work, not asleep: its next look reads every deadline
        #expect(!alarm.isRung)
        alarm.willSleep(until: .now + .seconds(3_600))
        alarm.wake(by: .now + .seconds(7_200))
        #expect(!alarm.isRung, "a later deadline waits for the next look")
        alarm.wake(by: .now)
        #expect(alarm.isRung, "an earlier one wakes it: the sleep below returns at once")
        await alarm.sleep()
        // Cancelled while asleep with nothing due: the wait ends too.
        alarm.willSleep(until: nil)
        let sleeper = Task { await alarm.sleep() }
        sleeper.cancel()
        await sleeper.value
    }
}
