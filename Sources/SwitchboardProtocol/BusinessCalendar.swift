import Foundation

/// Business-time arithmetic over a `BusinessHours`: is it open now, when does it open next, what
/// is "N business minutes after" a moment, how many business minutes lie between two. A pure
/// value: every answer takes its time as an argument, so tests set the clock.
///
/// Local times are turned into instants by the time zone's own rules: a range that begins in
/// the hour skipped when clocks go forward begins when the clock reaches a real time again, and
/// in the hour repeated when they go back the first of the two is meant. An open range is real
/// time, so the night clocks go back lasts an hour longer.
public struct BusinessCalendar: Sendable {
    public let hours: BusinessHours
    private let calendar: Calendar
    /// Ranges per weekday (0: Sunday), as minutes after midnight, an end ≤ start running past midnight.
    private let ranges: [[(start: Int, end: Int)]]
    private let holidays: Set<DateComponents>

    /// How far ahead an answer is looked for: a calendar open less than this is never open.
    static let horizonDays = 800

    /// Nil when the hours have problems (`BusinessHours.problems`).
    public init?(_ hours: BusinessHours) {
        guard hours.problems.isEmpty, let zone = TimeZone(identifier: hours.timeZone) else { return nil }
        self.hours = hours
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        self.calendar = calendar
        ranges = BusinessHours.weekdays.map { day in
            (hours.week[day] ?? []).compactMap { range in
                guard let start = BusinessHours.minutes(range[0]), let end = BusinessHours.minutes(range[1]) else { return nil }
                return (start, end)
            }
        }
        holidays = Set(hours.holidays.compactMap(BusinessHours.day))
    }

    public static let alwaysOpen = BusinessCalendar(.alwaysOpen)!

    // MARK: Questions

    public func isOpen(at time: Date) -> Bool {
        nextOpening(at: time) == time
    }

    /// `time` itself when open, else the moment it opens next; nil when it never opens.
    public func nextOpening(at time: Date) -> Date? {
        openIntervals(from: time).next().map { max($0.start, time) }
    }

    /// The moment `minutes` business minutes after `time` (while closed, they start counting at
    /// the next opening); nil when the calendar never opens.
    public func date(adding minutes: Int, to time: Date) -> Date? {
        date(addingSeconds: TimeInterval(max(0, minutes) * 60), to: time)
    }

    /// The moment `seconds` business seconds after `time`.
    public func date(addingSeconds seconds: TimeInterval, to time: Date) -> Date? {
        var left = max(0, seconds)
        for interval in openIntervals(from: time) {
            let start = max(interval.start, time)
            let length = interval.end.timeIntervalSince(start)
            if left <= length { return start.addingTimeInterval(left) }
            left -= length
        }
        return nil
    }

    /// The business seconds between `start` and `end` (0 when `end` is not after `start`).
    public func businessSeconds(from start: Date, to end: Date) -> TimeInterval {
        guard end > start else { return 0 }
        var total: TimeInterval = 0
        for interval in openIntervals(from: start) {
            guard interval.start < end else { break }
            total += min(interval.end, end).timeIntervalSince(max(interval.start, start))
        }
        return total
    }

    // MARK: Open intervals

    /// The open time from `time` on, in order, as intervals that do not overlap (an overnight
    /// range running into the next day's first range gives two pieces that touch), beginning with
    /// the one that holds `time` or comes after it. Days are read as the walk reaches them, up to
    /// `horizonDays` ahead, so a question about the next hour costs a day or two.
    func openIntervals(from time: Date) -> AnyIterator<DateInterval> {
        // The day before too: its overnight range may still be open at `time`.
        let first = calendar.date(byAdding: .day, value: -1, to: calendar.startOfDay(for: time)) ?? time
        var dayOffset = 0
        var queue: [DateInterval] = []
        var openUntil = Date.distantPast
        return AnyIterator { [self] in
            while true {
                // Every range of a day starts on that day, so reading days in order and each day's
                // ranges by start gives the ranges in order of start.
                while queue.isEmpty {
                    guard dayOffset <= Self.horizonDays, let day = calendar.date(byAdding: .day, value: dayOffset, to: first)
                    else { return nil }
                    dayOffset += 1
                    queue = intervals(on: day).sorted { $0.start < $1.start }
                }
                let range = queue.removeFirst()
                let start = max(range.start, openUntil)
                guard range.end > start else { continue }
                openUntil = range.end
                if range.end > time { return DateInterval(start: start, end: range.end) }
            }
        }
    }

    /// The open intervals that begin on the local day starting at `day` (none on a holiday).
    private func intervals(on day: Date) -> [DateInterval] {
        let parts = calendar.dateComponents([.year, .month, .day, .weekday], from: day)
        guard !holidays.contains(DateComponents(year: parts.year, month: parts.month, day: parts.day)) else { return [] }
        return ranges[(parts.weekday ?? 1) - 1].compactMap { range in
            guard let start = instant(day, range.start),
                let end = range.end > range.start ? instant(day, range.end) : instant(day, range.end, nextDay: true),
                end > start
            else { return nil }
            return DateInterval(start: start, end: end)
        }
    }

    /// The local time `minutes` after midnight of `day` (or of the day after) as an instant.
    private func instant(_ day: Date, _ minutes: Int, nextDay: Bool = false) -> Date? {
        guard let base = calendar.date(byAdding: .day, value: nextDay ? 1 : 0, to: day) else { return nil }
        if minutes == 24 * 60 { return calendar.date(byAdding: .day, value: 1, to: base) }
        return calendar.date(
            bySettingHour: minutes / 60, minute: minutes % 60, second: 0, of: base, matchingPolicy: .nextTime,
            repeatedTimePolicy: .first, direction: .forward)
    }
}
