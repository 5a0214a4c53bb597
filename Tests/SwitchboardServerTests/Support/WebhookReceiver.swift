import ChildProcess
import Foundation
import Testing

@testable import SwitchboardProtocol

/// A real HTTP receiver on 127.0.0.1 (`Fixtures/webhook_receiver.py`) that checks each request's
/// signature with Python's own `hmac`, saves what came, and answers as the test steers it.
final class WebhookReceiver: Sendable {
    let process: ChildProcess
    /// Kept open while the receiver runs: closing it ends the receiver.
    let output: FileHandle
    let directory: URL
    let port: Int
    var url: String { "http://127.0.0.1:\(port)/hooks/switchboard" }

    /// On `port` (0: any free one), saving into `directory` (a new one when nil).
    init(port: Int = 0, directory: URL? = nil) throws {
        let directory = directory ?? FileManager.default.temporaryDirectory.appendingPathComponent("hook-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        self.directory = directory
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures/webhook_receiver.py")
        process = try ChildProcess.spawn(
            "/usr/bin/env", arguments: ["python3", script.path, directory.path, String(port)], input: .pipe, output: .pipe)
        output = FileHandle(fileDescriptor: process.output!, closeOnDealloc: true)
        let line = String(decoding: output.availableData, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard let bound = Int(line) else { throw ProbeError("the webhook receiver did not start: '\(line)'") }
        self.port = bound
    }

    struct Record: Decodable, Sendable {
        var event: String?
        var delivery: String?
        var valid: Bool
        var answered: Int?
        var body: Body
    }

    struct Body: Decodable, Sendable {
        var id: Int
        var type: String
        var createdAt: Date
        var data: Contents
    }

    struct Contents: Decodable, Sendable {
        var ticketId: Int
        var ticket: Ticket?
        var message: Message?
        var previousStatus: TicketStatus?
        var previousAgentId: Int?
        var mergedIntoId: Int?
        var rating: TicketRating?
        var target: SLATarget?
        var dueAt: Date?
    }

    func write(_ name: String, _ text: String?) throws {
        let file = directory.appendingPathComponent(name)
        if let text { try text.write(to: file, atomically: true, encoding: .utf8) } else { try? FileManager.default.removeItem(at: file) }
    }

    func use(secret: String) throws { try write("secret", secret) }
    /// Answers 500 from now on (true) or 200 again (false).
    func failing(_ on: Bool) throws { try write("fail", on ? "1" : nil) }
    /// Waits this long before answering (nil: answers at once).
    func delay(_ seconds: Double?) throws { try write("delay", seconds.map { String($0) }) }

    func records() throws -> [Record] {
        try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.hasSuffix(".json") }.sorted().map {
            try WireJSON.decoder().decode(Record.self, from: Data(contentsOf: directory.appendingPathComponent($0)))
        }
    }

    /// The records once there are `count` of them (or what came within the time, for the test to show).
    func waitFor(_ count: Int, within seconds: Double = 20) async throws -> [Record] {
        let deadline = ContinuousClock.now + .seconds(seconds)
        while ContinuousClock.now < deadline {
            let records = try self.records()
            if records.count >= count { return records }
            try await Task.sleep(for: .milliseconds(25))
        }
        return try records()
    }

    /// Stops it; its records stay (for a receiver started again in the same directory).
    func stop() {
        close(process.input!)
        process.waitUntilExit()
    }

    func remove() { try? FileManager.default.removeItem(at: directory) }

    /// Stopped, and its records gone (a test's last word on it).
    func end() {
        stop()
        remove()
    }
}
