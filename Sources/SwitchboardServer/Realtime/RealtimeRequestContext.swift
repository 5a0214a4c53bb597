import Foundation
import Hummingbird
import HummingbirdWebSocket
import SwitchboardProtocol

/// The context of a `/ws` upgrade: who is connecting, until when their token holds.
public struct RealtimeRequestContext: RequestContext, WebSocketRequestContext {
    public var coreContext: CoreRequestContextStorage
    public let webSocket: WebSocketHandlerReference<Self>
    public var caller: Caller?
    public var tokenExpiry: Date?

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        webSocket = .init()
    }
}

/// Checks a `/ws` upgrade before any socket exists: a valid token (Bearer header, or
/// `access_token` for clients that cannot set headers), an allowed origin, room for one more
/// connection of this user. Refusals are plain HTTP answers (401, 403, 429).
struct RealtimeAuthMiddleware: RouterMiddleware {
    typealias Context = RealtimeRequestContext
    let accounts: AccountService
    let hub: Hub
    let configuration: RealtimeConfiguration

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        if !configuration.allowedOrigins.isEmpty {
            for origin in request.headers[values: .origin] where !Self.isAllowed(origin, host: request.head.authority, by: configuration) {
                throw ContractError(.forbidden, "origin '\(origin)' is not allowed")
            }
        }
        let queryToken = request.uri.queryParameters.get("access_token").map { String($0) }
        guard let token = AuthMiddleware.bearerToken(request) ?? queryToken, !token.isEmpty else { throw ContractError(.unauthorized, "connect with Authorization: Bearer <accessToken> or ?access_token=") }
        let (caller, expiry) = try await accounts.authenticateWithExpiry(bearer: token)
        guard await hub.connectionCount(userId: caller.id) < configuration.maxConnectionsPerUser else {
            throw ContractError(.rateLimited, "too many connections: at most \(configuration.maxConnectionsPerUser) per user")
        }
        var context = context
        context.caller = caller
        context.tokenExpiry = expiry
        return try await next(request, context)
    }

    /// Listed, or naming this server's own host (client libraries send `Origin: ws://HOST`, with no
    /// port, by default; a browser page from another site never has this server's host name).
    static func isAllowed(_ origin: String, host: String?, by configuration: RealtimeConfiguration) -> Bool {
        if configuration.allowedOrigins.contains(origin) { return true }
        guard let host, let originHost = URL(string: origin)?.host else { return false }
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
