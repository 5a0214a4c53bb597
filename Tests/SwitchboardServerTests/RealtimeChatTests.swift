import Foundation
import Testing

@testable import SwitchboardProtocol
@testable import SwitchboardServer

/// The hub over real sockets on 127.0.0.1, several clients at once.
@Suite struct RealtimeChatTests {
    static func fast(_ server: inout TestServer) {
        server.configuration.realtime.typingTimeout = .milliseconds(300)
        server.configuration.realtime.presenceGrace = .milliseconds(300)
    }

    @Test func twoPartyChat() async throws {
        try await withCast(live: true, configure: Self.fast) { api, cast, _ in
            let ticket = try await api.openTicket(cast.customer).id
            let customer = try await api.socket(cast.customer), agent = try await api.socket(cast.agent)
            let customerPhone = try await api.socket(cast.customer)
            for probe in [customer, agent, customerPhone] {
                try await probe.send(.joinRoom(ticketId: ticket, sinceSeq: 0))
                let joined = try await probe.next {
                    if case .roomJoined(ticket, let lastSeq, let participants) = $0 { (lastSeq, participants) } else { nil }
                }
                // The customer, and the agent once auto-assignment has given it the ticket.
                #expect(joined.0 == 0 && joined.1.first?.id == cast.customerId)
            }
            try await customer.send(
                .sendMessage(ticketId: ticket, clientMessageId: "c-1", message: "Hello?", messageType: nil, internal: nil))
            let ack = try await customer.next { if case .ack("c-1", let id, ticket, let seq, _, _, _) = $0 { (id, seq) } else { nil } }
            #expect(ack.1 == 1)
            let relayed = try await agent.next { if case .receiveMessage(ticket, let message) = $0 { message } else { nil } }
            #expect(relayed.id == ack.0 && relayed.message == "Hello?" && relayed.senderType == .customer)
            // The sender's other connection hears it too; the sending one got the ACK instead.
            #expect(try await customerPhone.next { if case .receiveMessage(ticket, let m) = $0 { m.seq } else { nil } } == 1)
            try await Task.sleep(for: .milliseconds(100))
            #expect(customer.messages(of: ticket).isEmpty)

            try await agent.send(
                .sendMessage(ticketId: ticket, clientMessageId: "a-1", message: "Hi, on it", messageType: nil, internal: nil))
            #expect(try await customer.next { if case .receiveMessage(ticket, let m) = $0 { m.message } else { nil } } == "Hi, on it")
            // The ticket moved along and everyone on it heard.
            let change = try await customer.next {
                if case .ticketStatusChanged(ticket, let status, let previous, _) = $0 { (previous, status) } else { nil }
            }
            #expect(change == (.open, .inProgress))
            for probe in [customer, agent, customerPhone] { await probe.close() }
        }
    }

    @Test func notesReachAgentsOnly() async throws {
        try await withCast(live: true, configure: Self.fast) { api, cast, _ in
            let ticket = try await api.openTicket(cast.customer).id
            let customer = try await api.socket(cast.customer), agent = try await api.socket(cast.agent)
            let agent2 = try await api.socket(cast.agent2)
            for probe in [customer, agent, agent2] {
                try await probe.join(ticket, sinceSeq: 0)
            }
            try await agent.send(
                .sendMessage(ticketId: ticket, clientMessageId: "n-1", message: "VIP, be nice", messageType: nil, internal: true))
            try await agent.send(.sendMessage(ticketId: ticket, clientMessageId: "p-1", message: "Hello!", messageType: nil, internal: nil))
            #expect(
                try await agent2.next { if case .receiveMessage(ticket, let m) = $0, m.internal { m.message } else { nil } }
                    == "VIP, be nice")
            #expect(try await customer.next { if case .receiveMessage(ticket, let m) = $0 { m.seq } else { nil } } == 2)
            try await Task.sleep(for: .milliseconds(150))
            #expect(customer.messages(of: ticket).map(\.message) == ["Hello!"])
            // A customer cannot write one.
            try await customer.send(
                .sendMessage(ticketId: ticket, clientMessageId: "x", message: "psst", messageType: nil, internal: true), ref: "r9")
            let refusal = try await customer.error(ref: "r9").code
            #expect(refusal == .forbidden)
            // Nor join someone else's room.
            let other = try await api.openTicket(cast.customer2).id
            try await customer.send(.joinRoom(ticketId: other, sinceSeq: nil), ref: "j2")
            #expect(try await customer.error(ref: "j2").code == ErrorCode.notFound)
            for probe in [customer, agent, agent2] { await probe.close() }
        }
    }

    @Test func resumeAfterADropMissesNothing() async throws {
        try await withCast(live: true, configure: Self.fast) { api, cast, _ in
            let ticket = try await api.openTicket(cast.customer).id
            let customer = try await api.socket(cast.customer)
            var agent = try await api.socket(cast.agent)
            for probe in [customer, agent] {
                try await probe.join(ticket, sinceSeq: 0)
            }
            for index in 1...3 {
                try await customer.send(
                    .sendMessage(ticketId: ticket, clientMessageId: "m\(index)", message: "m\(index)", messageType: nil, internal: nil))
            }
            let first = agent
            _ = try await first.waitUntil(seconds: 5) { first.messages(of: ticket).count == 3 }
            let held = first.messages(of: ticket).map(\.seq).max() ?? 0
            await first.close()
            // While the agent is away: WebSocket and REST messages.
            for index in 4...5 {
                try await customer.send(
                    .sendMessage(ticketId: ticket, clientMessageId: "m\(index)", message: "m\(index)", messageType: nil, internal: nil))
            }
            try await customer.next { if case .ack("m5", _, _, _, _, _, _) = $0 { true } else { nil } }
            try await api.send(cast.customer, ticket: ticket, "m6 over REST")
            agent = try await api.socket(cast.agent)
            try await agent.send(.joinRoom(ticketId: ticket, sinceSeq: held))
            let reconnected = agent
            // Live messages right after the join must follow the replay, in order.
            try await customer.send(.sendMessage(ticketId: ticket, clientMessageId: "m7", message: "m7", messageType: nil, internal: nil))
            _ = try await reconnected.waitUntil(seconds: 5) { reconnected.messages(of: ticket).count >= 4 }
            try await Task.sleep(for: .milliseconds(150))
            #expect(reconnected.messages(of: ticket).map(\.seq) == [4, 5, 6, 7])
            let joined = try await reconnected.next { if case .roomJoined(ticket, let last, _) = $0 { last } else { nil } }
            #expect(joined >= 6)
            await customer.close()
            await reconnected.close()
        }
    }

    @Test func duplicateResendIsStoredOnce() async throws {
        try await withCast(live: true, configure: Self.fast) { api, cast, _ in
            let ticket = try await api.openTicket(cast.customer).id
            let customer = try await api.socket(cast.customer), agent = try await api.socket(cast.agent)
            try await agent.join(ticket, sinceSeq: 0)
            for _ in 0..<3 {
                try await customer.send(
                    .sendMessage(ticketId: ticket, clientMessageId: "once", message: "only once", messageType: nil, internal: nil))
            }
            _ = try await customer.waitUntil(seconds: 5) {
                customer.events.filter { if case .ack = $0 { true } else { false } }.count == 3
            }
            let acks = customer.events.compactMap { if case .ack(_, let id, _, let seq, _, _, _) = $0 { "\(id)/\(seq)" } else { nil } }
            #expect(acks.count == 3 && Set(acks).count == 1)
            try await Task.sleep(for: .milliseconds(150))
            #expect(agent.messages(of: ticket).count == 1)
            let page: MessagePage = try await api.get("/api/tickets/\(ticket)/messages", token: cast.agent).decode()
            #expect(page.items.count == 1)
            await customer.close()
            await agent.close()
        }
    }

    @Test func restPostsAreRelayedAndReceiptsToo() async throws {
        try await withCast(live: true, configure: Self.fast) { api, cast, _ in
            let ticket = try await api.openTicket(cast.customer).id
            let customer = try await api.socket(cast.customer), agent = try await api.socket(cast.agent)
            for probe in [customer, agent] {
                try await probe.join(ticket, sinceSeq: 0)
            }
            let posted = try await api.send(cast.agent, ticket: ticket, "posted over REST")
            #expect(try await customer.next { if case .receiveMessage(ticket, let m) = $0 { m.id } else { nil } } == posted.id)
            #expect(try await agent.next { if case .receiveMessage(ticket, let m) = $0 { m.id } else { nil } } == posted.id)
            try await customer.send(.markDelivered(ticketId: ticket, upToSeq: 1))
            #expect(try await agent.next { if case .messagesDelivered(ticket, cast.customerId, let seq) = $0 { seq } else { nil } } == 1)
            #expect(try await api.ticket(ticket, token: cast.customer).unreadCount == 1)
            try await customer.send(.markRead(ticketId: ticket, upToSeq: 1))
            #expect(try await agent.next { if case .messagesRead(ticket, cast.customerId, let seq) = $0 { seq } else { nil } } == 1)
            #expect(try await api.ticket(ticket, token: cast.customer).unreadCount == 0)
            try await customer.send(.markRead(ticketId: ticket, upToSeq: 9), ref: "bad")
            #expect(try await customer.error(ref: "bad").code == ErrorCode.invalid)
            await customer.close()
            await agent.close()
        }
    }
}
