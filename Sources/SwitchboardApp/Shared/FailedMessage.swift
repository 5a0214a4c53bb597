import Foundation
import SwitchboardClient
import TerminalKit

/// What the modes do with a message the server refused for good.
enum FailedMessage {
    /// Edit (M-e, `/edit`): the newest failed text message goes back into `editor` to be changed
    /// and sent again — only into an empty line, so nothing half-written is lost. Returns it (the
    /// caller discards it from the outbox), or nil after saying why not.
    static func takeBack(from timeline: Timeline?, into editor: inout LineEditor, toasts: inout Toasts, now: Date) -> OutgoingMessage? {
        guard let failed = timeline?.lastEditableFailure else {
            toasts.show("No message here failed to send", now: now)
            return nil
        }
        guard editor.text.isEmpty else {
            toasts.show("Send or clear what you are writing first", now: now)
            return nil
        }
        editor.replace(with: failed.text)
        return failed
    }
}
