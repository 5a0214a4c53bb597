import ArgumentParser
import Foundation
import Logging
import SwitchboardServer

/// `switchboard migrate --from sqlite:PATH --to postgres://…`: a team that started on the
/// embedded default moves to PostgreSQL with its whole history.
struct MigrateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "migrate",
        abstract: "Copy every table of one database into another, empty one (SQLite to PostgreSQL).",
        discussion: """
            Ids, seq numbers, read marks, hashed passwords and refresh-token digests are copied as they \
            are, in one transaction, then every table is counted on both sides. The JWT secret kept next \
            to the SQLite file (jwt-secret) is kept in the destination, so logins stay good. Stop the \
            server on the source first.
            """)

    @Option(help: ArgumentHelp("The database to copy: sqlite:PATH.", valueName: "URL")) var from: String
    @Option(help: ArgumentHelp("An empty database: postgres://USER:PASS@HOST:PORT/DB (or sqlite:PATH).", valueName: "URL")) var to: String

    func run() async throws {
        Switchboard.bootstrapLogging()
        var logger = Logger(label: "switchboard")
        logger.logLevel = .warning
        let source = try DatabaseLocation.parse(from), destination = try DatabaseLocation.parse(to)
        guard source != destination else { throw ValidationError("--from and --to name the same database") }
        if case .sqlite(let path) = source, !FileManager.default.fileExists(atPath: path) {
            throw ValidationError("--from: there is no database at \(path)")
        }
        let secret = Self.keptSecret(beside: source)
        let sourceDriver = try await Self.open(source, logger: logger)
        let destinationDriver: any SQLDriver
        do {
            destinationDriver = try await Self.open(destination, logger: logger)
        } catch {
            try? await sourceDriver.close()
            throw error
        }
        defer {
            Task {
                try? await sourceDriver.close()
                try? await destinationDriver.close()
            }
        }
        do {
            let counts = try await DatabaseCopy.run(from: sourceDriver, to: destinationDriver, secret: secret) { table, rows in
                print("copied \(table): \(rows)")
            }
            print("checked: every table has as many rows in \(destination) as in \(source)")
            for count in counts { print("  \(count.table.padding(toLength: 18, withPad: " ", startingAt: 0)) \(count.destination)") }
            if secret != nil { print("the JWT secret from jwt-secret is kept in the database: logins stay good") }
        } catch let error as DatabaseCopy.CopyError {
            throw ValidationError(error.description)
        }
    }

    static func open(_ location: DatabaseLocation, logger: Logger) async throws -> any SQLDriver {
        let driver: any SQLDriver =
            switch location {
            case .sqlite(let path): try await SQLiteDriver.open(path: path, logger: logger)
            case .postgres(let url): try await PostgresDriver.open(url: url, poolSize: 4, logger: logger)
            }
        do {
            try await Schema.migrate(driver, logger: logger)
        } catch {
            try? await driver.close()
            throw error
        }
        return driver
    }

    /// The secret a SQLite installation keeps in its data directory, beside its database file.
    static func keptSecret(beside location: DatabaseLocation) -> String? {
        guard case .sqlite(let path) = location else { return nil }
        let file = URL(fileURLWithPath: path).deletingLastPathComponent().appendingPathComponent("jwt-secret")
        return (try? String(contentsOf: file, encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines).nilIfEmpty
    }
}

extension String {
    fileprivate var nilIfEmpty: String? { isEmpty ? nil : self }
}
