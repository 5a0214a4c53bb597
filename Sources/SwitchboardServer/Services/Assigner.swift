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
    /// Callers waiting for a pass that began after their trigger (a new ticket's request answers
    /// with its agent).
    private var waiting: [CheckedContinuation<Void, Never>] = []
    /// Set while a drain tells the bus of an assignment: the bus comes back here with it, and that
    /// call must not wait for the drain it is part of.
    @TaskLocal static var insideDrain = false

    public init(
        store: any Store, policy: AssignmentPolicy, events: any SupportEventSink,
        clock: @escaping @Sendable () -> Date, logger: Logger
    ) {
        self.store = store
        self.policy = policy
        self.events = events
        self.clock = clock
        self.logger = logger
    }

    public func publish(_ event: SupportEvent) async {
        if Self.mayAssign(after: event) { await drain() }
    }

    /// Whether `event` can have made a ticket wait or an agent have room: a new or deleted ticket
    /// (a deletion may free a place), an agent's status or capacity, or a change of a ticket's
    /// agent or of whether it is active. A ticket going from OPEN to IN_PROGRESS with its agent
    /// (every first reply) changes neither: drains for those — 9 000 first replies, each a write
    /// transaction on the writer that found nothing to do — held every room's messages for
    /// seconds at 10 000 sockets (docs/performance.md, 2026-12-06).
    static func mayAssign(after event: SupportEvent) -> Bool {
        switch event {
        case .ticketCreated, .agentStatusChanged, .ticketDeleted:
            true
        case .ticketChanged(let before, let after, _):
            before.assignedAgentId != after.assignedAgentId || before.status.isActive != after.status.isActive
                || (before.snoozedUntil == nil) != (after.snoozedUntil == nil)
        case .messageStored, .read, .delivered, .loginEnded, .slaWarning, .slaBreached, .ticketReassigned, .ticketRated,
            .ticketMerged, .mentioned, .webhookSwitchedOff:
            false
        }
    }

    /// Assigns until nothing more can be. A trigger that arrives meanwhile makes it look again
    /// rather than start a second drain, and waits for that look: when `publish(.ticketCreated)`
    /// returns, the new ticket has had its chance (a drain already under way had answered at once,
    /// and the ticket's own response went out without the agent it got a moment later).
    public func drain() async {
        if draining {
            again = true
            if !Self.insideDrain { await withCheckedContinuation { waiting.append($0) } }
            return
        }
        draining = true
        repeat {
            again = false
            do {
                while let (before, after) = try await store.assignNextWaiting(policy: policy, now: clock()) {
                    guard let agentId = after.assignedAgentId, let agent = try await store.user(id: agentId) else { continue }
                    logger.info("assigned", metadata: ["ticket": "\(after.id)", "agent": "\(agentId)"])
                    await Self.$insideDrain.withValue(true) {
                        await events.publish(.ticketChanged(before: before, after: after, by: agent.user.ref))
                    }
                }
            } catch {
                logger.error("auto-assignment failed", metadata: ["error": "\(error)"])
            }
        } while again
        draining = false
        let done = waiting
        waiting = []
        for caller in done { caller.resume() }
    }
}
