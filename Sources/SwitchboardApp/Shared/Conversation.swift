import Foundation
import SwitchboardClient
import SwitchboardProtocol
import TerminalKit

/// One ticket's chat as a mode holds it — the timeline, system lines (assignment, status), where
/// it is scrolled to, what is new, a search — shared by the customer's chat and the console.
/// Scrolling and search move state here, in `update`; `render` only reads it.
public struct Conversation: Equatable, Sendable {
    public struct SystemLine: Equatable, Sendable {
        public var date: Date
        public var text: String
    }

    public struct Search: Equatable, Sendable {
        public var query: String
        /// Seqs of the messages that contain the query, oldest first.
        public var hits: [Int]
        /// Which hit is current (an index into `hits`).
        public var current: Int
    }

    public var ticket: Ticket { didSet { linesChanged() } }
    public var timeline: Timeline { didSet { linesChanged() } }
    public var systemLines: [SystemLine] = [] { didSet { linesChanged() } }
    /// Lines scrolled up from the newest (0: at the bottom, following new messages). Never
    /// negative and never past the oldest line: every assignment, and every change of what the
    /// lines come from, goes through `keepOffsetInRange` — so no view slices past its lines.
    public private(set) var offset = 0 { didSet { keepOffsetInRange() } }
    /// Where "new messages" begins (the first message that came in while scrolled up or away).
    public var firstUnseenSeq: Int? { didSet { linesChanged() } }
    /// How many arrived while scrolled up.
    public private(set) var unseen = 0
    public var search: Search? { didSet { linesChanged() } }
    public var loadingOlder = false
    /// The highest seq this user has marked read here.
    public var readSent = 0
    /// The size the conversation was last laid out at (set on resize), for scrolling by lines.
    public var area: (width: Int, height: Int) {
        get { areaSize.pair }
        set { areaSize = TerminalSize(newValue) }
    }
    private var areaSize = TerminalSize(width: 80, height: 20) { didSet { if areaSize != oldValue { keepOffsetInRange() } } }
    public var timeZone: TimeZone { didSet { linesChanged() } }
    /// The keys that edit, retry or discard a failed message, as the mode binds them.
    public var failureHint = "M-e edit, M-r retry, M-x discard" { didSet { linesChanged() } }

    /// "M-e edit, M-r retry, M-x discard" from the keys a mode binds (its commands when unbound).
    static func failureHint(edit: [Key]?, retry: [Key]?, discard: [Key]?) -> String {
        func named(_ keys: [Key]?, _ command: String) -> String { keys.map { $0.map(\.description).joined(separator: " ") } ?? command }
        return "\(named(edit, "/edit")) edit, \(named(retry, "/retry")) retry, \(named(discard, "/discard")) discard"
    }
    /// What an empty conversation says (the customer is told an agent answers; an agent is not).
    public var emptyHint = "No replies yet — write below; an agent answers here."

    /// The lines last laid out (replaced, empty, whenever a property they come from changes).
    var memo = Uncompared(LayoutMemo())

    public init(ticket: Ticket, me: UserRef, timeZone: TimeZone = .current) {
        self.ticket = ticket
        timeline = Timeline(ticketId: ticket.id, me: me)
        self.timeZone = timeZone
    }

    public var isAtBottom: Bool { offset == 0 }

    /// The lines are to be laid out again, and the offset may now point past them (a failed
    /// message discarded while scrolled up, a narrower pane).
    private mutating func linesChanged() {
        memo = Uncompared(LayoutMemo())
        keepOffsetInRange()
    }

    /// The one place the offset is kept within 0…(lines − height). Free at the bottom, else the
    /// screenful laid out (memoised) is enough to tell: lines beyond it mean the offset is fine.
    private mutating func keepOffsetInRange() {
        if offset < 0 { offset = 0 }
        guard offset > 0 else { return }
        let laid = Self.tailLayout(self, width: area.width, tail: offset + area.height)
        if laid.fromStart, laid.lines.count < offset + area.height { offset = max(0, laid.lines.count - area.height) }
    }

    // MARK: Taking in events

    /// A frame or outbox change for this ticket. Messages that arrive while scrolled up are
    /// counted and marked "new", and the view holds still on what it showed.
    public mutating func apply(_ event: RealtimeEvent, now: Date) {
        let offsetBefore = offset
        let linesBefore = isAtBottom ? 0 : Self.layout(self, width: area.width).count
        let newestBefore = timeline.newestSeq ?? 0
        timeline.apply(event)
        if case .server(let server) = event { note(server, now: now) }
        guard offsetBefore > 0 else { return }
        // Hold still on what was shown: the lines added or removed below it move the offset.
        offset = offsetBefore + Self.layout(self, width: area.width).count - linesBefore
        if case .server(.receiveMessage(let id, let message)) = event, id == ticket.id, message.seq > newestBefore,
            message.sender.id != timeline.me.id
        {
            unseen += 1
            if firstUnseenSeq == nil { firstUnseenSeq = message.seq }
        }
    }

    /// System lines for what changed on the ticket.
    private mutating func note(_ event: ServerEvent, now: Date) {
        switch event {
        case .agentAssigned(let id, let agent, let previous) where id == ticket.id:
            let text =
                // Neutral on who moved it: a colleague's transfer, an admin, or the server for want of a reply.
                previous.map { "Now with \(agent.shown) (was with \($0.shown))" }
                ?? "\(agent.shown) is handling this ticket"
            systemLines.append(SystemLine(date: now, text: text))
            ticket.assignedAgent = agent
        case .ticketStatusChanged(let id, let status, _, let by) where id == ticket.id:
            systemLines.append(SystemLine(date: now, text: "\(by.shown) set the ticket \(status.word)"))
            ticket.status = status
        case .ticketUpdated(let updated) where updated.id == ticket.id:
            ticket = updated
        case .slaWarning(let id, let target, let dueAt) where id == ticket.id:
            // Kept in the chat: a toast goes in seconds, and another may cover it.
            var calendar = Calendar(identifier: .gregorian)
            calendar.timeZone = timeZone
            let at = calendar.dateComponents([.hour, .minute], from: dueAt)
            systemLines.append(
                SystemLine(date: now, text: "⏱ the \(target.word) is due at \(String(format: "%02d:%02d", at.hour ?? 0, at.minute ?? 0))"))
        case .slaBreached(let id, let target, _) where id == ticket.id:
            systemLines.append(SystemLine(date: now, text: "⏱ the \(target.word) target was missed"))
        case .userOnline(let user), .userOffline(let user):
            // Either side of the ticket: its agent (for the customer) or its customer (for agents).
            let online = if case .userOnline = event { true } else { false }
            if user.id == ticket.assignedAgent?.id { ticket.assignedAgent?.isOnline = online }
            if user.id == ticket.customer.id { ticket.customer.isOnline = online }
        default:
            break
        }
    }

    // MARK: Scrolling

    /// Up (positive) or down by lines; answers whether older history should be paged in.
    public mutating func scroll(by lines: Int) -> Bool {
        let total = Self.layout(self, width: area.width).count
        let maxOffset = max(0, total - area.height)
        offset = min(max(0, offset + lines), maxOffset)
        if offset == 0 { unseen = 0 }
        return lines > 0 && offset == maxOffset && timeline.hasOlder && !loadingOlder
    }

    public mutating func scrollToBottom() {
        offset = 0
        unseen = 0
    }

    /// Older messages came in above: the view stays on the same lines.
    public mutating func insertOlder(_ page: MessagePage) {
        timeline.insertOlder(page)
        loadingOlder = false
    }

    /// The chat was read to the bottom: nothing is new any more.
    public mutating func seen() {
        firstUnseenSeq = nil
        unseen = 0
    }

    // MARK: Search

    public mutating func find(_ query: String) {
        let needle = query.lowercased()
        let hits = timeline.messages.filter { $0.message.lowercased().contains(needle) }.map(\.seq)
        search = Search(query: query, hits: hits, current: max(0, hits.count - 1))
        showCurrentHit()
    }

    /// Marks one message — a hit `/find` opened — and scrolls to it: `word` highlighted, ▶ before it.
    public mutating func mark(seq: Int, word: String) {
        search = Search(query: word, hits: [seq], current: 0)
        showCurrentHit()
    }

    public enum Reveal: Equatable, Sendable {
        /// The message is held: marked and scrolled to.
        case shown
        /// Older history is needed: the page before this seq (asked for once; `loadingOlder` is set).
        case older(beforeSeq: Int)
        /// Nothing to do now: a page is on its way, or the message is not in this history.
        case waiting
    }

    /// Brings message `seq` on screen, marked, paging history back to it as needed.
    public mutating func reveal(seq: Int, word: String) -> Reveal {
        if timeline.messages.contains(where: { $0.seq == seq }) {
            mark(seq: seq, word: word)
            return .shown
        }
        guard let oldest = timeline.oldestSeq, oldest > seq, !loadingOlder else { return .waiting }
        loadingOlder = true
        return .older(beforeSeq: oldest)
    }

    /// The next (`forward`) or previous hit.
    public mutating func nextHit(forward: Bool) {
        guard var found = search, !found.hits.isEmpty else { return }
        found.current = (found.current + (forward ? 1 : found.hits.count - 1)) % found.hits.count
        search = found
        showCurrentHit()
    }

    private mutating func showCurrentHit() {
        guard let search, search.hits.indices.contains(search.current) else { return }
        let seq = search.hits[search.current]
        let lines = Self.layout(self, width: area.width)
        guard let index = lines.firstIndex(where: { $0.seq == seq }) else { return }
        // Put the hit a third of the way down the view.
        let wanted = lines.count - index - area.height * 2 / 3
        offset = min(max(0, wanted), max(0, lines.count - area.height))
    }

    /// The newest message from someone else that is on screen (any, when at the bottom) and above
    /// the read mark already sent: what a new read mark goes up to, nil when none is owed.
    /// At the bottom nothing is laid out: this runs after every input.
    public var newestToMarkRead: Int? {
        let me = timeline.me.id
        let newest: Int?
        if isAtBottom {
            newest = timeline.messages.last { $0.sender.id != me }?.seq
        } else {
            let visible = Set(visibleSeqs)
            newest = timeline.messages.last { $0.sender.id != me && visible.contains($0.seq) }?.seq
        }
        guard let newest, newest > readSent else { return nil }
        return newest
    }

    /// Messages from someone else above the read mark sent: the ticket's unread count while open.
    public var unreadFromOthers: Int {
        timeline.messages.count { $0.seq > readSent && $0.sender.id != timeline.me.id }
    }

    /// The seqs of messages on screen now (for read marks).
    public var visibleSeqs: [Int] {
        let lines = Self.tailLayout(self, width: area.width, tail: offset + area.height).lines
        let end = lines.count - offset, start = max(0, end - area.height)
        guard start < end else { return [] }
        return lines[start..<end].compactMap(\.seq)
    }

}
