import Foundation
import Testing

@testable import SwitchboardProtocol

/// `ClientFrame.decode` reads the common frames itself and must decide every text exactly as
/// JSONDecoder does: the same frame, or an error where it errs.
@Suite struct FlatJSONTests {
    /// The frame JSONDecoder makes of `text`, or nil where it throws.
    func reference(_ text: String) -> ClientFrame? {
        try? WireJSON.decoder().decode(ClientFrame.self, from: Data(text.utf8))
    }

    func expectSameAsJSONDecoder(_ text: String, sourceLocation: SourceLocation = #_sourceLocation) {
        let quick = try? ClientFrame.decode(text, decoder: WireJSON.decoder())
        #expect(quick == reference(text), "\(text.debugDescription)", sourceLocation: sourceLocation)
        // And where the quick reader answers at all, it answers what JSONDecoder does.
        if let members = FlatJSON.object(text), let frame = ClientFrame(flat: members) {
            #expect(frame == reference(text), "quick: \(text.debugDescription)", sourceLocation: sourceLocation)
        }
    }

    @Test func theFramesOfEveryMessageAreReadQuickly() throws {
        let frames: [ClientFrame] = [
            ClientFrame(
                .sendMessage(
                    ticketId: 7, clientMessageId: "c-1", message: "Hello \"there\"\n\u{1F642} é \\ /",
                    messageType: .text, internal: false, attachmentId: nil), ref: "r1"),
            ClientFrame(
                .sendMessage(
                    ticketId: 7, clientMessageId: "c-2", message: "note", messageType: nil, internal: true,
                    attachmentId: 12)),
            ClientFrame(.typingStart(ticketId: 3, internal: true)), ClientFrame(.typingStop(ticketId: 3, internal: false)),
            ClientFrame(.markRead(ticketId: 3, upToSeq: 40)), ClientFrame(.markDelivered(ticketId: 3, upToSeq: 41)),
            ClientFrame(.joinRoom(ticketId: 3, sinceSeq: 10)), ClientFrame(.joinRoom(ticketId: 3, sinceSeq: nil)),
            ClientFrame(.leaveRoom(ticketId: 3), ref: "x"),
        ]
        for frame in frames {
            let text = String(decoding: try WireJSON.encoder().encode(frame), as: UTF8.self)
            let members = try #require(FlatJSON.object(text), "\(text)")
            #expect(ClientFrame(flat: members) == frame, "\(text)")
            #expect(try ClientFrame.decode(text) == frame)
        }
    }

    @Test func edgesAreDecidedAsJSONDecoderDecidesThem() {
        let texts = [
            // Values and white space.
            #"  {"type" : "MARK_READ" ,"ticketId":1,"upToSeq":-0}  "#,
            "{\"type\":\"MARK_READ\",\t\"ticketId\":\n1,\r\"upToSeq\":2}",
            #"{"type":"MARK_READ","ticketId":9223372036854775807,"upToSeq":-9223372036854775808}"#,
            #"{"type":"MARK_READ","ticketId":9223372036854775808,"upToSeq":1}"#,
            #"{"type":"MARK_READ","ticketId":-9223372036854775809,"upToSeq":1}"#,
            #"{"type":"MARK_READ","ticketId":1.0,"upToSeq":1}"#,
            #"{"type":"MARK_READ","ticketId":1e2,"upToSeq":1}"#,
            #"{"type":"MARK_READ","ticketId":01,"upToSeq":1}"#,
            #"{"type":"MARK_READ","ticketId":-,"upToSeq":1}"#,
            #"{"type":"MARK_READ","ticketId":"1","upToSeq":1}"#,
            #"{"type":"MARK_READ","ticketId":null,"upToSeq":1}"#,
            #"{"type":"MARK_READ","ticketId":1}"#,
            // Strings and escapes.
            #"{"type":"SEND_MESSAGE","ticketId":1,"clientMessageId":"a","message":"\u00e9\u0041\ud83d\ude42\/\b\f\r\t\"\\"}"#,
            #"{"type":"SEND_MESSAGE","ticketId":1,"clientMessageId":"a","message":"\u0000"}"#,
            #"{"type":"SEND_MESSAGE","ticketId":1,"clientMessageId":"a","message":"\ud83d"}"#,
            #"{"type":"SEND_MESSAGE","ticketId":1,"clientMessageId":"a","message":"\ude42"}"#,
            #"{"type":"SEND_MESSAGE","ticketId":1,"clientMessageId":"a","message":"\ud83d\u0041"}"#,
            #"{"type":"SEND_MESSAGE","ticketId":1,"clientMessageId":"a","message":"\x"}"#,
            #"{"type":"SEND_MESSAGE","ticketId":1,"clientMessageId":"a","message":"\u12"}"#,
            #"{"type":"SEND_MESSAGE","ticketId":1,"clientMessageId":"a","message":"\u00G0"}"#,
            "{\"type\":\"SEND_MESSAGE\",\"ticketId\":1,\"clientMessageId\":\"a\",\"message\":\"tab\there\"}",
            "{\"type\":\"SEND_MESSAGE\",\"ticketId\":1,\"clientMessageId\":\"a\",\"message\":\"ünï 🙂 \u{200B}\"}",
            #"{"\u0074ype":"LEAVE_ROOM","ticketId":1}"#,
            // Optional members: absent, null, mistyped, unknown values.
            #"{"type":"SEND_MESSAGE","ticketId":1,"clientMessageId":"a","message":"m","messageType":null,"internal":null,"attachmentId":null}"#,
            #"{"type":"SEND_MESSAGE","ticketId":1,"clientMessageId":"a","message":"m","messageType":"IMAGE","internal":true,"attachmentId":4}"#,
            #"{"type":"SEND_MESSAGE","ticketId":1,"clientMessageId":"a","message":"m","messageType":"text"}"#,
            #"{"type":"SEND_MESSAGE","ticketId":1,"clientMessageId":"a","message":"m","internal":1}"#,
            #"{"type":"SEND_MESSAGE","ticketId":1,"clientMessageId":"a","message":"m","attachmentId":"4"}"#,
            #"{"type":"SEND_MESSAGE","ticketId":1,"clientMessageId":5,"message":"m"}"#,
            #"{"type":"TYPING_START","ticketId":1,"internal":null}"#,
            #"{"type":"TYPING_STOP","ticketId":1,"internal":"yes"}"#,
            #"{"type":"JOIN_ROOM","ticketId":1,"sinceSeq":null}"#,
            #"{"type":"JOIN_ROOM","ticketId":1,"sinceSeq":true}"#,
            #"{"type":"SET_STATUS","status":"BUSY"}"#,
            #"{"type":"SET_STATUS","status":"busy"}"#,
            // ref of every type, unknown members, duplicates.
            #"{"type":"LEAVE_ROOM","ticketId":1,"ref":7}"#,
            #"{"type":"LEAVE_ROOM","ticketId":1,"ref":null}"#,
            #"{"type":"LEAVE_ROOM","ticketId":1,"ref":{"a":1}}"#,
            #"{"type":"LEAVE_ROOM","ticketId":1,"extra":"x","more":false,"n":null}"#,
            #"{"type":"LEAVE_ROOM","ticketId":1,"extra":[1,2]}"#,
            #"{"type":"LEAVE_ROOM","ticketId":1,"ticketId":2}"#,
            #"{"type":"LEAVE_ROOM","type":"MARK_READ","ticketId":1,"upToSeq":2}"#,
            // Not JSON, or not an object.
            #"{"type":"LEAVE_ROOM","ticketId":1}x"#, #"{"type":"LEAVE_ROOM","ticketId":1,}"#, #"{"type":"LEAVE_ROOM" "ticketId":1}"#,
            #"{"type":"LEAVE_ROOM","ticketId":tru}"#, #"{"type":"LEAVE_ROOM","ticketId":1"#, #"{"type":"DANCE"}"#, #"{}"#, "[]", "",
            "\u{FEFF}{\"type\":\"LEAVE_ROOM\",\"ticketId\":1}", #"{"type":"LEAVE_ROOM","ticketId":1} {}"#, "{'type':'LEAVE_ROOM'}",
            "{\"type\":\"SEND_MESSAGE\",\"ticketId\":1,\"clientMessageId\":\"a\",\"message\":\"raw\u{01}control\"}",
        ]
        for text in texts { expectSameAsJSONDecoder(text) }
    }

    /// Every kept fuzz input, and random frames written in every way JSON allows.
    @Test func fuzzInputsAndRandomFramesAreDecidedAsJSONDecoderDecidesThem() throws {
        for input in try FuzzCorpusTests.inputs() {
            for data in [input, input.dropFirst()] {
                if let text = String(data: data, encoding: .utf8) { expectSameAsJSONDecoder(text) }
            }
        }
        var random = SeededDice(state: 16)
        let pieces = ["a", "é", "🙂", "\"", "\\", "/", "\n", "\u{1}", "\u{200B}", " ", "{", "}", ",", ":", "0", "-"]
        for _ in 0..<2_000 {
            let message = (0..<random.below(8)).map { _ in pieces[random.below(pieces.count)] }.joined()
            var members: [(String, String)] = [
                ("type", random.below(10) == 0 ? "\"TYPING_START\"" : "\"SEND_MESSAGE\""),
                ("ticketId", ["1", "-3", "42", "1.5", "\"7\"", "null", "99999999999999999999"][random.below(7)]),
                ("clientMessageId", Self.jsonString("c\(random.below(100))", escapingAll: random.below(2) == 0)),
                ("message", Self.jsonString(message, escapingAll: random.below(3) == 0)),
            ]
            if random.below(2) == 0 { members.append(("internal", ["true", "false", "null", "0"][random.below(4)])) }
            if random.below(3) == 0 { members.append(("messageType", ["\"TEXT\"", "\"FILE\"", "\"Text\"", "null"][random.below(4)])) }
            if random.below(3) == 0 { members.append(("ref", ["\"r\"", "1", "null", "[]"][random.below(4)])) }
            if random.below(8) == 0 { members.append(members[random.below(members.count)]) }
            members.shuffle(using: &random)
            let space = [" ", "", "\n", "\t"][random.below(4)]
            expectSameAsJSONDecoder("{" + members.map { "\(space)\"\($0.0)\"\(space):\(space)\($0.1)" }.joined(separator: ",") + "}")
        }
    }

    /// `text` as a JSON string; `escapingAll` writes every character past ASCII as `\u` escapes.
    static func jsonString(_ text: String, escapingAll: Bool) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case _ where scalar.value < 0x20 || (escapingAll && scalar.value > 0x7E):
                for unit in String(scalar).utf16 { out += String(format: "\\u%04x", unit) }
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }
}

/// A seeded generator (Knuth's MMIX linear congruential): the same cases on every run.
struct SeededDice: RandomNumberGenerator {
    var state: UInt64

    mutating func next() -> UInt64 {
        state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
        return state ^ (state >> 29)
    }

    mutating func below(_ bound: Int) -> Int { Int((next() >> 11) % UInt64(bound)) }
}
