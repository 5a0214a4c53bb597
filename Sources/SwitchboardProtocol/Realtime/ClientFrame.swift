import Foundation

/// A frame a client sends on `/ws` (protocol.md, "Client → server"), with the optional `ref`
/// that an `ERROR` caused by it echoes.
public struct ClientFrame: Sendable, Equatable {
    public enum Kind: Sendable, Equatable {
        case joinRoom(ticketId: Int, sinceSeq: Int?)
        case leaveRoom(ticketId: Int)
        case sendMessage(
            ticketId: Int, clientMessageId: String, message: String, messageType: MessageType?, internal: Bool?,
            attachmentId: Int? = nil)
        case typingStart(ticketId: Int, internal: Bool)
        case typingStop(ticketId: Int, internal: Bool)
        case markDelivered(ticketId: Int, upToSeq: Int)
        case markRead(ticketId: Int, upToSeq: Int)
        case setStatus(AgentStatus)
    }

    public var kind: Kind
    public var ref: String?

    public init(_ kind: Kind, ref: String? = nil) {
        self.kind = kind
        self.ref = ref
    }

    public static let types = [
        "JOIN_ROOM", "LEAVE_ROOM", "SEND_MESSAGE", "TYPING_START", "TYPING_STOP",
        "MARK_DELIVERED", "MARK_READ", "SET_STATUS",
    ]

    public var type: String {
        switch kind {
        case .joinRoom: "JOIN_ROOM"
        case .leaveRoom: "LEAVE_ROOM"
        case .sendMessage: "SEND_MESSAGE"
        case .typingStart: "TYPING_START"
        case .typingStop: "TYPING_STOP"
        case .markDelivered: "MARK_DELIVERED"
        case .markRead: "MARK_READ"
        case .setStatus: "SET_STATUS"
        }
    }
}

extension ClientFrame: Codable {
    enum Key: String, CodingKey {
        case type, ref, ticketId, sinceSeq, clientMessageId, message, messageType, `internal`, upToSeq, status, attachmentId
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: Key.self)
        ref = try? c.decodeIfPresent(String.self, forKey: .ref)
        let type = try c.decode(String.self, forKey: .type)
        switch type {
        case "JOIN_ROOM":
            kind = .joinRoom(
                ticketId: try c.decode(Int.self, forKey: .ticketId),
                sinceSeq: try c.decodeIfPresent(Int.self, forKey: .sinceSeq))
        case "LEAVE_ROOM":
            kind = .leaveRoom(ticketId: try c.decode(Int.self, forKey: .ticketId))
        case "SEND_MESSAGE":
            kind = .sendMessage(
                ticketId: try c.decode(Int.self, forKey: .ticketId),
                clientMessageId: try c.decode(String.self, forKey: .clientMessageId),
                message: try c.decode(String.self, forKey: .message),
                messageType: try c.decodeIfPresent(MessageType.self, forKey: .messageType),
                internal: try c.decodeIfPresent(Bool.self, forKey: .internal),
                attachmentId: try c.decodeIfPresent(Int.self, forKey: .attachmentId))
        case "TYPING_START", "TYPING_STOP":
            let ticketId = try c.decode(Int.self, forKey: .ticketId)
            let note = try c.decodeIfPresent(Bool.self, forKey: .internal) ?? false
            kind =
                type == "TYPING_START"
                ? .typingStart(ticketId: ticketId, internal: note)
                : .typingStop(ticketId: ticketId, internal: note)
        case "MARK_DELIVERED", "MARK_READ":
            let ticketId = try c.decode(Int.self, forKey: .ticketId)
            let upToSeq = try c.decode(Int.self, forKey: .upToSeq)
            kind =
                type == "MARK_READ"
                ? .markRead(ticketId: ticketId, upToSeq: upToSeq)
                : .markDelivered(ticketId: ticketId, upToSeq: upToSeq)
        case "SET_STATUS":
            kind = .setStatus(try c.decode(AgentStatus.self, forKey: .status))
        default:
            throw DecodingError.dataCorruptedError(
                forKey: .type, in: c,
                debugDescription: "unknown frame type '\(type)' (expected one of \(Self.types.joined(separator: ", ")))")
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: Key.self)
        try c.encode(type, forKey: .type)
        try c.encodeIfPresent(ref, forKey: .ref)
        switch kind {
        case .joinRoom(let ticketId, let sinceSeq):
            try c.encode(ticketId, forKey: .ticketId)
            try c.encodeIfPresent(sinceSeq, forKey: .sinceSeq)
        case .leaveRoom(let ticketId):
            try c.encode(ticketId, forKey: .ticketId)
        case .sendMessage(let ticketId, let clientMessageId, let message, let messageType, let note, let attachmentId):
            try c.encode(ticketId, forKey: .ticketId)
            try c.encode(clientMessageId, forKey: .clientMessageId)
            try c.encode(message, forKey: .message)
            try c.encodeIfPresent(messageType, forKey: .messageType)
            try c.encodeIfPresent(note, forKey: .internal)
            try c.encodeIfPresent(attachmentId, forKey: .attachmentId)
        case .typingStart(let ticketId, let note), .typingStop(let ticketId, let note):
            try c.encode(ticketId, forKey: .ticketId)
            if note { try c.encode(true, forKey: .internal) }
        case .markDelivered(let ticketId, let upToSeq), .markRead(let ticketId, let upToSeq):
            try c.encode(ticketId, forKey: .ticketId)
            try c.encode(upToSeq, forKey: .upToSeq)
        case .setStatus(let status):
            try c.encode(status, forKey: .status)
        }
    }
}
