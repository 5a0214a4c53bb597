import Foundation
import Testing

@testable import SwitchboardProtocol

/// Business-time arithmetic, clock-free: every moment is given, none is read.
@Suite struct BusinessCalendarTests {
    static func at(_ text: String) -> Date { ISO8601DateFormatter().date(from: text)! }

    static let weekdays = ["MON", "TUE", "WED", "THU", "FRI"]
    static func office(_ zone: String = "Europe/Berlin", holidays: [String] = []) -> BusinessCalendar {
        BusinessCalendar(
            BusinessHours(
                timeZone: zone, week: Dictionary(uniqueKeysWithValues: weekdays.map { ($0, [["09:00", "17:30"]]) }),
                holidays: holidays))!
    }

    @Test func alwaysOpenCountsWallTime() {
        let calendar = BusinessCalendar.alwaysOpen
        let monday = Self.at("2026-12-07T03:12:00Z")
        #expect(calendar.isOpen(at: monday) && calendar.isOpen(at: Self.at("2026-12-13T23:59:59Z")))
        #expect(calendar.date(adding: 90, to: monday) == monday.addingTimeInterval(90 * 60))
        #expect(calendar.date(adding: 3 * 24 * 60, to: monday) == monday.addingTimeInterval(3 * 86_400))
        #expect(calendar.businessSeconds(from: monday, to: monday.addingTimeInterval(7_200)) == 7_200)
    }

    /// Mon–Fri 09:00–17:30 in Berlin (UTC+1 in December): the weekend does not count.
    @Test func aTargetWaitsOutTheWeekend() {
        let office = Self.office()
        let friday = Self.at("2026-12-11T16:00:00Z")  // 17:00 in Berlin
        #expect(office.isOpen(at: friday))
        #expect(office.date(adding: 60, to: friday) == Self.at("2026-12-14T08:30:00Z"))  // Monday 09:30
        // Closed: counting starts at the next opening.
        let saturday = Self.at("2026-12-12T11:00:00Z")
        #expect(!office.isOpen(at: saturday))
        #expect(office.nextOpening(at: saturday) == Self.at("2026-12-14T08:00:00Z"))
        #expect(office.date(adding: 15, to: saturday) == Self.at("2026-12-14T08:15:00Z"))
        // Friday 17:00 to Monday 10:00: half an hour on Friday, an hour on Monday.
        #expect(office.businessSeconds(from: friday, to: Self.at("2026-12-14T09:00:00Z")) == 90 * 60)
        // Exactly at closing: closed (the range's end is not in it), at opening: open.
        #expect(!office.isOpen(at: Self.at("2026-12-11T16:30:00Z")) && office.isOpen(at: Self.at("2026-12-14T08:00:00Z")))
    }

    /// Christmas Eve and Day fall on Thursday and Friday in 2026: a target set on Wednesday
    /// afternoon runs over two holidays and a weekend.
    @Test func aTargetSpansSeveralClosedDays() {
        let office = Self.office(holidays: ["2026-12-24", "2026-12-25"])
        let wednesday = Self.at("2026-12-23T16:00:00Z")  // 17:00
        #expect(!office.isOpen(at: Self.at("2026-12-24T10:00:00Z")))
        #expect(office.date(adding: 60, to: wednesday) == Self.at("2026-12-28T08:30:00Z"))  // Monday 09:30
        // Eight hours of work: the rest of Wednesday (30 min), then Monday 09:00–16:30.
        #expect(office.date(adding: 8 * 60, to: wednesday) == Self.at("2026-12-28T15:30:00Z"))
    }

    /// A night shift: Monday's 22:00–06:00 belongs to Monday and runs into Tuesday morning.
    @Test func overnightHoursRunPastMidnight() {
        let nights = BusinessCalendar(BusinessHours(timeZone: "UTC", week: ["MON": [["22:00", "06:00"]]]))!
        #expect(nights.isOpen(at: Self.at("2026-12-07T23:00:00Z")))
        #expect(nights.isOpen(at: Self.at("2026-12-08T05:59:00Z")))
        #expect(!nights.isOpen(at: Self.at("2026-12-08T06:00:00Z")))
        #expect(!nights.isOpen(at: Self.at("2026-12-08T22:30:00Z")), "Tuesday has no night of its own")
        #expect(nights.date(adding: 60, to: Self.at("2026-12-08T05:30:00Z")) == Self.at("2026-12-14T22:30:00Z"))
        #expect(nights.businessSeconds(from: Self.at("2026-12-07T00:00:00Z"), to: Self.at("2026-12-09T00:00:00Z")) == 8 * 3_600)
        // The night that begins on a holiday is closed; the one that ends on it is not.
        let holiday = BusinessCalendar(
            BusinessHours(timeZone: "UTC", week: ["MON": [["22:00", "06:00"]], "TUE": [["22:00", "06:00"]]], holidays: ["2026-12-08"]))!
        #expect(holiday.isOpen(at: Self.at("2026-12-08T05:00:00Z")) && !holiday.isOpen(at: Self.at("2026-12-08T23:00:00Z")))
    }

    /// An overnight range that runs into the next day's early range is one stretch of open time,
    /// counted once.
    @Test func rangesThatMeetOrOverlapCountOnce() {
        let calendar = BusinessCalendar(
            BusinessHours(timeZone: "UTC", week: ["MON": [["20:00", "02:00"], ["21:00", "23:00"]], "TUE": [["01:00", "03:00"]]]))!
        let monday = Self.at("2026-12-07T00:00:00Z")
        #expect(calendar.businessSeconds(from: monday, to: monday.addingTimeInterval(2 * 86_400)) == 7 * 3_600)  // 20:00–03:00
        #expect(calendar.date(adding: 6 * 60 + 30, to: monday) == Self.at("2026-12-08T02:30:00Z"))
    }

    /// Clocks go forward in Berlin on 29 March 2026 at 02:00 (to 03:00): that Sunday has 23 hours,
    /// and a range that begins in the skipped hour begins at 03:00.
    @Test func springForwardHasAnHourLess() {
        let sunday = BusinessCalendar(BusinessHours(timeZone: "Europe/Berlin", week: ["SUN": [["00:00", "24:00"]]]))!
        let midnight = Self.at("2026-03-28T23:00:00Z")  // Sunday 00:00 CET
        #expect(sunday.businessSeconds(from: midnight, to: Self.at("2026-03-29T22:00:00Z")) == 23 * 3_600)
        // 01:30 CET + 60 business minutes = 03:30 CEST (the clock skipped 02:00–03:00).
        #expect(sunday.date(adding: 60, to: Self.at("2026-03-29T00:30:00Z")) == Self.at("2026-03-29T01:30:00Z"))
        let gap = BusinessCalendar(BusinessHours(timeZone: "Europe/Berlin", week: ["SUN": [["02:30", "04:00"]]]))!
        #expect(gap.nextOpening(at: midnight) == Self.at("2026-03-29T01:00:00Z"))  // 03:00 CEST
        #expect(gap.businessSeconds(from: midnight, to: Self.at("2026-03-29T22:00:00Z")) == 3_600)
    }

    /// Clocks go back on 25 October 2026 at 03:00 (to 02:00): that Sunday has 25 hours of open time.
    @Test func fallBackHasAnHourMore() {
        let sunday = BusinessCalendar(BusinessHours(timeZone: "Europe/Berlin", week: ["SUN": [["00:00", "24:00"]]]))!
        let midnight = Self.at("2026-10-24T22:00:00Z")  // Sunday 00:00 CEST
        #expect(sunday.businessSeconds(from: midnight, to: Self.at("2026-10-25T23:00:00Z")) == 25 * 3_600)
        // 01:00 CEST + 180 business minutes = 03:00 CET (02:00–03:00 came twice).
        #expect(sunday.date(adding: 180, to: Self.at("2026-10-24T23:00:00Z")) == Self.at("2026-10-25T02:00:00Z"))
        // Monday 09:00–17:30 after the change is at UTC+1 again.
        #expect(Self.office().nextOpening(at: Self.at("2026-10-25T12:00:00Z")) == Self.at("2026-10-26T08:00:00Z"))
    }

    /// Far from UTC, the local day is another UTC day: Kiritimati (UTC+14) opens on Monday while it
    /// is still Sunday in London; Pago Pago (UTC−11) is a day behind.
    @Test func timeZonesFarFromUTC() {
        let kiritimati = Self.office("Pacific/Kiritimati")
        #expect(kiritimati.isOpen(at: Self.at("2026-12-06T19:30:00Z")))  // Monday 09:30 there, Sunday here
        #expect(!kiritimati.isOpen(at: Self.at("2026-12-11T19:30:00Z")))  // Saturday 09:30 there
        let pagoPago = Self.office("Pacific/Pago_Pago")
        #expect(pagoPago.nextOpening(at: Self.at("2026-12-12T12:00:00Z")) == Self.at("2026-12-14T20:00:00Z"))  // Monday 09:00 there
        #expect(pagoPago.isOpen(at: Self.at("2026-12-12T01:00:00Z")))  // Friday 14:00 there, Saturday in UTC
    }

    @Test func aCalendarThatNeverOpensAnswersNil() {
        let closed = BusinessCalendar(BusinessHours(timeZone: "UTC", week: [:]))!
        let now = Self.at("2026-12-07T10:00:00Z")
        #expect(closed.nextOpening(at: now) == nil && closed.date(adding: 1, to: now) == nil && !closed.isOpen(at: now))
        #expect(closed.businessSeconds(from: now, to: now.addingTimeInterval(86_400 * 30)) == 0)
    }

    @Test func badHoursAreRefusedWithASentenceAtTheirField() {
        let bad = BusinessHours(
            timeZone: "Mars/Olympus", week: ["MON": [["9:00", "17:00"]], "TUE": [["10:00", "10:00"]], "FUNDAY": [["09:00", "10:00"]]],
            holidays: ["2026-02-30"])
        let problems = bad.problems
        #expect(problems["timeZone"]?.contains("IANA") == true)
        #expect(problems["week.MON"]?.contains("HH:MM") == true)
        #expect(problems["week.TUE"]?.contains("not a range") == true)
        #expect(problems["week"]?.contains("FUNDAY") == true)
        #expect(problems["holidays"]?.contains("2026-02-30") == true)
        #expect(BusinessCalendar(bad) == nil)
        #expect(BusinessHours.minutes("24:00") == 1_440 && BusinessHours.minutes("24:01") == nil && BusinessHours.minutes("23:59") == 1_439)
        #expect(BusinessHours.alwaysOpen.problems.isEmpty)
    }

    /// The contract's shape: `{timeZone, week: {MON: [["09:00","17:30"]]}, holidays}`.
    @Test func theWireShapeIsTheContracts() throws {
        let json = #"{"timeZone":"Europe/Berlin","week":{"MON":[["09:00","17:30"]],"SUN":[]},"holidays":["2026-12-25"]}"#
        let hours = try JSONDecoder().decode(BusinessHours.self, from: Data(json.utf8))
        #expect(hours.week["MON"] == [["09:00", "17:30"]] && hours.holidays == ["2026-12-25"] && hours.problems.isEmpty)
        let again = try JSONDecoder().decode(BusinessHours.self, from: JSONEncoder().encode(hours))
        #expect(again == hours)
    }
}
