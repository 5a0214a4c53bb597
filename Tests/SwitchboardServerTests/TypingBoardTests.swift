import SwitchboardProtocol
import Testing

@testable import SwitchboardServer

/// Who is typing, decided with the time as an input: no sockets, no store, no sleeps.
@Suite struct TypingBoardTests {
    let start = ContinuousClock.now
    let dana = UserRef(id: 3, displayName: "Dana Doe", role: .customer, isOnline: true)
    let alex = UserRef(id: 1, displayName: "Alex Agent", role: .agent, isOnline: true)

    @Test func aStartIsToldOnceAndARefreshOnlyMovesTheDeadline() {
        var board = TypingBoard(timeout: .seconds(6))
        #expect(
            board.start(ticketId: 7, user: dana, isNote: false, remote: false, now: start)
                == .started(ticketId: 7, user: dana, isNote: false, remote: false))
        #expect(board.nextDeadline == start + .seconds(6))
        #expect(board.start(ticketId: 7, user: dana, isNote: false, remote: false, now: start + .seconds(4)) == nil)
        #expect(board.nextDeadline == start + .seconds(10))
        // Nothing is due before the moved deadline; at it, the typist stops.
        #expect(board.expire(now: start + .seconds(7)).isEmpty)
        #expect(board.expire(now: start + .seconds(10)) == [.stopped(ticketId: 7, user: dana, isNote: false, remote: false)])
        #expect(board.nextDeadline == nil && board.entries.isEmpty)
    }

    @Test func changingBetweenReplyAndNoteIsToldAgain() {
        var board = TypingBoard(timeout: .seconds(6))
        _ = board.start(ticketId: 7, user: alex, isNote: false, remote: false, now: start)
        #expect(
            board.start(ticketId: 7, user: alex, isNote: true, remote: false, now: start + .seconds(1))
                == .started(ticketId: 7, user: alex, isNote: true, remote: false))
        #expect(board.stop(ticketId: 7, userId: alex.id) == .stopped(ticketId: 7, user: alex, isNote: true, remote: false))
        #expect(board.stop(ticketId: 7, userId: alex.id) == nil)
    }

    @Test func deadlinesPassInOrderAndAClosedRoomIsForgotten() {
        var board = TypingBoard(timeout: .seconds(6))
        _ = board.start(ticketId: 7, user: dana, isNote: false, remote: true, now: start + .seconds(2))
        _ = board.start(ticketId: 8, user: alex, isNote: false, remote: false, now: start)
        _ = board.start(ticketId: 9, user: alex, isNote: true, remote: false, now: start + .seconds(1))
        #expect(board.isRemote(ticketId: 7, userId: dana.id) && !board.isRemote(ticketId: 8, userId: alex.id))
        #expect(board.nextDeadline == start + .seconds(6))
        board.forget(ticketId: 9)
        #expect(
            board.expire(now: start + .seconds(60)) == [
                .stopped(ticketId: 8, user: alex, isNote: false, remote: false),
                .stopped(ticketId: 7, user: dana, isNote: false, remote: true),
            ])
    }
}

/// Leaving with a grace period, decided with the time as an input.
@Suite struct DepartureGraceTests {
    let start = ContinuousClock.now
    static func user(_ id: Int) -> User {
        User(
            id: id, username: "u\(id)", displayName: "User \(id)", role: .customer, isOnline: false, lastSeenAt: nil, agentStatus: nil,
            capacity: nil, email: nil)
    }

    @Test func onlyThoseWhoStayAwayPastTheirGraceAreDue() {
        var grace = DepartureGrace(grace: .seconds(5))
        grace.left(Self.user(1), now: start)
        grace.left(Self.user(2), now: start + .seconds(1))
        #expect(grace.nextDeadline == start + .seconds(5))
        #expect(grace.due(now: start + .seconds(4)).isEmpty)
        #expect(grace.back(userId: 1) && !grace.back(userId: 1))
        #expect(grace.nextDeadline == start + .seconds(6))
        #expect(grace.due(now: start + .seconds(6)).map(\.id) == [2])
        #expect(grace.nextDeadline == nil && !grace.back(userId: 2))
    }
}
