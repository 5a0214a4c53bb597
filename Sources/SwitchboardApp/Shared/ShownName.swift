import SwitchboardProtocol
import TerminalKit

/// A person's name as every screen shows it: sanitised (it is the peer's text), and an
/// integration's account marked as such, so nobody takes a bot's words for a colleague's.
extension UserRef {
    public var shown: String { Sanitizer.clean(displayName) + (bot ? " [bot]" : "") }
}

extension User {
    public var shown: String { Sanitizer.clean(displayName) + (bot ? " [bot]" : "") }
}
