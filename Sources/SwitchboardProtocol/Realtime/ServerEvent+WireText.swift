import Foundation

extension ServerEvent {
    /// The frame as the contract's JSON text, byte for byte what a `WireJSON.encoder()` writes. The frames of every message — `RECEIVE_MESSAGE` to each member of the room, `ACK`
    /// to its sender — and typing are written by hand: Foundation's encoder, with the sorted keys
    /// the contract's readers rely on, was an eighth of the server's CPU per message. Every other
    /// frame goes through `WireJSON.sharedEncoder`. `WireTextTests` holds the two to the same output.
    public func wireText() throws -> String {
        var text = JSONBytes()
        switch self {
        case .receiveMessage(let ticketId, let message):
            text.raw(#"{"message":"#)
            text.message(message)
            text.raw(#","ticketId":"#)
            text.int(ticketId)
            text.raw(#","type":"RECEIVE_MESSAGE"}"#)
        case .ack(let clientMessageId, let messageId, let ticketId, let seq, let timestamp, let redactions, let storedText):
            text.raw(#"{"clientMessageId":"#)
            text.string(clientMessageId)
            if let storedText {
                text.raw(#","message":"#)
                text.string(storedText)
            }
            text.raw(#","messageId":"#)
            text.int(messageId)
            text.raw(#","redactions":"#)
            text.redactions(redactions)
            text.raw(#","seq":"#)
            text.int(seq)
            text.raw(#","ticketId":"#)
            text.int(ticketId)
            text.raw(#","timestamp":"#)
            text.string(Timestamp.format(timestamp))
            text.raw(#","type":"ACK"}"#)
        case .typingStart(let ticketId, let user, let note), .typingStop(let ticketId, let user, let note):
            text.raw(#"{"internal":"#)
            text.bool(note)
            text.raw(#","ticketId":"#)
            text.int(ticketId)
            text.raw(#","type":""#)
            text.raw(type)
            text.raw(#"","user":"#)
            text.user(user)
            text.raw("}")
        default:
            return String(decoding: try WireJSON.sharedEncoder.encode(self), as: UTF8.self)
        }
        return text.string
    }
}

/// JSON written into bytes, as Foundation's encoder writes it with `.withoutEscapingSlashes`:
/// no spaces, `"` and `\` escaped, control characters as `\b \f \n \r \t` or `\u00XX`, everything
/// else (slashes, non-ASCII) as it is. Keys are the caller's, in sorted order. (Not the tester's
/// `JSONText`, which reads and lays out JSON a person types.)
struct JSONBytes {
    private var bytes: [UInt8] = []
    private static let hexDigits = Array("0123456789abcdef".utf8)

    init() { bytes.reserveCapacity(512) }

    var string: String { String(decoding: bytes, as: UTF8.self) }

    mutating func raw(_ fragment: String) {
        bytes.append(contentsOf: fragment.utf8)
    }

    mutating func int(_ value: Int) {
        raw(String(value))  // a small string: no allocation
    }

    mutating func bool(_ value: Bool) {
        raw(value ? "true" : "false")
    }

    mutating func string(_ value: String) {
        bytes.append(UInt8(ascii: "\""))
        var value = value
        value.withUTF8 { utf8 in
            var runStart = 0
            for (index, byte) in utf8.enumerated() where byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") {
                bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[runStart..<index]))
                runStart = index + 1
                bytes.append(UInt8(ascii: "\\"))
                switch byte {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"): bytes.append(byte)
                case 0x08: bytes.append(UInt8(ascii: "b"))
                case 0x0C: bytes.append(UInt8(ascii: "f"))
                case 0x0A: bytes.append(UInt8(ascii: "n"))
                case 0x0D: bytes.append(UInt8(ascii: "r"))
                case 0x09: bytes.append(UInt8(ascii: "t"))
                default:
                    bytes.append(contentsOf: "u00".utf8)
                    bytes.append(Self.hexDigits[Int(byte >> 4)])
                    bytes.append(Self.hexDigits[Int(byte & 0xF)])
                }
            }
            bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[runStart...]))
        }
        bytes.append(UInt8(ascii: "\""))
    }

    mutating func optionalString(_ value: String?) {
        if let value { string(value) } else { raw("null") }
    }

    mutating func user(_ user: UserRef) {
        raw(#"{"displayName":"#)
        string(user.displayName)
        raw(#","id":"#)
        int(user.id)
        // Present only for an API token's account, as the encoder writes it (keys sorted).
        if user.bot { raw(#","isBot":true"#) }
        raw(#","isOnline":"#)
        bool(user.isOnline)
        raw(#","role":""#)
        raw(user.role.rawValue)
        raw(#""}"#)
    }

    mutating func redactions(_ redactions: [Redaction]) {
        raw("[")
        for (index, redaction) in redactions.enumerated() {
            if index > 0 { raw(",") }
            raw(#"{"count":"#)
            int(redaction.count)
            raw(#","rule":"#)
            string(redaction.rule)
            raw("}")
        }
        raw("]")
    }

    mutating func attachment(_ attachment: Attachment) {
        raw(#"{"contentType":"#)
        string(attachment.contentType)
        raw(#","fileName":"#)
        string(attachment.fileName)
        raw(#","id":"#)
        int(attachment.id)
        raw(#","sha256":"#)
        string(attachment.sha256)
        raw(#","size":"#)
        int(attachment.size)
        raw(#","ticketId":"#)
        int(attachment.ticketId)
        raw("}")
    }

    mutating func message(_ message: Message) {
        raw(#"{"attachment":"#)
        if let attachment = message.attachment { self.attachment(attachment) } else { raw("null") }
        raw(#","clientMessageId":"#)
        optionalString(message.clientMessageId)
        raw(#","id":"#)
        int(message.id)
        raw(#","internal":"#)
        bool(message.internal)
        raw(#","isRead":"#)
        bool(message.isRead)
        raw(#","mergedFromTicketId":"#)
        if let from = message.mergedFromTicketId { int(from) } else { raw("null") }
        raw(#","message":"#)
        string(message.message)
        raw(#","messageType":""#)
        raw(message.messageType.rawValue)
        raw(#"","redactions":"#)
        redactions(message.redactions)
        raw(#","sender":"#)
        user(message.sender)
        raw(#","senderType":""#)
        raw(message.senderType.rawValue)
        raw(#"","seq":"#)
        int(message.seq)
        raw(#","ticketId":"#)
        int(message.ticketId)
        raw(#","timestamp":"#)
        string(Timestamp.format(message.timestamp))
        raw("}")
    }
}
