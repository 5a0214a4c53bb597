import Foundation
import SwitchboardProtocol

/// The targets in force and the calendar they count in: what every clock is read against.
public struct ServiceRules: Sendable, Equatable {
    public var settings: SLASettings
    public var calendar: BusinessCalendar

    public init(settings: SLASettings = .none, calendar: BusinessCalendar = .alwaysOpen) {
        self.settings = settings
        self.calendar = calendar
    }

    public static func == (a: ServiceRules, b: ServiceRules) -> Bool {
        a.settings == b.settings && a.calendar.hours == b.calendar.hours
    }
}

/// A target's outcome, once decided: it stays so in the record (a later change of priority or
/// of the targets does not rewrite it). `startedAt` names the wait it was for.
public struct ClockOutcome: Sendable, Equatable {
    public var target: SLATarget
    public var startedAt: Date
    public var breached: Bool
    /// When it was met, or when it was due (breached).
    public var at: Date
}

/// A ticket's clocks as stored on its row (`Schema.clocks`), and the rules that read them. Pure:
/// every question takes the time and the rules as inputs.
public struct TicketClock: Sendable, Equatable {
    public var ticketId: Int
    public var priority: Priority
    public var category: Category
    public var status: TicketStatus
    public var assignedAgentId: Int?
    public var createdAt: Date
    public var firstResponseAt: Date?
    public var firstResolvedAt: Date?
    public var waitingSince: Date?
    public var answeredWaitSince: Date?
    public var answeredAt: Date?
    public var assignedAt: Date?
    public var reassignRound: Int = 0
    public var reassignTried: [Int] = []
    /// Warnings sent, as `TARGET@millis-of-the-wait`.
    public var warned: Set<String> = []
    public var outcomes: [ClockOutcome] = []

    func outcome(_ target: SLATarget, startedAt: Date) -> ClockOutcome? {
        outcomes.first { $0.target == target && $0.startedAt == startedAt }
    }

    /// The wait a next-response target counts: a customer's wait that began after the first response.
    var nextWait: Date? {
        guard let waitingSince, let firstResponseAt, waitingSince >= firstResponseAt else { return nil }
        return waitingSince
    }

    // MARK: The running clocks

    /// Each target's clock: when it started, and whether it still runs (nil end) or what ended it.
    struct Run {
        var target: SLATarget
        var startedAt: Date
        /// When a reply or the resolution ended it; nil while it runs.
        var endedAt: Date?
    }

    var runs: [Run] {
        var runs: [Run] = []
        let active = status.isActive
        if firstResponseAt != nil || active {
            runs.append(Run(target: .firstResponse, startedAt: createdAt, endedAt: firstResponseAt))
        }
        if let wait = nextWait, active { runs.append(Run(target: .nextResponse, startedAt: wait, endedAt: nil)) }
        if let since = answeredWaitSince, let answeredAt, let firstResponseAt, since >= firstResponseAt, since < answeredAt {
            runs.append(Run(target: .nextResponse, startedAt: since, endedAt: answeredAt))
        }
        if firstResolvedAt != nil || active {
            runs.append(Run(target: .resolution, startedAt: createdAt, endedAt: firstResolvedAt))
        }
        return runs
    }

    /// A running clock of a ticket that is not active stops: it neither breaches nor is met.
    func stopped(_ run: Run) -> Bool { run.endedAt == nil && !status.isActive }

    // MARK: On the wire

    /// `Ticket.sla`: nil when no policy applies to the ticket.
    public func sla(_ rules: ServiceRules, now: Date) -> TicketSLA? {
        guard let policy = rules.settings.policy(priority: priority, category: category) else { return nil }
        var sla = TicketSLA(firstResponseAt: firstResponseAt, paused: !rules.calendar.isOpen(at: now))
        for run in runs where run.endedAt == nil && !stopped(run) {
            guard let minutes = policy.minutes(for: run.target) else { continue }
            let due = rules.calendar.date(adding: minutes, to: run.startedAt)
            switch run.target {
            case .firstResponse: sla.firstResponseDueAt = due
            case .nextResponse: sla.nextResponseDueAt = due
            case .resolution: sla.resolutionDueAt = due
            }
        }
        sla.breaches = outcomes.filter(\.breached).map { SLABreach(target: $0.target, at: $0.at) }.sorted { $0.at < $1.at }
        sla.reassignDueAt = reassignDue(policy: policy, rules: rules)
        return sla
    }

    /// When the assignee's time for a public reply runs out: while a customer waits on an active
    /// ticket with an agent, counted from the later of the assignment and the start of the wait.
    func reassignDue(policy: SLAPolicy, rules: ServiceRules) -> Date? {
        guard let minutes = policy.reassignAfterMinutes, status.isActive, assignedAgentId != nil,
            let waitingSince, reassignRound <= rules.settings.reassignRounds
        else { return nil }
        return rules.calendar.date(adding: minutes, to: max(assignedAt ?? createdAt, waitingSince))
    }
}

/// What the clock keeper is to do about one ticket at a moment.
public struct ClockReview: Sendable, Equatable {
    public enum Move: Sendable, Equatable {
        /// The assignee let the reply time run out: the ticket goes to another agent (this is round N).
        case reassign(round: Int)
        /// Out of rounds: to the admins.
        case escalate
    }

    /// Outcomes to write (each once: the record's key refuses a second).
    public var outcomes: [ClockOutcome] = []
    /// Warnings to send now: the target and when it is due.
    public var warnings: [(target: SLATarget, dueAt: Date)] = []
    public var warned: Set<String> = []
    public var move: Move?
    /// When to look again; nil for never (until the ticket changes).
    public var nextLook: Date?
    /// The answered wait is settled: its columns can be cleared.
    public var answeredSettled = false

    public static func == (a: ClockReview, b: ClockReview) -> Bool {
        a.outcomes == b.outcomes && a.warnings.map(\.target) == b.warnings.map(\.target)
            && a.warnings.map(\.dueAt) == b.warnings.map(\.dueAt) && a.warned == b.warned && a.move == b.move
            && a.nextLook == b.nextLook && a.answeredSettled == b.answeredSettled
    }
}

extension TicketClock {
    /// Everything due by `now`: outcomes of the clocks that ended or ran out, warnings when the
    /// warning share is reached (only while the calendar is open — a warning never comes at
    /// night), a reassignment when the reply time ran out; and when to look next.
    public func review(_ rules: ServiceRules, now: Date) -> ClockReview {
        var review = ClockReview()
        review.answeredSettled = answeredWaitSince != nil
        guard let policy = rules.settings.policy(priority: priority, category: category) else { return review }
        let calendar = rules.calendar
        let open = calendar.isOpen(at: now)
        var looks: [Date] = []
        for run in runs where !stopped(run) {
            guard let minutes = policy.minutes(for: run.target), outcome(run.target, startedAt: run.startedAt) == nil,
                let due = calendar.date(adding: minutes, to: run.startedAt)
            else { continue }
            if let ended = run.endedAt {
                let breached = ended > due
                review.outcomes.append(
                    ClockOutcome(target: run.target, startedAt: run.startedAt, breached: breached, at: breached ? due : ended))
                continue
            }
            if now >= due {
                review.outcomes.append(ClockOutcome(target: run.target, startedAt: run.startedAt, breached: true, at: due))
                continue
            }
            looks.append(due)
            let key = "\(run.target.rawValue)@\(Timestamp.millis(run.startedAt))"
            guard !warned.contains(key) else {
                review.warned.insert(key)
                continue
            }
            let warnAt = calendar.date(addingSeconds: Double(minutes * 60) * (1 - rules.settings.warnAtShare), to: run.startedAt) ?? due
            if now >= warnAt && open {
                review.warnings.append((run.target, due))
                review.warned.insert(key)
            } else {
                looks.append(now >= warnAt ? (calendar.nextOpening(at: now) ?? due) : warnAt)
            }
        }
        if let due = reassignDue(policy: policy, rules: rules) {
            if now >= due {
                review.move = reassignRound >= rules.settings.reassignRounds ? .escalate : .reassign(round: reassignRound + 1)
            } else {
                looks.append(due)
            }
        }
        review.nextLook = looks.min()
        return review
    }
}
