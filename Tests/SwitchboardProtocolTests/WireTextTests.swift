import Foundation
import Testing

@testable import SwitchboardProtocol

/// The hand-written frames (`ServerEvent.wireText`) against Foundation's encoder: the same bytes,
/// over every character class a message can hold and every optional part present or not.
@Suite struct WireTextTests {
    let encoder = WireJSON.encoder()

    func expectSameText(_ event: ServerEvent, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let foundation = String(decoding: try encoder.encode(event), as: UTF8.self)
        #expect(try event.wireText() == foundation, sourceLocation: sourceLocation)
    }

    /// Every scalar below 0x80, the ones JSON escapes among them, and some beyond: non-ASCII
    /// letters, U+2028 and U+2029 (which some encoders escape), an emoji with a joiner, a lone
    /// combining mark.
    static let awkwardTexts: [String] = [
        "", "plain words", "quote \" backslash \\ slash / both \\/", "tab\tnewline\nreturn\rformfeed\u{0C}backspace\u{08}",
        "nul \u{0} unit separator \u{1F} escape \u{1B}[31m delete \u{7F}", "crème brûlée, ẞ, 東京, ﷽",
        "line\u{2028}paragraph\u{2029}", "👩🏽‍💻 at work", "e\u{301}", String((0..<128).map { Character(Unicode.Scalar(UInt8($0))) }),
    ]

    static func randomText(_ generator: inout some RandomNumberGenerator) -> String {
        let pools: [ClosedRange<UInt32>] = [0...0x7F, 0...0x1F, 0x80...0x7FF, 0x800...0xD7FF, 0xE000...0xFFFD, 0x1_0000...0x1_F9FF]
        var scalars = String.UnicodeScalarView()
        for _ in 0..<Int.random(in: 0...40, using: &generator) {
            let pool = pools.randomElement(using: &generator)!
            if let scalar = Unicode.Scalar(UInt32.random(in: pool, using: &generator)) { scalars.append(scalar) }
        }
        return String(scalars)
    }

    static func message(
        text: String, clientMessageId: String?, attachment: SwitchboardProtocol.Attachment?, redactions: [Redaction],
        sender: UserRef, flags: Int
    ) -> Message {
        Message(
            id: 1 + flags * 7919, ticketId: 42, seq: flags == 0 ? 0 : Int.max / (flags + 1), clientMessageId: clientMessageId,
            sender: sender, senderType: [.customer, .agent, .system][flags % 3], message: text,
            messageType: [.text, .file, .image][flags % 3], internal: flags % 2 == 0, isRead: flags % 4 < 2,
            timestamp: Date(timeIntervalSince1970: 1_795_000_000.123 + Double(flags)), attachment: attachment, redactions: redactions)
    }

    @Test func messagesAndAcknowledgementsAreWrittenAsFoundationWritesThem() throws {
        var generator = SystemRandomNumberGenerator()
        let texts = Self.awkwardTexts + (0..<400).map { _ in Self.randomText(&generator) }
        for (index, text) in texts.enumerated() {
            let sender = UserRef(
                id: index, displayName: Self.awkwardTexts[index % Self.awkwardTexts.count], role: [.customer, .agent, .admin][index % 3],
                isOnline: index % 2 == 0, isBot: index % 7 == 1)
            let attachment =
                index % 3 == 0
                ? nil
                : SwitchboardProtocol.Attachment(
                    id: index, ticketId: 42, fileName: "report \(text).pdf", contentType: "application/pdf", size: index * 1000,
                    sha256: String(repeating: "ab", count: 32))
            let redactions = index % 4 == 0 ? [] : [Redaction(rule: Redaction.cardRule, count: 2), Redaction(rule: text, count: index)]
            let message = Self.message(
                text: text, clientMessageId: index % 5 == 0 ? nil : "c-\(text)", attachment: attachment,
                redactions: redactions, sender: sender, flags: index)
            try expectSameText(.receiveMessage(ticketId: -index, message: message))
            try expectSameText(
                .ack(
                    clientMessageId: text, messageId: index, ticketId: 42, seq: index, timestamp: message.timestamp,
                    redactions: redactions, storedText: index % 2 == 0 ? nil : text))
            try expectSameText(.typingStart(ticketId: index, user: sender, internal: index % 2 == 0))
            try expectSameText(.typingStop(ticketId: index, user: sender, internal: index % 2 == 1))
        }
    }

    @Test func numbersAtTheirEdges() throws {
        let sender = UserRef(id: Int.min, displayName: "x", role: .agent, isOnline: true)
        for number in [0, 1, -1, 9, 10, 99, 100, Int.max, Int.min, 1_000_000_007] {
            let message = Message(
                id: number, ticketId: number, seq: number, clientMessageId: nil, sender: sender, senderType: .agent,
                message: "", messageType: .text, internal: false, isRead: false,
                timestamp: Date(timeIntervalSince1970: 0), attachment: nil)
            try expectSameText(.receiveMessage(ticketId: number, message: message))
            try expectSameText(
                .ack(
                    clientMessageId: "", messageId: number, ticketId: number, seq: number,
                    timestamp: Date(timeIntervalSince1970: -1.5), redactions: [], storedText: nil))
        }
    }

    /// Frames not written by hand are Foundation's own.
    @Test func otherFramesGoThroughTheEncoder() throws {
        try expectSameText(.error(code: .invalid, message: "bad \"frame\"", ref: "r/1"))
        try expectSameText(.roomLeft(ticketId: 3))
    }
}
