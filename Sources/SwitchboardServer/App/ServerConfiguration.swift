import Foundation
import Logging
import SwitchboardProtocol

/// Everything `switchboard serve` can be told. Precedence: flags, then environment variables,
/// then the config file, then these defaults.
public struct ServerConfiguration: Sendable {
    public var host = "127.0.0.1"
    /// 0 picks a free port (printed in the `listening on` line).
    public var port = 8080
    public var dataDirectory: URL
    /// Default: `sqlite:<dataDirectory>/switchboard.sqlite`.
    public var database: DatabaseLocation
    /// Default: generated once and kept in `<dataDirectory>/jwt-secret`.
    public var jwtSecret: String?
    public var accessTokenLifetime: TimeInterval = 15 * 60
    public var refreshTokenLifetime: TimeInterval = 30 * 86_400
    public var bcryptCost: UInt8 = 12
    public var limits = Limits()
    public var realtime = RealtimeConfiguration()
    public var assignmentPolicy = AssignmentPolicy.leastLoaded
    /// An ACTIVE chat session with no activity for this long becomes INACTIVE.
    public var sessionIdleTimeout: Duration = .seconds(600)
    /// A relay for notification mail; none, no mail.
    public var smtp: SMTPConfiguration?
    /// Serve `https://` and `wss://` with this certificate; none, plain HTTP.
    public var tls: TLSFiles?
    /// How often idle sessions are looked for.
    public var sessionSweepInterval: Duration = .seconds(30)
    public var logLevel: Logger.Level = .info
    /// Create demo accounts on an empty database (the embedded server does).
    public var seedDemoAccounts = false
    /// The clock every rule reads; tests move it.
    public var clock: @Sendable () -> Date = { Date() }

    public init(dataDirectory: URL = DataDirectory.default()) {
        self.dataDirectory = dataDirectory
        database = .sqlite(path: dataDirectory.appendingPathComponent("switchboard.sqlite").path)
    }

    /// The same configuration with another data directory, and the default database inside it.
    public init(moving other: ServerConfiguration, to dataDirectory: URL) {
        self = other
        self.dataDirectory = dataDirectory
        database = .sqlite(path: dataDirectory.appendingPathComponent("switchboard.sqlite").path)
    }

    /// The secret to sign tokens with: configured, or the one kept in the data directory.
    public func resolvedJWTSecret() throws -> String {
        if let jwtSecret, !jwtSecret.isEmpty { return jwtSecret }
        return try DataDirectory.jwtSecret(in: dataDirectory)
    }
}

/// The JSON config file of `--config FILE`. Every key is optional.
public struct ServerConfigFile: Decodable, Sendable {
    public var host: String?
    public var port: Int?
    public var db: String?
    public var dataDirectory: String?
    public var jwtSecret: String?
    public var accessTokenSeconds: Int?
    public var refreshTokenSeconds: Int?
    public var bcryptCost: Int?
    public var logLevel: String?
    public var assignment: String?
    public var sessionIdleSeconds: Int?
    public var allowedOrigins: [String]?
    public var maxConnectionsPerUser: Int?
    public var tlsCertificate: String?
    public var tlsKey: String?
    public var limits: Limits?
    public var smtp: SMTPFile?

    /// `"smtp": {"host": "127.0.0.1", "port": 25, "from": "support@example.com", "username": …, "password": …}`
    public struct SMTPFile: Decodable, Sendable {
        public var host: String
        public var port: Int?
        public var from: String
        public var username: String?
        public var password: String?
    }

    public static func load(_ path: String) throws -> ServerConfigFile {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw ConfigError("cannot read config file \(path): \(error.localizedDescription)")
        }
        do {
            return try JSONDecoder().decode(ServerConfigFile.self, from: data)
        } catch let error as DecodingError {
            throw ConfigError("config file \(path): \(error.sentence)")
        }
    }

    /// Applies what the file sets on top of `configuration`.
    public func apply(to configuration: inout ServerConfiguration) throws {
        if let dataDirectory {
            // The default database lives in the data directory, so it moves with it.
            configuration = ServerConfiguration(
                moving: configuration, to: URL(fileURLWithPath: (dataDirectory as NSString).expandingTildeInPath))
        }
        if let host { configuration.host = host }
        if let port { configuration.port = port }
        if let db { configuration.database = try DatabaseLocation.parse(db) }
        if let jwtSecret { configuration.jwtSecret = jwtSecret }
        if let accessTokenSeconds { configuration.accessTokenLifetime = TimeInterval(accessTokenSeconds) }
        if let refreshTokenSeconds { configuration.refreshTokenLifetime = TimeInterval(refreshTokenSeconds) }
        if let bcryptCost {
            guard (4...31).contains(bcryptCost) else { throw ConfigError("bcryptCost: 4–31") }
            configuration.bcryptCost = UInt8(bcryptCost)
        }
        if let logLevel {
            guard let level = Logger.Level(rawValue: logLevel) else {
                throw ConfigError("logLevel: one of trace, debug, info, notice, warning, error, critical")
            }
            configuration.logLevel = level
        }
        if let limits { configuration.limits = limits }
        if let smtp {
            configuration.smtp = SMTPConfiguration(host: smtp.host, port: smtp.port ?? 25, from: smtp.from,
                                                   username: smtp.username, password: smtp.password)
        }
        if let sessionIdleSeconds { configuration.sessionIdleTimeout = .seconds(max(1, sessionIdleSeconds)) }
        switch (tlsCertificate, tlsKey) {
        case (let certificate?, let key?): configuration.tls = TLSFiles(certificateChain: certificate, privateKey: key)
        case (nil, nil): break
        default: throw ConfigError("tlsCertificate and tlsKey: give both, or neither")
        }
        if let allowedOrigins { configuration.realtime.allowedOrigins = allowedOrigins }
        if let maxConnectionsPerUser { configuration.realtime.maxConnectionsPerUser = max(1, maxConnectionsPerUser) }
        if let assignment {
            guard let policy = AssignmentPolicy(rawValue: assignment) else {
                throw ConfigError("assignment: round-robin or least-loaded")
            }
            configuration.assignmentPolicy = policy
        }
    }
}

public struct ConfigError: Error, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}
