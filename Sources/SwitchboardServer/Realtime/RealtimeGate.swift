import Foundation
import Hummingbird
import Logging
import NIOCore
import NIOHTTP1
import SwitchboardProtocol

/// The door of `/ws`. Decides each upgrade before any socket exists: a valid token (Bearer
/// header, or `access_token` for clients that cannot set headers), an allowed origin, room for one
/// more connection of this user. A refusal is written as a plain HTTP answer of the contract
/// (401, 403, 429 with the error body) and the connection closed. (Hummingbird's own answer to
/// a refused upgrade would be an empty 400, whatever the reason.)
struct RealtimeGate: Sendable {
    let accounts: AccountService
    let hub: Hub
    let configuration: RealtimeConfiguration
    let session: RealtimeSession

    let settings: WebSocketConnection.Settings

    /// Who the socket is for and what it asked for, decided before the upgrade.
    struct Admission: Sendable {
        let caller: Caller
        let expiry: Date
        let options: ConnectionOptions
    }

    /// nil refuses (after answering on the channel with the contract's error); otherwise makes the
    /// socket's handler.
    func shouldUpgrade(
        _ request: HTTPRequest, channel: any Channel, logger: Logger
    ) async throws
        -> (@Sendable () -> WebSocketConnection)?
    {
        let target = URLComponents(string: request.path ?? "")
        do {
            // Every refused upgrade gets an answer: the connection is closed right after it.
            guard target?.path == "/ws" else {
                throw ContractError(.notFound, "no WebSocket at \(target?.path ?? "this address"): connect to /ws")
            }
            let (caller, expiry) = try await admit(request, query: target?.queryItems ?? [])
            let admission = Admission(caller: caller, expiry: expiry, options: try Self.options(target?.queryItems ?? []))
            let (session, settings) = (self.session, self.settings)
            return {
                WebSocketConnection(settings: settings) { outlet in
                    RealtimeLink(
                        session: session, admission: admission, outlet: outlet,
                        executor: LoopExecutor.on(outlet.channel.eventLoop), logger: logger)
                }
            }
        } catch let refusal as ContractError {
            try await refuse(channel, with: refusal)
            return nil
        }
    }

    func admit(_ request: HTTPRequest, query: [URLQueryItem]) async throws -> (Caller, Date) {
        if !configuration.allowedOrigins.isEmpty {
            for origin in request.headerFields[values: .origin]
            where !RealtimeGate.isAllowed(origin, host: request.authority, by: configuration) {
                throw ContractError(.forbidden, "origin '\(origin)' is not allowed")
            }
        }
        let queryToken = query.first { $0.name == "access_token" }?.value
        guard let token = AuthMiddleware.bearerToken(fromHeader: request.headerFields[.authorization]) ?? queryToken, !token.isEmpty else {
            throw ContractError(.unauthorized, "connect with Authorization: Bearer <accessToken> or ?access_token=")
        }
        let (caller, expiry) = try await accounts.authenticateWithExpiry(bearer: token)
        // A token's socket hears of every ticket, as an agent's does: reading them is its scope.
        try caller.require(.ticketsRead)
        guard await hub.connectionCount(userId: caller.id) < configuration.maxConnectionsPerUser else {
            throw ContractError(.rateLimited, "too many connections: at most \(configuration.maxConnectionsPerUser) per user")
        }
        return (caller, expiry)
    }

    /// The `presence` and `tickets` query parameters (absent: the contract's frames).
    static func options(_ query: [URLQueryItem]) throws -> ConnectionOptions {
        try ConnectionOptions(presence: choice("presence", in: query) ?? .single, tickets: choice("tickets", in: query) ?? .all)
    }

    /// A query parameter with a fixed set of values; any other is refused naming them.
    static func choice<Choice: RawRepresentable<String> & CaseIterable>(_ name: String, in query: [URLQueryItem]) throws -> Choice? {
        guard let value = query.first(where: { $0.name == name })?.value else { return nil }
        guard let choice = Choice(rawValue: value) else {
            throw ContractError(.invalid, "\(name): " + Choice.allCases.map { "'\($0.rawValue)'" }.joined(separator: " or "))
        }
        return choice
    }

    /// Writes the refusal on the connection, still plain HTTP/1.1, with `Connection: close`;
    /// `ConnectionGuard` then ends the connection (and drops the empty 400 Hummingbird would
    /// write after it for the refused upgrade).
    private func refuse(_ channel: any Channel, with refusal: ContractError) async throws {
        let body = (try? WireJSON.encoder().encode(ErrorBody(refusal))) ?? Data()
        var head = HTTPResponseHead(version: .http1_1, status: .init(statusCode: refusal.code.httpStatus))
        head.headers.add(name: "Content-Type", value: "application/json; charset=utf-8")
        head.headers.add(name: "Content-Length", value: String(body.count))
        head.headers.add(name: "Connection", value: "close")
        if refusal.code == .rateLimited { head.headers.add(name: "Retry-After", value: "1") }
        channel.write(HTTPServerResponsePart.head(head), promise: nil)
        channel.write(HTTPServerResponsePart.body(.byteBuffer(ByteBuffer(bytes: body))), promise: nil)
        try? await channel.writeAndFlush(HTTPServerResponsePart.end(nil)).get()
    }

    /// Listed exactly; or the `ws://HOST` / `wss://HOST` that WebSocket client libraries (ours
    /// among them) send, naming this server's own host. A browser always sends the `http(s)://`
    /// origin of its page, so no page passes unless listed — not one on `http://127.0.0.1:OTHER`,
    /// and not one whose name was rebound to this address (its `Host` and `Origin` agree on the
    /// attacker's name, which the old "same host" rule let through).
    static func isAllowed(_ origin: String, host: String?, by configuration: RealtimeConfiguration) -> Bool {
        if configuration.allowedOrigins.contains(origin) { return true }
        guard let host, let url = URL(string: origin), let scheme = url.scheme?.lowercased(), scheme == "ws" || scheme == "wss",
            let originHost = url.host
        else { return false }
        return hostName(of: host) == originHost.lowercased()
    }

    /// `example.com:8080` → `example.com`; `[::1]:8080` → `::1`.
    static func hostName(of authority: String) -> String {
        var name = Substring(authority)
        if name.hasPrefix("["), let end = name.firstIndex(of: "]") {
            name = name[name.index(after: name.startIndex)..<end]
        } else if let colon = name.lastIndex(of: ":") {
            name = name[..<colon]
        }
        return name.lowercased()
    }
}
