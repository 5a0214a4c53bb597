import Foundation

extension BusinessCalendar {
    /// When `moment` is, said from `now` in the calendar's own time zone: "today at 09:00",
    /// "tomorrow at 09:00", "on Monday 14 December at 09:00" — with the zone named.
    public func describe(_ moment: Date, from now: Date) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: hours.timeZone) ?? .gmt
        let time = Self.format("HH:mm", moment, calendar)
        let days = calendar.dateComponents([.day], from: calendar.startOfDay(for: now), to: calendar.startOfDay(for: moment)).day ?? 0
        let day: String =
            switch days {
            case 0: "today"
            case 1: "tomorrow"
            default: "on " + Self.format("EEEE d MMMM", moment, calendar)
            }
        return "\(day) at \(time) (\(hours.timeZone) time)"
    }

    private static func format(_ pattern: String, _ date: Date, _ calendar: Calendar) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_GB")
        formatter.calendar = calendar
        formatter.timeZone = calendar.timeZone
        formatter.dateFormat = pattern
        return formatter.string(from: date)
    }
}
