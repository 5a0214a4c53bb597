import Foundation

/// What each mode shows as its connection indicator.
public enum ConnectionState: Sendable, Equatable {
    /// Signing in, or opening the socket.
    case connecting
    /// The socket is up: frames flow, the outbox drains.
    case connected
    /// Lost or refused; the next try is at `nextTryAt` (the user may retry now).
    case reconnecting(attempt: Int, nextTryAt: Date, reason: String)
    /// Not trying any more (stopped, attempts used up, or refused for good) until the user retries.
    case offline(reason: String)
    /// The server does not accept this login any more: sign in again.
    case authFailed(reason: String)

    public var isConnected: Bool { self == .connected }

    /// One line for a status bar.
    public func sentence(now: Date = Date()) -> String {
        switch self {
        case .connecting: "connecting…"
        case .connected: "connected"
        case .reconnecting(let attempt, let at, let reason):
            "\(reason); retry \(attempt) in \(max(0, Int(at.timeIntervalSince(now).rounded(.up))))s"
        case .offline(let reason): "offline: \(reason)"
        case .authFailed(let reason): "sign in again: \(reason)"
        }
    }
}
