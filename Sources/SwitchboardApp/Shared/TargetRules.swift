import Foundation
import SwitchboardProtocol

/// The service-level targets and the business hours they count in, as the console read them
/// from the server: what turns a ticket's due times into `⏱ 12m` and its colour.
public struct TargetRules: Equatable, Sendable {
    public let settings: SLASettings
    public let hours: BusinessHours
    public let calendar: BusinessCalendar

    public init(settings: SLASettings, hours: BusinessHours) {
        self.settings = settings
        self.hours = hours
        calendar = BusinessCalendar(hours) ?? .alwaysOpen
    }

    public static func == (a: TargetRules, b: TargetRules) -> Bool { a.settings == b.settings && a.hours == b.hours }

    /// How the ticket's nearest clock stands now; nil when none runs.
    public func standing(_ ticket: Ticket, now: Date) -> SLAStanding? {
        guard let sla = ticket.sla, ticket.status.isActive else { return nil }
        return SLAStanding(
            sla, policy: settings.policy(priority: ticket.priority, category: ticket.category), warnAtShare: settings.warnAtShare,
            calendar: calendar, now: now)
    }
}

extension SLATarget {
    /// "first reply", "next reply", "resolution".
    public var word: String {
        switch self {
        case .firstResponse: "first reply"
        case .nextResponse: "next reply"
        case .resolution: "resolution"
        }
    }
}

extension SLAStanding {
    /// `⏱` while the clock runs, `⏸` while the team is away.
    public var mark: String { paused ? "⏸" : "⏱" }

    /// `⏱ 12m`, `⏱ -4m` once past, `⏸ 12m` while the team is away.
    public var rowText: String { mark + " " + shortText }

    /// For the chat header: "first reply due in 12m", "next reply 4m late", "(paused: outside business hours)".
    public var sentence: String {
        let when = secondsLeft < 0 ? "\(shortText.dropFirst()) late" : "due in \(shortText)"
        return "\(target.word) \(when)" + (paused ? " (paused: outside business hours)" : "")
    }
}
