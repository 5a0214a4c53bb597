import Foundation
import Logging
import ServiceLifecycle
import SwitchboardProtocol

/// Watches every ticket's clock: writes targets' outcomes, sends warnings and breaches, and moves
/// a ticket on when its agent let the reply time run out. Each node runs one; a ticket is
/// reviewed in one transaction holding its row (another node skips it meanwhile), and what is
/// sent is what that transaction wrote — so a deadline fires once however many nodes run, and
/// a node that dies leaves nothing undone (the ticket is still due for the others).
public actor ClockKeeper: Service {
    let store: any Store
    let policy: AssignmentPolicy
    let events: any SupportEventSink
    let interval: Duration
    let autoResolve: AutoResolve
    let logger: Logger
    private var system: UserRef?
    /// Tickets reviewed per pass at most; the rest come in the next one.
    static let batch = 200

    public init(
        store: any Store, policy: AssignmentPolicy, events: any SupportEventSink, interval: Duration,
        autoResolve: AutoResolve = AutoResolve(), logger: Logger
    ) {
        self.store = store
        self.policy = policy
        self.events = events
        self.interval = interval
        self.autoResolve = autoResolve
        self.logger = logger
    }

    private var passes = 0

    public func run() async throws {
        await repeating(every: interval) { await self.tick() }
    }

    private func tick() async {
        passes += 1
        // Another node may have saved new rules: read them again now and then.
        if passes % 10 == 0 { await reloadRules() }
        await pass(now: store.rules.clock())
    }

    func reloadRules() async {
        do {
            if let (rules, stamp) = try await TargetsService.stored(in: store, over: store.rules.rules) {
                store.rules.adopt(rules, stamp: stamp)
            }
        } catch {
            logger.error("reading the targets failed", metadata: ["error": "\(error)"])
        }
    }

    /// Reviews every ticket due by `now` (tests call this with the time they set).
    public func pass(now: Date) async {
        await logged("waking snoozed tickets") { try await wakeSnoozed(now: now) }
        if autoResolve.isOn { await logged("resolving silent chats") { try await resolveSilent(now: now) } }
        let rules = store.rules.rules
        // No targets: no clock to keep (setting some looks at every active ticket again).
        guard !rules.settings.policies.isEmpty else {
            await logged("letting due clocks go") { try await store.clearClocks(dueBy: now) }
            return
        }
        let due = await logged("finding due clocks") { try await store.dueClocks(now: now, limit: Self.batch) } ?? []
        // One ticket's failure leaves the others reviewed; it is due again on the next pass.
        for ticketId in due {
            await logged("reviewing the clock of #\(ticketId)") {
                let pass = try await store.reviewClock(ticketId: ticketId, now: now, policy: policy) { $0.review(rules, now: now) }
                if let pass { await announce(pass, rules: rules, now: now) }
            }
        }
    }

    /// Runs `work`, logging a failure (a shutdown's cancellation is no failure).
    @discardableResult
    private func logged<T>(_ what: String, _ work: () async throws -> T) async -> T? {
        do {
            return try await work()
        } catch is CancellationError {
            return nil
        } catch {
            logger.error("clock keeper: \(what) failed", metadata: ["error": "\(error)"])
            return nil
        }
    }

    /// Silent chats: warned, then resolved, each with a line both sides see; resolving frees the
    /// agent's place, and the bus's news of it lets the assigner fill it.
    private func resolveSilent(now: Date) async throws {
        for ticketId in try await store.autoResolveWarnings(now: now, rules: autoResolve) {
            guard let row = try await store.ticketRow(id: ticketId) else { continue }
            try await TargetsService.systemLine(
                autoResolve.warning(for: row.priority), on: ticketId, note: false, store: store, events: events, now: now)
        }
        let resolved = try await store.autoResolveDue(now: now, rules: autoResolve)
        guard !resolved.isEmpty else { return }
        let system = try await systemAccount()
        for (before, after) in resolved {
            let minutes = autoResolve.afterMinutes[before.priority] ?? 0
            try await TargetsService.systemLine(
                "Resolved automatically: no reply for \(minutes) minutes. Writing again reopens the chat.", on: after.id, note: false,
                store: store, events: events, now: now)
            await events.publish(.ticketChanged(before: before, after: after, by: system))
        }
    }

    /// Snoozed tickets whose time came: back where they were, their agent told (a note, and the
    /// ticket's change, which their console shows).
    private func wakeSnoozed(now: Date) async throws {
        let woken = try await store.wakeSnoozed(now: now)
        guard !woken.isEmpty else { return }
        let system = try await systemAccount()
        for (before, after) in woken {
            try await TargetsService.systemLine(
                "Back from snooze: the time it was snoozed until has come.", on: after.id, note: true, store: store, events: events,
                now: now)
            await events.publish(.ticketChanged(before: before, after: after, by: system))
        }
    }

    /// What the review wrote, told: it is done in the database, so it is told even when a part of
    /// the telling (a system line) fails.
    private func announce(_ pass: ClockPass, rules: ServiceRules, now: Date) async {
        let clock = pass.clock
        guard let system = await logged("the system account", { try await systemAccount() }) else { return }
        for (target, dueAt) in pass.review.warnings {
            logger.info("target warning", metadata: ["ticket": "\(clock.ticketId)", "target": "\(target.rawValue)"])
            await events.publish(.slaWarning(ticketId: clock.ticketId, target: target, dueAt: dueAt, agentId: clock.assignedAgentId))
        }
        for outcome in pass.written where outcome.breached {
            logger.notice("target breached", metadata: ["ticket": "\(clock.ticketId)", "target": "\(outcome.target.rawValue)"])
            await events.publish(
                .slaBreached(ticketId: clock.ticketId, target: outcome.target, at: outcome.at, agentId: clock.assignedAgentId))
        }
        if let (before, after) = pass.moved {
            // Said in the chat first, so whoever hears of the move finds why there.
            await logged("explaining the move of #\(clock.ticketId)") {
                try await explain(pass, before: before, after: after, rules: rules, now: now)
            }
            await events.publish(.ticketChanged(before: before, after: after, by: system))
            await events.publish(.ticketReassigned(ticketId: clock.ticketId, from: before.assignedAgentId, to: after.assignedAgentId))
        } else if !pass.written.isEmpty, let row = await logged("the ticket", { try await store.ticketRow(id: clock.ticketId) }) ?? nil {
            // The ticket's clocks changed on the wire (a breach, a due time gone): TICKET_UPDATED.
            await events.publish(.ticketChanged(before: row, after: row, by: system))
        }
    }

    /// A system line for both sides and an internal note saying why the ticket moved.
    private func explain(_ pass: ClockPass, before: TicketRow, after: TicketRow, rules: ServiceRules, now: Date) async throws {
        let from = try await name(before.assignedAgentId) ?? "the agent"
        let to = try await name(after.assignedAgentId)
        let minutes = rules.settings.policy(priority: before.priority, category: before.category)?.reassignAfterMinutes ?? 0
        let (line, note): (String, String)
        switch (pass.review.move, to) {
        case (.escalate?, let to?):
            line = "\(to) of our team is taking over this chat."
            note =
                "Escalated to \(to): no public reply within \(minutes) business minutes after \(rules.settings.reassignRounds) reassignments."
        case (.reassign(let round)?, let to?):
            line = "\(to) is taking over this chat."
            note =
                "Reassigned from \(from) to \(to): no public reply within \(minutes) business minutes (round \(round) of \(rules.settings.reassignRounds))."
        default:
            line = "Your chat is waiting for the next available agent."
            note = "Back to the queue: no public reply from \(from) within \(minutes) business minutes, and no other agent has room."
        }
        try await TargetsService.systemLine(line, on: after.id, note: false, store: store, events: events, now: now)
        try await TargetsService.systemLine(note, on: after.id, note: true, store: store, events: events, now: now)
    }

    private func name(_ id: Int?) async throws -> String? {
        guard let id else { return nil }
        return try await store.user(id: id)?.user.displayName
    }

    private func systemAccount() async throws -> UserRef {
        if let system { return system }
        let account = try await store.systemAccount()
        system = account
        return account
    }
}
