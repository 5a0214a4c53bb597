import Foundation
import Logging
import NIOCore
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
    /// Default: generated once and kept in `<dataDirectory>/jwt-secret` (SQLite), or in the
    /// database for every node sharing it (PostgreSQL).
    public var jwtSecret: String?
    /// Event loops for the sockets; nil: one on SQLite (its writer runs there too, see
    /// `ServerLoops`), one per core on PostgreSQL.
    public var eventLoops: Int?
    /// PostgreSQL connections this process may hold.
    public var databasePoolSize = 16
    /// PostgreSQL: a node that has not renewed its lease for this long is taken for dead, and the
    /// users only it held go offline.
    public var nodeLease: Duration = .seconds(15)
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
    /// How often open sockets' logins are checked against the store (`LoginWatch`).
    public var loginCheckInterval: Duration = .seconds(5)
    /// How often the server looks whether to give memory it freed back to the system
    /// (`MemoryTrimmer`); nil never does.
    public var memoryTrimInterval: Duration? = .seconds(30)
    public var logLevel: Logger.Level = .info
    /// A new connection must send a whole request head within this; slower ones are closed
    /// (a few hundred silent sockets must not hold the server). Also how long a request body
    /// may stall between two reads.
    public var headerTimeout: Duration = .seconds(10)
    /// A kept-alive HTTP connection with no request for this long is closed.
    public var idleTimeout: Duration = .seconds(60)
    /// A request body must arrive whole within this of its head (`408` past it)…
    public var requestTimeout: Duration = .seconds(300)
    /// …and at this many bytes a second on average once the header timeout has passed (`408`).
    public var minimumBodyRate = 1_024
    /// Connections in all (`503` past it) and per client address while they speak HTTP (`429`).
    var connectionCaps = ConnectionCounter.Caps()
    /// Usernames a customer may not register, in any spelling (`StaffNames`).
    public var reservedNames = StaffNames.defaultReserved
    /// Failed logins: how many are free, and how the wait after them grows.
    public var loginThrottle = LoginThrottle.Policy()
    /// New accounts (`POST /api/auth/register`) per client address per hour.
    public var registrationsPerHour = 10
    /// Files, and bytes in all, one user may upload per hour.
    public var uploads = UploadLimits()
    /// Card numbers masked, and the config file's mask and block rules, before text is stored.
    public var contentFilter = ContentFilter()
    /// When the team works, for service-level targets: `"businessHours"` in the config file,
    /// always open when it says nothing.
    public var businessHours = BusinessCalendar.alwaysOpen
    /// Service-level targets: `"sla"` in the config file, none when it says nothing. The file's
    /// hours and targets are the first value; once an admin saves others they are kept in the
    /// database and win.
    public var sla = SLASettings.none
    /// Silent chats resolved by themselves (off unless minutes are set).
    public var autoResolve = AutoResolve()
    /// How often the clock keeper looks for due warnings, breaches and reply timers.
    public var clockInterval: Duration = .seconds(1)
    /// Webhook deliveries: targets allowed, timeouts, how long retries go on (`WebhookSettings`).
    public var webhooks = WebhookSettings()
    /// Create demo accounts on an empty database (the embedded server does).
    public var seedDemoAccounts = false
    /// The clock every rule reads; tests move it (in-process, or through `WallClock`'s file).
    public var clock: @Sendable () -> Date = { WallClock.now() }

    public init(dataDirectory: URL = DataDirectory.default()) {
        self.dataDirectory = dataDirectory
        database = .sqlite(path: dataDirectory.appendingPathComponent("switchboard.sqlite").path)
    }

    /// How many event loops the server runs.
    public var resolvedEventLoops: Int {
        if let eventLoops { return eventLoops }
        switch database {
        case .sqlite: return 1
        case .postgres: return System.coreCount
        }
    }

    /// The same configuration with another data directory, and the default database inside it.
    public init(moving other: ServerConfiguration, to dataDirectory: URL) {
        self = other
        self.dataDirectory = dataDirectory
        if case .sqlite = other.database {
            database = .sqlite(path: dataDirectory.appendingPathComponent("switchboard.sqlite").path)
        }
    }

    /// Refuses, with a sentence, what would make a weak server: checked at start, before anything listens.
    public func validate() throws {
        if let jwtSecret, !jwtSecret.isEmpty, jwtSecret.utf8.count < TokenService.minimumSecretBytes {
            throw ConfigError(
                "the JWT secret is \(jwtSecret.utf8.count) bytes; it must be at least "
                    + "\(TokenService.minimumSecretBytes) (for example: openssl rand -base64 48), "
                    + "or leave it unset and the server keeps a random one in its data directory")
        }
    }

    /// The secret to sign tokens with: configured, else the one kept in the data directory (one
    /// process), else the one kept in the shared database, so every node signs and accepts alike.
    public func resolvedJWTSecret(store: any Store) async throws -> String {
        try validate()
        if let jwtSecret, !jwtSecret.isEmpty { return jwtSecret }
        switch database {
        case .sqlite: return try DataDirectory.jwtSecret(in: dataDirectory)
        case .postgres: return try await store.sharedSecret("jwt") { TokenService.newRefreshToken() + TokenService.newRefreshToken() }
        }
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
    /// Webhooks may go to private, loopback and link-local addresses (default false).
    public var webhooksAllowPrivateTargets: Bool?
    public var webhookTimeoutSeconds: Int?
    public var webhookLeaseSeconds: Int?
    public var maxConnectionsPerUser: Int?
    public var outboundFrames: Int?
    public var tlsCertificate: String?
    public var tlsKey: String?
    public var limits: Limits?
    public var smtp: SMTPFile?
    public var headerTimeoutSeconds: Int?
    public var idleTimeoutSeconds: Int?
    public var loginFreeFailures: Int?
    public var loginMaxDelaySeconds: Int?
    public var registrationsPerHour: Int?
    public var uploadsPerHour: Int?
    public var uploadBytesPerHour: Int?
    public var databasePoolSize: Int?
    public var eventLoops: Int?
    public var nodeLeaseSeconds: Int?
    public var contentFilters: ContentFiltersFile?
    /// `{"timeZone": "Europe/Berlin", "week": {"MON": [["09:00", "17:30"]], …}, "holidays": ["2026-12-25"]}`.
    public var businessHours: BusinessHours?
    /// `{"policies": [{"priority": "HIGH", "firstResponseMinutes": 30, …}], "warnAtShare": 0.25, "reassignRounds": 2}`.
    public var sla: SLASettings?
    /// Minutes of a customer's silence after staff's last public word before the ticket resolves
    /// itself: a number (0: off) or `{"LOW": 60, …}`.
    public var autoResolveAfterMinutes: MinutesByPriority?
    public var autoResolveWarningMinutes: Int?
    public var autoResolveWarningText: String?
    public var requestTimeoutSeconds: Int?
    public var minimumBodyBytesPerSecond: Int?
    public var maxConnections: Int?
    public var maxConnectionsPerAddress: Int?
    /// Addresses the per-address cap does not apply to (default: 127.0.0.1 and ::1).
    public var connectionLimitExempt: [String]?
    public var reservedNames: [String]?
    /// How long the content rules may take on one text, in milliseconds.
    public var contentRuleMillis: Int?

    /// `"smtp": {"host": "127.0.0.1", "port": 25, "from": "support@example.com", "username": …, "password": …,
    /// "requireTLS": true, "caFile": "/etc/ssl/relay-ca.pem"}`
    public struct SMTPFile: Decodable, Sendable {
        public var host: String
        public var port: Int?
        public var from: String
        public var username: String?
        public var password: String?
        public var requireTLS: Bool?
        public var caFile: String?
    }

    /// `"contentFilters": {"cardNumbers": true, "mask": [{"name": "api-key", "pattern": "sk_live_[A-Za-z0-9]{16,}",
    /// "replacement": "[api key]"}], "block": [{"name": "password", "pattern": "(?i)password\\s*[:=]"}]}`
    public struct ContentFiltersFile: Decodable, Sendable {
        public var cardNumbers: Bool?
        public var mask: [RuleFile]?
        public var block: [RuleFile]?

        public struct RuleFile: Decodable, Sendable {
            public var name: String
            public var pattern: String
            public var replacement: String?
        }

        /// Every rule compiled, or the first that cannot be, by its place and name.
        func filter() throws(ConfigError) -> ContentFilter {
            func rules(_ list: [RuleFile]?, _ key: String) throws(ConfigError) -> [ContentFilter.Rule] {
                var compiled: [ContentFilter.Rule] = []
                for (index, rule) in (list ?? []).enumerated() {
                    do {
                        compiled.append(
                            try ContentFilter.Rule(
                                name: rule.name, pattern: rule.pattern,
                                replacement: rule.replacement ?? "••••"))
                    } catch {
                        throw ConfigError("contentFilters.\(key)[\(index)] \(rule.name.debugDescription): \(error)")
                    }
                }
                let names = compiled.map(\.name)
                if let twice = names.first(where: { name in names.count { $0 == name } > 1 }) {
                    throw ConfigError("contentFilters.\(key): two rules are named '\(twice)'")
                }
                return compiled
            }
            return ContentFilter(cardNumbers: cardNumbers ?? true, masks: try rules(mask, "mask"), blocks: try rules(block, "block"))
        }
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
        if let port { configuration.port = try Self.bounded(port, "port", 0...65_535) }
        if let db { configuration.database = try DatabaseLocation.parse(db) }
        if let jwtSecret { configuration.jwtSecret = jwtSecret }
        if let accessTokenSeconds {
            configuration.accessTokenLifetime = TimeInterval(try Self.bounded(accessTokenSeconds, "accessTokenSeconds", 10...2_592_000))
        }
        if let refreshTokenSeconds {
            configuration.refreshTokenLifetime = TimeInterval(try Self.bounded(refreshTokenSeconds, "refreshTokenSeconds", 60...31_536_000))
        }
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
        if let limits {
            try limits.validate()
            configuration.limits = limits
        }
        if let businessHours {
            // The calendar checks the hours itself; only a refusal asks which field was wrong.
            guard let calendar = BusinessCalendar(businessHours) else {
                let (field, problem) = businessHours.problems.min { $0.key < $1.key } ?? ("timeZone", "cannot be used")
                throw ConfigError("businessHours.\(field): \(problem)")
            }
            configuration.businessHours = calendar
        }
        if let sla {
            if let (field, problem) = sla.problems.min(by: { $0.key < $1.key }) { throw ConfigError("sla.\(field): \(problem)") }
            configuration.sla = sla
        }
        if let autoResolveAfterMinutes {
            for minutes in autoResolveAfterMinutes.values { _ = try Self.bounded(minutes, "autoResolveAfterMinutes", 0...(90 * 1440)) }
            configuration.autoResolve.afterMinutes = AutoResolve.minutes(autoResolveAfterMinutes)
        }
        if let autoResolveWarningMinutes {
            configuration.autoResolve.warningMinutes = try Self.bounded(
                autoResolveWarningMinutes, "autoResolveWarningMinutes", 0...(30 * 1440))
        }
        if let autoResolveWarningText {
            guard (1...500).contains(autoResolveWarningText.count) else { throw ConfigError("autoResolveWarningText: 1 to 500 characters") }
            configuration.autoResolve.warningText = autoResolveWarningText
        }
        if let smtp {
            var relay = SMTPConfiguration(
                host: smtp.host, port: try Self.bounded(smtp.port ?? 25, "smtp.port", 1...65_535),
                from: smtp.from, username: smtp.username, password: smtp.password)
            relay.requireTLS = smtp.requireTLS ?? false
            relay.caFile = smtp.caFile
            configuration.smtp = relay
        }
        if let sessionIdleSeconds {
            configuration.sessionIdleTimeout = .seconds(try Self.bounded(sessionIdleSeconds, "sessionIdleSeconds", 1...31_536_000))
        }
        if let headerTimeoutSeconds {
            configuration.headerTimeout = .seconds(try Self.bounded(headerTimeoutSeconds, "headerTimeoutSeconds", 1...600))
        }
        if let idleTimeoutSeconds {
            configuration.idleTimeout = .seconds(try Self.bounded(idleTimeoutSeconds, "idleTimeoutSeconds", 1...86_400))
        }
        if let loginFreeFailures {
            configuration.loginThrottle.freeFailures = try Self.bounded(loginFreeFailures, "loginFreeFailures", 1...1_000)
        }
        if let loginMaxDelaySeconds {
            configuration.loginThrottle.maxDelay = TimeInterval(try Self.bounded(loginMaxDelaySeconds, "loginMaxDelaySeconds", 1...86_400))
        }
        if let registrationsPerHour {
            configuration.registrationsPerHour = try Self.bounded(registrationsPerHour, "registrationsPerHour", 1...1_000_000)
        }
        if let uploadsPerHour {
            configuration.uploads.perHour = try Self.bounded(uploadsPerHour, "uploadsPerHour", 1...1_000_000)
        }
        if let uploadBytesPerHour {
            configuration.uploads.bytesPerHour = try Self.bounded(uploadBytesPerHour, "uploadBytesPerHour", 1...(1 << 40))
        }
        if let nodeLeaseSeconds {
            configuration.nodeLease = .seconds(try Self.bounded(nodeLeaseSeconds, "nodeLeaseSeconds", 3...3_600))
        }
        if let databasePoolSize {
            configuration.databasePoolSize = try Self.bounded(databasePoolSize, "databasePoolSize", 2...500)
        }
        if let eventLoops {
            configuration.eventLoops = try Self.bounded(eventLoops, "eventLoops", 1...256)
        }
        switch (tlsCertificate, tlsKey) {
        case (let certificate?, let key?): configuration.tls = TLSFiles(certificateChain: certificate, privateKey: key)
        case (nil, nil): break
        default: throw ConfigError("tlsCertificate and tlsKey: give both, or neither")
        }
        if let contentFilters { configuration.contentFilter = try contentFilters.filter() }
        if let contentRuleMillis {
            configuration.contentFilter.timeBound = .milliseconds(try Self.bounded(contentRuleMillis, "contentRuleMillis", 1...10_000))
        }
        if let requestTimeoutSeconds {
            configuration.requestTimeout = .seconds(try Self.bounded(requestTimeoutSeconds, "requestTimeoutSeconds", 1...86_400))
        }
        if let minimumBodyBytesPerSecond {
            configuration.minimumBodyRate = try Self.bounded(minimumBodyBytesPerSecond, "minimumBodyBytesPerSecond", 0...(1 << 30))
        }
        if let maxConnections { configuration.connectionCaps.total = try Self.bounded(maxConnections, "maxConnections", 1...10_000_000) }
        if let maxConnectionsPerAddress {
            configuration.connectionCaps.perAddress = try Self.bounded(maxConnectionsPerAddress, "maxConnectionsPerAddress", 1...10_000_000)
        }
        if let connectionLimitExempt { configuration.connectionCaps.exempt = Set(connectionLimitExempt) }
        if let reservedNames { configuration.reservedNames = reservedNames }
        if let allowedOrigins { configuration.realtime.allowedOrigins = allowedOrigins }
        if let webhooksAllowPrivateTargets { configuration.webhooks.allowPrivateTargets = webhooksAllowPrivateTargets }
        if let webhookTimeoutSeconds {
            configuration.webhooks.timeout = .seconds(try Self.bounded(webhookTimeoutSeconds, "webhookTimeoutSeconds", 1...60))
        }
        if let webhookLeaseSeconds {
            configuration.webhooks.lease = TimeInterval(try Self.bounded(webhookLeaseSeconds, "webhookLeaseSeconds", 2...3_600))
        }
        guard configuration.webhooks.lease > configuration.webhooks.timeout.inSeconds else {
            throw ConfigError("webhookLeaseSeconds must be longer than webhookTimeoutSeconds (an attempt must end within its lease)")
        }
        if let maxConnectionsPerUser {
            configuration.realtime.maxConnectionsPerUser = try Self.bounded(maxConnectionsPerUser, "maxConnectionsPerUser", 1...10_000)
        }
        if let outboundFrames {
            configuration.realtime.outboundBuffer = try Self.bounded(outboundFrames, "outboundFrames", 16...1_000_000)
        }
        if let assignment {
            guard let policy = AssignmentPolicy(rawValue: assignment) else {
                throw ConfigError("assignment: round-robin or least-loaded")
            }
            configuration.assignmentPolicy = policy
        }
    }
}

extension ServerConfigFile {
    /// Every number in the file is checked against a range, so none can overflow what it feeds.
    static func bounded(_ value: Int, _ key: String, _ range: ClosedRange<Int>) throws -> Int {
        guard range.contains(value) else { throw ConfigError("\(key): \(range.lowerBound)–\(range.upperBound) (got \(value))") }
        return value
    }
}

extension Limits {
    /// Sizes a config file may set: positive, and small enough that no sum of them overflows.
    func validate() throws {
        let sizes: [(String, Int)] = [
            ("displayNameMaxLength", displayNameMaxLength), ("emailMaxLength", emailMaxLength),
            ("subjectMaxLength", subjectMaxLength), ("descriptionMaxLength", descriptionMaxLength),
            ("messageMaxLength", messageMaxLength), ("requestBodyBytes", requestBodyBytes), ("frameBytes", frameBytes),
            ("attachmentBytes", attachmentBytes), ("pageSizeMax", pageSizeMax), ("messagePageMax", messagePageMax),
            ("usernameMin", usernameLength.lowerBound), ("usernameMax", usernameLength.upperBound),
            ("passwordMin", passwordLength.lowerBound), ("passwordMax", passwordLength.upperBound),
        ]
        for (key, value) in sizes { _ = try ServerConfigFile.bounded(value, "limits.\(key)", 1...(1 << 30)) }
    }
}

public struct ConfigError: Error, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}
