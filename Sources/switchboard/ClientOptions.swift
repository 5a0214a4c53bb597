import ArgumentParser
import Foundation
import SwitchboardApp
import SwitchboardClient
import SwitchboardServer
import TerminalKit

/// How a client command reaches a server and signs in.
struct ClientOptions: ParsableArguments {
    @Option(
        help: ArgumentHelp(
            "The server; several nodes of one service separated by commas (the next is tried when one "
                + "is down). Env: SWITCHBOARD_SERVER. Default: the embedded server running here (plain "
                + "`switchboard`), else the config file's, else http://127.0.0.1:8080.", valueName: "URL[,URL…]"))
    var server: String?

    @Option(help: ArgumentHelp("Sign in as this user. Env: SWITCHBOARD_USER.", valueName: "NAME"))
    var user: String?

    @Flag(help: "Read the password from standard input (one line); otherwise from SWITCHBOARD_PASSWORD.")
    var passwordStdin = false

    @Option(name: .customLong("ca-file"), help: ArgumentHelp("Also trust the CA certificates in this PEM file.", valueName: "FILE"))
    var caFile: String?

    @Flag(help: "Accept any TLS certificate: for test servers only.")
    var insecure = false

    @Option(
        name: .customLong("data-dir"),
        help: ArgumentHelp(
            "Where the outbox lives (default: $XDG_DATA_HOME/switchboard or ~/.local/share/switchboard). Env: SWITCHBOARD_DATA_DIR.",
            valueName: "DIR"))
    var dataDirectory: String?

    /// The server: the flag, the environment, the embedded server running on this machine, the
    /// config's (`configured`), else 127.0.0.1:8080 — then the other addresses given with it
    /// (`--server http://a:8080,http://b:8080`: nodes sharing one database, tried in turn).
    func serverURLs(environment: [String: String], configured: String? = nil) throws -> (server: URL, fallbacks: [URL]) {
        let text =
            server ?? environment["SWITCHBOARD_SERVER"] ?? EmbeddedServerFile.read(in: dataDirectory(environment: environment))
            ?? configured ?? "http://127.0.0.1:8080"
        let urls = try text.split(separator: ",").map { part in
            let address = part.trimmingCharacters(in: .whitespaces)
            guard let url = URL(string: address), let scheme = url.scheme, ["http", "https"].contains(scheme), url.host != nil else {
                throw ValidationError("--server: http:// or https:// addresses, separated by commas (got '\(address)')")
            }
            return url
        }
        guard let first = urls.first else { throw ValidationError("--server: an http:// or https:// address") }
        return (first, Array(urls.dropFirst()))
    }

    /// The first of `serverURLs`.
    func serverURL(environment: [String: String], configured: String? = nil) throws -> URL {
        try serverURLs(environment: environment, configured: configured).server
    }

    func username(environment: [String: String]) throws -> String {
        guard let name = user ?? environment["SWITCHBOARD_USER"], !name.isEmpty else {
            throw ValidationError("--user: who to sign in as (or SWITCHBOARD_USER)")
        }
        return name
    }

    var security: TransportSecurity { TransportSecurity(caFile: caFile, insecure: insecure) }

    /// Where the outbox, kept logins and the embedded server's address live.
    func dataDirectory(environment: [String: String]) -> URL {
        Self.dataDirectory(flag: dataDirectory, environment: environment)
    }

    /// The data directory for commands without these options (`switchboard keys`): the flag
    /// if given, else SWITCHBOARD_DATA_DIR, else the XDG default.
    static func dataDirectory(flag: String?, environment: [String: String]) -> URL {
        (flag ?? environment["SWITCHBOARD_DATA_DIR"]).map { URL(fileURLWithPath: HomeDirectory.expand($0, environment: environment)) }
            ?? DataDirectory.default(environment: environment)
    }

    /// The outbox file, shared by every client command on this machine (rows are kept per account).
    func outboxFile(environment: [String: String]) -> URL {
        dataDirectory(environment: environment).appendingPathComponent("outbox.sqlite")
    }
}

/// A password from standard input or the environment, never from a flag (flags show in `ps`).
func readPassword(fromStdin: Bool, environment: [String: String]) throws -> String {
    if fromStdin {
        var line = readLine(strippingNewline: true) ?? ""
        if line.hasSuffix("\r") { line.removeLast() }
        return line
    }
    if let password = environment["SWITCHBOARD_PASSWORD"] { return password }
    throw ValidationError("give the password on standard input with --password-stdin, or in SWITCHBOARD_PASSWORD")
}
