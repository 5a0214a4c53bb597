import Foundation
import SwitchboardClient
import SwitchboardProtocol
import TerminalKit
import Testing

@testable import SwitchboardApp

/// The tickets' clocks in the console: the queue's timers and their colours, the order by due
/// time, the chat header, the frames, and the admin's Targets page.
@Suite struct ConsoleClockTests {
    typealias C = ConsoleModeTests
    static let settings = SLASettings(policies: [
        SLAPolicy(priority: .high, firstResponseMinutes: 60), SLAPolicy(priority: .urgent, firstResponseMinutes: 20),
    ])

    static func ticket(_ id: Int, _ subject: String, priority: Priority, dueIn minutes: Double?) -> Ticket {
        var ticket = C.ticket(id, subject, priority: priority, minutesAgo: 5)
        ticket.sla = TicketSLA(firstResponseDueAt: minutes.map { World.start.addingTimeInterval($0 * 60) })
        return ticket
    }

    static func console(_ tickets: [Ticket], hours: BusinessHours = .alwaysOpen, width: Int = 120) -> ConsoleMode {
        var mode = C.console(width: width, tickets: tickets)
        _ = mode.update(.event(.targets(settings, hours, saved: false)))
        return mode
    }

    /// Where `text` starts on screen, and the style of its first cell.
    static func find(_ text: String, in mode: ConsoleMode) -> (x: Int, y: Int, style: Style)? {
        let screen = mode.view(theme: World.theme).screen
        for (y, line) in screen.lines.enumerated() {
            guard let range = line.range(of: text) else { continue }
            let x = line.distance(from: line.startIndex, to: range.lowerBound)
            return (x, y, screen[x, y].style)
        }
        return nil
    }

    @Test func eachRowShowsTheTimeLeftInTheThemesColours() throws {
        let mode = Self.console([
            Self.ticket(1, "Lamp flickers", priority: .high, dueIn: 40),
            Self.ticket(2, "Card declined", priority: .high, dueIn: 10),
            Self.ticket(3, "Refund late", priority: .urgent, dueIn: -4),
            Self.ticket(4, "No clock", priority: .medium, dueIn: nil),
        ])
        let theme = World.theme
        let calm = try #require(Self.find("⏱ 40m", in: mode))
        #expect(calm.style == theme[.accent])
        let warned = try #require(Self.find("⏱ 10m", in: mode))
        #expect(warned.style == theme[.warning].with(bold: true))
        let missed = try #require(Self.find("⏱ -4m", in: mode))
        #expect(missed.style == theme[.error].with(bold: true))
        // The wait goes below the clock; a ticket without one shows its wait as before.
        let lines = C.lines(mode)
        #expect(lines.contains { $0.contains("#4 No clock") && $0.contains(" 5m") })
        #expect(lines.contains { $0.contains("Casey Customer · payment · … 5m") }, "the wait below a clock")
        #expect(!lines.contains { $0.contains("#4 No clock") && $0.contains("⏱") })
    }

    @Test func outsideBusinessHoursTheClockStandsStill() throws {
        // The test clock stands on a Wednesday: the team works Mondays.
        let hours = BusinessHours(timeZone: "UTC", week: ["MON": [["09:00", "17:00"]]], holidays: [])
        var ticket = Self.ticket(1, "Lamp flickers", priority: .high, dueIn: nil)
        ticket.sla = TicketSLA(firstResponseDueAt: Timestamp.parse("2026-11-23T09:30:00Z"), paused: true)
        let mode = Self.console([ticket], hours: hours)
        let paused = try #require(Self.find("⏸ 30m", in: mode))
        #expect(paused.style == World.theme[.muted])
    }

    @Test func theQueueCanBeOrderedByWhatIsDueFirst() {
        var mode = Self.console([
            Self.ticket(1, "Urgent later", priority: .urgent, dueIn: 19),
            Self.ticket(2, "High sooner", priority: .high, dueIn: 3),
            Self.ticket(3, "No clock", priority: .urgent, dueIn: nil),
        ])
        #expect(mode.shownQueue.map(\.id) == [1, 3, 2], "by urgency")
        #expect(mode.update(.key(.char("o"))).isEmpty)
        #expect(mode.order == .due)
        #expect(mode.shownQueue.map(\.id) == [2, 1, 3])
        #expect(C.lines(mode).joined().contains("The queue is ordered by due time"))
        #expect(ConsoleAdminTests.command("/sort urgency", &mode).isEmpty)
        #expect(mode.shownQueue.map(\.id) == [1, 3, 2])
        _ = ConsoleAdminTests.command("/sort soon", &mode)
        #expect(C.lines(mode).joined().contains("/sort due (the soonest due target first)"))
    }

    @Test func theChatHeaderShowsTheRunningClock() {
        let mode = C.open(Self.console([Self.ticket(2, "Card declined", priority: .high, dueIn: 10)]), 2)
        #expect(C.lines(mode).contains { $0.contains("│ ⏱ first reply due in 10m · open · high · payment") })
    }

    @Test func warningsBreachesAndMovesAreSaid() {
        var mode = Self.console([Self.ticket(2, "Card declined", priority: .high, dueIn: 10)])
        let effects = mode.update(
            .event(.realtime(.server(.slaWarning(ticketId: 2, target: .firstResponse, dueAt: World.start.addingTimeInterval(600))))))
        #expect(effects.contains(.notify(title: "#2: first reply due in 10m", body: " (Card declined)")))
        #expect(C.lines(mode).joined().contains("⏱ #2 (Card declined): the first reply is due in 10m"))
        _ = mode.update(.event(.realtime(.server(.slaBreached(ticketId: 2, target: .firstResponse, at: World.start)))))
        #expect(C.lines(mode).joined().contains("⚠ #2 (Card declined): the first reply target was missed"))
        _ = mode.update(
            .event(.realtime(.server(.ticketReassigned(ticketId: 2, from: C.me.ref, to: C.sam, reason: "NO_REPLY")))))
        #expect(C.lines(mode).joined().contains("#2 went from you to Sam Second: no public reply in time"))
    }

    @Test func theAdminsTargetsPageShowsAndChangesThem() {
        var mode = ConsoleAdminTests.admin()
        let berlin = BusinessHours(
            timeZone: "Europe/Berlin", week: ["MON": [["09:00", "17:30"]], "TUE": [["09:00", "12:00"], ["13:00", "17:30"]]],
            holidays: ["2026-12-25"])
        _ = mode.update(.event(.targets(Self.settings, berlin, saved: false)))
        #expect(ConsoleAdminTests.command("/targets", &mode) == [.loadTargets])
        let text = C.lines(mode).joined(separator: "\n")
        #expect(text.contains("Business hours  Europe/Berlin · closed now — back on Monday 23 November at 09:00 (Europe/Berlin time)"))
        #expect(text.contains("Tue  09:00–12:00, 13:00–17:30"))
        #expect(text.contains("Holidays 2026-12-25"))
        #expect(text.contains("urgent    any        20m"))
        let saved = ConsoleAdminTests.command("/target urgent payment first=15 next=10 reassign=5", &mode)
        var wanted = Self.settings
        wanted.policies.append(
            SLAPolicy(priority: .urgent, category: .payment, firstResponseMinutes: 15, nextResponseMinutes: 10, reassignAfterMinutes: 5))
        #expect(saved.last == .saveSLA(wanted))
        var hours = berlin
        hours.week["SAT"] = [["10:00", "14:00"]]
        hours.week["SUN"] = [["10:00", "14:00"]]
        #expect(ConsoleAdminTests.command("/hours sat-sun 10:00-14:00", &mode).last == .saveBusinessHours(hours))
        _ = ConsoleAdminTests.command("/hours mon 9-5", &mode)
        #expect(C.lines(mode).joined().contains("9-5 is not a range such as 09:00-17:30"))
    }

    @Test func editsAreReadWithTheirMistakesNamed() throws {
        let open = BusinessHours.alwaysOpen
        #expect(try TargetEdits.hours("mon-fri 09:00-17:00", on: open).get().week.keys.sorted() == ["FRI", "MON", "THU", "TUE", "WED"])
        #expect(try TargetEdits.hours("zone Asia/Tokyo", on: open).get().timeZone == "Asia/Tokyo")
        #expect(throws: TargetEdits.Problem.self) { try TargetEdits.hours("zone Mars/Base", on: open).get() }
        #expect(try TargetEdits.hours("holiday 2026-12-25", on: open).get().holidays == ["2026-12-25"])
        let noHoliday = try? TargetEdits.hours("holiday -2026-12-25", on: TargetEdits.hours("holiday 2026-12-25", on: open).get()).get()
        #expect(noHoliday?.holidays == [])
        #expect(throws: TargetEdits.Problem.self, "a range of days runs forward") {
            try TargetEdits.hours("fri-mon 09:00-17:00", on: open).get()
        }
        let base = SLASettings.none
        #expect(
            try TargetEdits.target("high first=2h resolve=1d", on: base).get().policies == [
                SLAPolicy(priority: .high, firstResponseMinutes: 120, resolutionMinutes: 1440)
            ])
        #expect(try TargetEdits.target("warn 20%", on: base).get().warnAtShare == 0.2)
        #expect(try TargetEdits.target("rounds 3", on: base).get().reassignRounds == 3)
        let one = try TargetEdits.target("high first=30", on: base).get()
        #expect(try TargetEdits.target("high off", on: one).get().policies.isEmpty)
        #expect(throws: TargetEdits.Problem.self) { try TargetEdits.target("high soon=30", on: base).get() }
        #expect(try TargetEdits.target("notice Back {opening}, Promise.", on: base).get().afterHoursNotice == "Back {opening}, Promise.")
        #expect(TargetEdits.written(90) == "1h30m" && TargetEdits.written(2880) == "2d" && TargetEdits.written(nil) == "—")
    }
}
