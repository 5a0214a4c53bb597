import TerminalKit

/// Two to four chats on screen at once (`/split`), side by side or stacked, each with its own
/// header, conversation, typing line and input. The focused pane holds the current tab; choosing
/// another tab shows it in the focused pane, as a WeeChat window shows the buffer switched to.
public struct ChatSplit: Equatable, Sendable {
    public enum Direction: String, Equatable, Sendable {
        case sideBySide = "side by side", stacked
    }

    public static let maximum = 4
    /// Each pane keeps at least this share (percent) when another grows.
    static let smallestShare = 15

    public var direction: Direction
    /// The tickets shown, one per pane, in order.
    public private(set) var tickets: [Int]
    /// Each pane's share of the room, in percent; they add up to 100.
    public private(set) var shares: [Int]
    public private(set) var focused = 0

    public init(tickets: [Int], direction: Direction = .sideBySide) {
        self.direction = direction
        self.tickets = Array(tickets.prefix(Self.maximum))
        shares = Self.equalShares(self.tickets.count)
    }

    public var isFull: Bool { tickets.count >= Self.maximum }
    public var focusedTicket: Int? { tickets.indices.contains(focused) ? tickets[focused] : nil }

    /// A pane for `ticket` after the focused one, which it then becomes; the panes share the room equally again.
    public mutating func add(_ ticket: Int) {
        guard !tickets.contains(ticket), !isFull else { return }
        tickets.insert(ticket, at: min(focused + 1, tickets.count))
        focused = min(focused + 1, tickets.count - 1)
        shares = Self.equalShares(tickets.count)
    }

    /// Takes `ticket`'s pane away (its tab was closed).
    public mutating func remove(_ ticket: Int) {
        guard let index = tickets.firstIndex(of: ticket) else { return }
        tickets.remove(at: index)
        if focused >= index, focused > 0 { focused -= 1 }
        shares = Self.equalShares(tickets.count)
    }

    /// Shows `ticket`: focuses its pane, or puts it in the focused pane in place of what was there.
    public mutating func show(_ ticket: Int) {
        if let index = tickets.firstIndex(of: ticket) {
            focused = index
        } else if tickets.indices.contains(focused) {
            tickets[focused] = ticket
        }
    }

    /// The next (`forward`) or previous pane's ticket, now focused.
    public mutating func move(forward: Bool) -> Int? {
        guard !tickets.isEmpty else { return nil }
        focused = (focused + (forward ? 1 : tickets.count - 1)) % tickets.count
        return tickets[focused]
    }

    /// The focused pane grows (positive) or shrinks by `step` percent, against its neighbour
    /// after it (before it, for the last); neither goes under the smallest share.
    public mutating func resize(by step: Int) {
        guard tickets.count > 1 else { return }
        let neighbour = focused + 1 < tickets.count ? focused + 1 : focused - 1
        let change = step > 0 ? min(step, shares[neighbour] - Self.smallestShare) : -min(-step, shares[focused] - Self.smallestShare)
        guard change != 0 else { return }
        shares[focused] += change
        shares[neighbour] -= change
    }

    static func equalShares(_ count: Int) -> [Int] {
        guard count > 0 else { return [] }
        return (0..<count).map { 100 / count + ($0 < 100 % count ? 1 : 0) }
    }

    // MARK: Geometry

    /// The panes' rectangles in `rect` and the dividers between them. The chosen direction if
    /// every pane gets `minimum` room, else the other one, else a grid of two columns; nil when
    /// nothing fits (the caller then shows the focused chat alone).
    func layout(_ rect: Rect, minimum: (width: Int, height: Int)) -> (panes: [Rect], dividers: [Rect])? {
        let other: Direction = direction == .sideBySide ? .stacked : .sideBySide
        for tried in [direction, other] {
            let found = along(tried, rect)
            if found.panes.allSatisfy({ $0.width >= minimum.width && $0.height >= minimum.height }) { return found }
        }
        let grid = self.grid(rect)
        return grid.panes.allSatisfy { $0.width >= minimum.width && $0.height >= minimum.height } ? grid : nil
    }

    /// Side by side: the width shared by the shares, a divider column between panes. Stacked:
    /// the height shared; each pane's header row separates it from the one above.
    private func along(_ direction: Direction, _ rect: Rect) -> (panes: [Rect], dividers: [Rect]) {
        let count = tickets.count
        let total = direction == .sideBySide ? rect.width - (count - 1) : rect.height
        var lengths = shares.map { total * $0 / 100 }
        if let last = lengths.indices.last { lengths[last] += total - lengths.reduce(0, +) }
        var panes: [Rect] = [], dividers: [Rect] = []
        var at = direction == .sideBySide ? rect.x : rect.y
        for (index, length) in lengths.enumerated() {
            if direction == .sideBySide {
                panes.append(Rect(x: at, y: rect.y, width: length, height: rect.height))
                at += length
                if index < count - 1 {
                    dividers.append(Rect(x: at, y: rect.y, width: 1, height: rect.height))
                    at += 1
                }
            } else {
                panes.append(Rect(x: rect.x, y: at, width: rect.width, height: length))
                at += length
            }
        }
        return (panes, dividers)
    }

    /// Two columns, as many rows as needed; an odd last pane takes its whole row.
    private func grid(_ rect: Rect) -> (panes: [Rect], dividers: [Rect]) {
        let rows = (tickets.count + 1) / 2
        let left = (rect.width - 1) / 2
        var panes: [Rect] = [], dividers: [Rect] = []
        for row in 0..<rows {
            let y = rect.y + rect.height * row / rows
            let height = rect.y + rect.height * (row + 1) / rows - y
            if row * 2 + 1 < tickets.count {
                panes.append(Rect(x: rect.x, y: y, width: left, height: height))
                dividers.append(Rect(x: rect.x + left, y: y, width: 1, height: height))
                panes.append(Rect(x: rect.x + left + 1, y: y, width: rect.width - left - 1, height: height))
            } else {
                panes.append(Rect(x: rect.x, y: y, width: rect.width, height: height))
            }
        }
        return (panes, dividers)
    }
}
