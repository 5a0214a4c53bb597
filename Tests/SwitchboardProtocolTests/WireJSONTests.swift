import Foundation
import Testing

@testable import SwitchboardProtocol

@Suite struct WireJSONTests {
    let ref = UserRef(id: 7, displayName: "Casey", role: .customer, isOnline: false)

    @Test func timestampsAreUTCWithMilliseconds() throws {
        let date = Date(timeIntervalSince1970: 1_795_000_000.123)
        #expect(Timestamp.format(date) == "2026-11-18T11:06:40.123Z")
        #expect(Timestamp.format(Date(timeIntervalSince1970: -0.5)) == "1969-12-31T23:59:59.500Z")
        #expect(Timestamp.parse("2026-11-18T11:06:40.123Z").map(Timestamp.millis) == Timestamp.millis(date))
        #expect(Timestamp.parse("2026-11-18T11:06:40Z") == Date(timeIntervalSince1970: 1_795_000_000))
        #expect(Timestamp.parse("2026-11-18") == Date(timeIntervalSince1970: 1_794_960_000))
        #expect(Timestamp.parse("yesterday") == nil)
    }

    /// The arithmetic formatter against Foundation's, over dates from year 1 to 9999 (leap
    /// days, century years, before 1970, the last millisecond of a day; before 1600 and after
    /// 9999 Foundation's own answer is kept).
    @Test func timestampsMatchFoundationsFormatter() {
        let foundation = Date.ISO8601FormatStyle(timeZone: .gmt)
        func expected(_ date: Date) -> String {
            let (seconds, ms) = Timestamp.millis(date).quotientAndRemainderFlooring(dividingBy: 1000)
            return foundation.format(Date(timeIntervalSince1970: Double(seconds))).dropLast() + "." + String(ms + 1000).dropFirst() + "Z"
        }
        var generator = SystemRandomNumberGenerator()
        let edges: [Double] = [
            0, -1, -0.001, 86_399.999, 951_782_400, 4_107_542_400, -2_208_988_800, 253_402_300_799.999,
            -62_135_596_800, 1_795_000_000.123, 1_709_164_800,
        ]  // …, 2000-02-29, 2100-03-01, 1900, 9999, year 1, 2024-02-29
        let random = (0..<20_000).map { _ in Double(Int64.random(in: -62_135_596_800_000...253_402_300_799_999, using: &generator)) / 1000 }
        for seconds in edges + random {
            let date = Date(timeIntervalSince1970: seconds)
            #expect(Timestamp.format(date) == expected(date), "\(seconds)")
        }
        // After 9999 Foundation's formatter answers, as before.
        let far = Date(timeIntervalSince1970: 300_000_000_000)
        #expect(Timestamp.format(far) == expected(far))
    }

    @Test func nullableFieldsAreWrittenAsNull() throws {
        let ticket = Ticket(
            id: 1, subject: "s", description: "d", status: .open, priority: .medium, category: .other,
            customer: ref, assignedAgent: nil, messageCount: 0, unreadCount: 0, lastMessage: nil,
            createdAt: Date(timeIntervalSince1970: 0), updatedAt: Date(timeIntervalSince1970: 0), resolvedAt: nil)
        let object = try JSONSerialization.jsonObject(with: WireJSON.encoder().encode(ticket)) as! [String: Any]
        #expect(object["assignedAgent"] is NSNull)
        #expect(object["lastMessage"] is NSNull)
        #expect(object["resolvedAt"] is NSNull)
        #expect(object["mergedIntoId"] is NSNull && object["rating"] is NSNull)
        #expect(object["ratingAsks"] == nil, "a customer's own count, left out for staff")
        #expect(object["createdAt"] as? String == "1970-01-01T00:00:00.000Z")
        #expect(try WireJSON.decoder().decode(Ticket.self, from: WireJSON.encoder().encode(ticket)) == ticket)
    }

    @Test func ratingsAndMergesTravelAsTheContractSays() throws {
        let rating = TicketRating(score: 4, comment: nil, at: Date(timeIntervalSince1970: 0))
        for frame in [ServerEvent.ticketRated(ticketId: 3, rating: rating), .ticketMerged(ticketId: 3, intoTicketId: 1)] {
            let data = try WireJSON.encoder().encode(frame)
            #expect(try WireJSON.decoder().decode(ServerEvent.self, from: data) == frame)
            #expect(frame.ticketId == 3)
        }
        let merged =
            try JSONSerialization.jsonObject(
                with: WireJSON.encoder().encode(ServerEvent.ticketMerged(ticketId: 3, intoTicketId: 1))) as! [String: Any]
        #expect(merged["type"] as? String == "TICKET_MERGED" && merged["intoTicketId"] as? Int == 1)
        let rated = try JSONSerialization.jsonObject(with: WireJSON.encoder().encode(rating)) as! [String: Any]
        #expect(rated["comment"] is NSNull && rated["score"] as? Int == 4)
        // An older server's message has no mergedFromTicketId: it reads as nil.
        let old =
            #"{"id":1,"ticketId":1,"seq":1,"clientMessageId":null,"sender":{"id":1,"displayName":"A","role":"AGENT","isOnline":true},"senderType":"AGENT","message":"hi","messageType":"TEXT","internal":false,"isRead":false,"timestamp":"1970-01-01T00:00:00.000Z","attachment":null}"#
        #expect(try WireJSON.decoder().decode(Message.self, from: Data(old.utf8)).mergedFromTicketId == nil)
        #expect(TicketRating.stars(2) == "★★☆☆☆ 2/5")
    }

    @Test func satisfactionFiguresCountTheFoursAndFives() {
        let figures = RatingFigures(scores: [5, 4, 1, 3])
        #expect(figures.count == 4 && figures.averageScore == 3.25 && figures.percentSatisfied == 50 && figures.byScore == [1, 0, 1, 1, 1])
        let none = RatingFigures(scores: [])
        #expect(none.averageScore == nil && none.percentSatisfied == nil && none.byScore == [0, 0, 0, 0, 0])
    }

    @Test func patchTellsAbsentFromNull() throws {
        let decode = { (json: String) in try WireJSON.decoder().decode(UpdateTicketRequest.self, from: Data(json.utf8)) }
        #expect(try decode("{}").assignedAgentId == .unchanged)
        #expect(try decode(#"{"assignedAgentId": null}"#).assignedAgentId == .set(nil))
        #expect(try decode(#"{"assignedAgentId": 4}"#).assignedAgentId == .set(4))
        let encoded = String(decoding: try WireJSON.encoder().encode(UpdateTicketRequest(assignedAgentId: .set(nil))), as: UTF8.self)
        #expect(encoded == #"{"assignedAgentId":null}"#)
    }

    @Test func unknownEnumValuesNameTheAllowedOnes() throws {
        #expect {
            try WireJSON.decoder().decode(
                CreateTicketRequest.self, from: Data(#"{"subject":"a","description":"b","category":"FOOD"}"#.utf8))
        } throws: { error in
            guard case DecodingError.dataCorrupted(let context) = error else { return false }
            return context.debugDescription.contains("'FOOD'") && context.debugDescription.contains("PAYMENT, SHIPPING")
        }
        #expect(throws: ContractError(.invalid, "status: unknown value 'done' (expected one of OPEN, IN_PROGRESS, RESOLVED, CLOSED)")) {
            try TicketStatus.parse("done", parameter: "status")
        }
        #expect(try Priority.parse("urgent", parameter: "priority") == .urgent)
    }

    @Test func errorBodyHasTheContractShape() throws {
        let json = String(decoding: try WireJSON.encoder().encode(ErrorBody(ContractError(.notFound, "no ticket #9"))), as: UTF8.self)
        #expect(json == #"{"error":{"code":"NOT_FOUND","message":"no ticket #9"}}"#)
        #expect(ErrorCode.allCases.map(\.httpStatus) == [400, 401, 403, 404, 409, 413, 429, 500])
    }

    @Test func limitsReadFromPartialConfig() throws {
        let limits = try JSONDecoder().decode(Limits.self, from: Data(#"{"messageMaxLength": 100, "usernameMax": 20}"#.utf8))
        #expect(limits.messageMaxLength == 100)
        #expect(limits.usernameLength == 3...20)
        #expect(limits.subjectMaxLength == Limits().subjectMaxLength)
        #expect(try JSONDecoder().decode(Limits.self, from: JSONEncoder().encode(limits)) == limits)
    }

    @Test func decodingErrorsBecomeSentencesNamingTheField() {
        func sentence(_ json: String) -> String? {
            do {
                _ = try WireJSON.decoder().decode(CreateTicketRequest.self, from: Data(json.utf8))
                return nil
            } catch let error as DecodingError {
                return error.sentence
            } catch {
                return "\(error)"
            }
        }
        #expect(sentence(#"{"description":"d","category":"OTHER"}"#) == "subject: is required")
        #expect(sentence(#"{"subject":[],"description":"d","category":"OTHER"}"#) == "subject: expected a string")
        #expect(sentence(#"{"subject":null,"description":"d","category":"OTHER"}"#) == "subject: must not be null")
        #expect(sentence("{") == "not valid JSON")
        #expect(sentence(#"{"subject":"s","description":"d","category":"OTHER"}"#) == nil)
    }
}
