import Testing
@testable import SwitchboardProtocol
@testable import SwitchboardServer

@Suite struct ConnectionHandleTests {
    func handle(capacity: Int) -> (ConnectionHandle, AsyncStream<String>) {
        let (stream, continuation) = AsyncStream<String>.makeStream(bufferingPolicy: .bufferingOldest(capacity))
        let user = User(id: 1, username: "a", displayName: "A", role: .agent, isOnline: true, lastSeenAt: nil,
                        agentStatus: .online, capacity: 5, email: nil)
        return (ConnectionHandle(id: 1, caller: Caller(user: user, loginId: "l"), continuation: continuation, capacity: capacity), stream)
    }

    /// Passing state is shed once the queue is half full; what must arrive keeps its place until
    /// the queue is full, and then the connection is closed (its client resumes) — never dropped.
    @Test func passingStateIsShedBeforeAnythingElse() async {
        let (connection, stream) = handle(capacity: 4)
        #expect(connection.sendIfRoom("presence 1"))
        connection.send("message 1")
        #expect(!connection.sendIfRoom("presence 2")) // 2 of 4 places left: not more than half
        connection.send("message 2")
        connection.send("message 3")
        #expect(connection.closeRequest == nil)
        connection.send("message 4") // no place left: closed, not dropped silently
        #expect(connection.closeRequest?.code == 1008)
        var received: [String] = []
        for await text in stream { received.append(text) }
        #expect(received == ["presence 1", "message 1", "message 2", "message 3"])
    }

    @Test func whichFramesArePassingState() {
        let ref = UserRef(id: 1, displayName: "A", role: .agent, isOnline: true)
        #expect(ServerEvent.userOnline(ref).isPassingState && ServerEvent.typingStart(ticketId: 1, user: ref, internal: false).isPassingState)
        #expect(!ServerEvent.messagesRead(ticketId: 1, userId: 1, upToSeq: 3).isPassingState)
        #expect(!ServerEvent.error(code: .invalid, message: "x", ref: nil).isPassingState)
    }
}
