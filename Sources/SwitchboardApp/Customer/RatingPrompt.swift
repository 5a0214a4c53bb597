import Foundation
import SwitchboardProtocol
import TerminalKit

/// Asking the customer how a resolved ticket went: a score first (keys 1–5), then an optional
/// comment line. Shown in the input line, naming the ticket, so it never hides the chat.
public struct RatingPrompt: Equatable, Sendable {
    public var ticketId: Int
    /// The score pressed; nil while it is being asked for.
    public var score: Int?
    public var comment = LineEditor()

    public init(ticketId: Int, score: Int? = nil) {
        self.ticketId = ticketId
        self.score = score
    }

    public enum Outcome: Equatable, Sendable {
        case asking
        /// Not now (Esc on the score, or typing something else).
        case dismissed
        case rated(RateTicketRequest)
        /// Not the prompt's key: the screen handles it as usual.
        case passed
    }

    public mutating func handle(_ key: Key) -> Outcome {
        guard score != nil else {
            if case .character(let c) = key.code, !key.ctrl, !key.alt, let digit = Int(String(c)), TicketRating.scores.contains(digit) {
                score = digit
                return .asking
            }
            if key == .escape { return .dismissed }
            // Someone who starts typing means to write, not to rate: the line is theirs again
            // (`/rate` asks later). Moving about leaves the question where it is.
            return key.typesText ? .dismissed : .passed
        }
        switch key {
        case .escape:
            // Back to the score: the comment is optional, the score is the answer.
            score = nil
            comment = LineEditor()
            return .asking
        case .enter:
            let words = comment.text.trimmingCharacters(in: .whitespacesAndNewlines)
            return .rated(RateTicketRequest(score: score!, comment: words.isEmpty ? nil : words))
        default:
            _ = comment.handle(key)
            return .asking
        }
    }

    /// The input line while asking.
    func render(into screen: inout Screen, in rect: Rect, theme: Theme) -> (x: Int, y: Int)? {
        screen.fill(x: rect.x, y: rect.y, width: rect.width, height: rect.height, style: theme[.input])
        guard let score else {
            let wide = rect.width >= 72
            let spans = [
                Span(" How did we do on #\(ticketId)? ", theme[.accent].with(bold: true)),
                Span(wide ? "1 poor · 2 · 3 · 4 · 5 great" : "1 poor … 5 great", theme[.input]),
                Span(wide ? " — press 1–5, Esc not now" : " · Esc later", theme[.placeholder]),
            ]
            screen.put(spans, x: rect.x, y: rect.y, limit: rect.width)
            return nil
        }
        return comment.render(
            into: &screen, in: rect, style: theme[.input],
            prompt: [Span(" \(TicketRating.stars(score)) ", theme[.accent].with(bold: true))],
            placeholder: "a comment if you like — Enter sends, Esc changes the score", placeholderStyle: theme[.placeholder])
    }
}
