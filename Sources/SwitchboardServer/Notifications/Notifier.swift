import Foundation
import Logging
import ServiceLifecycle
import SwitchboardProtocol

/// Email for people who are away: a customer offline when an agent replies, an agent offline
/// when a ticket is assigned to them. Events are only queued here; a service sends them, so a
/// slow or broken relay never holds up chat. Mail that fails is logged and dropped.
public final class Notifier: SupportEventSink, Service {
    enum Job: Sendable {
        case reply(Message)
        case assigned(ticketId: Int, agentId: Int)
    }

    let store: any Store
    let client: SMTPClient
    let logger: Logger
    private let queue: AsyncStream<Job>
    private let continuation: AsyncStream<Job>.Continuation

    public init(store: any Store, smtp: SMTPConfiguration, logger: Logger) {
        self.store = store
        client = SMTPClient(configuration: smtp)
        self.logger = logger
        (queue, continuation) = AsyncStream<Job>.makeStream(bufferingPolicy: .bufferingNewest(10_000))
    }

    public func publish(_ event: SupportEvent) async {
        switch event {
        // (What a merge brought over was mailed when it was written.)
        case .messageStored(let message, _) where message.senderType == .agent && !message.internal && message.mergedFromTicketId == nil:
            continuation.yield(.reply(message))
        case .ticketChanged(let before, let after, _) where after.assignedAgentId != before.assignedAgentId:
            if let agentId = after.assignedAgentId { continuation.yield(.assigned(ticketId: after.id, agentId: agentId)) }
        default:
            break
        }
    }

    public func run() async throws {
        for await job in queue.cancelOnGracefulShutdown() {
            do {
                if let mail = try await mail(for: job) { try await client.send(mail) }
            } catch {
                logger.warning("notification mail not sent", metadata: ["error": "\(error)"])
            }
        }
    }

    /// The mail a job calls for, if its recipient is away and has an address.
    func mail(for job: Job) async throws -> Mail? {
        switch job {
        case .reply(let message):
            guard let ticket = try await store.ticketRow(id: message.ticketId),
                let customer = try await store.user(id: ticket.customerId)?.user,
                !customer.isOnline, let email = customer.email
            else { return nil }
            return Mail(
                to: email, subject: "Re: [#\(ticket.id)] \(ticket.subject)",
                body: """
                    \(message.sender.displayName) replied on your ticket #\(ticket.id), "\(ticket.subject)":

                    \(message.message)

                    Open Switchboard to answer.
                    """)
        case .assigned(let ticketId, let agentId):
            guard let ticket = try await store.ticketRow(id: ticketId),
                let agent = try await store.user(id: agentId)?.user,
                !agent.isOnline, let email = agent.email
            else { return nil }
            return Mail(
                to: email, subject: "[#\(ticket.id)] assigned to you: \(ticket.subject)",
                body: """
                    Ticket #\(ticket.id), "\(ticket.subject)" (\(ticket.priority.rawValue), \(ticket.category.rawValue)), \
                    is now yours.

                    Open the Switchboard console to pick it up.
                    """)
        }
    }
}
