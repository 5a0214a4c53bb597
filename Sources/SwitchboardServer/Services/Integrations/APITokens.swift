import Foundation
import SwitchboardProtocol

/// Long-lived tokens for integrations (issue 36). A token is `sbt_` and 256 random bits; only its
/// SHA-256 digest is kept. Each acts as a bot account of its own (role AGENT, marked `isBot`, never
/// assigned work, never signed in with a password) within its scopes, until revoked — which ends
/// its login, so its sockets close at once here and within the login check on other nodes.
public struct APITokens: Sendable {
    static let prefix = "sbt_"
    /// How often a token's last use is written (a write per request would load SQLite's one writer).
    static let lastUseGranularity: TimeInterval = 60

    let store: any Store
    let validator: Validator
    let hasher: PasswordHasher
    let events: any SupportEventSink
    let clock: @Sendable () -> Date

    public func create(_ request: TokenRequest, by caller: Caller) async throws -> APIToken {
        try caller.requireAdmin()
        let name = try Self.name(request.name)
        let scopes = try TokenScope.list(request.scopes, field: "scopes")
        let shown = try validator.displayName(request.botDisplayName ?? name)
        let token = Self.prefix + TokenService.newRefreshToken()
        var created = try await store.createAPIToken(
            NewAPIToken(
                name: name, scopes: scopes, botDisplayName: shown, tokenHash: TokenService.digest(token),
                passwordHash: try await hasher.hash(TokenService.newRefreshToken()), loginId: UUID().uuidString.lowercased(),
                createdBy: caller.id),
            now: clock())
        created.token = token
        return created
    }

    public func list(by caller: Caller) async throws -> [APIToken] {
        try caller.requireAdmin()
        return try await store.apiTokens()
    }

    public func revoke(_ id: Int, by caller: Caller) async throws {
        try caller.requireAdmin()
        guard let login = try await store.revokeAPIToken(id: id, now: clock()) else {
            throw ContractError(.notFound, "no API token #\(id)")
        }
        await events.publish(.loginEnded(loginId: login))
    }

    /// The caller a token stands for; `UNAUTHORIZED` when it is unknown or revoked.
    func authenticate(_ token: String, now: Date) async throws -> Caller {
        guard let grant = try await store.apiToken(hash: TokenService.digest(token)) else {
            throw ContractError(.unauthorized, "this API token is not valid or has been revoked")
        }
        if grant.lastUsedAt.map({ now.timeIntervalSince($0) >= Self.lastUseGranularity }) ?? true {
            try await store.noteTokenUsed(id: grant.tokenId, now: now)
        }
        return Caller(user: grant.user, loginId: grant.loginId, scopes: grant.scopes)
    }

    static func name(_ raw: String) throws(ContractError) -> String {
        let name = raw.trimmingCharacters(in: .whitespacesAndNewlines)
        guard (1...80).contains(name.count), !name.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else {
            throw ContractError(.invalid, "name: 1–80 characters, no control characters")
        }
        return name
    }
}

/// What a token's scopes allow over REST, by method and path (an admin's routes never).
enum TokenRoutes {
    /// The scope a request needs; nil when no token may make it.
    static func scope(method: String, path: String) -> TokenScope? {
        let parts = path.split(separator: "/").map(String.init)
        guard parts.count >= 2, parts[0] == "api" else { return nil }
        let route = Array(parts.dropFirst())
        let isId = { (index: Int) in index < route.count && Int(route[index]) != nil }
        switch (method, route.first) {
        case ("GET", "tickets"), ("GET", "search"), ("GET", "attachments"), ("GET", "chat"), ("GET", "me"):
            return .ticketsRead
        case ("POST", "tickets") where isId(1) && route.count == 3:
            switch route[2] {
            case "messages", "attachments": return .messagesWrite
            case "read": return .ticketsRead
            case "claim", "transfer", "escalate", "merge": return .ticketsWrite
            default: return nil
            }
        case ("PUT", "tickets") where isId(1) && route.count == 2:
            return .ticketsWrite
        case ("POST", "chat") where route.count == 4 && route[1] == "sessions" && isId(2) && route[3] == "messages":
            return .messagesWrite
        case ("PUT", "chat") where route.count == 4 && route[1] == "sessions" && isId(2) && route[3] == "status":
            return .ticketsWrite
        default:
            return nil
        }
    }
}
