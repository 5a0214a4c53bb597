import Foundation
import Testing

@testable import SwitchboardProtocol

/// Every input the fuzzers (scripts/fuzz) kept, through every decoder the server runs on client
/// bytes: a crash once found stays found, in every test run, without the fuzzer's toolchain.
@Suite struct FuzzCorpusTests {
    static let corpus = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Fuzz/corpus")

    static func inputs() throws -> [Data] {
        try ["frames", "bodies"].flatMap { folder -> [Data] in
            let directory = corpus.appendingPathComponent(folder)
            return try FileManager.default.contentsOfDirectory(atPath: directory.path).sorted()
                .map { try Data(contentsOf: directory.appendingPathComponent($0)) }
        }
    }

    @Test func theKeptCorpusDecodesWithoutATrap() throws {
        let inputs = try Self.inputs()
        #expect(inputs.count >= 20)
        let decoder = WireJSON.decoder()
        var decoded = 0
        for input in inputs {
            // Bodies carry a selector byte first; try both with and without it.
            for data in [input, input.dropFirst()] {
                if let frame = try? decoder.decode(ClientFrame.self, from: data) {
                    _ = try? WireJSON.encoder().encode(frame)
                    decoded += 1
                }
                decoded += (try? decoder.decode(RegisterRequest.self, from: data)) == nil ? 0 : 1
                _ = try? decoder.decode(LoginRequest.self, from: data)
                _ = try? decoder.decode(CreateUserRequest.self, from: data)
                _ = try? decoder.decode(CreateTicketRequest.self, from: data)
                if let update = try? decoder.decode(UpdateTicketRequest.self, from: data) { _ = try? WireJSON.encoder().encode(update) }
                _ = try? decoder.decode(PostMessageRequest.self, from: data)
                _ = try? decoder.decode(MarkReadRequest.self, from: data)
                _ = try? decoder.decode(CannedResponseRequest.self, from: data)
                _ = try? decoder.decode(AgentStatusRequest.self, from: data)
                _ = try? decoder.decode(EscalateRequest.self, from: data)
                _ = try? JSONDecoder().decode(Limits.self, from: data)
                if let date = Timestamp.parse(String(decoding: data, as: UTF8.self)) { _ = Timestamp.format(date) }
            }
        }
        // The seeds themselves are valid frames and bodies: the corpus is not all noise.
        #expect(decoded >= 10)
    }

    /// A config file's limits with a minimum above its maximum is refused, not a trapping range.
    @Test func invertedLimitsAreRefused() {
        #expect(throws: DecodingError.self) {
            try JSONDecoder().decode(Limits.self, from: Data(#"{"usernameMin":40,"usernameMax":3}"#.utf8))
        }
    }
}
