import Foundation
import SwitchboardClient
import SwitchboardProtocol

/// What the tester asks of the world: sockets opened as somebody (or nobody), frames and REST
/// calls sent exactly as typed, files written.
public enum TesterEffect: Equatable, Sendable {
    /// Signs `user` in (when given) and opens connection `name`; else opens it with `token` (nil: none).
    /// `options`: `key=value` words for the upgrade's query (`presence=batched`).
    case connect(name: String, user: String?, password: String?, token: String?, options: [String] = [])
    case send(name: String, text: String)
    case ping(name: String)
    case close(name: String)
    case rest(name: String, method: String, path: String, body: String?)
    /// The composer's history, kept in the data directory.
    case saveHistory([String])
    case loadHistory
}

/// What comes back to the tester, each with when it happened (the log's time is that, not when
/// the mode next looked at its clock).
public enum TesterEvent: Equatable, Sendable {
    case signedIn(name: String, User, at: Date)
    case socket(name: String, RawSocket.Event, at: Date)
    case connectFailed(name: String, String, at: Date)
    case answered(name: String, method: String, path: String, RawResponse, at: Date)
    case restFailed(name: String, String, at: Date)
    case history([String])
}
