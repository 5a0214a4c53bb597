import Foundation
import SwitchboardClient
import SwitchboardProtocol

/// What the tester asks of the world: sockets opened as somebody (or nobody), frames and REST
/// calls sent exactly as typed, files written.
public enum TesterEffect: Equatable, Sendable {
    /// Signs `user` in (when given) and opens connection `name`; else opens it with `token` (nil: none).
    case connect(name: String, user: String?, password: String?, token: String?)
    case send(name: String, text: String)
    case ping(name: String)
    case close(name: String)
    case rest(name: String, method: String, path: String, body: String?)
    /// Writes `text` to `path` (the log as JSON lines, a recorded script), saying so with `.saved`.
    case write(path: String, text: String, what: String)
    /// The composer's history, kept in the data directory.
    case saveHistory([String])
    case loadHistory
}

/// What comes back to the tester.
public enum TesterEvent: Equatable, Sendable {
    case signedIn(name: String, User)
    case socket(name: String, RawSocket.Event, at: Date)
    case connectFailed(name: String, String)
    case answered(name: String, method: String, path: String, RawResponse, at: Date)
    case restFailed(name: String, String)
    case saved(what: String, path: String)
    case writeFailed(path: String, String)
    case history([String])
}
