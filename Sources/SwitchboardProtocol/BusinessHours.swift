import Foundation

/// When the support team works (`GET/PUT /api/admin/business-hours`): a time zone, opening hours
/// per weekday (several ranges a day; a range that ends at or before it starts runs past
/// midnight) and holidays. A day missing from `week` is closed; no calendar at all is
/// `alwaysOpen`. A range belongs to the day it starts on, so a holiday closes the night that
/// begins on it, not the one that ends on it.
public struct BusinessHours: Codable, Equatable, Sendable {
    /// An IANA time zone name, e.g. "Europe/Berlin".
    public var timeZone: String
    /// "MON" … "SUN" → ranges of ["HH:MM", "HH:MM"] in the time zone ("24:00" ends a day).
    public var week: [String: [[String]]]
    /// Closed dates, "YYYY-MM-DD" in the time zone.
    public var holidays: [String]

    public init(timeZone: String, week: [String: [[String]]], holidays: [String] = []) {
        self.timeZone = timeZone
        self.week = week
        self.holidays = holidays
    }

    /// What "nothing set" means: open every minute of every day.
    public static let alwaysOpen = BusinessHours(
        timeZone: "UTC", week: Dictionary(uniqueKeysWithValues: weekdays.map { ($0, [["00:00", "24:00"]]) }))

    /// The weekday keys, in `Calendar`'s order (Sunday first).
    public static let weekdays = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"]

    /// What is wrong with it, as sentences by field (empty: nothing); the server refuses with
    /// these and the admin console shows them at their field.
    public var problems: [String: String] {
        var problems: [String: String] = [:]
        if TimeZone(identifier: timeZone) == nil { problems["timeZone"] = "\"\(timeZone)\" is not an IANA time zone such as Europe/Berlin" }
        for (day, ranges) in week {
            guard Self.weekdays.contains(day) else {
                problems["week"] = "\"\(day)\" is not a day: use MON, TUE, WED, THU, FRI, SAT or SUN"
                continue
            }
            for range in ranges {
                guard range.count == 2, let start = Self.minutes(range[0]), let end = Self.minutes(range[1]) else {
                    problems["week.\(day)"] = "a range is two times \"HH:MM\" from 00:00 to 24:00, e.g. [\"09:00\", \"17:30\"]"
                    continue
                }
                if start == end || start == 24 * 60 {
                    problems["week.\(day)"] = "\(range[0])–\(range[1]) is not a range of time"
                }
            }
        }
        for holiday in holidays where Self.day(holiday) == nil {
            problems["holidays"] = "\"\(holiday)\" is not a date \"YYYY-MM-DD\""
        }
        return problems
    }

    /// "HH:MM" as minutes after midnight (00:00 … 24:00); nil when it is not a time.
    public static func minutes(_ text: String) -> Int? {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2, parts[0].count == 2, parts[1].count == 2, let hour = Int(parts[0]), let minute = Int(parts[1]),
            (0...24).contains(hour), (0..<60).contains(minute), hour < 24 || minute == 0
        else { return nil }
        return hour * 60 + minute
    }

    /// "YYYY-MM-DD" as its parts; nil when it is not a date of the Gregorian calendar.
    public static func day(_ text: String) -> DateComponents? {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2, let year = Int(parts[0]),
            let month = Int(parts[1]), let day = Int(parts[2])
        else { return nil }
        let components = DateComponents(year: year, month: month, day: day)
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        guard components.isValidDate(in: calendar) else { return nil }
        return components
    }
}
