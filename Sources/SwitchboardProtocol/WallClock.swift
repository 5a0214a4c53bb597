import Foundation
import Synchronization

/// The time the server and the terminal client read. End-to-end tests move it: with
/// `SWITCHBOARD_CLOCK_SHIFT_FILE` naming a file that holds a number of seconds, that many are
/// added to the system clock (read again at most every 100 ms), so a test can bring a deadline
/// forward in both processes at once instead of waiting for it. Unset, it is the system clock.
public enum WallClock {
    static let variable = "SWITCHBOARD_CLOCK_SHIFT_FILE"
    private static let shiftFile = ProcessInfo.processInfo.environment[variable].flatMap { $0.isEmpty ? nil : $0 }
    private static let cache = Mutex<(read: Date, shift: TimeInterval)>((.distantPast, 0))

    public static func now() -> Date {
        let real = Date()
        guard let shiftFile else { return real }
        return real.addingTimeInterval(shift(at: real, file: shiftFile))
    }

    private static func shift(at real: Date, file: String) -> TimeInterval {
        cache.withLock { cache in
            if real.timeIntervalSince(cache.read) >= 0.1 {
                let text = (try? String(contentsOfFile: file, encoding: .utf8)) ?? ""
                cache = (real, TimeInterval(text.trimmingCharacters(in: .whitespacesAndNewlines)) ?? cache.shift)
            }
            return cache.shift
        }
    }
}
