import Foundation
import SwitchboardThemes
import Testing

@testable import TerminalKit

@Suite struct ThemeTests {
    @Test func everyBuiltInThemeParsesAndStylesEveryRole() throws {
        for name in BuiltInThemes.names {
            let text = try #require(BuiltInThemes.text(named: name), "Themes/\(name).theme is shipped")
            let theme = try ThemeFile.parse(text, file: "\(name).theme")
            #expect(theme.name == name)
            // Each file names every role (none left to a fallback by accident).
            let named = Set(
                text.split(separator: "\n").compactMap { line -> String? in
                    ThemeFile.withoutComment(line).split(separator: "=").first.map { $0.trimmingCharacters(in: .whitespaces) }
                })
            #expect(Set(Theme.Role.allCases.map(\.rawValue)).subtracting(named).isEmpty, "\(name) leaves roles out")
        }
    }

    @Test func stylesReadAsWritten() throws {
        let theme = try ThemeFile.parse(
            """
            # a comment
              #ffaa00 at the start of a line is a comment too, not a colour
            name = mine
            selection = black on cyan bold   # trailing comment
            message.note = #ff8800 italic
            badge = 202 on bright-black
            muted = dim
            """, file: "mine.theme")
        #expect(theme.name == "mine")
        #expect(theme[.selection] == Style(foreground: .basic(0), background: .basic(6), bold: true))
        #expect(theme[.note] == Style(foreground: .rgb(0xFF, 0x88, 0x00), italic: true))
        #expect(theme[.badge] == Style(foreground: .palette(202), background: .basic(8)))
        #expect(theme[.muted] == Style(dim: true))
        #expect(theme[.error] == Theme.fallback(.error))  // not named: the fallback
    }

    @Test(arguments: [
        ("selection = black on", 1, "selection: 'on' needs a background colour"),
        ("name = x\nselectoin = red", 2, "unknown role 'selectoin'"),
        ("\n\ntext = #12345", 3, "text: '#12345': a colour is #rrggbb"),
        ("text = 300", 1, "text: '300': palette colours are 0–255"),
        ("text = red blinking", 1, "text: 'blinking' is not a colour or one of bold, dim, italic, underline, reverse"),
        ("text red", 1, "expected 'role = style', found 'text red'"),
        ("text = bright-pink", 1, "text: 'bright-pink': bright- goes before one of"),
    ])
    func malformedThemesNameTheFileLineAndProblem(text: String, line: Int, problem: String) {
        #expect {
            _ = try ThemeFile.parse(text, file: "/home/me/bad.theme")
        } throws: { error in
            guard let error = error as? ThemeFile.Problem else { return false }
            return error.file == "/home/me/bad.theme" && error.line == line && error.message.hasPrefix(problem)
        }
    }

    @Test func choosingAThemeByFlagEnvironmentOrConfigAndNoColor() throws {
        let home = FileManager.default.temporaryDirectory.appendingPathComponent("themes-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: home) }
        let userThemes = home.appendingPathComponent("switchboard/themes")
        try FileManager.default.createDirectory(at: userThemes, withIntermediateDirectories: true)
        try "name = mine\ntext = red\n".write(to: userThemes.appendingPathComponent("mine.theme"), atomically: true, encoding: .utf8)
        let broken = home.appendingPathComponent("broken.theme")
        try "text = red\nbadge = on\n".write(to: broken, atomically: true, encoding: .utf8)
        let env = ["XDG_CONFIG_HOME": home.path]

        #expect(ThemeLoader.choose(environment: env).theme.name == "default")
        #expect(ThemeLoader.choose(configured: "light", environment: env).theme.name == "light")
        #expect(
            ThemeLoader.choose(configured: "light", environment: env.merging(["SWITCHBOARD_THEME": "monochrome"]) { $1 })
                .theme.name == "monochrome")
        #expect(
            ThemeLoader.choose(
                flag: "solarized-dark", configured: "light",
                environment: env.merging(["SWITCHBOARD_THEME": "monochrome"]) { $1 }
            ).theme.name == "solarized-dark")
        #expect(ThemeLoader.choose(flag: "mine", environment: env).theme[.text].foreground == .basic(1))

        let bad = ThemeLoader.choose(flag: broken.path, environment: env)
        #expect(bad.theme.name == "default")
        #expect(bad.warning == "\(broken.path):2: badge: 'on' needs a background colour; using the default theme")
        let missing = ThemeLoader.choose(flag: "nope", environment: env)
        #expect(missing.theme.name == "default" && missing.warning?.hasPrefix("no theme 'nope'") == true)

        let plain = ThemeLoader.choose(flag: "solarized-dark", environment: env.merging(["NO_COLOR": "1"]) { $1 }).theme
        #expect(Theme.Role.allCases.allSatisfy { plain[$0].foreground == .default && plain[$0].background == .default })
        #expect(plain[.activeTab].bold)  // …but the attributes stay
    }

    @Test func coloursComeDownToWhatTheTerminalShows() {
        #expect(Color.rgb(0xFF, 0x00, 0x00).fitted(to: .palette) == .palette(196))
        #expect(Color.rgb(0x80, 0x80, 0x80).fitted(to: .palette) == .palette(244))
        #expect(Color.rgb(0xFF, 0x00, 0x00).fitted(to: .bright) == .basic(9))
        #expect(Color.rgb(0xC0, 0x00, 0x00).fitted(to: .basic) == .basic(1))
        #expect(Color.palette(21).fitted(to: .basic) == .basic(4))
        #expect(Color.basic(12).fitted(to: .basic) == .basic(4))
        #expect(Color.rgb(1, 2, 3).fitted(to: .trueColor) == .rgb(1, 2, 3))
        #expect(Color.basic(3).fitted(to: .none) == .default)
    }
}
