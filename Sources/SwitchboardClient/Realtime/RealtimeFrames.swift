import Foundation
import SwitchboardProtocol

/// What a realtime connection keeps across its sockets — the rooms it is in with the highest seq
/// held from each, read and delivery marks, the agent status chosen, the one outbox message on
/// the wire — and what each frame in or out does to it. A value without sockets or clocks: it
/// answers with frames to write and reactions for the connection to carry out, so the frame
/// handling is tested on its own (`RealtimeFramesTests`).
struct RealtimeFrames: Sendable {
    /// What the connection does after a frame came in.
    enum Reaction: Sendable, Equatable {
        /// Tell the mode.
        case emit(RealtimeEvent)
        /// The server stored an outbox message: mark it sent in the outbox, then `stored(_:)`
        /// frees the wire for the next.
        /// `storedText` and `redactions`: what the server's content filters made of it, when they masked something.
        case acknowledged(clientMessageId: String, messageId: Int, seq: Int, timestamp: Date, redactions: [Redaction], storedText: String?)
        /// The server refused the message on the wire: decide its fate (again later, or failed),
        /// then `release(_:)` frees the wire.
        case refused(clientMessageId: String, APIError)
        /// Messages from others arrived: send delivery receipts shortly (one per room, not per message).
        case receiptsDue
    }

    /// The signed-in user (messages from them need no delivery receipt).
    var me: Int?
    /// Send `MARK_DELIVERED` for messages from others.
    var deliveryReceipts: Bool
    /// Rooms to be in, with the highest seq held from each (0: none).
    private(set) var rooms: [Int: Int] = [:]
    private(set) var chosenStatus: AgentStatus?
    private(set) var readMarks: [Int: Int] = [:]
    /// Delivery receipts not sent yet, by room.
    private(set) var deliveredMarks: [Int: Int] = [:]
    /// The outbox message on the wire, waiting for its ACK (one at a time keeps the order).
    private(set) var inFlight: String?
    /// Transient refusals in a row (the wait before sending again grows with them).
    private(set) var transientRefusals = 0

    init(deliveryReceipts: Bool = true) {
        self.deliveryReceipts = deliveryReceipts
    }

    // MARK: Frames out

    /// Be in the room from now on, holding its messages up to `sinceSeq`.
    mutating func join(_ ticketId: Int, sinceSeq: Int?) -> ClientFrame {
        rooms[ticketId] = max(rooms[ticketId] ?? 0, sinceSeq ?? 0)
        return ClientFrame(.joinRoom(ticketId: ticketId, sinceSeq: rooms[ticketId]))
    }

    /// Out of the room; nil when it was not in it.
    mutating func leave(_ ticketId: Int) -> ClientFrame? {
        guard rooms.removeValue(forKey: ticketId) != nil else { return nil }
        readMarks[ticketId] = nil
        return ClientFrame(.leaveRoom(ticketId: ticketId))
    }

    /// Read up to `upToSeq`; nil when that was already said.
    mutating func markRead(_ ticketId: Int, upToSeq: Int) -> ClientFrame? {
        guard upToSeq > readMarks[ticketId] ?? 0 else { return nil }
        readMarks[ticketId] = upToSeq
        return ClientFrame(.markRead(ticketId: ticketId, upToSeq: upToSeq))
    }

    mutating func setStatus(_ status: AgentStatus) -> ClientFrame {
        chosenStatus = status
        return ClientFrame(.setStatus(status))
    }

    /// A new socket: what must hold again — every room rejoined from the seq held (the server
    /// replays what came after), read marks, the chosen status, receipts not sent yet.
    mutating func socketOpened() -> [ClientFrame] {
        inFlight = nil
        var frames: [ClientFrame] = []
        for (ticketId, held) in rooms.sorted(by: { $0.key < $1.key }) {
            frames.append(ClientFrame(.joinRoom(ticketId: ticketId, sinceSeq: held)))
            if let read = readMarks[ticketId] { frames.append(ClientFrame(.markRead(ticketId: ticketId, upToSeq: read))) }
        }
        if let chosenStatus { frames.append(ClientFrame(.setStatus(chosenStatus))) }
        return frames + takeReceipts()
    }

    /// The socket is gone: the message on the wire goes again on the next (its clientMessageId
    /// makes that safe).
    mutating func socketClosed() {
        inFlight = nil
    }

    /// The delivery receipts due, one per room; none are due after.
    mutating func takeReceipts() -> [ClientFrame] {
        defer { deliveredMarks = [:] }
        return deliveredMarks.sorted { $0.key < $1.key }.map { ClientFrame(.markDelivered(ticketId: $0.key, upToSeq: $0.value)) }
    }

    /// Whether the wire is free for the next outbox message.
    var canSend: Bool { inFlight == nil }

    /// The outbox's next message goes on the wire.
    mutating func sending(_ message: OutgoingMessage) -> ClientFrame {
        inFlight = message.clientMessageId
        return message.frame
    }

    /// A refusal that may pass later: counted, so the next wait is longer.
    mutating func refusedTransiently() -> Int {
        transientRefusals += 1
        return transientRefusals
    }

    /// The server took a message (its file, or its frame): the refusal count starts again.
    mutating func accepted() {
        transientRefusals = 0
    }

    /// The outbox has marked `clientMessageId` sent: if it was the one on the wire, the next may
    /// go. (Freed only now: until the outbox forgets it, it would be "next" again and go twice.)
    mutating func stored(_ clientMessageId: String) {
        guard inFlight == clientMessageId else { return }
        inFlight = nil
        transientRefusals = 0
    }

    /// The refused `clientMessageId` is dealt with (failed on disk, or its pause before going
    /// again is over): the wire is free.
    mutating func release(_ clientMessageId: String) {
        if inFlight == clientMessageId { inFlight = nil }
    }

    // MARK: Frames in

    /// What a server frame means. Text that is not a known event is shown as it came (the tester).
    mutating func received(_ text: String, decoder: JSONDecoder) -> [Reaction] {
        guard let event = try? decoder.decode(ServerEvent.self, from: Data(text.utf8)) else {
            return [.emit(.undecodable(text))]
        }
        return received(event)
    }

    mutating func received(_ event: ServerEvent) -> [Reaction] {
        switch event {
        case .receiveMessage(let ticketId, let message):
            // The hub relays a room in seq order, so the highest seq received is a gap-free mark.
            if let held = rooms[ticketId], message.seq > held { rooms[ticketId] = message.seq }
            guard message.sender.id != me, deliveryReceipts, message.seq > deliveredMarks[ticketId] ?? 0 else {
                return [.emit(.server(event))]
            }
            deliveredMarks[ticketId] = message.seq
            return [.emit(.server(event)), .receiptsDue]
        case .ack(let clientMessageId, let messageId, _, let seq, let timestamp, let redactions, let storedText):
            return [
                .emit(.server(event)),
                .acknowledged(
                    clientMessageId: clientMessageId, messageId: messageId, seq: seq, timestamp: timestamp,
                    redactions: redactions, storedText: storedText),
            ]
        case .presence(let users):
            // The modes hear of presence one user at a time, whichever way the server sent it.
            return users.map { .emit(.server($0.isOnline ? .userOnline($0) : .userOffline($0))) }
        case .error(let code, let message, let ref?) where ref == inFlight:
            return [.emit(.server(event)), .refused(clientMessageId: ref, APIError(code: code, message: message, status: code.httpStatus))]
        default:
            return [.emit(.server(event))]
        }
    }
}
