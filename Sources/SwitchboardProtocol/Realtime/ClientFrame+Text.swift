import Foundation

extension ClientFrame {
    /// A frame from its text, as `ClientFrame(from:)` decodes it: the frames clients send with
    /// every message (flat objects of strings, integers and booleans) read by `FlatJSON`, anything
    /// else — and every frame that is refused — by JSONDecoder, with its sentences.
    public static func decode(_ text: String, decoder: JSONDecoder = WireJSON.sharedDecoder) throws -> ClientFrame {
        if let members = FlatJSON.object(text), let frame = ClientFrame(flat: members) { return frame }
        return try decoder.decode(ClientFrame.self, from: Data(text.utf8))
    }

    /// The frame the members make, or nil where `init(from:)` would decide otherwise than plainly
    /// (a missing or mistyped member: its error comes from JSONDecoder). `SET_STATUS` is rare and
    /// left to it too.
    init?(flat members: [String: FlatJSON.Value]) {
        func int(_ key: String) -> Int? {
            if case .int(let value)? = members[key] { return value }
            return nil
        }
        func string(_ key: String) -> String? {
            if case .string(let value)? = members[key] { return value }
            return nil
        }
        /// `.some(nil)` for absent or null (what `decodeIfPresent` gives), nil for another type.
        func optional<T>(_ key: String, _ read: (String) -> T?) -> T?? {
            switch members[key] {
            case nil, .null?: return .some(nil)
            default: return read(key).map { .some($0) }
            }
        }
        func bool(_ key: String) -> Bool? {
            if case .bool(let value)? = members[key] { return value }
            return nil
        }
        guard let type = string("type") else { return nil }
        let kind: Kind
        switch type {
        case "JOIN_ROOM":
            guard let ticketId = int("ticketId"), let sinceSeq = optional("sinceSeq", int) else { return nil }
            kind = .joinRoom(ticketId: ticketId, sinceSeq: sinceSeq)
        case "LEAVE_ROOM":
            guard let ticketId = int("ticketId") else { return nil }
            kind = .leaveRoom(ticketId: ticketId)
        case "SEND_MESSAGE":
            guard let ticketId = int("ticketId"), let clientMessageId = string("clientMessageId"), let message = string("message"),
                let messageType = optional("messageType", { string($0).flatMap(MessageType.init(rawValue:)) }),
                let note = optional("internal", bool), let attachmentId = optional("attachmentId", int)
            else { return nil }
            kind = .sendMessage(
                ticketId: ticketId, clientMessageId: clientMessageId, message: message, messageType: messageType,
                internal: note, attachmentId: attachmentId)
        case "TYPING_START", "TYPING_STOP":
            guard let ticketId = int("ticketId"), let note = optional("internal", bool) else { return nil }
            kind =
                type == "TYPING_START"
                ? .typingStart(ticketId: ticketId, internal: note ?? false)
                : .typingStop(ticketId: ticketId, internal: note ?? false)
        case "MARK_DELIVERED", "MARK_READ":
            guard let ticketId = int("ticketId"), let upToSeq = int("upToSeq") else { return nil }
            kind =
                type == "MARK_READ" ? .markRead(ticketId: ticketId, upToSeq: upToSeq) : .markDelivered(ticketId: ticketId, upToSeq: upToSeq)
        default:
            return nil
        }
        // `ref` as `init(from:)` reads it: a string, or nothing (`try?` drops any other type).
        self.init(kind, ref: string("ref"))
    }
}
