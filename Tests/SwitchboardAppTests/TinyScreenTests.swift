import Foundation
import SwitchboardClient
import SwitchboardProtocol
import TerminalKit
import Testing

@testable import SwitchboardApp

/// Every screen drawn at every small size a window can be dragged to, with its help and a form
/// open too: nothing may stop the program (the launcher did, at 20×5, on a range running
/// backwards). Reaching the end is the check; each frame is also exactly the window's size.
@Suite struct TinyScreenTests {
    static let sizes = (1...24).flatMap { width in (1...10).map { (width, $0) } } + [(30, 3), (45, 6), (79, 2), (200, 1), (1, 60)]

    static func check(_ screen: Screen, _ size: (Int, Int), _ what: String) {
        #expect(screen.lines.count == size.1, "\(what) at \(size.0)×\(size.1)")
        #expect(screen.lines.allSatisfy { TextWidth.of($0) <= size.0 }, "\(what) at \(size.0)×\(size.1)")
    }

    @Test func theLauncher() {
        for size in Self.sizes {
            var launcher = LauncherTests.launcher()
            _ = launcher.update(.resize(width: size.0, height: size.1))
            Self.check(launcher.view(theme: World.theme).screen, size, "launcher")
            _ = launcher.update(.key(Key(.function(1))))
            Self.check(launcher.view(theme: World.theme).screen, size, "launcher help")
        }
    }

    @Test func customerMode() {
        for size in Self.sizes {
            var mode = World.mode(tickets: [World.ticket(1, "Parcel"), World.ticket(2, "Refund", status: .resolved, agent: nil)])
            _ = mode.update(.resize(width: size.0, height: size.1))
            Self.check(mode.view(theme: World.theme).screen, size, "ticket list")
            _ = mode.update(.key(.enter))
            Self.check(mode.view(theme: World.theme).screen, size, "chat")
            _ = mode.update(.key(Key(.function(3))))
            Self.check(mode.view(theme: World.theme).screen, size, "new ticket form")
            _ = mode.update(.key(.escape))
            _ = mode.update(.key(Key(.function(1))))
            Self.check(mode.view(theme: World.theme).screen, size, "customer help")
        }
    }

    @Test func theConsole() {
        for size in Self.sizes {
            var mode = ConsoleAdminTests.admin()
            _ = mode.update(
                .event(
                    .tickets([
                        ConsoleModeTests.ticket(1, "Parcel", minutesAgo: 5),
                        ConsoleModeTests.ticket(2, "Card", agent: ConsoleModeTests.me.ref, minutesAgo: 3),
                    ])))
            _ = mode.update(.resize(width: size.0, height: size.1))
            Self.check(mode.view(theme: World.theme).screen, size, "queue")
            _ = mode.update(.key(.enter))
            Self.check(mode.view(theme: World.theme).screen, size, "chat tab")
            _ = ConsoleAdminTests.command("/split 2", &mode)
            Self.check(mode.view(theme: World.theme).screen, size, "split")
            _ = mode.update(.key(.ctrl("t")))
            Self.check(mode.view(theme: World.theme).screen, size, "canned picker")
            _ = mode.update(.key(.escape))
            _ = mode.update(.key(Key(.function(7))))
            _ = mode.update(.event(.dashboard(ConsoleAdminTests.figures)))
            Self.check(mode.view(theme: World.theme).screen, size, "dashboard")
            for _ in 0..<3 {
                _ = mode.update(.key(.right))
                Self.check(mode.view(theme: World.theme).screen, size, "admin page")
            }
            _ = ConsoleAdminTests.command("/user-add", &mode)
            Self.check(mode.view(theme: World.theme).screen, size, "user form")
        }
    }

    @Test func theTester() {
        for size in Self.sizes {
            var mode = TesterModeTests.tester()
            _ = mode.update(
                .event(
                    .tester(
                        .socket(
                            name: "alex", .received(#"{"type":"ROOM_JOINED","ticketId":7,"lastSeq":3,"participants":[]}"#),
                            at: World.start))))
            _ = mode.update(.resize(width: size.0, height: size.1))
            Self.check(mode.view(theme: World.theme).screen, size, "tester")
            _ = TesterModeTests.type("send", into: &mode)
            _ = mode.update(.key(.tab))
            Self.check(mode.view(theme: World.theme).screen, size, "tester composing")
            _ = mode.update(.key(.ctrl("n")))
            Self.check(mode.view(theme: World.theme).screen, size, "connect form")
        }
    }
}
