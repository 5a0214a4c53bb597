import Foundation
import Testing

@testable import SwitchboardProtocol
@testable import SwitchboardServer

/// The targets' state machine on its own: clocks as stored, rules and the time given.
@Suite struct TicketClockTests {
    /// Monday 2026-12-07 09:00 in Berlin.
    static let monday9 = Date(timeIntervalSince1970: 1_796_630_400)
    static let berlin = BusinessHours(
        timeZone: "Europe/Berlin", week: ["MON": [["09:00", "17:00"]], "TUE": [["09:00", "17:00"]]], holidays: [])
    static let rules = ServiceRules(
        settings: SLASettings(policies: [
            SLAPolicy(
                priority: .high, firstResponseMinutes: 60, nextResponseMinutes: 30, resolutionMinutes: 480, reassignAfterMinutes: 10),
            SLAPolicy(priority: .urgent, firstResponseMinutes: 15),
        ]),
        calendar: BusinessCalendar(berlin)!)

    static func clock(_ edit: (inout TicketClock) -> Void = { _ in }) -> TicketClock {
        var clock = TicketClock(
            ticketId: 1, priority: .high, category: .other, status: .open, assignedAgentId: nil, createdAt: monday9,
            waitingSince: monday9)
        edit(&clock)
        return clock
    }

    func at(_ minutes: Double, from start: Date = monday9) -> Date { start.addingTimeInterval(minutes * 60) }

    @Test func dueTimesCountInBusinessHoursOnly() throws {
        // Opened Monday 16:30: the first hour ends Tuesday 09:30, the eight hours Tuesday 16:30.
        let opened = at(450)
        let sla = try #require(
            Self.clock {
                $0.createdAt = opened
                $0.waitingSince = opened
            }.sla(Self.rules, now: opened))
        #expect(sla.firstResponseDueAt == at(24 * 60 + 30))
        #expect(sla.resolutionDueAt == at(24 * 60 + 450))
        #expect(sla.nextResponseDueAt == nil)
        #expect(!sla.paused)
        #expect(Self.clock().sla(Self.rules, now: at(9 * 60))?.paused == true)
        // No policy for the priority: no clock at all.
        #expect(Self.clock { $0.priority = .low }.sla(Self.rules, now: Self.monday9) == nil)
    }

    @Test func aWarningComesAtTheShareLeftAndNeverWhileClosed() {
        var clock = Self.clock()
        // 45 of 60 minutes gone: a quarter is left.
        #expect(clock.review(Self.rules, now: at(44)).warnings.isEmpty)
        #expect(clock.review(Self.rules, now: at(44)).nextLook == at(45))
        let review = clock.review(Self.rules, now: at(45))
        #expect(review.warnings.map(\.target) == [.firstResponse])
        #expect(review.warnings.first?.dueAt == at(60))
        clock.warned = review.warned
        #expect(clock.review(Self.rules, now: at(46)).warnings.isEmpty, "a warning goes once")
        // Opened at 16:00 with a 60-minute target: the warning share is reached at 16:45, open.
        // Looked at only at 20:00 (the server was down), the warning waits for the morning.
        var late = Self.clock {
            $0.createdAt = at(420)
            $0.waitingSince = at(420)
        }
        late.priority = .urgent  // 15 minutes: due 16:15, warned from 16:11:15
        let evening = late.review(Self.rules, now: at(660))
        #expect(evening.warnings.isEmpty && evening.outcomes.map(\.breached) == [true], "past due: a breach, not a warning")
        var opened = Self.clock {
            $0.createdAt = at(479)
            $0.waitingSince = at(479)
        }  // 16:59, 1 minute before closing
        opened.priority = .urgent
        let night = opened.review(Self.rules, now: at(600))  // 19:00: 14 of 15 minutes left, counting from the morning
        #expect(night.warnings.isEmpty)
        // 1 minute on Monday, then Tuesday from 09:00: warned at 11¼ business minutes, Tuesday 09:10:15.
        #expect(night.nextLook == at(24 * 60 + 10.25))
        let tuesday = opened.review(Self.rules, now: at(24 * 60 + 11))  // Tuesday 09:11: 3 of 15 left
        #expect(tuesday.warnings.map(\.target) == [.firstResponse])
    }

    @Test func aMissedTargetIsBreachedOnceAndStaysSo() {
        var clock = Self.clock()
        let review = clock.review(Self.rules, now: at(61))
        #expect(review.outcomes == [ClockOutcome(target: .firstResponse, startedAt: Self.monday9, breached: true, at: at(60))])
        clock.outcomes = review.outcomes
        #expect(clock.review(Self.rules, now: at(62)).outcomes.isEmpty)
        // The reply comes late: the breach stays, nothing is met.
        clock.firstResponseAt = at(70)
        clock.waitingSince = nil
        clock.status = .inProgress
        #expect(clock.review(Self.rules, now: at(71)).outcomes.isEmpty)
        #expect(clock.sla(Self.rules, now: at(71))?.breaches == [SLABreach(target: .firstResponse, at: at(60))])
        #expect(clock.sla(Self.rules, now: at(71))?.firstResponseDueAt == nil)
        // A lower priority with a longer target later does not undo it.
        clock.priority = .urgent
        #expect(clock.sla(Self.rules, now: at(72))?.breaches.count == 1)
    }

    @Test func aReplyInTimeIsMetAndTheNextWaitStartsWithTheCustomer() {
        let clock = Self.clock {
            $0.firstResponseAt = at(20)
            $0.answeredWaitSince = Self.monday9
            $0.answeredAt = at(20)
            $0.waitingSince = at(25)
            $0.status = .inProgress
        }
        let review = clock.review(Self.rules, now: at(26))
        #expect(review.outcomes == [ClockOutcome(target: .firstResponse, startedAt: Self.monday9, breached: false, at: at(20))])
        #expect(review.answeredSettled)
        #expect(clock.sla(Self.rules, now: at(26))?.nextResponseDueAt == at(55))
        // The next reply at 25 + 40 minutes: the 30-minute target was missed at 55.
        let answered = Self.clock {
            $0.firstResponseAt = at(20)
            $0.answeredWaitSince = at(25)
            $0.answeredAt = at(65)
            $0.status = .inProgress
            $0.outcomes = review.outcomes
        }
        #expect(
            answered.review(Self.rules, now: at(66)).outcomes == [
                ClockOutcome(target: .nextResponse, startedAt: at(25), breached: true, at: at(55))
            ])
    }

    @Test func resolvedAndClosedTicketsStopEveryClock() {
        let resolved = Self.clock {
            $0.status = .resolved
            $0.firstResolvedAt = at(30)
            $0.waitingSince = nil
        }
        // Hours later nothing breaches; the resolution was met at 30.
        let review = resolved.review(Self.rules, now: at(600))
        #expect(review.outcomes == [ClockOutcome(target: .resolution, startedAt: Self.monday9, breached: false, at: at(30))])
        #expect(review.nextLook == nil)
        let sla = resolved.sla(Self.rules, now: at(600))
        #expect(sla?.firstResponseDueAt == nil && sla?.resolutionDueAt == nil && sla?.nextResponseDueAt == nil)
        let closed = Self.clock {
            $0.status = .closed
            $0.waitingSince = nil
            $0.firstResolvedAt = at(5)
        }
        #expect(closed.review(Self.rules, now: at(600)).outcomes.allSatisfy { !$0.breached })
    }

    @Test func reopeningStartsANewWaitAndKeepsTheFirstResponse() {
        let reopened = Self.clock {
            $0.firstResponseAt = at(10)
            $0.firstResolvedAt = at(40)
            $0.status = .inProgress
            $0.waitingSince = at(120)
            $0.outcomes = [
                ClockOutcome(target: .firstResponse, startedAt: Self.monday9, breached: false, at: at(10)),
                ClockOutcome(target: .resolution, startedAt: Self.monday9, breached: false, at: at(40)),
            ]
        }
        let sla = reopened.sla(Self.rules, now: at(121))
        #expect(sla?.firstResponseAt == at(10))
        #expect(sla?.firstResponseDueAt == nil)
        #expect(sla?.nextResponseDueAt == at(150))
        #expect(sla?.resolutionDueAt == nil, "the resolution target is measured to the first resolution")
    }

    @Test func aPriorityChangeReadsTheDueTimesAgainFromTheTicketsHistory() {
        var clock = Self.clock()
        #expect(clock.sla(Self.rules, now: at(5))?.firstResponseDueAt == at(60))
        clock.priority = .urgent
        #expect(clock.sla(Self.rules, now: at(5))?.firstResponseDueAt == at(15))
        #expect(clock.review(Self.rules, now: at(16)).outcomes.map(\.breached) == [true])
    }

    @Test func anUnansweredAssignmentMovesOnThenEscalates() {
        var clock = Self.clock {
            $0.assignedAgentId = 7
            $0.assignedAt = at(2)
        }
        #expect(clock.sla(Self.rules, now: at(3))?.reassignDueAt == at(12))
        #expect(clock.review(Self.rules, now: at(11)).move == nil)
        #expect(clock.review(Self.rules, now: at(12)).move == .reassign(round: 1))
        clock.reassignRound = 1
        clock.assignedAt = at(12)
        #expect(clock.review(Self.rules, now: at(22)).move == .reassign(round: 2))
        clock.reassignRound = 2
        clock.assignedAt = at(22)
        #expect(clock.review(Self.rules, now: at(32)).move == .escalate)
        // Nobody waiting: no timer.
        clock.waitingSince = nil
        #expect(clock.review(Self.rules, now: at(40)).move == nil)
    }

    @Test func settingsNameTheirProblems() {
        var settings = SLASettings(policies: [SLAPolicy(priority: .high, firstResponseMinutes: 0), SLAPolicy(priority: .high)])
        settings.warnAtShare = 1.5
        #expect(Set(settings.problems.keys) == ["policies[0].firstResponseMinutes", "policies[1]", "warnAtShare"])
        #expect(SLASettings(policies: [SLAPolicy(priority: .low, category: .payment, resolutionMinutes: 60)]).problems.isEmpty)
        let narrowed = SLASettings(policies: [
            SLAPolicy(priority: .high, firstResponseMinutes: 60), SLAPolicy(priority: .high, category: .payment, firstResponseMinutes: 5),
        ])
        #expect(narrowed.policy(priority: .high, category: .payment)?.firstResponseMinutes == 5)
        #expect(narrowed.policy(priority: .high, category: .shipping)?.firstResponseMinutes == 60)
    }

    @Test func theStandingOfAClockForAQueueRow() throws {
        let calendar = Self.rules.calendar
        let policy = Self.rules.settings.policies[0]
        let sla = TicketSLA(firstResponseDueAt: at(60))
        let early = try #require(SLAStanding(sla, policy: policy, warnAtShare: 0.25, calendar: calendar, now: at(10)))
        #expect(early.shortText == "50m" && early.level == .running && !early.paused)
        #expect(SLAStanding(sla, policy: policy, warnAtShare: 0.25, calendar: calendar, now: at(46))?.level == .warning)
        let late = try #require(SLAStanding(sla, policy: policy, warnAtShare: 0.25, calendar: calendar, now: at(72)))
        #expect(late.level == .breached && late.shortText == "-12m")
        // Friday evening: the time left is business time, and the clock shows it stands still.
        let overnight = try #require(
            SLAStanding(
                TicketSLA(firstResponseDueAt: at(24 * 60 + 30)), policy: policy, warnAtShare: 0.25, calendar: calendar, now: at(480)))
        #expect(overnight.paused && overnight.shortText == "30m" && overnight.level == .running)
        #expect(SLAStanding(TicketSLA(), policy: policy, warnAtShare: 0.25, calendar: calendar, now: at(1)) == nil)
    }
}
