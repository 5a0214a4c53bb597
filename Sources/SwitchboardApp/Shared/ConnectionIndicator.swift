import Foundation
import SwitchboardClient
import TerminalKit

/// The connection, always on screen: connected, connecting, reconnecting in Ns (attempt k) and
/// why, or offline and why, with the messages waiting to go and the key that retries now.
/// Reasons may quote the server (a close reason): sanitised like any text from it.
public enum ConnectionIndicator {
    public static func spans(_ state: ConnectionState, queued: Int, now: Date, theme: Theme, retryKey: String = "F5") -> [Span] {
        let waiting = queued > 0 ? " · \(queued) queued" : ""
        switch state {
        case .connected:
            return [Span(" ● connected", theme[.statusConnected]), Span(waiting, theme[.status])]
        case .connecting:
            return [Span(" ◌ connecting…", theme[.statusReconnecting]), Span(waiting, theme[.status])]
        case .reconnecting(let attempt, let at, let reason):
            let seconds = max(0, Int(at.timeIntervalSince(now).rounded(.up)))
            // Why comes last: on a narrow screen it is what gets cut, not the queue or the key.
            let why = reason.isEmpty ? "" : " · " + Sanitizer.clean(reason)
            return [
                Span(" ◌ reconnecting in \(seconds)s (attempt \(attempt))", theme[.statusReconnecting]),
                Span(waiting + " · \(retryKey) retry now" + why, theme[.status]),
            ]
        case .offline(let reason):
            return [
                Span(" ○ offline: \(Sanitizer.clean(reason))", theme[.statusOffline]),
                Span(waiting + " · \(retryKey) retry", theme[.status]),
            ]
        case .authFailed(let reason):
            return [Span(" ○ sign in again: \(Sanitizer.clean(reason))", theme[.statusOffline]), Span(waiting, theme[.status])]
        }
    }
}
