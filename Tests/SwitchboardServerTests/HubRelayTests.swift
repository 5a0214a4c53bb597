import Foundation
import Testing

@testable import SwitchboardProtocol
@testable import SwitchboardServer

/// Orders of arrival a busy server produces that socket tests cannot force, played through the
/// machines the hub carries out (`Rooms`, `Connections`): no store, no sockets, no sleeps.
@Suite struct HubRelayTests {
    /// Under load a room's read from the tables (a gap fill, or another node's note) can find a
    /// message this node has just stored before the hub hears of it from its own service. That
    /// copy has no origin; the connection that sent it must still get only its ACK, while the
    /// sender's other connections and everyone else in the room get the message.
    @Test func aCopyReadFromTheTablesIsNotRelayedBackToTheConnectionStoringIt() async throws {
        let casey = ConnectionsTests.user(7, .customer)
        let alex = ConnectionsTests.user(1, .agent)
        var connections = Connections()
        var rooms = Rooms(gapWait: .seconds(1))
        let handles = [ConnectionsTests.handle(1, casey).0, ConnectionsTests.handle(2, casey).0, ConnectionsTests.handle(3, alex).0]
        for handle in handles {
            _ = connections.add(handle)
            rooms.connected(handle.id, as: Rooms.Member(user: handle.caller.user.ref, isStaff: handle.isStaff))
            _ = rooms.join(handle.id, 1)
        }
        _ = rooms.start(1, at: 0, now: .now)
        let sender = handles[0]
        let stored = RoomsTests.message(1)  // casey's, clientMessageId "c1"

        var received: [ConnectionID: Int] = [:]
        func carry(_ actions: [Rooms.Action]) {
            for case .relay(let message, let origin, let ids) in actions {
                for id in connections.recipients(of: message, origin: origin, among: ids) { received[id, default: 0] += 1 }
            }
        }
        await sender.storing("c1") {
            // The table read comes first (as another node's note would bring it)…
            #expect(rooms.wantRead(1) == [.read(ticketId: 1)])
            carry(rooms.read(1, found: [stored], now: .now))
            // …then this node's own event, with its origin: already relayed, nothing more.
            carry(rooms.receive(stored, origin: sender.id, now: .now))
        }
        #expect(received[1] == nil, "the sender gets its ACK, not its own message back")
        #expect(received[2] == 1)
        #expect(received[3] == 1)
    }
}
