import Foundation
import NIOCore
import NIOExtras
import NIOPosix

/// Where and as whom mail is sent.
public struct SMTPConfiguration: Sendable, Equatable {
    public var host: String
    public var port: Int
    /// The sender address, e.g. `support@example.com`.
    public var from: String
    public var username: String?
    public var password: String?
    public var heloName = "switchboard"
    public var timeout: Duration = .seconds(10)
    /// Refuse to send at all unless the relay takes STARTTLS (mail and passwords never go in clear).
    public var requireTLS = false
    /// A PEM file of CA certificates to trust for the relay, besides the system's.
    public var caFile: String?

    public init(host: String, port: Int, from: String, username: String? = nil, password: String? = nil) {
        self.host = host
        self.port = port
        self.from = from
        self.username = username
        self.password = password
    }
}

/// One mail: plain text, UTF-8.
public struct Mail: Sendable, Equatable {
    public var to: String
    public var subject: String
    public var body: String
}

public struct SMTPError: Error, CustomStringConvertible {
    public var description: String
}

/// Sends mail to an SMTP relay (RFC 5321): EHLO, optional AUTH PLAIN, one message per connection.
/// Plain TCP: point it at a relay on the same machine or network (TLS is the relay's business).
struct SMTPClient: Sendable {
    let configuration: SMTPConfiguration

    func send(_ mail: Mail) async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await self.converse(mail) }
            group.addTask {
                try await Task.sleep(for: configuration.timeout)
                throw SMTPError(description: "no answer from \(configuration.host):\(configuration.port) in time")
            }
            try await group.next()
            group.cancelAll()
        }
    }

    private func converse(_ mail: Mail) async throws {
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connect(host: configuration.host, port: configuration.port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(LineBasedFrameDecoder()))
                    return try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
                }
            }
        try await channel.executeThenClose { inbound, outbound in
            var lines = inbound.makeAsyncIterator()
            /// Reads a (possibly multi-line) reply and checks its code.
            func expect(_ code: Int) async throws {
                while true {
                    guard let buffer = try await lines.next() else { throw SMTPError(description: "the relay hung up") }
                    let line = String(buffer: buffer).trimmingCharacters(in: .whitespacesAndNewlines)
                    guard line.count >= 3, let got = Int(line.prefix(3)) else { throw SMTPError(description: "odd reply '\(line)'") }
                    if line.count > 3 && line[line.index(line.startIndex, offsetBy: 3)] == "-" { continue }
                    guard got == code else { throw SMTPError(description: "expected \(code), got '\(line)'") }
                    return
                }
            }
            func say(_ text: String) async throws {
                try await outbound.write(ByteBuffer(string: text + "\r\n"))
            }
            try await expect(220)
            try await say("EHLO \(configuration.heloName)")
            try await expect(250)
            if let username = configuration.username, let password = configuration.password {
                let token = Data("\u{0}\(username)\u{0}\(password)".utf8).base64EncodedString()
                try await say("AUTH PLAIN \(token)")
                try await expect(235)
            }
            try await say("MAIL FROM:<\(Self.address(configuration.from))>")
            try await expect(250)
            try await say("RCPT TO:<\(Self.address(mail.to))>")
            try await expect(250)
            try await say("DATA")
            try await expect(354)
            try await outbound.write(ByteBuffer(string: Self.message(mail, from: configuration.from)))
            try await say(".")
            try await expect(250)
            try await say("QUIT")
            try? await expect(221)
        }
    }

    /// An address with nothing that could break out of the command line.
    static func address(_ text: String) -> String {
        String(text.unicodeScalars.filter { $0.value > 0x20 && $0 != "<" && $0 != ">" && $0.value != 0x7F }.map(Character.init))
    }

    /// RFC 5322 message: headers (the subject encoded per RFC 2047, never carrying a line break)
    /// and a base64 UTF-8 body, so no line of it can be read as the end of DATA.
    static func message(_ mail: Mail, from: String, date: Date = Date()) -> String {
        let subject = mail.subject.replacingOccurrences(of: "\r", with: " ").replacingOccurrences(of: "\n", with: " ")
        let encodedSubject = "=?UTF-8?B?\(Data(subject.utf8).base64EncodedString())?="
        let body = Data(mail.body.utf8).base64EncodedString(options: [.lineLength76Characters, .endLineWithCarriageReturn, .endLineWithLineFeed])
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss Z"
        let headers = [
            "From: <\(address(from))>",
            "To: <\(address(mail.to))>",
            "Subject: \(encodedSubject)",
            "Date: \(formatter.string(from: date))",
            "Message-ID: <\(UUID().uuidString.lowercased())@switchboard>",
            "MIME-Version: 1.0",
            "Content-Type: text/plain; charset=utf-8",
            "Content-Transfer-Encoding: base64",
            "Auto-Submitted: auto-generated",
        ]
        return headers.joined(separator: "\r\n") + "\r\n\r\n" + body + "\r\n"
    }
}
