import Synchronization
import TerminalKit

/// A conversation's lines as last laid out, shared by the copies of one unchanged conversation:
/// a frame in which only the input line changed draws the chat from here instead of wrapping
/// every message on screen again. Whatever changes the lines gives the conversation a new, empty
/// memo, so a memo never answers for content it was not made from; `view` stays a function of
/// the state alone. The lines carry theme roles, not colours, so one entry serves every theme.
final class LayoutMemo: Sendable {
    private struct Entry {
        var width: Int
        var lines: [Conversation.Line]
        var fromStart: Bool
    }

    /// Two widths: the one drawn at, and the one scrolling and read marks lay out at when it differs.
    private static let capacity = 2
    private let entries = Mutex<[Entry]>([])

    /// At least the last `tail` lines at `width`, if laid out already.
    func lines(width: Int, tail: Int) -> (lines: [Conversation.Line], fromStart: Bool)? {
        entries.withLock { entries in
            entries.first { $0.width == width && ($0.lines.count >= tail || $0.fromStart) }.map { ($0.lines, $0.fromStart) }
        }
    }

    func store(width: Int, lines: [Conversation.Line], fromStart: Bool) {
        entries.withLock { entries in
            entries.removeAll { $0.width == width }
            entries.insert(Entry(width: width, lines: lines, fromStart: fromStart), at: 0)
            if entries.count > Self.capacity { entries.removeLast() }
        }
    }
}
