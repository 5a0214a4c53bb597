import Foundation
import SwitchboardProtocol

/// One ticket's conversation as this client holds it: stored messages in seq order with no
/// duplicates, this user's messages still in the outbox after them, who is typing, who is
/// there, and how far the others have received and read. A value: modes keep it in their state
/// and feed it events; it talks to nothing.
///
/// Memory is bounded: it holds a window of at most `capacity` messages. Live messages push the
/// oldest out (`hasOlder`); paging back far pushes the newest out (`hasNewer`: the window is no
/// longer at the live end, and live messages wait on the server until it pages forward again).
public struct Timeline: Sendable, Equatable {
    /// The state of one of this user's messages, for its check marks.
    public enum Delivery: Sendable, Equatable {
        case queued
        case sent
        case delivered
        case read
        case failed(reason: String)
    }

    public let ticketId: Int
    public let me: UserRef
    public var capacity: Int
    public private(set) var messages: [Message] = []
    /// This user's messages not yet stored (queued or failed), in the order they were written.
    public private(set) var outgoing: [OutgoingMessage] = []
    public private(set) var hasOlder = false
    public private(set) var hasNewer = false
    /// The highest seq the others have received and read.
    public private(set) var deliveredUpTo = 0
    public private(set) var readUpTo = 0
    /// Others typing now, in the order they started.
    public private(set) var typing: [UserRef] = []
    /// Who has been seen in the room, with their presence.
    public private(set) var participants: [Int: UserRef] = [:]
    /// False from a drop until the room is joined again: presence shown then is a guess.
    public private(set) var presenceKnown = false

    public init(ticketId: Int, me: UserRef, capacity: Int = 5_000) {
        self.ticketId = ticketId
        self.me = me
        self.capacity = max(1, capacity)
    }

    public var oldestSeq: Int? { messages.first?.seq }
    public var newestSeq: Int? { messages.last?.seq }

    // MARK: Events

    /// Takes in what the connection reports; returns whether anything here changed.
    @discardableResult
    public mutating func apply(_ event: RealtimeEvent) -> Bool {
        switch event {
        case .server(let event): return apply(event)
        case .outgoing(let message): return apply(message)
        case .discarded(let id, let ticketId):
            guard ticketId == self.ticketId else { return false }
            return Self.remove(from: &outgoing) { $0.clientMessageId == id }
        case .undecodable, .uploading, .movedTo, .outboxTrouble: return false
        }
    }

    @discardableResult
    public mutating func apply(_ event: ServerEvent) -> Bool {
        switch event {
        case .userOnline(let user), .userOffline(let user):
            guard var known = participants[user.id] else { return false }
            known.isOnline = event.type == "USER_ONLINE"
            participants[user.id] = known
            return true
        default:
            break
        }
        guard event.ticketId == ticketId else { return false }
        switch event {
        case .roomJoined(_, _, let people):
            for person in people { participants[person.id] = person }
            presenceKnown = true
            return true
        case .receiveMessage(_, let message):
            if message.sender.id != me.id {
                participants[message.sender.id] = message.sender
                typing.removeAll { $0.id == message.sender.id }
            }
            return insertLive([message])
        case .typingStart(_, let user, _):
            guard user.id != me.id, !typing.contains(where: { $0.id == user.id }) else { return false }
            typing.append(user)
            return true
        case .typingStop(_, let user, _):
            return Self.remove(from: &typing) { $0.id == user.id }
        case .roomMembers(_, let members):
            for member in members { participants[member.id] = member }
            return true
        case .messagesDelivered(_, let userId, let upToSeq) where userId != me.id:
            guard upToSeq > deliveredUpTo else { return false }
            deliveredUpTo = upToSeq
            return true
        case .messagesRead(_, let userId, let upToSeq) where userId != me.id:
            guard upToSeq > readUpTo else { return false }
            readUpTo = upToSeq
            deliveredUpTo = max(deliveredUpTo, upToSeq)
            return true
        case .agentAssigned(_, let agent, _):
            participants[agent.id] = agent
            return true
        default:
            return false
        }
    }

    private mutating func apply(_ message: OutgoingMessage) -> Bool {
        guard message.ticketId == ticketId else { return false }
        outgoing.follow(message)
        if case .sent(let id, let seq, let timestamp) = message.state {
            let stored = Message(
                id: id, ticketId: ticketId, seq: seq, clientMessageId: message.clientMessageId, sender: me,
                senderType: me.role == .customer ? .customer : .agent,
                message: message.text.isEmpty ? message.file?.attachment?.fileName ?? "" : message.text,
                messageType: message.messageType ?? .text, internal: message.isInternal, isRead: false,
                timestamp: timestamp, attachment: message.file?.attachment, redactions: message.redactions)
            insertLive([stored])
        }
        return true
    }

    /// The connection dropped: nobody can be seen typing, and presence is no longer known.
    public mutating func connectionLost() {
        typing = []
        presenceKnown = false
    }

    // MARK: Pages from REST

    /// The newest page (`GET …/messages` without a cursor): where a timeline starts.
    public mutating func insertLatest(_ page: MessagePage) {
        let wasEmpty = messages.isEmpty
        insertLive(page.items)
        if wasEmpty { hasOlder = hasOlder || page.hasMore }
    }

    /// A page before `oldestSeq`.
    public mutating func insertOlder(_ page: MessagePage) {
        hasOlder = page.hasMore
        merge(page.items)
        if messages.count > capacity {
            messages.removeLast(messages.count - capacity)
            hasNewer = true
        }
    }

    /// A page after `newestSeq`, while the window is scrolled back (`hasNewer`).
    public mutating func insertNewer(_ page: MessagePage) {
        merge(page.items)
        hasNewer = page.hasMore
        trimOldest()
    }

    // MARK: Reading

    /// The check-mark state of one of this user's stored messages (nil for others' messages).
    public func delivery(of message: Message) -> Delivery? {
        guard message.sender.id == me.id else { return nil }
        if readUpTo >= message.seq { return .read }
        if deliveredUpTo >= message.seq { return .delivered }
        return .sent
    }

    /// This user's messages that failed for good, oldest first: what retry and discard act on.
    public var failedIds: [String] { outgoing.filter(\.hasFailed).map(\.clientMessageId) }

    /// The newest of this user's text messages that failed for good: what "edit" puts back in the line.
    public var lastEditableFailure: OutgoingMessage? { outgoing.last { $0.hasFailed && $0.file == nil } }

    public static func delivery(of message: OutgoingMessage) -> Delivery {
        switch message.state {
        case .queued: .queued
        case .sent: .sent
        case .failed(_, let reason): .failed(reason: reason)
        }
    }

    // MARK: Keeping order

    /// Removes what matches; whether anything did.
    private static func remove<Element>(from array: inout [Element], where matches: (Element) -> Bool) -> Bool {
        let count = array.count
        array.removeAll(where: matches)
        return array.count != count
    }

    /// Messages arriving at the live end (or replayed); ignored while the window is scrolled back.
    @discardableResult
    private mutating func insertLive(_ items: [Message]) -> Bool {
        guard !hasNewer else { return false }
        let changed = merge(items)
        trimOldest()
        return changed
    }

    private mutating func trimOldest() {
        guard messages.count > capacity else { return }
        messages.removeFirst(messages.count - capacity)
        hasOlder = true
    }

    /// Puts each message in its seq place; one already held (same seq) is replaced, not repeated.
    @discardableResult
    private mutating func merge(_ items: [Message]) -> Bool {
        var changed = false
        for item in items where item.ticketId == ticketId {
            // A page says whether my messages were read (`isRead`): read marks only move forward,
            // so a chat opened later shows them read without waiting for the next MESSAGES_READ.
            if item.isRead, item.sender.id == me.id, item.seq > readUpTo {
                readUpTo = item.seq
                deliveredUpTo = max(deliveredUpTo, item.seq)
                changed = true
            }
            if let last = messages.last, item.seq > last.seq {
                messages.append(item)
                changed = true
                continue
            }
            let index = insertionIndex(of: item.seq)
            if index < messages.count, messages[index].seq == item.seq {
                if messages[index] != item {
                    messages[index] = item
                    changed = true
                }
            } else {
                messages.insert(item, at: index)
                changed = true
            }
        }
        return changed
    }

    /// The first index whose seq is not below `seq` (binary search).
    private func insertionIndex(of seq: Int) -> Int {
        var low = 0, high = messages.count
        while low < high {
            let middle = (low + high) / 2
            if messages[middle].seq < seq { low = middle + 1 } else { high = middle }
        }
        return low
    }
}

extension APIClient {
    /// The page before what `timeline` holds (its newest page when it holds nothing).
    public func olderPage(for timeline: Timeline, limit: Int = 50) async throws(APIError) -> MessagePage {
        try await messages(ticket: timeline.ticketId, beforeSeq: timeline.oldestSeq, limit: limit)
    }

    /// The page after what `timeline` holds, to page forward to the live end.
    public func newerPage(for timeline: Timeline, limit: Int = 50) async throws(APIError) -> MessagePage {
        try await messages(ticket: timeline.ticketId, afterSeq: timeline.newestSeq ?? 0, limit: limit)
    }
}
