import Foundation
import SwitchboardClient
import SwitchboardProtocol
import TerminalKit

/// The conversation laid out in lines of theme roles (no theme: the drawing resolves them), peer
/// text sanitised, cached by width.
extension Conversation {
    // MARK: Layout

    /// One line of the conversation: its runs of text in theme roles, and the message it belongs to.
    public struct Line: Equatable, Sendable {
        public var spans: [RoleSpan]
        public var seq: Int?

        /// The line's text, as a test reads it.
        public var text: String { spans.text }
    }

    fileprivate enum Item {
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
    public static func layout(_ conversation: Conversation, width: Int) -> [Line] {
        tailLayout(conversation, width: width, tail: nil).lines
    }

    /// At least the last `tail` lines (all of them when nil), and whether they begin at the very
    /// start. Only the end of a long history is laid out — a frame or a read mark costs the
    /// screenful, not the thousands of messages held — with the item just before it as context
    /// (its day, its sender) so the lines are exactly those of the whole layout.
    static func tailLayout(_ conversation: Conversation, width: Int, tail: Int?) -> (lines: [Line], fromStart: Bool) {
        let messages = conversation.timeline.messages
        if let tail, let laid = conversation.memo.value.lines(width: width, tail: tail) { return laid }
        guard let tail else {
            let items = Self.items(conversation, from: 0)
            return (layoutItems(items.list, from: items.context, conversation, width: width), true)
        }
        // Only the newest messages, more of them until the lines fill the tail. A message takes
        // two or three lines (a header, a wrapped body): a third of the tail usually fills it.
        var window = max(8, tail / 3)
        while true {
            let first = max(0, messages.count - window)
            let items = Self.items(conversation, from: first)
            let lines = layoutItems(items.list, from: items.context, conversation, width: width)
            if first == 0 || lines.count >= tail {
                conversation.memo.value.store(width: width, lines: lines, fromStart: first == 0)
                return (lines, first == 0)
            }
            window *= 2
        }
    }

    /// The items from message index `first` on — messages in seq order (the one order), with the
    /// ticket's description (once its beginning is held) and system lines among them by time —
    /// and the item just before them, for context.
    fileprivate static func items(_ conversation: Conversation, from first: Int) -> (list: [Item], context: Item?) {
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

    fileprivate static func layoutItems(_ items: [Item], from context: Item?, _ conversation: Conversation, width: Int) -> [Line] {
        let width = max(10, width)
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = conversation.timeZone
        let timeline = conversation.timeline
        var lines: [Line] = []
        var lastDay: DateComponents?, lastSender: Int?, lastDate: Date?, lastInternal = false, lastOrigin: Int?
        if let before = context {
            lastDay = calendar.dateComponents([.year, .month, .day], from: before.date)
            switch before {
            case .message(let message):
                (lastSender, lastDate, lastInternal) = (message.sender.id, message.timestamp, message.internal)
                lastOrigin = message.mergedFromTicketId
            case .outgoing(let message):
                (lastSender, lastDate) = (timeline.me.id, message.createdAt)
            case .system, .opening:
                break
            }
        }
        let query = conversation.search?.query.lowercased()
        // Files are numbered in the order they came, for `/save N`.
        let fileNumbers = Dictionary(
            timeline.messages.compactMap(\.attachment).enumerated().map { ($1.id, $0 + 1) },
            uniquingKeysWith: { first, _ in first })
        let currentHit = conversation.search.flatMap { $0.hits.indices.contains($0.current) ? $0.hits[$0.current] : nil }
        for item in items {
            let day = calendar.dateComponents([.year, .month, .day], from: item.date)
            if day != lastDay {
                lines.append(Line(spans: [RoleSpan(separator(dayTitle(item.date, calendar: calendar), width: width), .muted)], seq: nil))
                lastDay = day
                lastSender = nil
            }
            switch item {
            case .opening(let ticket):
                let mine = ticket.customer.id == timeline.me.id
                let who = mine ? "You" : ticket.customer.shown
                lines.append(
                    Line(
                        spans: header(
                            who, then: " opened the ticket", mine ? .ownMessage : .otherMessage,
                            [RoleSpan("  " + time(ticket.createdAt, calendar: calendar), .timestamp)], width: width),
                        seq: nil))
                lines += body(ticket.description, width: width, role: .text, query: query, seq: nil, mark: nil)
                lastSender = nil
            case .system(let line):
                lines.append(Line(spans: [RoleSpan("  — \(line.text) · \(time(line.date, calendar: calendar))", .systemMessage)], seq: nil))
                lastSender = nil
            case .message(let message) where message.senderType == .system:
                // The server's own lines (a ticket moved on, the team is away): said like the
                // client's, a note in the note's colour and marked as one.
                let origin = message.mergedFromTicketId.map { " (from #\($0))" } ?? ""
                let text = (message.internal ? "✎ internal: " : "") + Sanitizer.clean(message.message) + origin
                let rows = TextWrap.lines("— \(text) · \(time(message.timestamp, calendar: calendar))", width: width - 4)
                for (index, row) in rows.enumerated() {
                    lines.append(
                        Line(
                            spans: [RoleSpan((index == 0 ? "  " : "    ") + row, message.internal ? .note : .systemMessage)],
                            seq: message.seq))
                }
                lastSender = nil
            case .message(let message):
                if message.seq == conversation.firstUnseenSeq {
                    lines.append(Line(spans: [RoleSpan(separator("new messages", width: width), .accent)], seq: nil))
                    lastSender = nil
                }
                let mine = message.sender.id == timeline.me.id
                let pause = lastDate.map { message.timestamp.timeIntervalSince($0) > 600 } ?? true
                // The current hit always gets its own header line, where the ▶ shows it.
                let regroup =
                    message.internal != lastInternal || message.mergedFromTicketId != lastOrigin || message.seq == currentHit
                if message.sender.id != lastSender || pause || regroup {
                    let name = mine ? "You" : message.sender.shown
                    let marker = message.seq == currentHit ? "▶ " : ""
                    var after = [RoleSpan("  " + time(message.timestamp, calendar: calendar), .timestamp)]
                    // Notes are marked in words too, not only by their style: agents only, never the customer.
                    if message.internal { after.append(RoleSpan("  ✎ internal note", .note, bold: true)) }
                    // Merged in from another ticket: where it was first said.
                    if let origin = message.mergedFromTicketId { after.append(RoleSpan("  ↪ from #\(origin)", .muted)) }
                    lines.append(
                        Line(
                            spans: header(
                                marker + name, mine ? .ownMessage : .otherMessage,
                                after, width: width),
                            seq: message.seq))
                }
                // A note has no delivery mark: the customer's read mark covers its seq, but they never see it.
                let mark = message.internal ? nil : timeline.delivery(of: message).map { deliveryMark($0) }
                if let file = message.attachment {
                    // The file's line, then the words (its name again when none were written).
                    let label =
                        "📎 \(fileNumbers[file.id].map { "\($0) " } ?? "")\(Sanitizer.clean(file.fileName)) · "
                        + "\(FileTransfer.size(file.size)) · \(file.contentType)"
                    for row in TextWrap.lines(label, width: width - 2) {
                        lines.append(Line(spans: [RoleSpan("  "), RoleSpan(row, .accent)], seq: message.seq))
                    }
                    if message.message != file.fileName {
                        lines += body(
                            message.message, width: width, role: message.internal ? .note : .text,
                            query: query, seq: message.seq, mark: mark)
                    } else if let mark {
                        lines[lines.count - 1].spans.append(RoleSpan("  " + mark.0, mark.1))
                    }
                } else {
                    lines += body(
                        message.message, width: width, role: message.internal ? .note : .text,
                        query: query, seq: message.seq, mark: mark)
                }
                // The server masked part of it: say so, to both sides (rule names come from the server).
                if let summary = message.redactions.summary {
                    for row in TextWrap.lines("🔒 " + summary, width: width - 2) {
                        lines.append(Line(spans: [RoleSpan("  " + row, .muted)], seq: message.seq))
                    }
                }
                lastSender = message.sender.id
                lastDate = message.timestamp
                lastInternal = message.internal
                lastOrigin = message.mergedFromTicketId
            case .outgoing(let message):
                if lastSender != timeline.me.id {
                    lines.append(
                        Line(
                            spans: [
                                RoleSpan("You", .ownMessage, bold: true),
                                RoleSpan("  " + time(message.createdAt, calendar: calendar), .timestamp),
                            ], seq: nil))
                }
                let delivery = Timeline.delivery(of: message)
                // A file waiting to go: its line as it will show, muted like any message not yet stored.
                let text = message.file.map { "📎 \($0.name) · \(FileTransfer.size($0.size))" } ?? message.text
                if case .failed(let reason) = delivery {
                    lines += body(text, width: width, role: .muted, query: nil, seq: nil, mark: nil)
                    for row in TextWrap.lines("✗ not sent: \(reason) — \(conversation.failureHint)", width: width - 2) {
                        lines.append(Line(spans: [RoleSpan("  " + row, .error)], seq: nil))
                    }
                } else {
                    lines += body(text, width: width, role: .muted, query: nil, seq: nil, mark: deliveryMark(delivery))
                }
                lastSender = timeline.me.id
                lastDate = message.createdAt
                lastOrigin = nil
            }
        }
        return lines
    }

    /// A header line: who (cut with "…" when the line would not fit in `width`), then what
    /// follows it whole — the time, and "✎ internal note", which must always show.
    fileprivate static func header(
        _ who: String, then words: String = "", _ role: Theme.Role, _ after: [RoleSpan],
        width: Int
    ) -> [RoleSpan] {
        let room = width - after.width - TextWidth.of(words)
        let name = TextWidth.of(who) <= room ? who : TextWrap.truncate(who, width: max(1, room))
        return [RoleSpan(name + words, role, bold: true)] + after
    }

    /// A message's text, wrapped at `width` less its indent, with the delivery mark after the
    /// last line (or on a line of its own when it does not fit).
    fileprivate static func body(
        _ text: String, width: Int, role: Theme.Role, query: String?, seq: Int?,
        mark: (String, Theme.Role)?
    ) -> [Line] {
        var rows: [Line] = []
        // TextWrap sanitises, keeping the newlines as rows.
        for row in TextWrap.lines(text, width: width - 2) {
            rows.append(Line(spans: [RoleSpan("  ")] + highlighted(row, query: query, role: role), seq: seq))
        }
        if rows.isEmpty { rows.append(Line(spans: [RoleSpan("  ")], seq: seq)) }
        if let (text, role) = mark {
            let used = rows[rows.count - 1].spans.width
            if used + 2 + TextWidth.of(text) <= width {
                rows[rows.count - 1].spans.append(RoleSpan("  " + text, role))
            } else {
                rows.append(Line(spans: [RoleSpan("  " + text, role)], seq: seq))
            }
        }
        return rows
    }

    fileprivate static func highlighted(_ row: String, query: String?, role: Theme.Role) -> [RoleSpan] {
        guard let query, !query.isEmpty else { return [RoleSpan(row, role)] }
        var spans: [RoleSpan] = [], rest = Substring(row)
        while let range = rest.range(of: query, options: .caseInsensitive) {
            if range.lowerBound > rest.startIndex { spans.append(RoleSpan(String(rest[..<range.lowerBound]), role)) }
            spans.append(RoleSpan(String(rest[range]), .match))
            rest = rest[range.upperBound...]
        }
        if !rest.isEmpty || spans.isEmpty { spans.append(RoleSpan(String(rest), role)) }
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
    static let months = [
        "January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
        "November", "December",
    ]

    /// "Saturday 28 November 2026" — from calendar components (a DateFormatter made per
    /// separator cost more than the rest of a frame).
    static func dayTitle(_ date: Date, calendar: Calendar) -> String {
        let parts = calendar.dateComponents([.weekday, .day, .month, .year], from: date)
        let weekday = weekdays[((parts.weekday ?? 1) - 1 + 7) % 7], month = months[((parts.month ?? 1) - 1 + 12) % 12]
        return "\(weekday) \(parts.day ?? 1) \(month) \(parts.year ?? 1970)"
    }
}
