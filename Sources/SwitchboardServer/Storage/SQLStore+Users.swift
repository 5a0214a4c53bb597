import Foundation
import SQLKit
import SwitchboardProtocol

extension SQLStore {
    static let userColumns = """
        u.id, u.username, u.display_name, u.email, u.role, u.password_hash, u.is_online, u.last_seen_at,
        u.agent_status, u.capacity, u.is_bot
        """

    static func userRecord(_ row: any SQLRow) throws -> UserRecord {
        let role: Role = try row.wire("role")
        let user = User(
            id: try row.int("id"), username: try row.string("username"), displayName: try row.string("display_name"),
            role: role, isOnline: try row.bool("is_online"), lastSeenAt: try row.optionalDate("last_seen_at"),
            agentStatus: role.isStaff ? try row.wire("agent_status") : nil,
            capacity: role.isStaff ? try row.int("capacity") : nil,
            email: try row.optionalString("email"), isBot: try row.bool("is_bot"))
        return UserRecord(user: user, passwordHash: try row.string("password_hash"))
    }

    public func createUser(_ user: NewUser, now: Date) async throws -> User {
        do {
            let id = try await driver.transaction { db in
                try await db.raw(
                    """
                    INSERT INTO users (username, username_key, display_name, email, role, password_hash, created_at)
                    VALUES (\(bind: user.username), \(bind: user.username.lowercased()), \(bind: user.displayName),
                            \(bind: user.email), \(bind: user.role.rawValue), \(bind: user.passwordHash), \(bind: millis(now)))
                    RETURNING id
                    """
                ).first(decodingColumn: "id", as: Int.self)
            }
            guard let id, let record = try await self.user(id: id) else { throw StorageError.missingRow("user") }
            return record.user
        } catch  where isUniqueViolation(error) {
            throw ContractError(.conflict, "the username '\(user.username)' is taken")
        }
    }

    public func user(id: Int) async throws -> UserRecord? {
        try await reader.raw("SELECT \(unsafeRaw: Self.userColumns) FROM users u WHERE u.id = \(bind: id)")
            .first().map(Self.userRecord)
    }

    public func user(username: String) async throws -> UserRecord? {
        try await reader.raw(
            """
            SELECT \(unsafeRaw: Self.userColumns) FROM users u WHERE u.username_key = \(bind: username.lowercased())
            """
        ).first().map(Self.userRecord)
    }

    public func users() async throws -> [User] {
        try await reader.raw(
            "SELECT \(unsafeRaw: Self.userColumns) FROM users u WHERE u.username_key <> \(bind: Self.systemKey) ORDER BY u.id"
        ).all().map { try Self.userRecord($0).user }
    }

    public func setPassword(userId: Int, passwordHash: String, now: Date) async throws -> Bool {
        try await driver.transaction { db in
            let changed =
                try await db.raw(
                    """
                    UPDATE users SET password_hash = \(bind: passwordHash) WHERE id = \(bind: userId) RETURNING id
                    """
                ).first() != nil
            try await Self.revokeLogins(userId: userId, now: now, in: db)
            return changed
        }
    }

    public func setRole(userId: Int, role: Role, now: Date) async throws -> Role? {
        try await driver.transaction { db in
            guard let row = try await db.raw("SELECT role FROM users WHERE id = \(bind: userId)").first() else { return nil }
            let before: Role = try row.wire("role")
            guard before != role else { return before }
            if !role.isStaff {
                // A customer cannot answer tickets: theirs would wait for nobody.
                let assigned =
                    try await db.raw(
                        """
                        SELECT COUNT(*) AS n FROM tickets WHERE assigned_agent_id = \(bind: userId) AND status <> 'CLOSED'
                        """
                    ).first(decodingColumn: "n", as: Int.self) ?? 0
                guard assigned == 0 else {
                    throw ContractError(
                        .conflict,
                        "\(assigned) \(assigned == 1 ? "ticket that is" : "tickets that are") not closed "
                            + "\(assigned == 1 ? "is" : "are") assigned to them: transfer \(assigned == 1 ? "it" : "them") first")
                }
            }
            try await db.raw(
                """
                UPDATE users SET role = \(bind: role.rawValue), agent_status = 'OFFLINE' WHERE id = \(bind: userId)
                """
            ).run()
            try await Self.revokeLogins(userId: userId, now: now, in: db)
            return before
        }
    }

    /// Every live login of the user ends: their refresh tokens and access tokens are refused
    /// from now on, and `LoginWatch` closes their sockets.
    private static func revokeLogins(userId: Int, now: Date, in db: any SQLDatabase) async throws {
        try await db.raw(
            """
            UPDATE logins SET revoked_at = \(bind: millis(now)) WHERE user_id = \(bind: userId) AND revoked_at IS NULL
            """
        ).run()
    }

    public func createLogin(userId: Int, loginId: String, refreshTokenHash: String, expiresAt: Date, now: Date) async throws {
        try await driver.transaction { db in
            try await db.raw(
                """
                INSERT INTO logins (id, user_id, created_at) VALUES (\(bind: loginId), \(bind: userId), \(bind: millis(now)))
                """
            ).run()
            try await db.raw(
                """
                INSERT INTO refresh_tokens (token_hash, login_id, expires_at)
                VALUES (\(bind: refreshTokenHash), \(bind: loginId), \(bind: millis(expiresAt)))
                """
            ).run()
        }
    }

    public func rotateRefreshToken(hash: String, newHash: String, newExpiresAt: Date, now: Date) async throws -> RefreshOutcome {
        try await driver.transaction { db in
            guard
                let row = try await db.raw(
                    """
                    SELECT r.login_id, r.expires_at, r.used_at, l.user_id, l.revoked_at
                    FROM refresh_tokens r JOIN logins l ON l.id = r.login_id
                    WHERE r.token_hash = \(bind: hash)
                    """
                ).first()
            else { return .unknown }
            let loginId = try row.string("login_id")
            if try row.optionalDate("revoked_at") != nil { return .unknown }
            if try row.optionalDate("used_at") != nil {
                try await db.raw("UPDATE logins SET revoked_at = \(bind: millis(now)) WHERE id = \(bind: loginId)").run()
                return .reused(loginId: loginId)
            }
            if try row.date("expires_at") <= now { return .expired }
            try await db.raw("UPDATE refresh_tokens SET used_at = \(bind: millis(now)) WHERE token_hash = \(bind: hash)").run()
            try await db.raw(
                """
                INSERT INTO refresh_tokens (token_hash, login_id, expires_at)
                VALUES (\(bind: newHash), \(bind: loginId), \(bind: millis(newExpiresAt)))
                """
            ).run()
            return .rotated(userId: try row.int("user_id"), loginId: loginId)
        }
    }

    public func revokeLogin(_ loginId: String, now: Date) async throws {
        try await driver.transaction { db in
            try await db.raw(
                """
                UPDATE logins SET revoked_at = \(bind: millis(now)) WHERE id = \(bind: loginId) AND revoked_at IS NULL
                """
            ).run()
        }
    }

    public func activeLoginUser(loginId: String) async throws -> UserRecord? {
        try await reader.raw(
            """
            SELECT \(unsafeRaw: Self.userColumns) FROM logins l JOIN users u ON u.id = l.user_id
            WHERE l.id = \(bind: loginId) AND l.revoked_at IS NULL
            """
        ).first().map(Self.userRecord)
    }

    public func endedLogins(among loginIds: [String]) async throws -> [String] {
        var live = Set<String>()
        // In slices: one statement's binds stay far below either database's limit.
        for start in stride(from: 0, to: loginIds.count, by: 500) {
            let slice = Array(loginIds[start..<min(start + 500, loginIds.count)])
            for row in try await reader.raw("SELECT id FROM logins WHERE revoked_at IS NULL AND id IN (\(binds: slice))").all() {
                live.insert(try row.decode(column: "id", as: String.self))
            }
        }
        return loginIds.filter { !live.contains($0) }
    }

    // MARK: Presence

    public func setPresence(userId: Int, online: Bool, now: Date) async throws -> AgentStatus? {
        try await driver.transaction { db in
            let agentStatus: SQLQueryString =
                online
                ? "CASE WHEN agent_status = 'OFFLINE' THEN 'ONLINE' ELSE agent_status END"
                : "'OFFLINE'"
            try await db.raw(
                """
                UPDATE users SET is_online = \(bind: online), last_seen_at = \(bind: millis(now)),
                  agent_status = CASE WHEN role IN ('AGENT', 'ADMIN') AND NOT is_bot THEN \(agentStatus) ELSE agent_status END
                WHERE id = \(bind: userId)
                """
            ).run()
            guard
                let row = try await db.raw("SELECT \(unsafeRaw: Self.userColumns) FROM users u WHERE u.id = \(bind: userId)")
                    .first()
            else { return nil }
            return try Self.userRecord(row).user.agentStatus
        }
    }

    public func customers(assignedTo agentId: Int) async throws -> [Int] {
        try await reader.raw(
            """
            SELECT DISTINCT customer_id FROM tickets
            WHERE assigned_agent_id = \(bind: agentId) AND status IN ('OPEN', 'IN_PROGRESS')
            """
        ).all(decodingColumn: "customer_id", as: Int.self)
    }

    public func presenceTickets(customerId: Int) async throws -> [PresenceTicket] {
        try await reader.raw(
            """
            SELECT id, assigned_agent_id, status IN ('OPEN', 'IN_PROGRESS') AS active FROM tickets
            WHERE customer_id = \(bind: customerId)
            """
        ).all().map { row in
            PresenceTicket(
                ticketId: try row.decode(column: "id", as: Int.self),
                agentId: try row.decode(column: "assigned_agent_id", as: Int?.self),
                active: try row.decode(column: "active", as: Bool.self))
        }
    }

    // MARK: Agents

    /// Active chats: OPEN or IN_PROGRESS tickets assigned to the agent.
    static let agentLoadQuery = """
        SELECT \(userRefColumns("u", "a")), u.agent_status, u.capacity,
               (SELECT COUNT(*) FROM tickets t WHERE t.assigned_agent_id = u.id
                  AND \(holdsASlot)) AS active_chats
        FROM users u WHERE u.role IN ('AGENT', 'ADMIN') AND u.username_key <> '~system' AND NOT u.is_bot
        """

    static func agentLoad(_ row: any SQLRow) throws -> AgentLoad {
        guard let agent = try row.userRef("a") else { throw StorageError.missingRow("agent") }
        return AgentLoad(
            agent: agent, status: try row.wire("agent_status"), activeChats: try row.int("active_chats"),
            capacity: try row.int("capacity"))
    }

    public func agents() async throws -> [AgentLoad] {
        try await reader.raw("\(unsafeRaw: Self.agentLoadQuery) ORDER BY u.display_name, u.id").all().map(Self.agentLoad)
    }

    public func updateAgent(id: Int, status: AgentStatus?, capacity: Int?) async throws -> AgentLoad? {
        try await driver.transaction { db in
            if let status {
                try await db.raw(
                    """
                    UPDATE users SET agent_status = \(bind: status.rawValue) WHERE id = \(bind: id) AND role IN ('AGENT', 'ADMIN')
                    """
                ).run()
            }
            if let capacity {
                try await db.raw(
                    """
                    UPDATE users SET capacity = \(bind: capacity) WHERE id = \(bind: id) AND role IN ('AGENT', 'ADMIN')
                    """
                ).run()
            }
            return try await db.raw("\(unsafeRaw: Self.agentLoadQuery) AND u.id = \(bind: id)").first().map(Self.agentLoad)
        }
    }
}
