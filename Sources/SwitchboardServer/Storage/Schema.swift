import Foundation
import Logging
import SQLKit

/// Versioned migrations, run at start-up in order; each runs in its own transaction and is
/// recorded in `schema_migrations`, so a database is brought forward exactly once per step.
/// Timestamps are stored as milliseconds since 1970 (portable, sortable, easy to subtract).
public enum Schema {
    struct Migration: Sendable {
        var version: Int
        var name: String
        var statements: [String]
    }

    static func migrations(for flavor: SQLFlavor) -> [Migration] {
        switch flavor {
        case .sqlite: sqlite
        case .postgres: postgres
        }
    }

    static let sqlite: [Migration] = [
        Migration(
            version: 1, name: "support core",
            statements: [
                """
                CREATE TABLE users (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    username TEXT NOT NULL,
                    username_key TEXT NOT NULL UNIQUE,
                    display_name TEXT NOT NULL,
                    email TEXT,
                    role TEXT NOT NULL CHECK (role IN ('CUSTOMER', 'AGENT', 'ADMIN')),
                    password_hash TEXT NOT NULL,
                    is_online INTEGER NOT NULL DEFAULT 0,
                    last_seen_at INTEGER,
                    agent_status TEXT NOT NULL DEFAULT 'OFFLINE',
                    capacity INTEGER NOT NULL DEFAULT 5,
                    created_at INTEGER NOT NULL
                )
                """,
                "CREATE INDEX users_role ON users (role)",
                """
                CREATE TABLE logins (
                    id TEXT PRIMARY KEY,
                    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
                    created_at INTEGER NOT NULL,
                    revoked_at INTEGER
                )
                """,
                "CREATE INDEX logins_user ON logins (user_id)",
                """
                CREATE TABLE refresh_tokens (
                    token_hash TEXT PRIMARY KEY,
                    login_id TEXT NOT NULL REFERENCES logins (id) ON DELETE CASCADE,
                    expires_at INTEGER NOT NULL,
                    used_at INTEGER
                )
                """,
                "CREATE INDEX refresh_tokens_login ON refresh_tokens (login_id)",
                """
                CREATE TABLE tickets (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    subject TEXT NOT NULL,
                    description TEXT NOT NULL,
                    status TEXT NOT NULL CHECK (status IN ('OPEN', 'IN_PROGRESS', 'RESOLVED', 'CLOSED')),
                    priority TEXT NOT NULL CHECK (priority IN ('LOW', 'MEDIUM', 'HIGH', 'URGENT')),
                    priority_rank INTEGER NOT NULL,
                    category TEXT NOT NULL,
                    customer_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
                    assigned_agent_id INTEGER REFERENCES users (id) ON DELETE SET NULL,
                    last_seq INTEGER NOT NULL DEFAULT 0,
                    first_response_at INTEGER,
                    first_response_agent_id INTEGER REFERENCES users (id) ON DELETE SET NULL,
                    created_at INTEGER NOT NULL,
                    updated_at INTEGER NOT NULL,
                    resolved_at INTEGER
                )
                """,
                "CREATE INDEX tickets_status ON tickets (status, priority_rank DESC, created_at)",
                "CREATE INDEX tickets_priority ON tickets (priority_rank, created_at)",
                "CREATE INDEX tickets_assignee ON tickets (assigned_agent_id, status)",
                "CREATE INDEX tickets_customer ON tickets (customer_id, created_at)",
                "CREATE INDEX tickets_updated ON tickets (updated_at)",
                "CREATE INDEX tickets_created ON tickets (created_at)",
                "CREATE INDEX tickets_resolved ON tickets (resolved_at)",
                """
                CREATE TABLE messages (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    ticket_id INTEGER NOT NULL REFERENCES tickets (id) ON DELETE CASCADE,
                    seq INTEGER NOT NULL,
                    client_message_id TEXT,
                    sender_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
                    sender_type TEXT NOT NULL,
                    body TEXT NOT NULL,
                    message_type TEXT NOT NULL,
                    internal INTEGER NOT NULL DEFAULT 0,
                    created_at INTEGER NOT NULL,
                    UNIQUE (ticket_id, seq)
                )
                """,
                "CREATE UNIQUE INDEX messages_client_id ON messages (sender_id, client_message_id)",
                "CREATE INDEX messages_sender ON messages (sender_id, created_at)",
                """
                CREATE TABLE ticket_reads (
                    ticket_id INTEGER NOT NULL REFERENCES tickets (id) ON DELETE CASCADE,
                    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
                    read_seq INTEGER NOT NULL DEFAULT 0,
                    delivered_seq INTEGER NOT NULL DEFAULT 0,
                    PRIMARY KEY (ticket_id, user_id)
                )
                """,
                """
                CREATE TABLE chat_sessions (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    ticket_id INTEGER NOT NULL UNIQUE REFERENCES tickets (id) ON DELETE CASCADE,
                    status TEXT NOT NULL CHECK (status IN ('ACTIVE', 'INACTIVE', 'ENDED')),
                    started_at INTEGER NOT NULL,
                    ended_at INTEGER,
                    last_activity_at INTEGER NOT NULL
                )
                """,
                "CREATE INDEX chat_sessions_status ON chat_sessions (status)",
                """
                CREATE TABLE canned_responses (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    owner_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
                    shortcut TEXT NOT NULL,
                    title TEXT NOT NULL,
                    body TEXT NOT NULL,
                    shared INTEGER NOT NULL DEFAULT 0,
                    created_at INTEGER NOT NULL,
                    updated_at INTEGER NOT NULL,
                    UNIQUE (owner_id, shortcut)
                )
                """,
            ]),
        Migration(
            version: 2, name: "assignment rotation",
            statements: [
                "ALTER TABLE users ADD COLUMN last_assigned_at INTEGER",
                "CREATE INDEX tickets_waiting ON tickets (assigned_agent_id, priority_rank DESC, created_at)",
            ]),
        // The bytes live in the database (with their sha256), so every server process sharing it serves them.
        Migration(
            version: 3, name: "attachments",
            statements: [
                """
                CREATE TABLE attachments (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    ticket_id INTEGER NOT NULL REFERENCES tickets (id) ON DELETE CASCADE,
                    uploader_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
                    file_name TEXT NOT NULL,
                    content_type TEXT NOT NULL,
                    size INTEGER NOT NULL,
                    sha256 TEXT NOT NULL,
                    bytes BLOB NOT NULL,
                    created_at INTEGER NOT NULL
                )
                """,
                "CREATE INDEX attachments_ticket ON attachments (ticket_id)",
                "CREATE INDEX attachments_uploader ON attachments (uploader_id, created_at)",
                "ALTER TABLE messages ADD COLUMN attachment_id INTEGER",
            ]),
        sharedSecrets,
        nodeLeases,
        redactions,
        rateGrants,
        clocks(.sqlite),
        snooze(.sqlite),
        autoResolve(.sqlite),
        ratingsAndMerges(.sqlite),
        search(.sqlite),
        mentions(.sqlite),
        searchStatistics(.sqlite),
        integrations(.sqlite),
    ]

    /// What a per-user limit has granted in its window (uploads: one row a file, its bytes), taken
    /// in the same transaction that checks the limit, so parallel requests cannot all pass it.
    static let rateGrants = Migration(
        version: 7, name: "rate grants",
        statements: [
            "CREATE TABLE rate_grants (id INTEGER PRIMARY KEY AUTOINCREMENT, key TEXT NOT NULL, at INTEGER NOT NULL, amount INTEGER NOT NULL)",
            "CREATE INDEX rate_grants_key ON rate_grants (key, at)",
        ])

    /// What the content filters masked in a message, as JSON (`[{"rule": "card", "count": 1}]`);
    /// NULL when nothing was.
    static let redactions = Migration(
        version: 6, name: "redactions",
        statements: [
            "ALTER TABLE messages ADD COLUMN redactions TEXT"
        ])

    /// Server processes on one database (PostgreSQL): each holds a lease it renews, and the users
    /// it holds connections of; a user is online while any live node holds one.
    static let nodeLeases = Migration(
        version: 5, name: "node leases",
        statements: [
            "CREATE TABLE nodes (id TEXT PRIMARY KEY, started_at BIGINT NOT NULL, heartbeat_at BIGINT NOT NULL)",
            """
            CREATE TABLE node_users (
                node_id TEXT NOT NULL REFERENCES nodes (id) ON DELETE CASCADE,
                user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
                PRIMARY KEY (node_id, user_id)
            )
            """,
            "CREATE INDEX node_users_user ON node_users (user_id)",
        ])

    /// Secrets every server process on the database must agree on (the JWT key when none is configured).
    static let sharedSecrets = Migration(
        version: 4, name: "shared secrets",
        statements: [
            "CREATE TABLE server_secrets (name TEXT PRIMARY KEY, value TEXT NOT NULL, created_at BIGINT NOT NULL)"
        ])

    /// Brings the database up to the newest version; returns the versions it applied.
    @discardableResult
    public static func migrate(_ driver: any SQLDriver, logger: Logger) async throws -> [Int] {
        // Several nodes may start at once on one PostgreSQL: each step waits for the others' (SQLite
        // has one writer already).
        let serialize: @Sendable (any SQLDatabase) async throws -> Void = { db in
            if driver.flavor == .postgres { try await PostgresDriver.lock("migrations", in: db) }
        }
        try await driver.transaction { db in
            try await serialize(db)
            try await db.raw(
                """
                CREATE TABLE IF NOT EXISTS schema_migrations (
                    version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)
                """
            ).run()
        }
        var applied: [Int] = []
        for migration in migrations(for: driver.flavor) {
            let didApply = try await driver.transaction { db -> Bool in
                try await serialize(db)
                let done = try await db.raw(
                    "SELECT version FROM schema_migrations WHERE version = \(bind: migration.version)"
                ).first()
                guard done == nil else { return false }
                for statement in migration.statements {
                    try await db.raw(SQLQueryString(statement)).run()
                }
                try await db.raw(
                    """
                    INSERT INTO schema_migrations (version, name, applied_at)
                    VALUES (\(bind: migration.version), \(bind: migration.name), \(bind: Int64(Date().timeIntervalSince1970 * 1000)))
                    """
                ).run()
                return true
            }
            if didApply {
                logger.info("applied migration", metadata: ["version": "\(migration.version)", "name": "\(migration.name)"])
                applied.append(migration.version)
            }
        }
        try await SearchBackfill.run(driver, logger: logger)
        return applied
    }
}
