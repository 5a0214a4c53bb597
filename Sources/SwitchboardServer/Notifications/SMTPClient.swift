import Foundation
import NIOCore
import NIOExtras
import NIOPosix
import NIOSSL

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

/// Sends mail to an SMTP relay (RFC 5321): EHLO, STARTTLS whenever the relay offers it (RFC 3207,
/// certificate and host checked), optional AUTH PLAIN, one message per connection. With
/// `requireTLS` a relay that does not offer STARTTLS gets nothing, not even the sender's address.
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
            /// Reads a (possibly multi-line) reply, checks its code, and answers its lines' text.
            func expect(_ code: Int) async throws -> [String] {
                var texts: [String] = []
                while true {
                    guard let buffer = try await lines.next() else { throw SMTPError(description: "the relay hung up") }
                    let line = String(buffer: buffer).trimmingCharacters(in: .whitespacesAndNewlines)
                    guard line.count >= 3, let got = Int(line.prefix(3)) else { throw SMTPError(description: "odd reply '\(line)'") }
                    texts.append(String(line.dropFirst(4)))
                    if line.count > 3 && line[line.index(line.startIndex, offsetBy: 3)] == "-" { continue }
                    guard got == code else { throw SMTPError(description: "expected \(code), got '\(line)'") }
                    return texts
                }
            }
            func say(_ text: String) async throws {
                try await outbound.write(ByteBuffer(string: text + "\r\n"))
            }
            _ = try await expect(220)
            try await say("EHLO \(configuration.heloName)")
            let extensions = try await expect(250)
            if extensions.contains(where: { $0.uppercased().hasPrefix("STARTTLS") }) {
                try await say("STARTTLS")
                _ = try await expect(220)
                let pipeline = channel.channel.pipeline
                try await channel.channel.eventLoop.submit {
                    try pipeline.syncOperations.addHandler(try self.tlsHandler(), position: .first)
                }.get()
                // RFC 3207: what was learned before TLS is forgotten; greet again.
                try await say("EHLO \(configuration.heloName)")
                _ = try await expect(250)
            } else if configuration.requireTLS {
                throw SMTPError(
                    description: "\(configuration.host):\(configuration.port) does not offer STARTTLS, "
                        + "and smtp.requireTLS forbids sending in clear")
            }
            if let username = configuration.username, let password = configuration.password {
                let token = Data("\u{0}\(username)\u{0}\(password)".utf8).base64EncodedString()
                try await say("AUTH PLAIN \(token)")
                _ = try await expect(235)
            }
            try await say("MAIL FROM:<\(Self.address(configuration.from))>")
            _ = try await expect(250)
            try await say("RCPT TO:<\(Self.address(mail.to))>")
            _ = try await expect(250)
            try await say("DATA")
            _ = try await expect(354)
            try await outbound.write(ByteBuffer(string: Self.message(mail, from: configuration.from)))
            try await say(".")
            _ = try await expect(250)
            try await say("QUIT")
            _ = try? await expect(221)
        }
    }

    /// Verifies the relay's certificate against the system's roots (and `caFile`), and its name
    /// (or, for an IP address, the address it is reached at).
    private func tlsHandler() throws -> NIOSSLClientHandler {
        var tls = TLSConfiguration.makeClientConfiguration()
        if let caFile = configuration.caFile {
            tls.additionalTrustRoots = [.certificates(try NIOSSLCertificate.fromPEMFile(caFile))]
        }
        let host = configuration.host
        let isAddress = host.contains(":") || host.allSatisfy { $0.isNumber || $0 == "." }
        return try NIOSSLClientHandler(context: try NIOSSLContext(configuration: tls), serverHostname: isAddress ? nil : host)
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
        let body = Data(mail.body.utf8).base64EncodedString(options: [
            .lineLength76Characters, .endLineWithCarriageReturn, .endLineWithLineFeed,
        ])
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
