import Foundation
import SwitchboardProtocol
import TerminalKit

extension AdminPanel {
    /// "83% (12)": the share of 4s and 5s, and of how many ratings; "—" with none.
    static func satisfied(_ figures: RatingFigures) -> String {
        figures.percentSatisfied.map { "\(Int($0.rounded()))% (\(figures.count))" } ?? "—"
    }

    /// The dashboard's line: satisfied share, mean score and count over the last 7 days.
    static func satisfaction(_ figures: RatingFigures) -> String {
        guard let mean = figures.averageScore else { return "no ratings" }
        return "\(satisfied(figures)) · ★\(String(format: "%.1f", mean))"
    }

    /// The report's satisfaction block: overall with the scores' spread, then by category, by
    /// agent and by day (only those with ratings), each on a line cut to the width. Answers the
    /// rows used.
    func renderSatisfaction(_ report: SupportReport, into screen: inout Screen, in rect: Rect, theme: Theme) -> Int {
        guard rect.height > 1 else { return 0 }
        let overall = report.csat
        guard overall.count > 0 else {
            screen.put(
                "Satisfaction   no ratings in this period", x: rect.x, y: rect.y, style: theme[.muted], limit: rect.width)
            return 2
        }
        let spread = TicketRating.scores.reversed().map { "\($0)★ \(overall.byScore[$0 - 1])" }.joined(separator: "  ")
        screen.put(
            [
                Span("Satisfaction   ", theme[.title]),
                Span("\(Self.satisfied(overall)) satisfied · mean \(String(format: "%.2f", overall.averageScore ?? 0))   ", theme[.text]),
                Span(spread, theme[.muted]),
            ], x: rect.x, y: rect.y, limit: rect.width)
        let categories = SwitchboardProtocol.Category.allCases.compactMap { category in
            report.csatByCategory[category.rawValue].map { "\(category.word) \(Self.satisfied($0))" }
        }
        let agents = report.agents.filter { $0.csat.count > 0 }.map {
            "\($0.agent.shown) \(Self.satisfied($0.csat))"
        }
        let days = report.days.filter { $0.csat.count > 0 }.map { "\($0.date.dropFirst(5)) \(Self.satisfied($0.csat))" }
        var y = rect.y + 1
        for (label, items) in [("  by category ", categories), ("  by agent    ", agents), ("  by day      ", days)]
        where !items.isEmpty && y < rect.maxY {
            screen.put(
                [Span(label, theme[.muted]), Span(items.joined(separator: " · "), theme[.text])], x: rect.x, y: y, limit: rect.width)
            y += 1
        }
        return y - rect.y + 1
    }
}
