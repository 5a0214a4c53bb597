import ArgumentParser
import Foundation
import Logging
import SwitchboardServer

/// Where the data lives: shared by every command that opens the database.
struct DatabaseOptions: ParsableArguments {
    @Option(
        name: .customLong("db"),
        help: ArgumentHelp(
            "sqlite:PATH (default: a file in the data directory) or postgres://USER:PASS@HOST:PORT/DB. Env: SWITCHBOARD_DB.",
            valueName: "URL"))
    var database: String?

    @Option(
        name: .customLong("data-dir"),
        help: ArgumentHelp(
            "Data directory (default: $XDG_DATA_HOME/switchboard or ~/.local/share/switchboard). Env: SWITCHBOARD_DATA_DIR.",
            valueName: "DIR"))
    var dataDirectory: String?

    /// A configuration with the data directory the environment names, and the database flags applied.
    func configuration(environment: [String: String]) throws -> ServerConfiguration {
        var configuration = ServerConfiguration(dataDirectory: DataDirectory.default(environment: environment))
        try apply(to: &configuration, environment: environment)
        return configuration
    }

    /// Flags over environment over config file over defaults.
    func apply(to configuration: inout ServerConfiguration, environment: [String: String]) throws {
        if let directory = dataDirectory ?? environment["SWITCHBOARD_DATA_DIR"] {
            configuration = ServerConfiguration(
                moving: configuration,
                to: URL(fileURLWithPath: (directory as NSString).expandingTildeInPath))
        }
        if let database = database ?? environment["SWITCHBOARD_DB"] {
            configuration.database = try DatabaseLocation.parse(database)
        }
    }
}

struct ServeOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Address to listen on (default 127.0.0.1). Env: SWITCHBOARD_HOST.", valueName: "H"))
    var host: String?

    @Option(help: ArgumentHelp("Port to listen on; 0 picks a free one (default 8080). Env: SWITCHBOARD_PORT.", valueName: "P"))
    var port: Int?

    @OptionGroup var database: DatabaseOptions

    @Option(help: ArgumentHelp("A JSON config file; flags and environment variables win over it.", valueName: "FILE"))
    var config: String?

    @Option(
        help: ArgumentHelp(
            "trace, debug, info, notice, warning, error or critical. Env: SWITCHBOARD_LOG_LEVEL.",
            valueName: "LEVEL"))
    var logLevel: String?

    func validate() throws {
        if let port, !(0...65_535).contains(port) { throw ValidationError("--port: 0–65535") }
        if let logLevel, Logger.Level(rawValue: logLevel) == nil {
            throw ValidationError("--log-level: trace, debug, info, notice, warning, error or critical")
        }
    }

    func configuration(environment: [String: String] = ProcessInfo.processInfo.environment) throws -> ServerConfiguration {
        var configuration = ServerConfiguration(dataDirectory: DataDirectory.default(environment: environment))
        if let config {
            let file = try ServerConfigFile.load(config)
            do {
                try file.apply(to: &configuration)
            } catch let error as ConfigError {
                // Which file, then which key and what is wrong with it.
                throw ConfigError("config file \(config): \(error)")
            }
        }
        try database.apply(to: &configuration, environment: environment)
        if let host = host ?? environment["SWITCHBOARD_HOST"] { configuration.host = host }
        if let text = environment["SWITCHBOARD_PORT"], port == nil {
            guard let value = Int(text), (0...65_535).contains(value) else {
                throw ValidationError("SWITCHBOARD_PORT: 0–65535 (got '\(text)')")
            }
            configuration.port = value
        }
        if let port { configuration.port = port }
        if let secret = environment["SWITCHBOARD_JWT_SECRET"], !secret.isEmpty { configuration.jwtSecret = secret }
        if let level = (logLevel ?? environment["SWITCHBOARD_LOG_LEVEL"]).flatMap(Logger.Level.init(rawValue:)) {
            configuration.logLevel = level
        }
        try configuration.validate()
        return configuration
    }
}

/// Prints the line operators and scripts wait for.
@Sendable func announceListening(host: String, port: Int, secure: Bool = false) {
    say("listening on \(secure ? "https" : "http")://\(host):\(port)")
}

/// A line on standard output, written at once (not held in a buffer a script would wait on).
func say(_ text: String) {
    FileHandle.standardOutput.write(Data((text + "\n").utf8))
}
