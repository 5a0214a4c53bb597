import Foundation

// The admin figures (protocol.md, "Admin").

public struct Dashboard: Codable, Equatable, Sendable {
    public var openTickets: Int
    public var inProgressTickets: Int
    /// Tickets resolved since midnight UTC.
    public var resolvedToday: Int
    /// OPEN or IN_PROGRESS tickets with no agent.
    public var unassignedTickets: Int
    public var activeSessions: Int
    public var agentsOnline: Int
    /// From a ticket's creation to the first public agent message; null until one exists.
    @Nullable public var avgFirstResponseSeconds: Double?
    /// From creation to resolution, over resolved tickets; null until one exists.
    @Nullable public var avgResolutionSeconds: Double?
    /// Every ticket stored, by category and by priority; every value of the enum is present.
    public var ticketsByCategory: [String: Int]
    public var ticketsByPriority: [String: Int]
    /// Ratings customers gave in the last 7 days (an addition).
    public var csat = RatingFigures(scores: [])

    public init(
        openTickets: Int, inProgressTickets: Int, resolvedToday: Int, unassignedTickets: Int,
        activeSessions: Int, agentsOnline: Int, avgFirstResponseSeconds: Double?,
        avgResolutionSeconds: Double?, ticketsByCategory: [String: Int], ticketsByPriority: [String: Int]
    ) {
        self.openTickets = openTickets
        self.inProgressTickets = inProgressTickets
        self.resolvedToday = resolvedToday
        self.unassignedTickets = unassignedTickets
        self.activeSessions = activeSessions
        self.agentsOnline = agentsOnline
        self.avgFirstResponseSeconds = avgFirstResponseSeconds
        self.avgResolutionSeconds = avgResolutionSeconds
        self.ticketsByCategory = ticketsByCategory
        self.ticketsByPriority = ticketsByPriority
    }
}

/// An agent's availability and load, as `GET /api/admin/support/agents` lists it.
public struct AgentLoad: Codable, Equatable, Sendable {
    public var agent: UserRef
    public var status: AgentStatus
    /// OPEN or IN_PROGRESS tickets assigned to the agent.
    public var activeChats: Int
    public var capacity: Int

    public init(agent: UserRef, status: AgentStatus, activeChats: Int, capacity: Int) {
        self.agent = agent
        self.status = status
        self.activeChats = activeChats
        self.capacity = capacity
    }
}

/// `GET /api/admin/support/reports?from=&to=`: a period `[from, to)`.
public struct SupportReport: Codable, Equatable, Sendable {
    public struct AgentFigures: Codable, Equatable, Sendable {
        public var agent: UserRef
        /// Distinct tickets the agent sent a public message on within the period.
        public var ticketsHandled: Int
        /// Public messages the agent sent within the period (notes are counted apart).
        public var messagesSent: Int
        public var notesWritten: Int
        /// Over tickets created in the period whose first response was this agent's.
        @Nullable public var avgFirstResponseSeconds: Double?
        /// Over tickets resolved in the period while assigned to this agent.
        @Nullable public var avgResolutionSeconds: Double?
        /// Targets decided in the period on tickets the agent had, by target.
        public var sla: [String: TargetFigures] = [:]
        /// Ratings given in the period of resolutions the agent had.
        public var csat = RatingFigures(scores: [])

        public init(
            agent: UserRef, ticketsHandled: Int, messagesSent: Int, notesWritten: Int,
            avgFirstResponseSeconds: Double?, avgResolutionSeconds: Double?
        ) {
            self.agent = agent
            self.ticketsHandled = ticketsHandled
            self.messagesSent = messagesSent
            self.notesWritten = notesWritten
            self.avgFirstResponseSeconds = avgFirstResponseSeconds
            self.avgResolutionSeconds = avgResolutionSeconds
        }
    }

    public struct DayFigures: Codable, Equatable, Sendable {
        /// `YYYY-MM-DD`, UTC.
        public var date: String
        public var ticketsOpened: Int
        public var ticketsResolved: Int
        /// Targets decided that day, by target.
        public var sla: [String: TargetFigures] = [:]
        /// Ratings given that day.
        public var csat = RatingFigures(scores: [])

        public init(date: String, ticketsOpened: Int, ticketsResolved: Int) {
            self.date = date
            self.ticketsOpened = ticketsOpened
            self.ticketsResolved = ticketsResolved
        }
    }

    /// Chat sessions started in the period (an addition to the contract).
    public struct SessionFigures: Codable, Equatable, Sendable {
        public var started: Int
        public var ended: Int
        /// From start to end, over the ended ones.
        @Nullable public var avgDurationSeconds: Double?
        /// Messages (notes included) per session.
        @Nullable public var avgMessages: Double?
        /// From the session's start to the first public agent message.
        @Nullable public var avgFirstResponseSeconds: Double?

        public init(started: Int, ended: Int, avgDurationSeconds: Double?, avgMessages: Double?, avgFirstResponseSeconds: Double?) {
            self.started = started
            self.ended = ended
            self.avgDurationSeconds = avgDurationSeconds
            self.avgMessages = avgMessages
            self.avgFirstResponseSeconds = avgFirstResponseSeconds
        }
    }

    public var from: Date
    public var to: Date
    public var agents: [AgentFigures]
    public var days: [DayFigures]
    public var sessions: SessionFigures
    /// Targets decided in the period (met, or breached when due), by target.
    public var sla: [String: TargetFigures] = [:]
    /// The same by priority, then target.
    public var slaByPriority: [String: [String: TargetFigures]] = [:]
    /// Every breach in the period, oldest first.
    public var slaBreaches: [BreachEntry] = []
    /// Ratings given in the period, over all, and by the ticket's category.
    public var csat = RatingFigures(scores: [])
    public var csatByCategory: [String: RatingFigures] = [:]

    public init(from: Date, to: Date, agents: [AgentFigures], days: [DayFigures], sessions: SessionFigures) {
        self.from = from
        self.to = to
        self.agents = agents
        self.days = days
        self.sessions = sessions
    }
}

/// Customer satisfaction over a set of ratings: how many, the mean score, and the share of 4s
/// and 5s (CSAT as the field counts it).
public struct RatingFigures: Codable, Equatable, Sendable {
    public var count: Int
    @Nullable public var averageScore: Double?
    /// Of the ratings, 4 or 5, in percent; null when there are none.
    @Nullable public var percentSatisfied: Double?
    /// How many of each score, 1 to 5.
    public var byScore: [Int]

    public init(scores: [Int]) {
        count = scores.count
        byScore = TicketRating.scores.map { score in scores.filter { $0 == score }.count }
        averageScore = scores.isEmpty ? nil : (Double(scores.reduce(0, +)) * 100 / Double(scores.count)).rounded() / 100
        percentSatisfied =
            scores.isEmpty ? nil : (Double(scores.filter { $0 >= 4 }.count) * 1000 / Double(scores.count)).rounded() / 10
    }
}

/// How a target fared over a set of tickets.
public struct TargetFigures: Codable, Equatable, Sendable {
    public var met: Int
    public var breached: Int
    /// Of the decided ones, met; null when none were.
    @Nullable public var percentMet: Double?

    public init(met: Int, breached: Int) {
        self.met = met
        self.breached = breached
        percentMet = met + breached == 0 ? nil : (Double(met) * 1000 / Double(met + breached)).rounded() / 10
    }

    /// Figures by target (`FIRST_RESPONSE` …) of outcomes given as (target, breached).
    public static func byTarget(_ outcomes: [(target: SLATarget, breached: Bool)]) -> [String: TargetFigures] {
        var figures: [String: TargetFigures] = [:]
        for target in SLATarget.allCases {
            let mine = outcomes.filter { $0.target == target }
            guard !mine.isEmpty else { continue }
            let breached = mine.filter(\.breached).count
            figures[target.rawValue] = TargetFigures(met: mine.count - breached, breached: breached)
        }
        return figures
    }
}

/// A breach as reports list it.
public struct BreachEntry: Codable, Equatable, Sendable {
    public var ticketId: Int
    public var target: SLATarget
    /// When the target was due.
    public var at: Date
    @Nullable public var agent: UserRef?
    public var priority: Priority

    public init(ticketId: Int, target: SLATarget, at: Date, agent: UserRef?, priority: Priority) {
        self.ticketId = ticketId
        self.target = target
        self.at = at
        self.agent = agent
        self.priority = priority
    }
}

/// `GET /api/admin/support/server` (an addition): what the server process holds right now.
public struct ServerStatistics: Codable, Equatable, Sendable {
    public var connections: Int
    public var users: Int
    public var rooms: Int
    /// Resident memory of the server process, in bytes (0 where the system does not tell).
    public var rssBytes: Int
    public var uptimeSeconds: Double
    /// Messages stored since the process started: two readings give messages per second.
    public var messages: Int
    /// CPU time the server process has used (user and system), in seconds: two readings and two
    /// of `messages` give the CPU cost of a message. Nil from a server that does not say.
    public var cpuSeconds: Double?
    /// Content rules that ran past their time bound since the process started (each such text
    /// was refused): the admins' cue to rewrite the rule. Empty when none did.
    public var slowRules: [SlowRule]

    public init(
        connections: Int, users: Int, rooms: Int, rssBytes: Int, uptimeSeconds: Double, messages: Int = 0,
        cpuSeconds: Double? = nil, slowRules: [SlowRule] = []
    ) {
        self.connections = connections
        self.users = users
        self.rooms = rooms
        self.rssBytes = rssBytes
        self.uptimeSeconds = uptimeSeconds
        self.messages = messages
        self.cpuSeconds = cpuSeconds
        self.slowRules = slowRules
    }

    private enum CodingKeys: String, CodingKey { case connections, users, rooms, rssBytes, uptimeSeconds, messages, cpuSeconds, slowRules }

    /// `messages` and `cpuSeconds` came later: an older server's answer (or the baseline relay's)
    /// without them reads as 0 and nil.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        connections = try c.decode(Int.self, forKey: .connections)
        users = try c.decode(Int.self, forKey: .users)
        rooms = try c.decode(Int.self, forKey: .rooms)
        rssBytes = try c.decode(Int.self, forKey: .rssBytes)
        uptimeSeconds = try c.decode(Double.self, forKey: .uptimeSeconds)
        messages = try c.decodeIfPresent(Int.self, forKey: .messages) ?? 0
        cpuSeconds = try c.decodeIfPresent(Double.self, forKey: .cpuSeconds)
        slowRules = try c.decodeIfPresent([SlowRule].self, forKey: .slowRules) ?? []
    }

    /// CPU time this process has used so far, user and system, in seconds.
    public static func processCPUSeconds() -> Double {
        var usage = rusage()
        guard getrusage(RUSAGE_SELF.rawValue, &usage) == 0 else { return 0 }
        func seconds(_ time: timeval) -> Double { Double(time.tv_sec) + Double(time.tv_usec) / 1e6 }
        return seconds(usage.ru_utime) + seconds(usage.ru_stime)
    }

    /// This process's resident memory, from `/proc/self/status` (`VmRSS`).
    public static func residentBytes() -> Int { memoryBytes("VmRSS") ?? 0 }

    /// A memory figure of a process on this machine from `/proc/PID/status` (`VmRSS`, or `VmHWM`
    /// for its peak), in bytes; nil when it cannot be read.
    public static func memoryBytes(_ field: String, pid: String = "self") -> Int? {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
            let line = status.split(separator: "\n").first(where: { $0.hasPrefix(field + ":") }),
            let kilobytes = Int(line.split(separator: " ").dropFirst().first ?? "")
        else { return nil }
        return kilobytes * 1024
    }
}

/// A content rule that ran past its time bound: how often, and when last (`ServerStatistics`).
public struct SlowRule: Codable, Equatable, Sendable {
    public var rule: String
    public var count: Int
    public var lastAt: Date

    public init(rule: String, count: Int, lastAt: Date) {
        self.rule = rule
        self.count = count
        self.lastAt = lastAt
    }
}
