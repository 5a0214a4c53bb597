import Foundation
import SQLKit
import SwitchboardProtocol

/// API tokens: each is a bot account with one login of its own, so that revoking the token ends
/// that login — and with it the token's sockets on every node (`LoginWatch`) — like a logout.
extension SQLStore {
    static let tokenSelect: SQLQueryString = """
        SELECT t.id, t.name, t.scopes, t.created_at, t.last_used_at, t.revoked_at, t.login_id, \(unsafeRaw: userRefColumns("b", "b"))
        FROM api_tokens t JOIN users b ON b.id = t.bot_user_id
        """

    static func apiToken(_ row: any SQLRow) throws -> APIToken {
        guard let bot = try row.userRef("b") else { throw StorageError.missingRow("token's account") }
        return APIToken(
            id: try row.int("id"), name: try row.string("name"), scopes: wireList(try row.string("scopes")), bot: bot,
            createdAt: try row.date("created_at"), lastUsedAt: try row.optionalDate("last_used_at"),
            revokedAt: try row.optionalDate("revoked_at"))
    }

    public func createAPIToken(_ new: NewAPIToken, now: Date) async throws -> APIToken {
        let id = try await driver.transaction { db -> Int in
            // A username nobody types: `bot-` and the login's id; the display name is the one shown.
            let username = "bot-" + new.loginId.prefix(12)
            guard
                let botId = try await db.raw(
                    """
                    INSERT INTO users (username, username_key, display_name, role, password_hash, is_bot, created_at)
                    VALUES (\(bind: username), \(bind: username.lowercased()), \(bind: new.botDisplayName), 'AGENT',
                            \(bind: new.passwordHash), \(bind: true), \(bind: millis(now)))
                    RETURNING id
                    """
                ).first(decodingColumn: "id", as: Int.self)
            else { throw StorageError.missingRow("bot account") }
            try await db.raw(
                "INSERT INTO logins (id, user_id, created_at) VALUES (\(bind: new.loginId), \(bind: botId), \(bind: millis(now)))"
            ).run()
            guard
                let id = try await db.raw(
                    """
                    INSERT INTO api_tokens (name, token_hash, scopes, bot_user_id, login_id, created_by_id, created_at)
                    VALUES (\(bind: new.name), \(bind: new.tokenHash), \(bind: new.scopes.map(\.rawValue).joined(separator: ",")),
                            \(bind: botId), \(bind: new.loginId), \(bind: new.createdBy), \(bind: millis(now)))
                    RETURNING id
                    """
                ).first(decodingColumn: "id", as: Int.self)
            else { throw StorageError.missingRow("token") }
            return id
        }
        guard let token = try await reader.raw("\(Self.tokenSelect) WHERE t.id = \(bind: id)").first().map(Self.apiToken) else {
            throw StorageError.missingRow("token")
        }
        return token
    }

    public func apiTokens() async throws -> [APIToken] {
        try await reader.raw("\(Self.tokenSelect) ORDER BY t.revoked_at IS NOT NULL, t.id").all().map(Self.apiToken)
    }

    public func revokeAPIToken(id: Int, now: Date) async throws -> String? {
        try await driver.transaction { db in
            guard
                let login = try await db.raw(
                    "UPDATE api_tokens SET revoked_at = COALESCE(revoked_at, \(bind: millis(now))) WHERE id = \(bind: id) RETURNING login_id"
                ).first(decodingColumn: "login_id", as: String.self)
            else { return nil }
            try await db.raw("UPDATE logins SET revoked_at = \(bind: millis(now)) WHERE id = \(bind: login) AND revoked_at IS NULL").run()
            return login
        }
    }

    public func apiToken(hash: String) async throws -> TokenGrant? {
        guard
            let row = try await reader.raw(
                """
                SELECT t.id AS token_id, t.scopes, t.login_id, t.last_used_at, \(unsafeRaw: Self.userColumns)
                FROM api_tokens t JOIN logins l ON l.id = t.login_id JOIN users u ON u.id = t.bot_user_id
                WHERE t.token_hash = \(bind: hash) AND t.revoked_at IS NULL AND l.revoked_at IS NULL
                """
            ).first()
        else { return nil }
        return TokenGrant(
            tokenId: try row.int("token_id"), user: try Self.userRecord(row).user, loginId: try row.string("login_id"),
            scopes: Set(Self.wireList(try row.string("scopes")) as [TokenScope]), lastUsedAt: try row.optionalDate("last_used_at"))
    }

    public func noteTokenUsed(id: Int, now: Date) async throws {
        try await driver.transaction { db in
            try await db.raw("UPDATE api_tokens SET last_used_at = \(bind: millis(now)) WHERE id = \(bind: id)").run()
        }
    }
}
