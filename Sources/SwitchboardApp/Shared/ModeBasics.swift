import Foundation
import SwitchboardClient
import SwitchboardProtocol
import TerminalKit

/// What every mode holds alike, whatever it shows: the server it talks to, the contract's limits,
/// the clock, the terminal's size and focus, and the toasts. One value, so that each mode's
/// synthesised `==` compares all of it (a mode that left `server` out of a hand-written `==`
/// once kept a stale title).
public struct ModeBasics: Equatable, Sendable {
    /// The server address shown in the title: the node in use when several were given.
    public internal(set) var server: String
    public let limits: Limits
    /// Started from the launcher: F10 goes back to it.
    public let fromLauncher: Bool
    public internal(set) var now: Date
    public internal(set) var terminalSize: TerminalSize
    /// Whether the terminal window has the focus (as far as it says; assumed until told).
    public internal(set) var focused = true
    var lastKeystroke: Date?
    public internal(set) var toasts = Toasts()

    init(server: String, limits: Limits, fromLauncher: Bool, size: (width: Int, height: Int), now: Date) {
        self.server = server
        self.limits = limits
        self.fromLauncher = fromLauncher
        terminalSize = TerminalSize(size)
        self.now = now
    }
}

/// What the modes that chat over the realtime connection (the customer mode and the console)
/// hold alike: the connection's state, the outbox, and a file going up.
public struct ChatLink: Equatable, Sendable {
    public internal(set) var connection = ConnectionState.connecting
    /// The server ended this login: kept from the moment it said so until the sign-in screen
    /// says it.
    var loginEnded = false
    /// Messages in the outbox, not sent yet.
    public internal(set) var queued = 0
    /// Messages not stored yet, of every ticket (a chat opened later shows its own).
    public internal(set) var unsent = UnsentMessages()
    /// A file being sent (`/attach`).
    public internal(set) var transfer: FileTransfer?
}

/// A mode that keeps a `ChatLink`.
protocol ChatScreenMode: ScreenMode {
    var link: ChatLink { get set }
}

extension ScreenMode {
    var server: String {
        get { basics.server }
        set { basics.server = newValue }
    }
    var limits: Limits { basics.limits }
    var fromLauncher: Bool { basics.fromLauncher }
    var now: Date {
        get { basics.now }
        set { basics.now = newValue }
    }
    var size: (width: Int, height: Int) {
        get { basics.terminalSize.pair }
        set { basics.terminalSize = TerminalSize(newValue) }
    }
    var focused: Bool {
        get { basics.focused }
        set { basics.focused = newValue }
    }
    var lastKeystroke: Date? {
        get { basics.lastKeystroke }
        set { basics.lastKeystroke = newValue }
    }
    var toasts: Toasts {
        get { basics.toasts }
        set { basics.toasts = newValue }
    }
}

extension ChatScreenMode {
    var connection: ConnectionState { link.connection }
    var loginEnded: Bool {
        get { link.loginEnded }
        set { link.loginEnded = newValue }
    }
    var queued: Int {
        get { link.queued }
        set { link.queued = newValue }
    }
    var unsent: UnsentMessages {
        get { link.unsent }
        set { link.unsent = newValue }
    }
    var transfer: FileTransfer? {
        get { link.transfer }
        set { link.transfer = newValue }
    }

    /// The realtime connection's new state. When the server ended this login (signed out
    /// elsewhere, a new password or role), back to signing in, saying why, rather than a screen
    /// that can no longer do anything.
    mutating func connectionChanged(to state: ConnectionState) -> [Effect] {
        link.connection = state
        guard case .authFailed = state, case .main = phase else { return [] }
        link.loginEnded = true
        return [.signOut]
    }
}
