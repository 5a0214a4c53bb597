import ArgumentParser
import Foundation
import SwitchboardClient
import SwitchboardProtocol
import TerminalKit

/// `switchboard send`: messages from a script, through the same durable outbox as the terminal
/// client. Each message is on disk before anything is sent, so a message given here is never
/// lost: if the server is down it waits, and if this process is stopped it goes out with the
/// next `send` (or client) on this machine for the same account, first, in order.
struct SendCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "send",
        abstract: "Send messages to a ticket (queued on disk until the server has them).",
        discussion: """
            Prints 'sent #SEQ ID' per message the server stored. Exit status: 0 all sent; 1 the \
            server refused some (each printed with its text on standard error, then dropped); 75 \
            the wait ran out with messages still queued: they go out on the next run.
            """
    )

    @OptionGroup var client: ClientOptions

    @Option(help: ArgumentHelp("The ticket to write to.", valueName: "ID"))
    var ticket: Int

    @Flag(help: "Internal notes (agents and admins only).")
    var `internal` = false

    @Option(help: ArgumentHelp("Seconds to wait for the server before leaving messages queued (default 30).", valueName: "S"))
    var timeout: Double = 30

    @Argument(help: "The messages, one argument each, sent in this order.")
    var messages: [String] = []

    func validate() throws {
        guard ticket > 0 else { throw ValidationError("--ticket: a ticket id") }
        guard timeout > 0 else { throw ValidationError("--timeout: seconds, more than 0") }
        if messages.contains(where: { $0.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty }) {
            throw ValidationError("messages cannot be empty")
        }
    }

    func run() async throws {
        let environment = ProcessInfo.processInfo.environment
        let (server, fallbacks) = try client.serverURLs(environment: environment)
        let username = try client.username(environment: environment)
        let password = try readPassword(fromStdin: client.passwordStdin, environment: environment)
        let file = client.outboxFile(environment: environment)
        let outbox = try await Outbox.open(at: file, account: "\(server.absoluteString) \(username.lowercased())")
        for text in messages { _ = try await outbox.add(ticketId: ticket, text: text, isInternal: `internal`) }

        let api = try APIClient(server: server, fallbacks: fallbacks, security: client.security, timeout: .seconds(10))
        var options = RealtimeConnection.Options()
        options.security = client.security
        options.backoff = Backoff(base: .milliseconds(250), cap: .seconds(5))
        let connection = RealtimeConnection(api: api, outbox: outbox, options: options) { api throws(APIError) in
            try await api.login(username: username, password: password)
        }
        let outcome = await deliver(through: connection, timeout: .milliseconds(Int64(timeout * 1000)))
        await connection.stop()
        await api.shutdown()
        switch outcome {
        case .allSent: return
        case .someFailed: throw ExitCode(1)
        case .stillQueued(let count):
            FileHandle.standardError.write(Data("\(count) message(s) still queued in \(file.path); they go out on the next run\n".utf8))
            throw ExitCode(75)
        case .authFailed(let reason):
            FileHandle.standardError.write(Data("\(reason) (messages kept in \(file.path))\n".utf8))
            throw ExitCode(1)
        }
    }

    enum Outcome { case allSent, someFailed, stillQueued(Int), authFailed(String) }

    /// Runs the connection until this account's outbox holds nothing queued, or the time is up.
    private func deliver(through connection: RealtimeConnection, timeout: Duration) async -> Outcome {
        let outbox = connection.outbox
        var failures = 0
        // Failed rows from an earlier run: report them, with their text, once.
        for message in await outbox.messages {
            if case .failed(_, let reason) = message.state { failures += await report(message, reason, outbox) }
        }
        guard await outbox.nextQueued != nil else { return failures == 0 ? .allSent : .someFailed }
        await connection.start()
        let earlier = failures
        return await withTaskGroup(of: Outcome?.self) { group in
            group.addTask {
                for await state in connection.states {
                    if case .authFailed(let reason) = state { return .authFailed(reason) }
                }
                return nil
            }
            group.addTask {
                var failed = earlier
                for await event in connection.events {
                    switch event {
                    case .outgoing(let message):
                        switch message.state {
                        case .sent(_, let seq, _):
                            let masked = message.redactions.summary.map { " (\(Sanitizer.clean($0)))" } ?? ""
                            say("sent #\(seq) \(message.clientMessageId)\(masked)")
                        case .failed(_, let reason): failed += await report(message, reason, outbox)
                        case .queued: break
                        }
                        if await outbox.nextQueued == nil { return failed == 0 ? .allSent : .someFailed }
                    default:
                        break
                    }
                }
                return nil
            }
            group.addTask {
                try? await Task.sleep(for: timeout)
                return .stillQueued(await outbox.messages.count { $0.state == .queued })
            }
            let first = await group.next() ?? nil
            group.cancelAll()
            if let first { return first }
            return .stillQueued(await outbox.messages.count { $0.state == .queued })
        }
    }

    private func report(_ message: OutgoingMessage, _ reason: String, _ outbox: Outbox) async -> Int {
        FileHandle.standardError.write(Data("not sent (\(reason)): \(message.text)\n".utf8))
        _ = try? await outbox.discard(message.clientMessageId)
        return 1
    }
}
