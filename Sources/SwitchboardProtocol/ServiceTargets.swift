import Foundation

// Service-level targets (protocol.md, "Business hours and service-level targets").

/// The three clocks of a ticket.
public enum SLATarget: String, WireEnum {
    /// From the ticket's opening to the first public reply of an agent.
    case firstResponse = "FIRST_RESPONSE"
    /// From a customer's message that waits (after the first response) to the next public reply.
    case nextResponse = "NEXT_RESPONSE"
    /// From the opening to the first time the ticket is resolved or closed.
    case resolution = "RESOLUTION"
}

/// The targets of one priority, optionally narrowed to one category. Minutes are business
/// minutes; a target left out is no target.
public struct SLAPolicy: Codable, Equatable, Sendable {
    public var priority: Priority
    public var category: Category?
    public var firstResponseMinutes: Int?
    public var nextResponseMinutes: Int?
    public var resolutionMinutes: Int?
    /// The assignee's time for a public reply while a customer waits; then the ticket moves on.
    public var reassignAfterMinutes: Int?

    public init(
        priority: Priority, category: Category? = nil, firstResponseMinutes: Int? = nil, nextResponseMinutes: Int? = nil,
        resolutionMinutes: Int? = nil, reassignAfterMinutes: Int? = nil
    ) {
        self.priority = priority
        self.category = category
        self.firstResponseMinutes = firstResponseMinutes
        self.nextResponseMinutes = nextResponseMinutes
        self.resolutionMinutes = resolutionMinutes
        self.reassignAfterMinutes = reassignAfterMinutes
    }

    public func minutes(for target: SLATarget) -> Int? {
        switch target {
        case .firstResponse: firstResponseMinutes
        case .nextResponse: nextResponseMinutes
        case .resolution: resolutionMinutes
        }
    }
}

/// `GET/PUT /api/admin/sla`, and the config file's `sla`.
public struct SLASettings: Codable, Equatable, Sendable {
    public var policies: [SLAPolicy]
    /// A warning goes out when this share of a target's time is left (0.25: a quarter).
    public var warnAtShare: Double
    /// Reassignments for want of a reply before the ticket is escalated to admins instead.
    public var reassignRounds: Int
    /// The line a customer gets when writing outside business hours (an addition); `{opening}`
    /// stands for when the team is back.
    public var afterHoursNotice: String

    public static let defaultNotice = "Our team is away right now and will be back {opening}. We will answer you then."
    /// No targets at all.
    public static let none = SLASettings(policies: [])

    public init(policies: [SLAPolicy], warnAtShare: Double = 0.25, reassignRounds: Int = 2, afterHoursNotice: String = defaultNotice) {
        self.policies = policies
        self.warnAtShare = warnAtShare
        self.reassignRounds = reassignRounds
        self.afterHoursNotice = afterHoursNotice
    }

    enum CodingKeys: String, CodingKey { case policies, warnAtShare, reassignRounds, afterHoursNotice }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            policies: try c.decodeIfPresent([SLAPolicy].self, forKey: .policies) ?? [],
            warnAtShare: try c.decodeIfPresent(Double.self, forKey: .warnAtShare) ?? 0.25,
            reassignRounds: try c.decodeIfPresent(Int.self, forKey: .reassignRounds) ?? 2,
            afterHoursNotice: try c.decodeIfPresent(String.self, forKey: .afterHoursNotice) ?? Self.defaultNotice)
    }

    /// The policy for a ticket: the one naming its priority and category, else its priority alone.
    public func policy(priority: Priority, category: Category) -> SLAPolicy? {
        policies.first { $0.priority == priority && $0.category == category }
            ?? policies.first { $0.priority == priority && $0.category == nil }
    }

    /// What is wrong, as sentences by field (`policies[1].firstResponseMinutes`); empty when all is well.
    public var problems: [String: String] {
        var problems: [String: String] = [:]
        let week = 7 * 24 * 60 * 60
        for (index, policy) in policies.enumerated() {
            let fields: [(String, Int?)] = [
                ("firstResponseMinutes", policy.firstResponseMinutes), ("nextResponseMinutes", policy.nextResponseMinutes),
                ("resolutionMinutes", policy.resolutionMinutes), ("reassignAfterMinutes", policy.reassignAfterMinutes),
            ]
            for (name, minutes) in fields {
                if let minutes, !(1...week).contains(minutes) {
                    problems["policies[\(index)].\(name)"] = "a number of business minutes from 1 to \(week), or left out for no target"
                }
            }
            let twin = policies[..<index].contains { $0.priority == policy.priority && $0.category == policy.category }
            if twin {
                let which = policy.category.map { " and category \($0.rawValue)" } ?? ""
                problems["policies[\(index)]"] = "a second policy for priority \(policy.priority.rawValue)\(which)"
            }
        }
        if !(warnAtShare >= 0.01 && warnAtShare <= 0.99) { problems["warnAtShare"] = "a share of the time from 0.01 to 0.99, such as 0.25" }
        if !(0...10).contains(reassignRounds) { problems["reassignRounds"] = "from 0 to 10 reassignments before escalating" }
        if afterHoursNotice.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty || afterHoursNotice.count > 500 {
            problems["afterHoursNotice"] = "a sentence of 1 to 500 characters"
        }
        return problems
    }
}

public struct SLABreach: Codable, Equatable, Sendable {
    public var target: SLATarget
    public var at: Date

    public init(target: SLATarget, at: Date) {
        self.target = target
        self.at = at
    }
}

/// `Ticket.sla`: a ticket's clocks as they stand. Due times are null when that clock is not
/// running (met, no target, or the ticket resolved or closed).
public struct TicketSLA: Codable, Equatable, Sendable {
    @Nullable public var firstResponseDueAt: Date?
    @Nullable public var firstResponseAt: Date?
    @Nullable public var nextResponseDueAt: Date?
    @Nullable public var resolutionDueAt: Date?
    public var breaches: [SLABreach]
    /// Outside business hours: no clock runs.
    public var paused: Bool
    /// When the assignee's time for a reply runs out and the ticket moves on (an addition).
    @Nullable public var reassignDueAt: Date?

    public init(
        firstResponseDueAt: Date? = nil, firstResponseAt: Date? = nil, nextResponseDueAt: Date? = nil, resolutionDueAt: Date? = nil,
        breaches: [SLABreach] = [], paused: Bool = false, reassignDueAt: Date? = nil
    ) {
        self.firstResponseDueAt = firstResponseDueAt
        self.firstResponseAt = firstResponseAt
        self.nextResponseDueAt = nextResponseDueAt
        self.resolutionDueAt = resolutionDueAt
        self.breaches = breaches
        self.paused = paused
        self.reassignDueAt = reassignDueAt
    }

    enum CodingKeys: String, CodingKey {
        case firstResponseDueAt, firstResponseAt, nextResponseDueAt, resolutionDueAt, breaches, paused, reassignDueAt
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            firstResponseDueAt: try c.decodeIfPresent(Date.self, forKey: .firstResponseDueAt),
            firstResponseAt: try c.decodeIfPresent(Date.self, forKey: .firstResponseAt),
            nextResponseDueAt: try c.decodeIfPresent(Date.self, forKey: .nextResponseDueAt),
            resolutionDueAt: try c.decodeIfPresent(Date.self, forKey: .resolutionDueAt),
            breaches: try c.decodeIfPresent([SLABreach].self, forKey: .breaches) ?? [],
            paused: try c.decodeIfPresent(Bool.self, forKey: .paused) ?? false,
            reassignDueAt: try c.decodeIfPresent(Date.self, forKey: .reassignDueAt))
    }

    /// The running clocks, soonest first.
    public var dues: [(target: SLATarget, at: Date)] {
        let all: [(SLATarget, Date?)] = [
            (.firstResponse, firstResponseDueAt), (.nextResponse, nextResponseDueAt), (.resolution, resolutionDueAt),
        ]
        return all.compactMap { target, at in at.map { (target, $0) } }.sorted { $0.1 < $1.1 }
    }

    public func isBreached(_ target: SLATarget) -> Bool { breaches.contains { $0.target == target } }
}

/// How a ticket's nearest clock stands at a moment, for a screen: which target, how many
/// business seconds are left (negative once past), and how urgent that is.
public struct SLAStanding: Equatable, Sendable {
    public enum Level: Sendable, Equatable { case running, warning, breached }

    public var target: SLATarget
    public var dueAt: Date
    public var secondsLeft: Int
    public var level: Level
    /// Outside business hours: the clock stands still.
    public var paused: Bool

    /// Nil when no clock runs. `share` is the warning share; `minutes` the target's length.
    public init?(_ sla: TicketSLA, policy: SLAPolicy?, warnAtShare: Double, calendar: BusinessCalendar, now: Date) {
        guard let (target, dueAt) = sla.dues.first else { return nil }
        self.target = target
        self.dueAt = dueAt
        paused = !calendar.isOpen(at: now)
        if now >= dueAt {
            secondsLeft = -Int(now.timeIntervalSince(dueAt))
            level = .breached
        } else {
            secondsLeft = Int(calendar.businessSeconds(from: now, to: dueAt).rounded(.up))
            let length = (policy?.minutes(for: target) ?? 0) * 60
            let warned = length > 0 && Double(secondsLeft) <= warnAtShare * Double(length)
            level = sla.isBreached(target) ? .breached : warned ? .warning : .running
        }
    }

    /// `12m`, `1h05m`, `2d3h`, `-4m` once past: short enough for a queue row.
    public var shortText: String {
        let seconds = abs(secondsLeft)
        let minutes = (seconds + 59) / 60
        let text: String
        if minutes < 60 {
            text = "\(minutes)m"
        } else if minutes < 24 * 60 {
            text = minutes % 60 == 0 ? "\(minutes / 60)h" : "\(minutes / 60)h\(String(format: "%02d", minutes % 60))m"
        } else {
            text = "\(minutes / (24 * 60))d\((minutes % (24 * 60)) / 60)h"
        }
        return secondsLeft < 0 ? "-" + text : text
    }
}
