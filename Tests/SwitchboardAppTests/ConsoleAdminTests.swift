import Foundation
import SwitchboardClient
import SwitchboardProtocol
import TerminalKit
import Testing

@testable import SwitchboardApp

@Suite struct ConsoleAdminTests {
    typealias C = ConsoleModeTests
    static let boss = User(
        id: 1, username: "ada", displayName: "Ada Admin", role: .admin, isOnline: true, lastSeenAt: nil,
        agentStatus: .online, capacity: 5, email: nil)

    static func admin(width: Int = 120, height: Int = 40) -> ConsoleMode {
        var mode = ConsoleMode(server: "http://127.0.0.1:8080", username: "ada", signingIn: true, size: (width, height), now: World.start)
        mode.timeZone = World.utc
        _ = mode.update(.event(.signedIn(boss)))
        _ = mode.update(.event(.tickets([])))
        _ = mode.update(.event(.connection(.connected)))
        return mode
    }

    static func command(_ text: String, _ mode: inout ConsoleMode) -> [Effect] {
        for c in text { _ = mode.update(.key(.char(c))) }
        return mode.update(.key(.enter))
    }

    static let figures = Dashboard(
        openTickets: 12, inProgressTickets: 4, resolvedToday: 7, unassignedTickets: 3, activeSessions: 5,
        agentsOnline: 2, avgFirstResponseSeconds: 252, avgResolutionSeconds: 3_780,
        ticketsByCategory: ["PAYMENT": 16, "SHIPPING": 8, "ACCOUNT": 4, "RETURNS": 0, "TECHNICAL": 2, "OTHER": 1],
        ticketsByPriority: ["LOW": 1, "MEDIUM": 10, "HIGH": 5, "URGENT": 2])

    @Test func anAgentIsToldTheViewsAreForAdmins() {
        var mode = C.console(tickets: [])
        #expect(Self.command("/dashboard", &mode).isEmpty)
        #expect(mode.admin == nil)
        #expect(C.lines(mode).joined().contains("/dashboard is for admins; you are signed in as an agent."))
        #expect(mode.update(.key(Key(.function(7)))).isEmpty)
    }

    @Test func theDashboardShowsEveryFigureWithProportionalBars() {
        var mode = Self.admin()
        #expect(mode.update(.key(Key(.function(7)))) == [.loadDashboard])
        _ = mode.update(.event(.dashboard(Self.figures)))
        let lines = C.lines(mode)
        let text = lines.joined(separator: "\n")
        for figure in ["Open", "In progress", "Resolved today", "Unassigned", "Active sessions", "Agents online"] {
            #expect(text.contains(figure))
        }
        #expect(text.contains("First response") && text.contains("4m 12s") && text.contains("1h 3m"))
        /// The bar right after `label` on its row, in eighths of a column.
        func bar(_ label: String) -> Int {
            for line in lines {
                let words = line.split(separator: " ").map(String.init)
                guard let at = words.firstIndex(of: label) else { continue }
                let next = words.indices.contains(at + 1) ? words[at + 1] : ""
                return next.allSatisfy { "▏▎▍▌▋▊▉█".contains($0) } ? Self.eighths(next) : 0
            }
            return -1
        }
        let payment = bar("payment"), shipping = bar("shipping"), account = bar("account"), returns = bar("returns")
        #expect(payment > 0 && abs(shipping * 2 - payment) <= 1 && abs(account * 4 - payment) <= 2, "\(payment) \(shipping) \(account)")
        #expect(returns == 0)
        #expect(text.contains("payment") && text.contains(" 16") && text.contains("urgent"))
    }

    static func eighths(_ bar: String) -> Int {
        bar.reduce(0) { total, c in total + (c == "█" ? 8 : (["▏", "▎", "▍", "▌", "▋", "▊", "▉"].firstIndex(of: String(c)) ?? -1) + 1) }
    }

    @Test func theDashboardIsAskedAgainOnChangesAtMostOnceASecond() {
        var mode = Self.admin()
        _ = mode.update(.key(Key(.function(7))))
        _ = mode.update(.event(.dashboard(Self.figures)))
        let ticket = C.ticket(9, "New", minutesAgo: 0)
        let first = mode.update(.event(.realtime(.server(.ticketCreated(ticket)))))
        #expect(!first.contains(.loadDashboard), "within a second of the last load")
        let later = mode.update(.tick(World.start.addingTimeInterval(1.2)))
        #expect(later.filter { $0 == .loadDashboard }.count == 1)
        _ = mode.update(.event(.realtime(.server(.ticketUpdated(ticket)))))
        _ = mode.update(.event(.realtime(.server(.ticketUpdated(ticket)))))
        #expect(!mode.update(.tick(World.start.addingTimeInterval(1.6))).contains(.loadDashboard))
        #expect(mode.update(.tick(World.start.addingTimeInterval(2.3))).filter { $0 == .loadDashboard }.count == 1)
        #expect(!mode.update(.tick(World.start.addingTimeInterval(9))).contains(.loadDashboard), "no change, no poll")
    }

    @Test func agentsShowTheirLoadAndTakeStatusAndCapacity() {
        var mode = Self.admin()
        #expect(Self.command("/agents", &mode) == [.loadAdminAgents])
        let sam = UserRef(id: 7, displayName: "Sam Second", role: .agent, isOnline: false)
        _ = mode.update(
            .event(
                .adminAgents([
                    AgentLoad(agent: C.me.ref, status: .online, activeChats: 2, capacity: 5),
                    AgentLoad(agent: sam, status: .away, activeChats: 0, capacity: 3),
                ])))
        let text = C.lines(mode).joined(separator: "\n")
        #expect(text.contains("Alex Agent") && text.contains("online") && text.contains("▰▰▱▱▱ 2/5") && text.contains("▱▱▱▱▱ 0/3"))
        _ = mode.update(.key(.down))
        #expect(Self.command("/capacity 8", &mode) == [.setAgent(id: 7, AgentStatusRequest(capacity: 8))])
        #expect(Self.command("/agent-status AlexAgent busy", &mode) == [.setAgent(id: 2, AgentStatusRequest(status: .busy))])
        _ = mode.update(.event(.agentChanged(AgentLoad(agent: sam, status: .away, activeChats: 0, capacity: 8))))
        #expect(C.lines(mode).joined(separator: "\n").contains("▱▱▱▱▱ 0/8"))
        #expect(Self.command("/capacity 500", &mode).isEmpty)
        #expect(C.lines(mode).joined().contains("0 to 100 chats"))
        _ = mode.update(.key(.escape))
        #expect(mode.admin == nil)
    }

    /// ←→ go round the pages, each asking for its figures; the report (the last 7 days) once.
    @Test func arrowsGoRoundThePages() {
        var mode = Self.admin(width: 80, height: 24)
        _ = mode.update(.key(Key(.function(7))))
        #expect(C.lines(mode).last { $0.hasPrefix("admin> ") }?.contains("←→ pages") == true)
        #expect(mode.update(.key(.right)) == [.loadAdminAgents])
        #expect(mode.admin?.page == .agents)
        #expect(C.lines(mode).joined().contains("/capacity N"))
        #expect(mode.update(.key(.right)) == [.loadReport(from: "2026-11-12", to: "2026-11-19")])
        _ = mode.update(
            .event(
                .report(
                    SupportReport(
                        from: World.start, to: World.start, agents: [], days: [],
                        sessions: .init(
                            started: 0, ended: 0, avgDurationSeconds: nil, avgMessages: nil,
                            avgFirstResponseSeconds: nil)))))
        #expect(mode.update(.key(.right)).contains(.loadServerStatistics))
        #expect(mode.admin?.page == .server)
        #expect(mode.update(.key(.right)) == [.loadTargets])
        #expect(mode.admin?.page == .targets)
        #expect(mode.update(.key(.right)) == [.loadIntegrations])
        #expect(mode.admin?.page == .integrations)
        #expect(mode.update(.key(.right)) == [.loadDashboard])
        _ = mode.update(.key(.left))
        #expect(mode.admin?.page == .integrations)
        _ = mode.update(.key(.left))
        #expect(mode.admin?.page == .targets)
        _ = mode.update(.key(.left))
        #expect(mode.admin?.page == .server)
        #expect(mode.update(.key(.left)).isEmpty, "the report is kept")
        #expect(mode.admin?.page == .report)
        for line in C.lines(mode) { #expect(TextWidth.of(line) <= 80) }
    }

    @Test func aReportPerAgentAndPerDayAndItsCSV() {
        var mode = Self.admin()
        #expect(Self.command("/report 2026-11-01 2026-11-03", &mode) == [.loadReport(from: "2026-11-01", to: "2026-11-03")])
        let report = SupportReport(
            from: World.start, to: World.start,
            agents: [
                .init(
                    agent: C.me.ref, ticketsHandled: 5, messagesSent: 23, notesWritten: 2, avgFirstResponseSeconds: 252,
                    avgResolutionSeconds: nil),
                .init(
                    agent: UserRef(id: 9, displayName: "Lee, \"the\" Lead", role: .admin, isOnline: true), ticketsHandled: 1,
                    messagesSent: 2, notesWritten: 0, avgFirstResponseSeconds: 30, avgResolutionSeconds: 600),
            ],
            days: [
                .init(date: "2026-11-01", ticketsOpened: 8, ticketsResolved: 4),
                .init(date: "2026-11-02", ticketsOpened: 2, ticketsResolved: 6),
            ],
            sessions: .init(started: 3, ended: 2, avgDurationSeconds: 100, avgMessages: 4, avgFirstResponseSeconds: 20))
        var withTargets = report
        withTargets.sla = ["FIRST_RESPONSE": TargetFigures(met: 3, breached: 1)]
        withTargets.slaByPriority = ["HIGH": ["FIRST_RESPONSE": TargetFigures(met: 3, breached: 1)]]
        withTargets.agents[0].sla = ["FIRST_RESPONSE": TargetFigures(met: 3, breached: 1)]
        withTargets.days[0].sla = ["FIRST_RESPONSE": TargetFigures(met: 3, breached: 1)]
        withTargets.slaBreaches = [
            BreachEntry(ticketId: 12, target: .firstResponse, at: World.start, agent: C.me.ref, priority: .high)
        ]
        let ratings = RatingFigures(scores: [5, 4, 2])
        withTargets.csat = ratings
        withTargets.csatByCategory = ["SHIPPING": ratings]
        withTargets.agents[0].csat = ratings
        withTargets.days[0].csat = ratings
        _ = mode.update(.event(.report(withTargets)))
        let lines = C.lines(mode)
        #expect(lines.contains { $0.contains("Alex Agent") && $0.contains("23") && $0.contains("4m 12s") && $0.contains("—") })
        let opened = lines.first { $0.hasPrefix("  11-01") } ?? ""
        #expect(opened.contains("█") && opened.hasSuffix(" 8"))
        #expect(lines.contains { $0.contains("Alex Agent") && $0.hasSuffix("75% of 4") })
        #expect(lines.contains { $0.hasPrefix("  First reply      3       1    75%   high 75% of 4") }, "\(lines)")
        #expect(lines.contains { $0.hasPrefix("  Missed: #12 first reply") && $0.contains("(Alex Agent)") })
        #expect(
            lines.contains { $0.hasPrefix("  Satisfaction   67% (3) satisfied · mean 3.67   5★ 1  4★ 1  3★ 0  2★ 1  1★ 0") }, "\(lines)")
        #expect(lines.contains { $0.hasPrefix("    by category shipping 67% (3)") })
        #expect(lines.contains { $0.hasPrefix("    by agent    Alex Agent 67% (3)") })
        #expect(lines.contains { $0.hasPrefix("    by day      11-01 67% (3)") })
        let stamp = Timestamp.format(World.start)
        let effects = Self.command("/report --csv /tmp/report.csv", &mode)
        #expect(
            effects == [
                .saveFile(
                    path: "/tmp/report.csv",
                    text: """
                        agent,tickets_handled,messages_sent,notes_written,avg_first_response_seconds,avg_resolution_seconds,\
                        first_response_met,first_response_breached,next_response_met,next_response_breached,resolution_met,resolution_breached,\
                        ratings,csat_percent,average_score\r
                        Alex Agent,5,23,2,252,,3,1,0,0,0,0,3,66.7,3.67\r
                        "Lee, ""the"" Lead",1,2,0,30,600,0,0,0,0,0,0,0,,\r
                        \r
                        date,tickets_opened,tickets_resolved,first_response_met,first_response_breached,next_response_met,\
                        next_response_breached,resolution_met,resolution_breached,ratings,csat_percent,average_score\r
                        2026-11-01,8,4,3,1,0,0,0,0,3,66.7,3.67\r
                        2026-11-02,2,6,0,0,0,0,0,0,0,,\r
                        \r
                        priority,first_response_met,first_response_breached,next_response_met,next_response_breached,resolution_met,\
                        resolution_breached\r
                        URGENT,0,0,0,0,0,0\r
                        HIGH,3,1,0,0,0,0\r
                        MEDIUM,0,0,0,0,0,0\r
                        LOW,0,0,0,0,0,0\r
                        \r
                        breached_ticket,target,due_at,agent,priority\r
                        12,FIRST_RESPONSE,\(stamp),Alex Agent,HIGH\r
                        \r
                        category,ratings,csat_percent,average_score,score_1,score_2,score_3,score_4,score_5\r
                        PAYMENT,0,,,0,0,0,0,0\r
                        SHIPPING,3,66.7,3.67,0,1,0,1,1\r
                        ACCOUNT,0,,,0,0,0,0,0\r
                        RETURNS,0,,,0,0,0,0,0\r
                        TECHNICAL,0,,,0,0,0,0,0\r
                        OTHER,0,,,0,0,0,0,0\r

                        """, what: "The report")
            ])
        #expect(Self.command("/report yesterday", &mode).isEmpty)
        #expect(C.lines(mode).joined().contains("dates as YYYY-MM-DD"))
    }

    @Test func aNewAccountIsCheckedAtItsFields() {
        var mode = Self.admin()
        _ = Self.command("/user-add", &mode)
        #expect(mode.userForm != nil)
        for c in "x" { _ = mode.update(.key(.char(c))) }
        _ = mode.update(.key(Key(.character("s"), ctrl: true)))
        #expect(C.lines(mode).joined().contains("3–32 of a-z A-Z 0-9 _ . -"))
        var form = mode.userForm!
        form.fields[0].editor.replace(with: "sam")
        form.fields[1].editor.replace(with: "Sam Second")
        form.fields[3].editor.replace(with: "long enough")
        mode.userForm = form
        let effects = mode.update(.key(Key(.character("s"), ctrl: true)))
        #expect(
            effects == [.createUser(CreateUserRequest(username: "sam", password: "long enough", displayName: "Sam Second", role: .agent))])
        _ = mode.update(.event(.failed(.createUser, APIError(code: .conflict, message: "username is taken", status: 409))))
        #expect(mode.userForm?.fields[0].error == "username is taken")
        _ = mode.update(
            .event(
                .userCreated(
                    User(
                        id: 8, username: "sam", displayName: "Sam Second", role: .agent, isOnline: false,
                        lastSeenAt: nil, agentStatus: .offline, capacity: 5, email: nil))))
        #expect(mode.userForm == nil && C.lines(mode).joined().contains("sam can sign in now, as agent"))
    }

    @Test func theServerPageShowsMessagesPerSecondFromTwoReadings() {
        var mode = Self.admin()
        #expect(Self.command("/server", &mode) == [.loadServerStatistics])
        _ = mode.update(
            .event(
                .serverStatistics(
                    ServerStatistics(
                        connections: 4, users: 3, rooms: 2, rssBytes: 52_428_800, uptimeSeconds: 100,
                        messages: 1_000))))
        #expect(C.lines(mode).joined().contains("two readings needed"))
        #expect(mode.update(.tick(World.start.addingTimeInterval(3.1))).contains(.loadServerStatistics))
        _ = mode.update(
            .event(
                .serverStatistics(
                    ServerStatistics(
                        connections: 4, users: 3, rooms: 2, rssBytes: 52_428_800, uptimeSeconds: 104,
                        messages: 1_050))))
        let text = C.lines(mode).joined(separator: "\n")
        #expect(text.contains("12.5") && text.contains("50.0 MB") && text.contains("1m 44s"))
    }

    /// A content rule that ran past its bound is named on the server page, its name sanitised.
    @Test func theServerPageNamesSlowContentRules() {
        var mode = Self.admin()
        _ = Self.command("/server", &mode)
        _ = mode.update(.event(.serverStatistics(ServerStatistics(connections: 1, users: 1, rooms: 1, rssBytes: 1, uptimeSeconds: 1))))
        #expect(C.lines(mode).joined().contains("none has run past its time bound"))
        let slow = SlowRule(rule: "nested\u{1B}[31m", count: 3, lastAt: World.start)
        _ = mode.update(
            .event(
                .serverStatistics(
                    ServerStatistics(
                        connections: 1, users: 1, rooms: 1, rssBytes: 1, uptimeSeconds: 2,
                        slowRules: [slow]))))
        let text = C.lines(mode).joined(separator: "\n")
        #expect(text.contains("Slow content rules") && text.contains("— 3 texts, last at"))
        #expect(!text.contains("\u{1B}"))
    }

    @Test(arguments: [(80, 24), (60, 30)]) func narrowTheChartsStillFit(size: (Int, Int)) {
        var mode = Self.admin(width: size.0, height: size.1)
        _ = mode.update(.key(Key(.function(7))))
        _ = mode.update(.event(.dashboard(Self.figures)))
        let lines = C.lines(mode)
        #expect(lines.allSatisfy { TextWidth.of($0) <= size.0 })
        let category = lines.firstIndex { $0.contains("Tickets by category") },
            priority = lines.firstIndex { $0.contains("Tickets by priority") }
        #expect(category != nil && priority != nil)
        // Side by side from 64 columns of room, else the priorities under the categories.
        #expect(size.0 >= 67 ? priority == category : priority! > category!)
        #expect(lines.contains { $0.contains("urgent") } && lines.contains { $0.contains("other") })
    }
}
