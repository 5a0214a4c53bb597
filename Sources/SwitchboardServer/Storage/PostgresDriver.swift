import Foundation
import Logging
import NIOCore
import NIOPosix
import NIOSSL
import PostgresKit
import PostgresNIO
import SQLKit

/// PostgreSQL through postgres-nio's pooled client: every statement and transaction leases a
/// connection from one pool (sized by config), so several server processes can share the
/// database. Transactions are plain `BEGIN … COMMIT` at READ COMMITTED; what SQLite got from its
/// single writer (seq handed out in order, one assigner at a time) comes from row locks taken by
/// the statements themselves (`UPDATE tickets … RETURNING last_seq` locks the ticket's row).
public final class PostgresDriver: SQLDriver {
    public let flavor = SQLFlavor.postgres
    public let reader: any SQLDatabase
    public let repeated: any SQLDatabase
    let client: PostgresClient
    private let running: Task<Void, Never>
    let logger: Logger
    /// `?schema=NAME`, if given: nodes of one installation share it (and its doorbell channel).
    public let schema: String?

    /// Connects to `url` (`postgres://user:password@host:port/database?sslmode=disable|prefer|require&schema=NAME`)
    /// and checks the database answers before returning.
    public static func open(url: String, poolSize: Int = 16, logger: Logger) async throws -> PostgresDriver {
        let configuration = try configuration(url, poolSize: poolSize)
        try await probe(configuration, url: url, logger: logger)
        let client = PostgresClient(configuration: configuration, backgroundLogger: Self.quiet(logger))
        let running = Task { await client.run() }
        let driver = PostgresDriver(client: client, running: running, schema: Self.schema(of: url), logger: logger)
        do {
            if let schema = Self.schema(of: url) {
                // Connections start with `search_path` set to it; it must exist before the first table.
                try await driver.reader.raw("CREATE SCHEMA IF NOT EXISTS \(ident: schema)").run()
            }
            _ = try await driver.reader.raw("SELECT 1 AS ok").first()
        } catch {
            running.cancel()
            throw PostgresConnectError(url: Self.redacted(url), underlying: error)
        }
        return driver
    }

    private init(client: PostgresClient, running: Task<Void, Never>, schema: String?, logger: Logger) {
        self.client = client
        self.schema = schema
        self.running = running
        self.logger = logger
        reader = PooledSQLDatabase(client: client, logger: Self.quiet(logger))
        repeated = PreparedSQLDatabase(client: client, fallback: reader, logger: Self.quiet(logger))
    }

    public func transaction<R: Sendable>(_ body: @escaping @Sendable (any SQLDatabase) async throws -> R) async throws -> R {
        // A deadlock or serialization failure between nodes is PostgreSQL choosing a loser: the
        // transaction did nothing, and running it again is the cure.
        var attempt = 0
        while true {
            attempt += 1
            do {
                return try await client.withConnection { connection in
                    let db = connection.sql(queryLogLevel: nil)
                    try await db.raw("BEGIN").run()
                    do {
                        let result = try await body(db)
                        try await db.raw("COMMIT").run()
                        return result
                    } catch {
                        try? await db.raw("ROLLBACK").run()
                        throw error
                    }
                }
            } catch let error as PSQLError where attempt < 5 && Self.isRetryable(error) {
                try await Task.sleep(for: .milliseconds(5 * attempt))
            } catch let error as PSQLError where attempt < 2 && Self.sqlState(error) == "23505" {
                // Two nodes (or connections) checked, found nothing, and both inserted — the same
                // clientMessageId resent, say. Once more, the check finds the winner's row; a real
                // conflict (a taken username) fails again and is reported as one.
                continue
            }
        }
    }

    public func close() async throws {
        running.cancel()
    }

    deinit { running.cancel() }

    /// An advisory lock held until the transaction ends, named within this installation: locks
    /// belong to the whole database, and installations in other schemas must not share them.
    static func lock(_ name: String, in db: any SQLDatabase) async throws {
        try await db.raw("SELECT pg_advisory_xact_lock(hashtextextended(current_schema() || ':' || \(bind: name), 0))").run()
    }

    /// The same lock if free: false when another transaction holds it (it is not waited for).
    static func tryLock(_ name: String, in db: any SQLDatabase) async throws -> Bool {
        try await db.raw("SELECT pg_try_advisory_xact_lock(hashtextextended(current_schema() || ':' || \(bind: name), 0)) AS got")
            .first(decodingColumn: "got", as: Bool.self) ?? false
    }

    static func isRetryable(_ error: PSQLError) -> Bool {
        guard let state = error.serverInfo?[.sqlState] else { return false }
        return state == "40001" || state == "40P01"
    }

    /// The SQLSTATE of a PostgreSQL error, when it is one.
    static func sqlState(_ error: any Error) -> String? {
        (error as? PSQLError)?.serverInfo?[.sqlState]
    }

    /// Query logging off, as on SQLite: bound values are message text and password hashes. The
    /// pool's own warnings too (one comes for every lease asked before `run()` has started, which
    /// is harmless); failures reach the callers as errors.
    private static func quiet(_ logger: Logger) -> Logger {
        var quiet = logger
        quiet.logLevel = max(logger.logLevel, .error)
        return quiet
    }

    /// One connection made and closed before the pool is: the pool retries a connection that
    /// fails until its circuit breaker trips — a minute of silence, then an error naming only the
    /// breaker. This says at once why (refused, no such host, a wrong password, no such database).
    private static func probe(_ pool: PostgresClient.Configuration, url: String, logger: Logger) async throws {
        guard let host = pool.host, let port = pool.port else { return }  // a Unix socket: the pool says
        let tls: PostgresConnection.Configuration.TLS =
            switch try TLSMode(of: url) {
            case .disable: .disable
            case .prefer: .prefer(try NIOSSLContext(configuration: .makeClientConfiguration()))
            case .require: .require(try NIOSSLContext(configuration: .makeClientConfiguration()))
            }
        var configuration = PostgresConnection.Configuration(
            host: host, port: port, username: pool.username,
            password: pool.password, database: pool.database, tls: tls)
        configuration.options.connectTimeout = .seconds(5)
        // A server that is there but cannot take one more connection now (too many clients,
        // starting up) is waited for, as the pool would; anything else is said at once.
        let deadline = ContinuousClock.now + .seconds(60)
        while true {
            do {
                let connection = try await PostgresConnection.connect(configuration: configuration, id: 0, logger: quiet(logger))
                try await connection.close()
                return
            } catch {
                let state = sqlState(error) ?? ""
                guard state.hasPrefix("53") || state == "57P03", ContinuousClock.now < deadline else {
                    throw PostgresConnectError(url: redacted(url), underlying: error)
                }
                logger.warning(
                    "PostgreSQL is not taking connections yet; trying again",
                    metadata: ["why": "\(PostgresConnectError.why(error))"])
                try await Task.sleep(for: .seconds(1))
            }
        }
    }

    /// The client's configuration from a URL.
    static func configuration(_ text: String, poolSize: Int) throws -> PostgresClient.Configuration {
        guard let url = URLComponents(string: text), ["postgres", "postgresql"].contains(url.scheme ?? ""),
            let host = url.host, !host.isEmpty
        else { throw PostgresURLError("expected postgres://user:password@host:port/database, got \(redacted(text))") }
        let database = String(url.path.drop { $0 == "/" })
        let tls: PostgresClient.Configuration.TLS =
            switch try TLSMode(of: text) {
            case .disable: .disable
            case .prefer: .prefer(.makeClientConfiguration())
            case .require: .require(.makeClientConfiguration())
            }
        var configuration = PostgresClient.Configuration(
            host: host, port: url.port ?? 5432, username: url.user?.removingPercentEncoding ?? "postgres",
            password: url.password?.removingPercentEncoding, database: database.isEmpty ? nil : database, tls: tls)
        configuration.options.maximumConnections = max(2, poolSize)
        if let schema = schema(of: text) { configuration.options.additionalStartupParameters = [("search_path", schema)] }
        configuration.options.connectTimeout = .seconds(5)
        return configuration
    }

    /// `?sslmode=`, as libpq spells it; the pool and the probe each make their kind of TLS from it.
    enum TLSMode {
        case disable, prefer, require

        init(of text: String) throws {
            let mode = URLComponents(string: text)?.queryItems?.first { $0.name == "sslmode" }?.value ?? "prefer"
            switch mode {
            case "disable": self = .disable
            case "prefer", "allow": self = .prefer
            case "require", "verify-ca", "verify-full": self = .require
            default: throw PostgresURLError("sslmode=\(mode): use disable, prefer or require")
            }
        }
    }

    /// `?schema=NAME`: the tables live in that schema (made if missing), so several installations
    /// (or test runs) can share one database.
    static func schema(of text: String) -> String? {
        URLComponents(string: text)?.queryItems?.first { $0.name == "schema" }?.value.flatMap { $0.isEmpty ? nil : $0 }
    }

    /// The URL without its password, for messages.
    static func redacted(_ text: String) -> String {
        guard var url = URLComponents(string: text), url.password != nil else { return text }
        url.percentEncodedPassword = "***"  // as written, not percent-encoded
        return url.string ?? text
    }
}

struct PostgresURLError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

struct PostgresConnectError: Error, CustomStringConvertible {
    var url: String
    var underlying: any Error
    var description: String { "cannot reach PostgreSQL at \(url): \(Self.why(underlying))" }

    /// What went wrong, in words: the server's own sentence ("password authentication failed for
    /// user …", "database … does not exist"), or the network's ("connection refused").
    static func why(_ error: any Error) -> String {
        guard let psql = error as? PSQLError else { return String(describing: error) }
        if let message = psql.serverInfo?[.message] { return message }
        if psql.code == .sslUnsupported { return "the server does not offer TLS (sslmode=require): use sslmode=prefer or disable" }
        let failed = psql.underlying as? NIOConnectionError
        if let failed, failed.dnsAError != nil || failed.dnsAAAAError != nil, failed.connectionErrors.isEmpty { return "no such host" }
        if let io = failed?.connectionErrors.first?.error as? IOError ?? psql.underlying as? IOError {
            return String(cString: strerror(io.errnoCode)).lowercased()
        }
        if let underlying = psql.underlying { return String(describing: underlying) }
        return String(reflecting: psql)
    }
}

/// One statement at a time on any connection of the pool.
final class PooledSQLDatabase: AsyncSQLDatabase {
    let client: PostgresClient
    let logger: Logger

    init(client: PostgresClient, logger: Logger) {
        self.client = client
        self.logger = logger
    }

    var eventLoop: any EventLoop { PostgresClient.defaultEventLoopGroup.any() }
    var version: (any SQLDatabaseReportedVersion)? { nil }
    var dialect: any SQLDialect { PostgresDialect() }
    var queryLogLevel: Logger.Level? { nil }

    func execute(sql query: any SQLExpression, _ onRow: @escaping @Sendable (any SQLRow) -> Void) async throws {
        try await client.withConnection { connection in
            try await connection.sql(queryLogLevel: nil).execute(sql: query, onRow)
        }
    }
}
