import Foundation
import SwitchboardProtocol

/// `/hours …` and `/target …` read into new business hours and targets: pure, so the page's
/// grammar is tested without a server (which checks the result again, and names what is wrong).
enum TargetEdits {
    /// What is wrong with what was typed, as a sentence.
    struct Problem: Error, Equatable {
        var sentence: String
        init(_ sentence: String) { self.sentence = sentence }
    }

    static let days = BusinessHours.weekdays  // SUN first
    static let weekOrder = ["MON", "TUE", "WED", "THU", "FRI", "SAT", "SUN"]

    /// `mon-fri 09:00-17:30 [13:00-14:00 …]`, `sat closed`, `zone Europe/Berlin`,
    /// `holiday 2026-12-25` (`holiday -2026-12-25` takes one away), `always` (open all the time).
    static func hours(_ argument: String, on current: BusinessHours) -> Result<BusinessHours, Problem> {
        let words = argument.split(separator: " ").map(String.init)
        guard let first = words.first?.lowercased() else { return .failure(Problem(hoursUsage)) }
        var hours = current
        switch first {
        case "always":
            return .success(BusinessHours.alwaysOpen)
        case "zone":
            guard words.count == 2 else { return .failure(Problem("/hours zone Europe/Berlin — an IANA time zone")) }
            guard TimeZone(identifier: words[1]) != nil else {
                return .failure(Problem("\(words[1]) is not a time zone (such as Europe/Berlin)"))
            }
            hours.timeZone = words[1]
        case "holiday":
            guard words.count == 2 else { return .failure(Problem("/hours holiday 2026-12-25 (or -2026-12-25 to take it away)")) }
            let removing = words[1].hasPrefix("-")
            let date = removing ? String(words[1].dropFirst()) : words[1]
            guard BusinessHours.day(date) != nil else { return .failure(Problem("\(date) is not a date (YYYY-MM-DD)")) }
            hours.holidays.removeAll { $0 == date }
            if !removing { hours.holidays = (hours.holidays + [date]).sorted() }
        default:
            guard let chosen = dayRange(first) else { return .failure(Problem(hoursUsage)) }
            let rest = Array(words.dropFirst())
            var ranges: [[String]] = []
            if rest.map({ $0.lowercased() }) != ["closed"] {
                guard !rest.isEmpty else { return .failure(Problem("\(first): give ranges (09:00-17:30) or closed")) }
                for word in rest {
                    let ends = word.split(separator: "-").map(String.init)
                    guard ends.count == 2, BusinessHours.minutes(ends[0]) != nil, BusinessHours.minutes(ends[1]) != nil else {
                        return .failure(Problem("\(word) is not a range such as 09:00-17:30"))
                    }
                    ranges.append(ends)
                }
            }
            // From always open, naming some days closes the others.
            if hours.week == BusinessHours.alwaysOpen.week { hours.week = [:] }
            for day in chosen { hours.week[day] = ranges }
        }
        return .success(hours)
    }

    static let hoursUsage =
        "/hours mon-fri 09:00-17:30 · /hours sat closed · /hours zone Europe/Berlin · /hours holiday 2026-12-25 · /hours always"

    /// `mon`, `mon-fri`, `sat,sun`, `all`: the weekdays named, as the wire spells them.
    static func dayRange(_ word: String) -> [String]? {
        if word == "all" { return weekOrder }
        var chosen: [String] = []
        for part in word.split(separator: ",") {
            let ends = part.split(separator: "-").map { $0.uppercased() }
            guard let start = ends.first.flatMap({ weekOrder.firstIndex(of: String($0.prefix(3))) }),
                let end = (ends.count == 2 ? ends.last : ends.first).flatMap({ weekOrder.firstIndex(of: String($0.prefix(3))) }),
                ends.count <= 2, start <= end
            else { return nil }
            chosen += weekOrder[start...end]
        }
        return chosen.isEmpty ? nil : chosen
    }

    /// `high [payment] first=30 next=15 resolve=480 reassign=10` (minutes; `2h`, `1d` too),
    /// `high [payment] off`, `warn 0.25`, `rounds 2`, `notice TEXT` (the away line; `{opening}`).
    static func target(_ argument: String, on current: SLASettings) -> Result<SLASettings, Problem> {
        var words = argument.split(separator: " ").map { $0.lowercased() }
        guard let first = words.first else { return .failure(Problem(targetUsage)) }
        var settings = current
        if first == "notice" {
            // The customer's line outside business hours, as written (its case kept).
            let text = argument.trimmingCharacters(in: .whitespaces).dropFirst("notice".count).trimmingCharacters(in: .whitespaces)
            guard !text.isEmpty else { return .failure(Problem("/target notice TEXT — {opening} says when the team is back")) }
            settings.afterHoursNotice = text
            return .success(settings)
        }
        if first == "warn" {
            guard words.count == 2, let share = Double(words[1].trimmingCharacters(in: CharacterSet(charactersIn: "%"))) else {
                return .failure(Problem("/target warn 0.25 — warn when that share of the time is left (or 25%)"))
            }
            settings.warnAtShare = words[1].hasSuffix("%") || share > 1 ? share / 100 : share
            return .success(settings)
        }
        if first == "rounds" {
            guard words.count == 2, let rounds = Int(words[1]) else {
                return .failure(Problem("/target rounds 2 — reassignments before the admins"))
            }
            settings.reassignRounds = rounds
            return .success(settings)
        }
        guard let priority = Priority(word: first) else { return .failure(Problem(targetUsage)) }
        words.removeFirst()
        var category: SwitchboardProtocol.Category?
        if let word = words.first, let named = SwitchboardProtocol.Category(word: word) {
            category = named
            words.removeFirst()
        }
        let index = settings.policies.firstIndex { $0.priority == priority && $0.category == category }
        if words == ["off"] {
            if let index { settings.policies.remove(at: index) }
            return .success(settings)
        }
        guard !words.isEmpty else { return .failure(Problem(targetUsage)) }
        var policy = index.map { settings.policies[$0] } ?? SLAPolicy(priority: priority, category: category)
        for word in words {
            let parts = word.split(separator: "=").map(String.init)
            guard parts.count == 2 else { return .failure(Problem("\(word): write it as first=30")) }
            let minutes: Int?
            if parts[1] == "off" || parts[1] == "none" {
                minutes = nil
            } else {
                guard let value = Self.minutes(parts[1]) else { return .failure(Problem("\(parts[1]) is not a time (30, 45m, 2h, 1d)")) }
                minutes = value
            }
            switch parts[0] {
            case "first": policy.firstResponseMinutes = minutes
            case "next": policy.nextResponseMinutes = minutes
            case "resolve", "resolution": policy.resolutionMinutes = minutes
            case "reassign": policy.reassignAfterMinutes = minutes
            default: return .failure(Problem("\(parts[0]) is none of first, next, resolve, reassign"))
            }
        }
        if let index { settings.policies[index] = policy } else { settings.policies.append(policy) }
        return .success(settings)
    }

    static let targetUsage =
        "/target high [payment] first=30 next=15 resolve=8h reassign=10 · /target high off · /target warn 0.25 · /target rounds 2"

    /// `30`, `45m`, `2h`, `1d`: minutes.
    static func minutes(_ text: String) -> Int? {
        let units: [(String, Int)] = [("d", 1440), ("h", 60), ("m", 1)]
        for (unit, factor) in units where text.hasSuffix(unit) {
            return Int(text.dropLast()).map { $0 * factor }
        }
        return Int(text)
    }

    /// `15m`, `2h`, `1h30m`, `3d`: how the page writes minutes; `—` for none.
    static func written(_ minutes: Int?) -> String {
        guard let minutes else { return "—" }
        if minutes % 1440 == 0 { return "\(minutes / 1440)d" }
        if minutes >= 60 { return minutes % 60 == 0 ? "\(minutes / 60)h" : "\(minutes / 60)h\(minutes % 60)m" }
        return "\(minutes)m"
    }
}
