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
    private var memo = Uncompared(LayoutMemo())

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
        let laid = Self.tailLayout(self, width: area.width, theme: Theme(name: "layout"), tail: offset + area.height)
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
           message.sender.id != timeline.me.id {
            unseen += 1
            if firstUnseenSeq == nil { firstUnseenSeq = message.seq }
        }
    }

    /// System lines for what changed on the ticket.
    private mutating func note(_ event: ServerEvent, now: Date) {
        switch event {
        case .agentAssigned(let id, let agent, let previous) where id == ticket.id:
            let text = previous.map { "\(Sanitizer.clean($0.displayName)) handed this to \(Sanitizer.clean(agent.displayName))" }
                ?? "\(Sanitizer.clean(agent.displayName)) is handling this ticket"
            systemLines.append(SystemLine(date: now, text: text))
            ticket.assignedAgent = agent
        case .ticketStatusChanged(let id, let status, _, let by) where id == ticket.id:
            systemLines.append(SystemLine(date: now, text: "\(Sanitizer.clean(by.displayName)) set the ticket \(status.word)"))
            ticket.status = status
        case .ticketUpdated(let updated) where updated.id == ticket.id:
            ticket = updated
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
        let lines = Self.tailLayout(self, width: area.width, theme: Theme(name: "layout"), tail: offset + area.height).lines
        let end = lines.count - offset, start = max(0, end - area.height)
        guard start < end else { return [] }
        return lines[start..<end].compactMap(\.seq)
    }

    // MARK: Layout

    /// One line of the conversation as drawn: its spans, and the message it belongs to.
    public struct Line: Equatable, Sendable {
        public var spans: [Span]
        public var seq: Int?
    }

    private enum Item {
        case message(Message)
        case outgoing(OutgoingMessage)
        case system(SystemLine)
        case opening(Ticket)

        var date: Date {
            switch self {
            case .opening(let ticket): ticket.createdAt
            case .message(let message): message.timestamp
            case .outgoing(let message): message.createdAt
            case .system(let line): line.date
            }
        }
    }

    /// Every line of the conversation at `width`: day separators, a header when the sender
    /// changes (or after a pause), wrapped bodies, delivery marks on this user's messages, system
    /// lines, the "new messages" marker, search hits highlighted. Peer text is sanitised here.
    public static func layout(_ conversation: Conversation, width: Int, theme: Theme = Theme(name: "layout")) -> [Line] {
        tailLayout(conversation, width: width, theme: theme, tail: nil).lines
    }

    /// At least the last `tail` lines (all of them when nil), and whether they begin at the very
    /// start. Only the end of a long history is laid out — a frame or a read mark costs the
    /// screenful, not the thousands of messages held — with the item just before it as context
    /// (its day, its sender) so the lines are exactly those of the whole layout.
    static func tailLayout(_ conversation: Conversation, width: Int, theme: Theme, tail: Int?) -> (lines: [Line], fromStart: Bool) {
        let messages = conversation.timeline.messages
        if let tail, let laid = conversation.memo.value.lines(width: width, theme: theme, tail: tail) { return laid }
        guard let tail else {
            let items = Self.items(conversation, from: 0)
            return (layoutItems(items.list, from: items.context, conversation, width: width, theme: theme), true)
        }
        // Only the newest messages, more of them until the lines fill the tail. A message takes
        // two or three lines (a header, a wrapped body): a third of the tail usually fills it.
        var window = max(8, tail / 3)
        while true {
            let first = max(0, messages.count - window)
            let items = Self.items(conversation, from: first)
            let lines = layoutItems(items.list, from: items.context, conversation, width: width, theme: theme)
            if first == 0 || lines.count >= tail {
                conversation.memo.value.store(width: width, theme: theme, lines: lines, fromStart: first == 0)
                return (lines, first == 0)
            }
            window *= 2
        }
    }

    /// The items from message index `first` on — messages in seq order (the one order), with the
    /// ticket's description (once its beginning is held) and system lines among them by time —
    /// and the item just before them, for context.
    private static func items(_ conversation: Conversation, from first: Int) -> (list: [Item], context: Item?) {
        let timeline = conversation.timeline
        let messages = timeline.messages[first...]
        // Everything after the context message belongs to the window (the whole merge puts an extra
        // before the first message not earlier than it).
        let after = first > 0 ? timeline.messages[first - 1].timestamp : .distantPast
        var extras = conversation.systemLines.filter { first == 0 || $0.date > after }.map(Item.system)
        if !timeline.hasOlder, first == 0 || conversation.ticket.createdAt > after { extras.append(.opening(conversation.ticket)) }
        extras.sort { $0.date < $1.date }
        var list: [Item] = []
        list.reserveCapacity(messages.count + extras.count + timeline.outgoing.count)
        var next = 0
        for message in messages {
            while next < extras.count, extras[next].date <= message.timestamp {
                list.append(extras[next])
                next += 1
            }
            list.append(.message(message))
        }
        list += extras[next...]
        list += timeline.outgoing.map(Item.outgoing)
        return (list, first > 0 ? .message(timeline.messages[first - 1]) : nil)
    }

    private static func layoutItems(_ items: [Item], from context: Item?, _ conversation: Conversation, width: Int, theme: Theme) -> [Line] {
        let width = max(10, width)
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = conversation.timeZone
        let timeline = conversation.timeline
        var lines: [Line] = []
        var lastDay: DateComponents?, lastSender: Int?, lastDate: Date?, lastInternal = false
        if let before = context {
            lastDay = calendar.dateComponents([.year, .month, .day], from: before.date)
            switch before {
            case .message(let message):
                (lastSender, lastDate, lastInternal) = (message.sender.id, message.timestamp, message.internal)
            case .outgoing(let message):
                (lastSender, lastDate) = (timeline.me.id, message.createdAt)
            case .system, .opening:
                break
            }
        }
        let query = conversation.search?.query.lowercased()
        // Files are numbered in the order they came, for `/save N`.
        let fileNumbers = Dictionary(timeline.messages.compactMap(\.attachment).enumerated().map { ($1.id, $0 + 1) },
                                     uniquingKeysWith: { first, _ in first })
        let currentHit = conversation.search.flatMap { $0.hits.indices.contains($0.current) ? $0.hits[$0.current] : nil }
        for item in items {
            let day = calendar.dateComponents([.year, .month, .day], from: item.date)
            if day != lastDay {
                lines.append(Line(spans: [Span(separator(dayTitle(item.date, calendar: calendar), width: width), theme[.muted])], seq: nil))
                lastDay = day
                lastSender = nil
            }
            switch item {
            case .opening(let ticket):
                let mine = ticket.customer.id == timeline.me.id
                let who = mine ? "You" : Sanitizer.clean(ticket.customer.displayName)
                lines.append(Line(spans: header(who, then: " opened the ticket", (mine ? theme[.ownMessage] : theme[.otherMessage]).with(bold: true),
                                                [Span("  " + time(ticket.createdAt, calendar: calendar), theme[.timestamp])], width: width),
                                  seq: nil))
                lines += body(ticket.description, width: width, style: theme[.text], query: query, theme: theme, seq: nil, mark: nil)
                lastSender = nil
            case .system(let line):
                lines.append(Line(spans: [Span("  — \(line.text) · \(time(line.date, calendar: calendar))", theme[.systemMessage])], seq: nil))
                lastSender = nil
            case .message(let message):
                if message.seq == conversation.firstUnseenSeq {
                    lines.append(Line(spans: [Span(separator("new messages", width: width), theme[.accent])], seq: nil))
                    lastSender = nil
                }
                let mine = message.sender.id == timeline.me.id
                let pause = lastDate.map { message.timestamp.timeIntervalSince($0) > 600 } ?? true
                if message.sender.id != lastSender || pause || message.internal != lastInternal {
                    let name = mine ? "You" : Sanitizer.clean(message.sender.displayName)
                    let marker = message.seq == currentHit ? "▶ " : ""
                    var after = [Span("  " + time(message.timestamp, calendar: calendar), theme[.timestamp])]
                    // Notes are marked in words too, not only by their style: agents only, never the customer.
                    if message.internal { after.append(Span("  ✎ internal note", theme[.note].with(bold: true))) }
                    lines.append(Line(spans: header(marker + name, (mine ? theme[.ownMessage] : theme[.otherMessage]).with(bold: true),
                                                    after, width: width),
                                      seq: message.seq))
                }
                // A note has no delivery mark: the customer's read mark covers its seq, but they never see it.
                let mark = message.internal ? nil : timeline.delivery(of: message).map { deliveryMark($0) }
                if let file = message.attachment {
                    // The file's line, then the words (its name again when none were written).
                    let label = "📎 \(fileNumbers[file.id].map { "\($0) " } ?? "")\(Sanitizer.clean(file.fileName)) · "
                        + "\(FileTransfer.size(file.size)) · \(file.contentType)"
                    for row in TextWrap.lines(label, width: width - 2) {
                        lines.append(Line(spans: [Span("  "), Span(row, theme[.accent])], seq: message.seq))
                    }
                    if message.message != file.fileName {
                        lines += body(message.message, width: width, style: message.internal ? theme[.note] : theme[.text],
                                      query: query, theme: theme, seq: message.seq, mark: mark)
                    } else if let mark {
                        lines[lines.count - 1].spans.append(Span("  " + mark.0, theme[mark.1]))
                    }
                } else {
                    lines += body(message.message, width: width, style: message.internal ? theme[.note] : theme[.text],
                                  query: query, theme: theme, seq: message.seq, mark: mark)
                }
                // The server masked part of it: say so, to both sides (rule names come from the server).
                if let summary = message.redactions.summary {
                    for row in TextWrap.lines("🔒 " + summary, width: width - 2) {
                        lines.append(Line(spans: [Span("  " + row, theme[.muted])], seq: message.seq))
                    }
                }
                lastSender = message.sender.id
                lastDate = message.timestamp
                lastInternal = message.internal
            case .outgoing(let message):
                if lastSender != timeline.me.id {
                    lines.append(Line(spans: [Span("You", theme[.ownMessage].with(bold: true)),
                                             Span("  " + time(message.createdAt, calendar: calendar), theme[.timestamp])], seq: nil))
                }
                let delivery = Timeline.delivery(of: message)
                // A file waiting to go: its line as it will show, muted like any message not yet stored.
                let text = message.file.map { "📎 \($0.name) · \(FileTransfer.size($0.size))" } ?? message.text
                if case .failed(let reason) = delivery {
                    lines += body(text, width: width, style: theme[.muted], query: nil, theme: theme, seq: nil, mark: nil)
                    for row in TextWrap.lines("✗ not sent: \(reason) — \(conversation.failureHint)", width: width - 2) {
                        lines.append(Line(spans: [Span("  " + row, theme[.error])], seq: nil))
                    }
                } else {
                    lines += body(text, width: width, style: theme[.muted], query: nil, theme: theme, seq: nil,
                                  mark: deliveryMark(delivery))
                }
                lastSender = timeline.me.id
                lastDate = message.createdAt
            }
        }
        return lines
    }

    /// A header line: who (cut with "…" when the line would not fit in `width`), then what
    /// follows it whole — the time, and "✎ internal note", which must always show.
    private static func header(_ who: String, then words: String = "", _ style: Style, _ after: [Span], width: Int) -> [Span] {
        let room = width - after.width - TextWidth.of(words)
        let name = TextWidth.of(who) <= room ? who : TextWrap.truncate(who, width: max(1, room))
        return [Span(name + words, style)] + after
    }

    /// A message's text, wrapped at `width` less its indent, with the delivery mark after the
    /// last line (or on a line of its own when it does not fit).
    private static func body(_ text: String, width: Int, style: Style, query: String?, theme: Theme, seq: Int?,
                             mark: (String, Theme.Role)?) -> [Line] {
        var rows: [Line] = []
        // TextWrap sanitises, keeping the newlines as rows.
        for row in TextWrap.lines(text, width: width - 2) {
            rows.append(Line(spans: [Span("  ")] + highlighted(row, query: query, style: style, theme: theme), seq: seq))
        }
        if rows.isEmpty { rows.append(Line(spans: [Span("  ")], seq: seq)) }
        if let (text, role) = mark {
            let used = rows[rows.count - 1].spans.width
            if used + 2 + TextWidth.of(text) <= width {
                rows[rows.count - 1].spans.append(Span("  " + text, theme[role]))
            } else {
                rows.append(Line(spans: [Span("  " + text, theme[role])], seq: seq))
            }
        }
        return rows
    }

    private static func highlighted(_ row: String, query: String?, style: Style, theme: Theme) -> [Span] {
        guard let query, !query.isEmpty else { return [Span(row, style)] }
        var spans: [Span] = [], rest = Substring(row)
        while let range = rest.range(of: query, options: .caseInsensitive) {
            spans.append(Span(String(rest[..<range.lowerBound]), style))
            spans.append(Span(String(rest[range]), theme[.match]))
            rest = rest[range.upperBound...]
        }
        spans.append(Span(String(rest), style))
        return spans
    }

    static func deliveryMark(_ delivery: Timeline.Delivery) -> (String, Theme.Role) {
        switch delivery {
        case .queued: ("◷ queued", .muted)
        case .sent: ("✓", .muted)
        case .delivered: ("✓✓", .muted)
        case .read: ("✓✓ read", .success)
        case .failed: ("✗ not sent", .error)
        }
    }

    static func separator(_ title: String, width: Int) -> String {
        let label = " \(title) "
        let side = max(2, (width - TextWidth.of(label)) / 2)
        return String(repeating: "─", count: side) + label + String(repeating: "─", count: max(2, width - side - TextWidth.of(label)))
    }

    static func time(_ date: Date, calendar: Calendar) -> String {
        let parts = calendar.dateComponents([.hour, .minute], from: date)
        let hour = parts.hour ?? 0, minute = parts.minute ?? 0
        // Not String(format:): it goes through Foundation's formatter, a noticeable part of a frame.
        return (hour < 10 ? "0" : "") + String(hour) + (minute < 10 ? ":0" : ":") + String(minute)
    }

    static let weekdays = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"]
    static let months = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
                         "November", "December"]

    /// "Saturday 28 November 2026" — from calendar components (a DateFormatter made per
    /// separator cost more than the rest of a frame).
    static func dayTitle(_ date: Date, calendar: Calendar) -> String {
        let parts = calendar.dateComponents([.weekday, .day, .month, .year], from: date)
        let weekday = weekdays[((parts.weekday ?? 1) - 1 + 7) % 7], month = months[((parts.month ?? 1) - 1 + 12) % 12]
        return "\(weekday) \(parts.day ?? 1) \(month) \(parts.year ?? 1970)"
    }

    // MARK: Drawing

    /// The lines that fit in `rect` at the current scroll position, bottom-aligned, with "more
    /// above/below" hints.
    public func render(into screen: inout Screen, in whole: Rect, theme: Theme) {
        guard !whole.isEmpty else { return }
        screen.fill(x: whole.x, y: whole.y, width: whole.width, height: whole.height, style: theme[.text])
        // Before the first message the hint sits under the ticket's opening lines, where that
        // message will appear, with a blank line between.
        let empty = timeline.messages.isEmpty && timeline.outgoing.isEmpty && !loadingOlder
        let hint = empty ? TextWrap.lines(emptyHint, width: max(1, whole.width - 2)) : []
        let hintRows = !hint.isEmpty && whole.height > hint.count + 2 ? hint.count + 1 : 0
        let rect = Rect(x: whole.x, y: whole.y, width: whole.width, height: whole.height - hintRows)
        let (lines, fromStart) = Self.tailLayout(self, width: rect.width - 1, theme: theme, tail: offset + rect.height + 1)
        let end = max(0, lines.count - offset), start = max(0, end - rect.height)
        let shown = lines[start..<end]
        var y = rect.maxY - shown.count
        for line in shown {
            screen.put(line.spans, x: rect.x, y: y, limit: rect.width - 1)
            y += 1
        }
        if start == 0 && fromStart && (timeline.hasOlder || loadingOlder) {
            let hint = loadingOlder ? " ↑ loading older messages… " : " ↑ PgUp for older messages "
            screen.put(hint, x: rect.x + max(0, (rect.width - TextWidth.of(hint)) / 2), y: rect.maxY - shown.count - (shown.count < rect.height ? 1 : 0),
                       style: theme[.muted], limit: rect.width)
        }
        if offset > 0 {
            let hint = unseen > 0 ? " ↓ \(unseen) new — End jumps to them " : " ↓ more below — End jumps to the newest "
            screen.put(hint, x: rect.x + max(0, rect.width - TextWidth.of(hint) - 1), y: rect.maxY - 1, style: theme[.badge], limit: rect.width)
        }
        if hintRows > 0 {
            for (row, line) in hint.enumerated() {
                screen.put(line, x: rect.x + max(0, (rect.width - TextWidth.of(line)) / 2), y: whole.maxY - hint.count + row,
                           style: theme[.muted], limit: rect.width)
            }
        }
    }

    /// "Alice is typing…" for whoever is typing now.
    public var typingLine: String? {
        let names = timeline.typing.map { Sanitizer.clean($0.displayName) }
        switch names.count {
        case 0: return nil
        case 1: return "\(names[0]) is typing…"
        case 2: return "\(names[0]) and \(names[1]) are typing…"
        default: return "\(names.count) people are typing…"
        }
    }
}
