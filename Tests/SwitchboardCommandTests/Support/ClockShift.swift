import Foundation

/// `WallClock`'s shift file for a test's server and client processes: `move(to:)` sets how many
/// seconds their clocks run ahead, so a test brings a deadline forward instead of waiting for it.
final class ClockShift {
    let file = FileManager.default.temporaryDirectory.appendingPathComponent("switchboard-shift-\(UUID().uuidString)")

    init() throws { try move(to: 0) }

    /// What the processes' environment needs to follow it.
    var environment: [String: String] { ["SWITCHBOARD_CLOCK_SHIFT_FILE": file.path] }

    func move(to seconds: Int) throws { try Data(String(seconds).utf8).write(to: file) }

    deinit { try? FileManager.default.removeItem(at: file) }
}
