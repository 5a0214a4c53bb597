import Foundation

/// When to tell the others in a ticket "typing": on the first edit of a line, again every 3 s
/// while it is being edited (the server forgets a typist it has not heard from), and off when
/// the line is emptied, turned into a command, sent, or left alone for 5 s.
/// One per compose line: the customer's, and each console tab's.
struct TypingSignal: Equatable, Sendable {
    private(set) var since: Date?

    /// After an edit left the line as `text`: `true`/`false` to send, `nil` when nothing is owed.
    mutating func edited(_ text: String, now: Date) -> Bool? {
        if text.isEmpty || text.hasPrefix("/") {
            guard since != nil else { return nil }
            since = nil
            return false
        }
        if let since, now.timeIntervalSince(since) < 3 { return nil }
        since = now
        return true
    }

    /// On a tick: whether "typing" is to be sent off because no key came for 5 s.
    mutating func timedOut(now: Date, lastKeystroke: Date?) -> Bool {
        guard let since, now.timeIntervalSince(lastKeystroke ?? since) >= 5 else { return false }
        self.since = nil
        return true
    }

    /// The line was sent: the message itself ends "typing" on the other side.
    mutating func sent() { since = nil }
}
