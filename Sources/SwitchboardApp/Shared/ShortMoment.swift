import Foundation

/// A moment near now, short: "14:02" the same day, "Tue 14:02" within six days either way, else
/// "3 Nov" — with the year ("3 Nov 2025") when asked and it is another year. What a snooze's wake
/// and a search hit say.
enum ShortMoment {
    static func text(_ date: Date, now: Date, timeZone: TimeZone, yearIfOther: Bool = false) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_GB")
        formatter.timeZone = timeZone
        if calendar.isDate(date, inSameDayAs: now) {
            formatter.dateFormat = "HH:mm"
        } else if abs(date.timeIntervalSince(now)) < 6 * 86_400 {
            formatter.dateFormat = "EEE HH:mm"
        } else {
            let sameYear = calendar.component(.year, from: date) == calendar.component(.year, from: now)
            formatter.dateFormat = yearIfOther && !sameYear ? "d MMM yyyy" : "d MMM"
        }
        return formatter.string(from: date)
    }
}
