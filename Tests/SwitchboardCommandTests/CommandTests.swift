import ArgumentParser
import Foundation
import NIOCore
import SwitchboardProtocol
import Testing

@testable import SwitchboardServer
@testable import switchboard

@Suite struct CommandParsingTests {
    func serve(_ arguments: [String]) throws -> ServeCommand {
        try #require(try Switchboard.parseAsRoot(["serve"] + arguments) as? ServeCommand)
    }

    @Test func defaultsAreLoopbackAndTheDataDirectory() throws {
        let configuration = try serve([]).options.configuration(environment: ["XDG_DATA_HOME": "/data"])
        #expect(configuration.host == "127.0.0.1" && configuration.port == 8080)
        #expect(configuration.database == .sqlite(path: "/data/switchboard/switchboard.sqlite"))
        #expect(configuration.jwtSecret == nil)
    }

    @Test func flagsBeatEnvironmentBeatConfigFile() throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("sb-config-\(UUID()).json")
        defer { try? FileManager.default.removeItem(at: file) }
        let json =
            #"{"host": "0.0.0.0", "port": 7000, "db": "sqlite:/from/file.sqlite", "accessTokenSeconds": 60, "#
            + #""limits": {"messageMaxLength": 500}}"#
        try Data(json.utf8).write(to: file)
        let fileOnly = try serve(["--config", file.path]).options.configuration(environment: [:])
        #expect(fileOnly.host == "0.0.0.0" && fileOnly.port == 7000 && fileOnly.accessTokenLifetime == 60)
        #expect(fileOnly.database == .sqlite(path: "/from/file.sqlite") && fileOnly.limits.messageMaxLength == 500)

        let environment = [
            "SWITCHBOARD_PORT": "7100", "SWITCHBOARD_DB": "sqlite:/from/env.sqlite",
            "SWITCHBOARD_JWT_SECRET": String(repeating: "s3cret", count: 6),
        ]
        let withEnv = try serve(["--config", file.path]).options.configuration(environment: environment)
        #expect(
            withEnv.port == 7100 && withEnv.database == .sqlite(path: "/from/env.sqlite")
                && withEnv.jwtSecret == String(repeating: "s3cret", count: 6))

        let withFlags = try serve(["--config", file.path, "--port", "7200", "--db", "sqlite:/from/flag.sqlite", "--host", "::1"])
            .options.configuration(environment: environment)
        #expect(withFlags.port == 7200 && withFlags.database == .sqlite(path: "/from/flag.sqlite") && withFlags.host == "::1")
    }

    /// Numbers in the config file are checked against ranges; none reaches a trap (a minimum
    /// above its maximum once made a range that stopped the server at start).
    @Test func configNumbersOutOfRangeAreSentences() throws {
        let cases = [
            (#"{"port": 70000}"#, "port: 0–65535"),
            (#"{"accessTokenSeconds": 9223372036854775807}"#, "accessTokenSeconds"),
            (#"{"limits": {"usernameMin": 40, "usernameMax": 3}}"#, "usernameMin is above usernameMax"),
            (#"{"limits": {"frameBytes": -1}}"#, "limits.frameBytes"),
            (#"{"headerTimeoutSeconds": 0}"#, "headerTimeoutSeconds: 1–600"),
            (#"{"eventLoops": 0}"#, "eventLoops: 1–256 (got 0)"),
            (#"{"jwtSecret": "short"}"#, "the JWT secret is 5 bytes; it must be at least 32"),
        ]
        for (json, sentence) in cases {
            let file = FileManager.default.temporaryDirectory.appendingPathComponent("sb-config-\(UUID()).json")
            defer { try? FileManager.default.removeItem(at: file) }
            try Data(json.utf8).write(to: file)
            do {
                _ = try serve(["--config", file.path]).options.configuration(environment: [:])
                Issue.record("accepted \(json)")
            } catch {
                #expect("\(error)".contains(sentence), "\(json): \(error)")
            }
        }
        #expect(throws: (any Error).self) {
            try serve([]).options.configuration(environment: ["SWITCHBOARD_JWT_SECRET": "shorter-than-32-bytes"])
        }
    }

    /// One event loop on SQLite (its writer shares it), one per core on PostgreSQL, unless the
    /// file says otherwise.
    @Test func eventLoopsFollowTheDatabaseUnlessSet() throws {
        #expect(try serve(["--db", "sqlite:/tmp/x.sqlite"]).options.configuration(environment: [:]).resolvedEventLoops == 1)
        #expect(
            try serve(["--db", "postgres://u:p@127.0.0.1/db"]).options.configuration(environment: [:]).resolvedEventLoops
                == System.coreCount)
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("sb-config-\(UUID()).json")
        defer { try? FileManager.default.removeItem(at: file) }
        try Data(#"{"eventLoops": 3}"#.utf8).write(to: file)
        #expect(try serve(["--config", file.path]).options.configuration(environment: [:]).resolvedEventLoops == 3)
    }

    @Test func dataDirectoryCarriesTheDefaultDatabase() throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("sb-config-\(UUID()).json")
        defer { try? FileManager.default.removeItem(at: file) }
        try Data(#"{"dataDirectory": "/srv/support"}"#.utf8).write(to: file)
        let fromFile = try serve(["--config", file.path]).options.configuration(environment: [:])
        #expect(fromFile.database == .sqlite(path: "/srv/support/switchboard.sqlite"))
        let fromFlag = try serve(["--config", file.path, "--data-dir", "/var/sb"]).options.configuration(environment: [:])
        #expect(fromFlag.dataDirectory.path == "/var/sb" && fromFlag.database == .sqlite(path: "/var/sb/switchboard.sqlite"))
        let dbWins = try serve(["--data-dir", "/var/sb", "--db", "sqlite:/elsewhere.sqlite"]).options.configuration(environment: [:])
        #expect(dbWins.database == .sqlite(path: "/elsewhere.sqlite"))
    }

    @Test func badValuesAreRefusedWithASentence() throws {
        #expect(throws: (any Error).self) { try serve(["--port", "70000"]) }
        #expect(throws: (any Error).self) { try serve(["--log-level", "loud"]) }
        #expect(throws: (any Error).self) { try serve(["--db", "mysql://x"]).options.configuration(environment: [:]) }
        #expect(throws: (any Error).self) { try serve([]).options.configuration(environment: ["SWITCHBOARD_PORT": "eighty"]) }
        #expect(throws: (any Error).self) { try serve(["--config", "/no/such/file.json"]).options.configuration(environment: [:]) }
        #expect(throws: (any Error).self) { try Switchboard.parseAsRoot(["users", "add", "--username", "x", "--role", "KING"]) }
        #expect(throws: (any Error).self) {
            try serve([]).options.configuration(environment: ["SWITCHBOARD_DB": "postgres://u:p@localhost:5432/db?sslmode=sometimes"])
        }
        #expect(throws: (any Error).self) { try serve(["--db", "postgres:///db"]).options.configuration(environment: [:]) }
        // A good one is taken, and shown without its password.
        let configuration = try serve([]).options.configuration(environment: ["SWITCHBOARD_DB": "postgres://u:secret@localhost:5432/db"])
        #expect(configuration.database == .postgres(url: "postgres://u:secret@localhost:5432/db"))
        #expect(!configuration.database.description.contains("secret"))
    }

    @Test func malformedConfigFileNamesTheFileAndField() throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("sb-config-\(UUID()).json")
        defer { try? FileManager.default.removeItem(at: file) }
        try Data(#"{"port": "eighty"}"#.utf8).write(to: file)
        #expect {
            try serve(["--config", file.path]).options.configuration(environment: [:])
        } throws: { error in
            "\(error)" == "config file \(file.path): port: expected a whole number"
        }
        try Data(#"{"bcryptCost": 40}"#.utf8).write(to: file)
        #expect(throws: (any Error).self) { try serve(["--config", file.path]).options.configuration(environment: [:]) }
    }

    /// Business hours come from the config file, checked at start with the field named; none
    /// set is always open.
    @Test func businessHoursComeFromTheConfigFile() throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("sb-config-\(UUID()).json")
        defer { try? FileManager.default.removeItem(at: file) }
        #expect(try serve([]).options.configuration(environment: [:]).businessHours.hours == .alwaysOpen)
        try Data(#"{"businessHours": {"timeZone": "Europe/Berlin", "week": {"MON": [["09:00", "17:30"]]}, "holidays": []}}"#.utf8)
            .write(to: file)
        let hours = try serve(["--config", file.path]).options.configuration(environment: [:]).businessHours
        #expect(hours.hours.timeZone == "Europe/Berlin" && hours.hours.week["MON"] == [["09:00", "17:30"]])
        try Data(#"{"businessHours": {"timeZone": "Europe/Berlin", "week": {"MON": [["9", "17:30"]]}, "holidays": []}}"#.utf8)
            .write(to: file)
        #expect {
            try serve(["--config", file.path]).options.configuration(environment: [:])
        } throws: { error in
            "\(error)".hasPrefix("config file \(file.path): businessHours.week.MON: a range is two times \"HH:MM\"")
        }
    }

    @Test func targetsComeFromTheConfigFile() throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("sb-config-\(UUID()).json")
        defer { try? FileManager.default.removeItem(at: file) }
        #expect(try serve([]).options.configuration(environment: [:]).sla == .none)
        try Data(
            #"{"sla": {"policies": [{"priority": "HIGH", "category": "PAYMENT", "firstResponseMinutes": 30}], "reassignRounds": 1}}"#.utf8
        )
        .write(to: file)
        let sla = try serve(["--config", file.path]).options.configuration(environment: [:]).sla
        #expect(sla.policies == [SLAPolicy(priority: .high, category: .payment, firstResponseMinutes: 30)])
        #expect(sla.reassignRounds == 1 && sla.warnAtShare == 0.25)
        try Data(#"{"sla": {"policies": [{"priority": "HIGH", "resolutionMinutes": 0}]}}"#.utf8).write(to: file)
        #expect {
            try serve(["--config", file.path]).options.configuration(environment: [:])
        } throws: { error in
            "\(error)".hasPrefix("config file \(file.path): sla.policies[0].resolutionMinutes: a number of business minutes")
        }
    }

    @Test func noArgumentsMeansTheEmbeddedServer() throws {
        #expect(try Switchboard.parseAsRoot([]) is LocalCommand)
    }
}

/// `--help` reads as written: the parser wraps the overview itself, so a hard line break inside a
/// sentence came out as a short line in the middle of a paragraph ("…(SQLite in the data\ndirectory,").
@Suite struct HelpTextTests {
    static let commands: [any ParsableCommand.Type] =
        [Switchboard.self] + Switchboard.configuration.subcommands
        + UsersCommand.configuration.subcommands

    @Test func overviewsAreWrappedOnceAt80Columns() {
        for command in Self.commands {
            let help = Switchboard.helpMessage(for: command, columns: 80)
            let overview = help.components(separatedBy: "\nUSAGE:").first ?? ""
            let paragraphs = overview.components(separatedBy: "\n\n")
            for paragraph in paragraphs {
                let lines = paragraph.split(separator: "\n")
                // Every line but a paragraph's last fills most of the width.
                for line in lines.dropLast() {
                    #expect(line.count >= 60, "\(command): a short line inside a paragraph: '\(line)'\n\(overview)")
                }
            }
        }
    }

    @Test func serveSaysItServesTheHubToo() {
        #expect(ServeCommand.configuration.abstract.contains("WebSocket"))
    }
}
