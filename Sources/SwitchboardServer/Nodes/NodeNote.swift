import Foundation
import SwitchboardProtocol

/// What one server process tells the others through PostgreSQL's NOTIFY after a commit: only
/// what identifies the change — never message text — so each node reads the rest from the
/// tables it shares. A line of `|`-separated fields: the sending node, a kind, its numbers.
public struct NodeNote: Equatable, Sendable {
    public enum Change: Equatable, Sendable {
        /// A message was stored in the ticket with this seq.
        case message(ticketId: Int, seq: Int)
        case read(ticketId: Int, userId: Int, upToSeq: Int)
        case delivered(ticketId: Int, userId: Int, upToSeq: Int)
        case ticketCreated(ticketId: Int, customerId: Int)
        /// What the ticket was before (its agent and status) and who changed it; the rest is read.
        case ticketChanged(ticketId: Int, previousAgentId: Int?, previousStatus: TicketStatus, byUserId: Int)
        case ticketDeleted(ticketId: Int, customerId: Int)
        case agentStatus(agentId: Int, status: AgentStatus)
        case loginEnded(loginId: String)
        case typing(ticketId: Int, userId: Int, isNote: Bool, active: Bool)
        /// A user's first connection on a node came, or their last one went (after the grace).
        case presence(userId: Int, online: Bool)
        case slaWarning(ticketId: Int, target: SLATarget, dueAt: Date, agentId: Int?)
        case slaBreached(ticketId: Int, target: SLATarget, at: Date, agentId: Int?)
        case ticketReassigned(ticketId: Int, from: Int?, to: Int?)
        /// The rating itself is read from the ticket.
        case ticketRated(ticketId: Int, customerId: Int)
        case ticketMerged(ticketId: Int, intoTicketId: Int, customerId: Int)
        case mentioned(ticketId: Int, seq: Int, userId: Int, byUserId: Int)
        case webhookSwitchedOff(webhookId: Int)
    }

    public var node: String
    public var change: Change

    public init(node: String, change: Change) {
        self.node = node
        self.change = change
    }

    /// The NOTIFY channel the nodes of one installation listen on: channels belong to the whole
    /// database, so installations in different schemas of it must not hear each other.
    public static func channel(schema: String?) -> String {
        schema.map { "switchboard_\($0)" } ?? "switchboard_nodes"
    }

    public var payload: String {
        let fields: [String] =
            switch change {
            case .message(let t, let seq): ["m", "\(t)", "\(seq)"]
            case .read(let t, let u, let seq): ["r", "\(t)", "\(u)", "\(seq)"]
            case .delivered(let t, let u, let seq): ["d", "\(t)", "\(u)", "\(seq)"]
            case .ticketCreated(let t, let c): ["tc", "\(t)", "\(c)"]
            case .ticketChanged(let t, let agent, let status, let by):
                ["tu", "\(t)", agent.map(String.init) ?? "", status.rawValue, "\(by)"]
            case .ticketDeleted(let t, let c): ["tx", "\(t)", "\(c)"]
            case .agentStatus(let a, let status): ["as", "\(a)", status.rawValue]
            case .loginEnded(let login): ["le", login]
            case .typing(let t, let u, let note, let active): ["ty", "\(t)", "\(u)", note ? "1" : "0", active ? "1" : "0"]
            case .presence(let u, let online): ["p", "\(u)", online ? "1" : "0"]
            case .slaWarning(let t, let target, let due, let agent):
                ["sw", "\(t)", "\(Timestamp.millis(due))", agent.map(String.init) ?? "", target.rawValue]
            case .slaBreached(let t, let target, let at, let agent):
                ["sb", "\(t)", "\(Timestamp.millis(at))", agent.map(String.init) ?? "", target.rawValue]
            case .ticketReassigned(let t, let from, let to): ["ra", "\(t)", from.map(String.init) ?? "", to.map(String.init) ?? ""]
            case .ticketRated(let t, let c): ["tr", "\(t)", "\(c)"]
            case .ticketMerged(let t, let into, let c): ["tm", "\(t)", "\(into)", "\(c)"]
            case .mentioned(let t, let seq, let u, let by): ["mn", "\(t)", "\(seq)", "\(u)", "\(by)"]
            case .webhookSwitchedOff(let id): ["wh", "\(id)"]
            }
        return ([node] + fields).joined(separator: "|")
    }

    /// Nil for a payload this build does not understand (a newer node's): ignored, not fatal.
    public init?(payload: String) {
        let f = payload.split(separator: "|", omittingEmptySubsequences: false).map(String.init)
        guard f.count >= 2 else { return nil }
        let n = f.dropFirst(2).map { Int($0) }
        func int(_ i: Int) -> Int? { n.indices.contains(i) ? n[i] : nil }
        let change: Change?
        switch (f[1], f.count - 2) {
        case ("m", 2): change = int(0).flatMap { t in int(1).map { .message(ticketId: t, seq: $0) } }
        case ("r", 3): change = Self.three(n) { .read(ticketId: $0, userId: $1, upToSeq: $2) }
        case ("d", 3): change = Self.three(n) { .delivered(ticketId: $0, userId: $1, upToSeq: $2) }
        case ("tc", 2): change = int(0).flatMap { t in int(1).map { .ticketCreated(ticketId: t, customerId: $0) } }
        case ("tu", 4):
            guard let t = int(0), let by = int(3), let status = TicketStatus(rawValue: f[4]) else { return nil }
            change = .ticketChanged(ticketId: t, previousAgentId: Int(f[3]), previousStatus: status, byUserId: by)
        case ("tx", 2): change = int(0).flatMap { t in int(1).map { .ticketDeleted(ticketId: t, customerId: $0) } }
        case ("as", 2): change = int(0).flatMap { a in AgentStatus(rawValue: f[3]).map { .agentStatus(agentId: a, status: $0) } }
        case ("le", 1): change = .loginEnded(loginId: f[2])
        case ("ty", 4):
            guard let t = int(0), let u = int(1) else { return nil }
            change = .typing(ticketId: t, userId: u, isNote: f[4] == "1", active: f[5] == "1")
        case ("p", 2): change = int(0).map { .presence(userId: $0, online: f[3] == "1") }
        case ("sw", 4), ("sb", 4):
            guard let t = int(0), let at = Int64(f[3]), let target = SLATarget(rawValue: f[5]) else { return nil }
            let date = Timestamp.date(millis: at), agent = Int(f[4])
            change =
                f[1] == "sw"
                ? .slaWarning(ticketId: t, target: target, dueAt: date, agentId: agent)
                : .slaBreached(ticketId: t, target: target, at: date, agentId: agent)
        case ("ra", 3): change = int(0).map { .ticketReassigned(ticketId: $0, from: Int(f[3]), to: Int(f[4])) }
        case ("tr", 2): change = int(0).flatMap { t in int(1).map { .ticketRated(ticketId: t, customerId: $0) } }
        case ("tm", 3): change = Self.three(n) { .ticketMerged(ticketId: $0, intoTicketId: $1, customerId: $2) }
        case ("mn", 4):
            guard let t = int(0), let seq = int(1), let u = int(2), let by = int(3) else { return nil }
            change = .mentioned(ticketId: t, seq: seq, userId: u, byUserId: by)
        case ("wh", 1): change = int(0).map { .webhookSwitchedOff(webhookId: $0) }
        default: change = nil
        }
        guard let change else { return nil }
        self.init(node: f[0], change: change)
    }

    private static func three(_ n: [Int?], _ make: (Int, Int, Int) -> Change) -> Change? {
        guard n.count == 3, let a = n[0], let b = n[1], let c = n[2] else { return nil }
        return make(a, b, c)
    }
}
