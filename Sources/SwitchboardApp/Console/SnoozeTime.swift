import Foundation
import SwitchboardProtocol

/// `/snooze 2h`, `/snooze 30m`, `/snooze tomorrow 09:00`, `/snooze 09:00`, `/snooze mon 09:00`,
/// `/snooze until-reply`, `/snooze off`, each with `--through-replies` allowed: read into the
/// ticket change. Durations count in the business calendar when one is set (two hours of work,
/// not of clock); times of day are the calendar's zone's, else the console's. Pure.
enum SnoozeTime {
    struct Problem: Error, Equatable {
        var sentence: String
        init(_ sentence: String) { self.sentence = sentence }
    }

    static let usage =
        "/snooze 2h · /snooze tomorrow 09:00 · /snooze mon 09:00 · /snooze until-reply · /snooze off — add --through-replies to keep it snoozed when the customer writes"

    /// "Until the customer writes" is this far ahead: the longest snooze the server takes, less a minute.
    static let untilReply: TimeInterval = 90 * 86_400 - 60

    static func parse(
        _ argument: String, now: Date, calendar: BusinessCalendar?, timeZone: TimeZone
    ) -> Result<UpdateTicketRequest, Problem> {
        var words = argument.split(separator: " ").map { $0.lowercased() }
        let through = words.contains("--through-replies")
        words.removeAll { $0 == "--through-replies" }
        guard let first = words.first else { return .failure(Problem(usage)) }
        if first == "off" || first == "wake" {
            return .success(UpdateTicketRequest(snoozedUntil: .set(nil)))
        }
        let until: Date
        if first == "until-reply" {
            guard !through else { return .failure(Problem("until-reply wakes when the customer writes: leave out --through-replies")) }
            until = now.addingTimeInterval(untilReply)
        } else if let minutes = words.count == 1 ? TargetEdits.minutes(first) : nil, minutes > 0, first.last?.isLetter == true {
            let open = calendar.flatMap { $0.hours == .alwaysOpen ? nil : $0 }
            until = open?.date(adding: minutes, to: now) ?? now.addingTimeInterval(TimeInterval(minutes * 60))
        } else {
            guard let at = moment(words, now: now, timeZone: calendar.flatMap { TimeZone(identifier: $0.hours.timeZone) } ?? timeZone)
            else { return .failure(Problem(usage)) }
            until = at
        }
        guard until > now else { return .failure(Problem("That time has passed: snooze to a time to come")) }
        return .success(UpdateTicketRequest(snoozedUntil: .set(until), snoozeThroughReplies: through))
    }

    /// `09:00` (today, else tomorrow), `tomorrow 09:00`, `mon 09:00` (the next Monday).
    static func moment(_ words: [String], now: Date, timeZone: TimeZone) -> Date? {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        guard let clock = words.last, let minutes = BusinessHours.minutes(clock), minutes < 24 * 60 else { return nil }
        let day = words.count == 2 ? words[0] : nil
        let today = calendar.startOfDay(for: now)
        func at(_ start: Date) -> Date? { calendar.date(byAdding: .minute, value: minutes, to: start) }
        switch day {
        case nil:
            guard let time = at(today) else { return nil }
            return time > now ? time : calendar.date(byAdding: .day, value: 1, to: today).flatMap(at)
        case "today": return at(today)
        case "tomorrow": return calendar.date(byAdding: .day, value: 1, to: today).flatMap(at)
        default:
            let names = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"]
            guard let day, let wanted = names.firstIndex(of: String(day.prefix(3))) else { return nil }
            let weekday = calendar.component(.weekday, from: now) - 1
            let ahead = (wanted - weekday + 7) % 7
            guard let date = calendar.date(byAdding: .day, value: ahead, to: today).flatMap(at) else { return nil }
            return date > now ? date : calendar.date(byAdding: .day, value: 7, to: date)
        }
    }

    /// "wakes 14:00", "wakes Tue 09:00", "until a reply": for a queue row.
    static func wakeText(_ until: Date, now: Date, timeZone: TimeZone) -> String {
        if until.timeIntervalSince(now) > 60 * 86_400 { return "until a reply" }
        return "wakes " + ShortMoment.text(until, now: now, timeZone: timeZone)
    }
}
