import Testing

@testable import SwitchboardProtocol
@testable import SwitchboardServer

@Suite struct ConnectionHandleTests {
    func handle(capacity: Int) -> (ConnectionHandle, RecordingOutlet) {
        let user = User(
            id: 1, username: "a", displayName: "A", role: .agent, isOnline: true, lastSeenAt: nil,
            agentStatus: .online, capacity: 5, email: nil)
        let outlet = RecordingOutlet()
        return (ConnectionHandle(id: 1, caller: Caller(user: user, loginId: "l"), outlet: outlet, capacity: capacity), outlet)
    }

    /// Passing state is shed while the socket's send buffer is full; what must arrive is still
    /// written until `capacity` frames went to a socket that took none, and then the connection
    /// is closed (its client resumes) — never dropped silently.
    @Test func passingStateIsShedBeforeAnythingElse() {
        let (connection, outlet) = handle(capacity: 3)
        #expect(connection.sendIfRoom("presence 1"))
        connection.send("message 1")
        outlet.setWritable(false)
        #expect(!connection.sendIfRoom("presence 2"))
        connection.send("message 2")
        connection.send("message 3")
        connection.send("message 4")
        #expect(connection.backlog == 3)
        #expect(connection.closeRequest == nil)
        connection.send("message 5")  // a fourth frame to a socket that took none: closed
        #expect(connection.closeRequest?.code == 1008)
        #expect(outlet.closes == [1008])
        connection.send("message 6")  // nothing follows a close
        #expect(outlet.texts == ["presence 1", "message 1", "message 2", "message 3", "message 4"])
    }

    /// A socket that drains again starts the count over.
    @Test func aSocketThatTakesFramesAgainIsKept() {
        let (connection, outlet) = handle(capacity: 2)
        outlet.setWritable(false)
        connection.send("1")
        connection.send("2")
        outlet.setWritable(true)
        connection.send("3")
        #expect(connection.backlog == 0)
        outlet.setWritable(false)
        connection.send("4")
        connection.send("5")
        #expect(connection.closeRequest == nil)
        #expect(outlet.texts == ["1", "2", "3", "4", "5"])
    }

    @Test func aCloseIsAskedForOnceAndAGoneClientGetsNothingMore() {
        let (connection, outlet) = handle(capacity: 2)
        connection.close(code: 4001, reason: "token expired")
        connection.close(code: 4003, reason: "logged out")
        #expect(outlet.closes == [4001])
        #expect(connection.closeRequest?.code == 4001)
        let (gone, goneOutlet) = handle(capacity: 2)
        gone.finish()
        gone.send("late")
        gone.close(code: 4001, reason: "token expired")
        #expect(goneOutlet.texts.isEmpty && goneOutlet.closes.isEmpty)
    }

    @Test func whichFramesArePassingState() {
        let ref = UserRef(id: 1, displayName: "A", role: .agent, isOnline: true)
        #expect(
            ServerEvent.userOnline(ref).isPassingState && ServerEvent.typingStart(ticketId: 1, user: ref, internal: false).isPassingState)
        #expect(!ServerEvent.messagesRead(ticketId: 1, userId: 1, upToSeq: 3).isPassingState)
        #expect(!ServerEvent.error(code: .invalid, message: "x", ref: nil).isPassingState)
    }
}
