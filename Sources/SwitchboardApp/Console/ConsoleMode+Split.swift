import Foundation
import TerminalKit

/// `/split`, `/unsplit` and the keys that move between and resize the split's chats.
extension ConsoleMode {
    /// `/split [N…] [side|stacked]`: the current chat and #N (opened in a tab if need be), or the
    /// tab that needs the agent most, or the next one; a direction word alone turns the split.
    /// `chosen`: the ticket chosen in the queue, when typed there.
    mutating func splitCommand(_ argument: String, chosen: Int? = nil) -> [Effect] {
        var direction: ChatSplit.Direction?
        var wanted: [Int] = []
        for word in argument.split(separator: " ").map({ $0.lowercased() }) {
            switch word {
            case "side", "sideways": direction = .sideBySide
            case "stacked", "stack": direction = .stacked
            default:
                guard let id = Int(word.trimmingCharacters(in: CharacterSet(charactersIn: "#"))) else {
                    return usage("/split [N…] [side|stacked] — N is a ticket number; /unsplit ends it")
                }
                wanted.append(id)
            }
        }
        if wanted.isEmpty, split == nil, let chosen, chosen != currentTab?.ticketId { wanted = [chosen] }
        var effects: [Effect] = []
        for id in wanted where !tabs.contains(where: { $0.ticketId == id }) { effects += openTab(id, focus: false) }
        // A ticket that could not be opened has said why; nothing more to do.
        if !wanted.isEmpty, !wanted.contains(where: { id in tabs.contains { $0.ticketId == id } }) { return effects }
        guard let at = current else { return effects + usage("Open a chat first: Enter on a ticket in the queue") }
        var next = split ?? ChatSplit(tickets: [tabs[at].ticketId], direction: direction ?? .sideBySide)
        if let direction { next.direction = direction }
        if wanted.isEmpty, direction == nil || split == nil, let another = nextTabToShow(besides: next.tickets) {
            wanted = [tabs[another].ticketId]
        }
        for id in wanted where tabs.contains(where: { $0.ticketId == id }) && !next.tickets.contains(id) {
            guard !next.isFull else {
                toasts.show(
                    "At most \(ChatSplit.maximum) chats at once: /split shows another in place of the focused one via M-1…9",
                    kind: .error, now: now)
                break
            }
            next.add(id)
        }
        guard next.tickets.count > 1 else {
            return effects + usage("Only one chat is open: /split N opens #N beside it, or open another from the queue")
        }
        split = next
        if let focused = next.focusedTicket, let index = tabs.firstIndex(where: { $0.ticketId == focused }) { select(index) }
        if layout.isSplit {
            toasts.show(
                "\(next.tickets.count) chats \(next.direction.rawValue) — M-←/→ moves, M-= / M-- resizes, /unsplit ends",
                now: now)
        } else {
            toasts.show("No room for \(next.tickets.count) chats here; the focused one is shown until the terminal is larger", now: now)
        }
        return effects
    }

    /// The tab a bare `/split` adds: the one that needs the agent most, else the next in order.
    private func nextTabToShow(besides shown: [Int]) -> Int? {
        let others = tabs.indices.filter { !shown.contains(tabs[$0].ticketId) }
        let hottest = Hotlist.hottest(
            tabs.enumerated().map { shown.contains($0.element.ticketId) ? Self.quiet($0.element) : $0.element },
            besides: nil)
        if let hottest, others.contains(hottest) { return hottest }
        let from = current ?? 0
        return others.first { $0 > from } ?? others.first
    }

    private static func quiet(_ tab: ChatTab) -> ChatTab {
        var tab = tab
        tab.activity = .none
        return tab
    }

    mutating func unsplit() {
        guard split != nil else {
            toasts.show("One chat is on screen already", now: now)
            return
        }
        split = nil
        toasts.show("One chat on screen — /split shows more", now: now)
    }

    /// Alt-←/→: the previous or next chat of the split takes the keys.
    mutating func movePane(forward: Bool) {
        guard var next = split, layout.isSplit else {
            toasts.show("One chat on screen: /split shows two to four", now: now)
            return
        }
        guard let id = next.move(forward: forward), let index = tabs.firstIndex(where: { $0.ticketId == id }) else { return }
        split = next
        select(index)
    }

    /// Alt-= / Alt--: the focused chat of the split larger or smaller.
    mutating func resizePane(by step: Int) {
        guard split != nil, layout.isSplit else {
            toasts.show("One chat on screen: /split shows two to four", now: now)
            return
        }
        split?.resize(by: step)
        focus = .chat
    }
}
