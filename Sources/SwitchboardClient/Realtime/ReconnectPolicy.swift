import SwitchboardProtocol

/// How a connection attempt ended.
public enum Disconnection: Sendable, Equatable {
    /// No socket: the server could not be reached, or the TLS handshake failed.
    case unreachable(ConnectionFailure)
    /// The socket broke without a close frame (network gone, or no pong within the ping timeout).
    case dropped(ConnectionFailure)
    /// The server closed the socket with this code.
    case closed(code: UInt16, reason: String?)
    /// The server refused the login or the upgrade, with the REST error that says why.
    case refused(APIError)
}

/// The reconnect decisions, free of clocks and sockets so they can be tested exactly: the
/// connection feeds it how each attempt ended, how long it had been connected, and a random
/// number; it answers when to try again, or that trying is over.
public struct ReconnectPolicy: Sendable {
    public enum Decision: Sendable, Equatable {
        /// Try again after `after`; refresh the access token first if `refreshToken`.
        case retry(after: Duration, attempt: Int, refreshToken: Bool)
        /// Stop trying until the user asks.
        case giveUp(reason: String)
        /// The login is over: the user must sign in again.
        case authFailed(reason: String)
    }

    public var backoff: Backoff
    /// A connection that lasted this long was healthy: the attempt count starts again from zero.
    public var stableAfter: Duration
    /// Failed attempts in a row.
    public private(set) var attempt = 0

    public init(backoff: Backoff = Backoff(), stableAfter: Duration = .seconds(10)) {
        self.backoff = backoff
        self.stableAfter = stableAfter
    }

    /// The user asked to retry now: start the count again.
    public mutating func reset() { attempt = 0 }

    /// What to do after `ending`. `connectedFor` is how long the socket was up (nil: it never
    /// came up); `unit` a random number in [0, 1) for the jitter.
    public mutating func next(after ending: Disconnection, connectedFor: Duration?, unit: Double) -> Decision {
        if let connectedFor, connectedFor >= stableAfter { attempt = 0 }
        let reason = Self.reason(ending)
        switch ending {
        case .closed(CloseCode.loggedOut, _):
            return .authFailed(reason: reason)
        case .closed(CloseCode.tokenExpired, _) where connectedFor.map({ $0 >= stableAfter }) ?? false:
            // The token ran its course on a healthy socket: come straight back with a fresh one.
            return .retry(after: .zero, attempt: attempt, refreshToken: true)
        case .refused(let error) where error.code == .unauthorized:
            return .authFailed(reason: reason)
        case .refused(let error) where error.code == .forbidden || error.code == .invalid:
            return .giveUp(reason: reason)
        default:
            break
        }
        // Everyone else waits a random part of a growing window. After a server restart (1001),
        // a close for falling behind (1008: the server was sending faster than this client read,
        // or the network stalled) or a rate-limit close (4029) the window starts wider, so a crowd
        // of clients comes back spread out instead of all at once.
        var step = attempt
        if case .closed(let code, _) = ending, code == CloseCode.goingAway || code == CloseCode.fellBehind { step = max(step, 2) }
        if case .closed(let code, _) = ending, code == CloseCode.rateLimited { step = max(step, 4) }
        if let limit = backoff.maxAttempts, attempt >= limit {
            return .giveUp(reason: "gave up after \(attempt) attempts: \(reason)")
        }
        let delay = backoff.wait(step: step, unit: unit)
        attempt += 1
        let expired: Bool = if case .closed(CloseCode.tokenExpired, _) = ending { true } else { false }
        return .retry(after: delay, attempt: attempt, refreshToken: expired)
    }

    /// For people: why the connection is down.
    public static func reason(_ ending: Disconnection) -> String {
        switch ending {
        case .unreachable(let why): "cannot reach the server (\(why))"
        case .dropped(let why): "connection lost (\(why))"
        case .closed(CloseCode.tokenExpired, _): "the access token expired"
        case .closed(CloseCode.loggedOut, _): "this login was signed out"
        case .closed(CloseCode.rateLimited, _): "closed for sending too fast"
        case .closed(CloseCode.goingAway, _): "the server is restarting"
        // Short enough to be read whole on an 80-column indicator, after the countdown and the key.
        case .closed(CloseCode.fellBehind, _): "fell behind (slow network?)"
        case .closed(let code, let why): "closed by the server (\(code)\(why.map { ": \($0)" } ?? ""))"
        case .refused(let error): error.sentence
        }
    }
}
