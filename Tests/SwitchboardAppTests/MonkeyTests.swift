import Foundation
import SwitchboardClient
import SwitchboardProtocol
import Testing
@testable import SwitchboardApp
import TerminalKit

/// Thousands of random keys, pastes, clicks, resizes and clock ticks into each mode, the screen
/// drawn after each: whatever a person (or a cat on the keyboard) does, nothing stops the
/// program. Seeded, so a failure comes back the same way.
@Suite struct MonkeyTests {
    struct SplitMix: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    static let characters: [Character] = Array("abcdefghijklmnopqrstuvwxyz0123456789 /:#-_.,?!@[]{}\"'\\n") + ["é", "😀", "中", "e\u{301}", "\u{202E}", "\u{7}"]
    static let codes: [Key.Code] = [.enter, .tab, .backspace, .delete, .escape, .insert, .up, .down, .left, .right, .home, .end,
                                    .pageUp, .pageDown] + (1...12).map { .function($0) }
    static let pastes = ["", "hello world", "line one\nline two\n", "\u{1B}[31mred\u{1B}[0m", "/status closed", "{\"type\":\"PING\"}",
                         String(repeating: "long ", count: 400), "😀😀😀 中文 e\u{301}", "\t\r\n\0"]

    static func input(_ random: inout SplitMix, size: inout (Int, Int), now: inout Date) -> ModeInput {
        let roll = Int.random(in: 0..<100, using: &random)
        switch roll {
        case 0..<55:
            var key = Key(.character(characters.randomElement(using: &random)!))
            if Int.random(in: 0..<10, using: &random) == 0 { key.alt = true }
            if Int.random(in: 0..<12, using: &random) == 0, let letter = "abcdefghijklmnopqrstuvwxyz".randomElement(using: &random) {
                key = .ctrl(letter)
            }
            return .key(key)
        case 55..<85:
            var key = Key(codes.randomElement(using: &random)!)
            key.alt = Int.random(in: 0..<6, using: &random) == 0
            key.ctrl = Int.random(in: 0..<8, using: &random) == 0
            return .key(key)
        case 85..<89: return .paste(pastes.randomElement(using: &random)!)
        case 89..<93:
            size = (Int.random(in: 1...130, using: &random), Int.random(in: 1...45, using: &random))
            return .resize(width: size.0, height: size.1)
        case 93..<97:
            let kinds: [MouseEvent.Kind] = [.press(button: 1), .release, .wheelUp, .wheelDown]
            return .mouse(MouseEvent(kinds.randomElement(using: &random)!, x: Int.random(in: -1...size.0, using: &random),
                                     y: Int.random(in: -1...size.1, using: &random)))
        default:
            now = now.addingTimeInterval(Double.random(in: 0...3, using: &random))
            return .tick(now)
        }
    }

    /// Feeds `count` inputs to a mode through `update`, drawing after each.
    static func run(seed: UInt64, count: Int = 1500, update: (ModeInput) -> Void, draw: () -> Void) {
        var random = SplitMix(state: seed)
        var size = (80, 24), now = World.start
        for _ in 0..<count {
            update(input(&random, size: &size, now: &now))
            draw()
        }
    }

    @Test(arguments: [1, 2, 3] as [UInt64]) func customerMode(seed: UInt64) {
        var mode = World.mode(tickets: [World.ticket(1, "Parcel"), World.ticket(2, "Refund", status: .resolved, agent: nil)])
        Self.run(seed: seed, update: { _ = mode.update($0) }, draw: { _ = mode.view(theme: World.theme) })
    }

    @Test(arguments: [1, 2, 3] as [UInt64]) func theConsole(seed: UInt64) {
        var mode = ConsoleAdminTests.admin()
        _ = mode.update(.event(.tickets([ConsoleModeTests.ticket(1, "Parcel", minutesAgo: 5),
                                         ConsoleModeTests.ticket(2, "Card", agent: ConsoleModeTests.me.ref, minutesAgo: 3),
                                         ConsoleModeTests.ticket(3, "Lamp", priority: .urgent, minutesAgo: 1)])))
        Self.run(seed: seed, update: { _ = mode.update($0) }, draw: { _ = mode.view(theme: World.theme) })
    }

    @Test(arguments: [1, 2, 3] as [UInt64]) func theTester(seed: UInt64) {
        var mode = TesterModeTests.tester()
        _ = mode.update(.event(.tester(.socket(name: "alex", .received(#"{"type":"ROOM_JOINED","ticketId":7,"lastSeq":3,"participants":[]}"#),
                                              at: World.start))))
        Self.run(seed: seed, update: { _ = mode.update($0) }, draw: { _ = mode.view(theme: World.theme) })
    }

    @Test(arguments: [1, 2, 3] as [UInt64]) func theLauncher(seed: UInt64) {
        var launcher = LauncherTests.launcher()
        Self.run(seed: seed, update: { _ = launcher.update($0) }, draw: { _ = launcher.view(theme: World.theme) })
    }
}
