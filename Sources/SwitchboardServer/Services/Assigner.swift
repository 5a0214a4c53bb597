import Foundation
import Logging
import SwitchboardProtocol

/// Auto-assignment: whenever a ticket arrives or an agent may have room (came online, freed a
/// slot, got more capacity), waiting tickets go to available agents — most urgent first, then
/// oldest — until one side runs out.
public actor Assigner: SupportEventSink {
    let store: any Store
    let policy: AssignmentPolicy
    let events: any SupportEventSink
    let clock: @Sendable () -> Date
    let logger: Logger
    private var draining = false
    private var again = false

    public init(store: any Store, policy: AssignmentPolicy, events: any SupportEventSink,
                clock: @escaping @Sendable () -> Date, logger: Logger) {
        self.store = store
        self.policy = policy
        self.events = events
        self.clock = clock
        self.logger = logger
    }

    public func publish(_ event: SupportEvent) async {
        switch event {
        case .ticketCreated, .ticketChanged, .agentStatusChanged, .ticketDeleted:
            // A deleted ticket may free a place in its agent's capacity.
            await drain()
        case .messageStored, .read, .delivered, .loginEnded:
            break
        }
    }

    /// Assigns until nothing more can be. A trigger that arrives meanwhile makes it look again
    /// rather than start a second drain.
    public func drain() async {
        if draining {
            again = true
            return
        }
        draining = true
        defer { draining = false }
        repeat {
            again = false
            do {
                while let (before, after) = try await store.assignNextWaiting(policy: policy, now: clock()) {
                    guard let agentId = after.assignedAgentId, let agent = try await store.user(id: agentId) else { continue }
                    logger.info("assigned", metadata: ["ticket": "\(after.id)", "agent": "\(agentId)"])
                    await events.publish(.ticketChanged(before: before, after: after, by: agent.user.ref))
                }
            } catch {
                logger.error("auto-assignment failed", metadata: ["error": "\(error)"])
            }
        } while again
    }
}
