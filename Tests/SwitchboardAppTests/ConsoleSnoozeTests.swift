import Foundation
import SwitchboardClient
import SwitchboardProtocol
import TerminalKit
import Testing

@testable import SwitchboardApp

/// Snoozing in the console: the command read against the clock, the Snoozed section, waking.
@Suite struct ConsoleSnoozeTests {
    typealias C = ConsoleModeTests
    /// 2026-11-18 11:06:40 UTC, a Wednesday.
    let now = World.start

    @Test func theCommandIsReadAgainstTheClockAndTheCalendar() throws {
        func until(_ text: String, calendar: BusinessCalendar? = nil) throws -> Date? {
            try SnoozeTime.parse(text, now: now, calendar: calendar, timeZone: World.utc).get().snoozedUntil.given ?? nil
        }
        #expect(try until("2h") == now.addingTimeInterval(7200))
        #expect(try until("30m") == now.addingTimeInterval(1800))
        #expect(try until("tomorrow 09:00") == Timestamp.parse("2026-11-19T09:00:00Z"))
        #expect(try until("09:00") == Timestamp.parse("2026-11-19T09:00:00Z"), "09:00 has passed today")
        #expect(try until("18:30") == Timestamp.parse("2026-11-18T18:30:00Z"))
        #expect(try until("mon 09:00") == Timestamp.parse("2026-11-23T09:00:00Z"))
        #expect(try until("wed 09:00") == Timestamp.parse("2026-11-25T09:00:00Z"), "this Wednesday's 09:00 has passed")
        // Two hours of the team's time: Wednesday ends at 12:00, Thursday starts at 09:00.
        let hours = BusinessCalendar(
            BusinessHours(timeZone: "UTC", week: ["WED": [["09:00", "12:00"]], "THU": [["09:00", "17:00"]]], holidays: []))!
        #expect(try until("2h", calendar: hours) == Timestamp.parse("2026-11-19T10:06:40Z"))
        let reply = try SnoozeTime.parse("until-reply", now: now, calendar: nil, timeZone: World.utc).get()
        #expect(reply.snoozeThroughReplies == false && (reply.snoozedUntil.given ?? nil) == now.addingTimeInterval(SnoozeTime.untilReply))
        #expect(
            try SnoozeTime.parse("2h --through-replies", now: now, calendar: nil, timeZone: World.utc).get().snoozeThroughReplies == true)
        #expect(try SnoozeTime.parse("off", now: now, calendar: nil, timeZone: World.utc).get().snoozedUntil == .set(nil))
        #expect(throws: SnoozeTime.Problem.self) { try SnoozeTime.parse("soon", now: now, calendar: nil, timeZone: World.utc).get() }
        #expect(throws: SnoozeTime.Problem.self) {
            try SnoozeTime.parse("until-reply --through-replies", now: now, calendar: nil, timeZone: World.utc).get()
        }
    }

    @Test func aSnoozedTicketLeavesTheQueueForItsSectionAndComesBack() {
        var snoozed = C.ticket(1, "Lamp flickers", agent: C.me.ref, minutesAgo: 30)
        snoozed.snoozedUntil = now.addingTimeInterval(3 * 3600)
        var mode = C.console(tickets: [snoozed, C.ticket(2, "Card declined", agent: C.me.ref, minutesAgo: 5)])
        #expect(mode.sectionCounts[.mine] == 1 && mode.sectionCounts[.snoozed] == 1)
        #expect(C.lines(mode)[1].hasPrefix(" Waiting 0  Mine 1  All 1  Zz 1 "), "short titles when all do not fit")
        while mode.section != .snoozed { _ = mode.update(.key(.char("]"))) }
        let lines = C.lines(mode)
        #expect(lines.contains { $0.contains("#1 Lamp flickers") && $0.contains("wakes 14:06") }, "\(lines)")
        // It wakes: back under Mine, and said.
        var awake = snoozed
        awake.snoozedUntil = nil
        _ = mode.update(.event(.realtime(.server(.ticketUpdated(awake)))))
        #expect(mode.sectionCounts[.mine] == 2 && mode.sectionCounts[.snoozed] == 0)
        #expect(C.lines(mode).joined().contains("#1 is back from snooze (Lamp flickers)"))
        // The command, on the chosen ticket.
        mode = C.console(tickets: [C.ticket(2, "Card declined", agent: C.me.ref, minutesAgo: 5)])
        while mode.section != .mine { _ = mode.update(.key(.char("]"))) }
        let effects = ConsoleAdminTests.command("/snooze 2h --through-replies", &mode)
        #expect(
            effects == [
                .updateTicket(
                    ticketId: 2, UpdateTicketRequest(snoozedUntil: .set(now.addingTimeInterval(7200)), snoozeThroughReplies: true))
            ])
    }
}
