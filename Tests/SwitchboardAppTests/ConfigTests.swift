import Foundation
import TerminalKit
import Testing

@testable import SwitchboardApp

@Suite struct ConfigTests {
    @Test func aFirstRunMakesACommentedFileThatReadsBackAsTheDefaults() throws {
        let home = FileManager.default.temporaryDirectory.appendingPathComponent("config-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: home) }
        let (config, problems) = ClientConfig.loadOrCreate(environment: ["XDG_CONFIG_HOME": home.path])
        #expect(problems.isEmpty)
        #expect(config == ClientConfig())
        let text = try String(contentsOf: home.appendingPathComponent("switchboard/config"), encoding: .utf8)
        #expect(text.contains("# notify.quiet-hours: off, or a local time range"))
        let attributes = try FileManager.default.attributesOfItem(atPath: home.appendingPathComponent("switchboard/config").path)
        #expect((attributes[.posixPermissions] as? Int) == 0o600)
    }

    @Test func settingsKeyBindingsAndProblemsWithTheirLines() {
        let (config, problems) = ClientConfig.parse(
            """
            server = https://support.example.com   # ours
            user = alex
            theme = solarized-dark
            notify.desktop = osc777
            notify.bell = off
            notify.quiet-hours = 22:30-07:00
            notify.volume = 11
            [keys]
            quit = C-q
            compose-in-editor = C-x C-e
            help = Hyper-h
            """, file: "config")
        #expect(config.server == "https://support.example.com" && config.user == "alex" && config.theme == "solarized-dark")
        #expect(config.notifications.desktop == .osc777 && !config.notifications.bell)
        #expect(config.notifications.quietHours?.start == 22 * 60 + 30 && config.notifications.quietHours?.end == 7 * 60)
        #expect(config.keys.map(\.action) == ["quit", "compose-in-editor"])
        #expect(config.keys[1].keys == [.ctrl("x"), .ctrl("e")])
        #expect(
            problems == [
                "config:7: unknown setting 'notify.volume'",
                "config:11: 'Hyper-h' is not a key (write keys like C-x, M-Enter, F2, S-Tab)",
            ])
    }

    @Test func quietHoursSilenceBellAndDesktopAcrossMidnight() throws {
        var settings = ClientConfig.Notifications()
        settings.desktop = .osc9
        settings.quietHours = .init(start: 22 * 60, end: 7 * 60)
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = try #require(TimeZone(identifier: "UTC"))
        func at(_ hour: Int, _ minute: Int) -> Date {
            calendar.date(from: DateComponents(year: 2026, month: 11, day: 24, hour: hour, minute: minute))!
        }
        #expect(NotificationPolicy.signals(for: "Ticket #4", body: "Hi", settings: settings, at: at(23, 15), calendar: calendar).isEmpty)
        #expect(NotificationPolicy.signals(for: "Ticket #4", body: "Hi", settings: settings, at: at(6, 59), calendar: calendar).isEmpty)
        #expect(
            NotificationPolicy.signals(for: "Ticket #4", body: "Hi", settings: settings, at: at(7, 0), calendar: calendar)
                == [.bell, .desktop(.osc9, title: "Ticket #4", body: "Hi")])
        settings.quietHours = nil
        settings.bell = false
        #expect(
            NotificationPolicy.signals(for: "T", body: "B", settings: settings, at: at(23, 15), calendar: calendar)
                == [.desktop(.osc9, title: "T", body: "B")])
    }
}
