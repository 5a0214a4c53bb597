import Foundation
import Testing

@testable import SwitchboardProtocol

@Suite struct FrameTests {
    func decodeError(_ json: String) -> String {
        do {
            _ = try WireJSON.decoder().decode(ClientFrame.self, from: Data(json.utf8))
            return "decoded"
        } catch let error as DecodingError {
            return error.sentence
        } catch {
            return "\(error)"
        }
    }

    @Test func badFramesNameTheProblem() {
        #expect(decodeError(#"{"type":"DANCE","ref":"d1"}"#).hasPrefix("type: unknown frame type 'DANCE'"))
        #expect(decodeError(#"{"type":"JOIN_ROOM"}"#) == "ticketId: is required")
        #expect(decodeError(#"{"ticketId":1}"#) == "type: is required")
        #expect(decodeError("[]") != "decoded")
    }
}
