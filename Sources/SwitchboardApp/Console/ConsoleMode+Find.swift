import Foundation
import SwitchboardProtocol
import TerminalKit

/// `/find`: search every ticket, a pane of hits, and a hit opened in its ticket at its message.
extension ConsoleMode {
    /// `/find TEXT`: asks the server; the pane shows at once, saying it is searching.
    mutating func find(_ text: String) -> [Effect] {
        let query = text.trimmingCharacters(in: .whitespaces)
        guard !query.isEmpty else {
            return usage("/find WORDS — e.g. /find refund*, /find \"card declined\" from:casey status:resolved")
        }
        found = FindResults(query: query)
        return [.find(query: query, cursor: nil)]
    }

    /// F8: the pane again when there are hits, else the command line ready for `/find`.
    mutating func showFind() -> [Effect] {
        if found != nil {
            found?.shown = true
        } else {
            focus = .queue
            queueLine.replace(with: "/find ")
        }
        return []
    }

    mutating func foundPage(_ query: String, _ page: SearchPage, first: Bool) {
        guard found?.query == query else { return }  // an older search's answer
        found?.add(page, first: first)
    }

    /// The pane's keys while it is shown; nil for a key it leaves alone.
    mutating func findKey(_ key: Key) -> [Effect]? {
        guard var pane = found, pane.shown else { return nil }
        if case .action(let action) = keys.resolve(key), [.quit, .help, .launcher].contains(action) { return nil }
        let answer = pane.answer(key, pageSize: max(1, (size.height - 4) / 2), steps: true)
        found = pane
        switch answer {
        case .done: return []
        case .open(let hit): return open(hit)
        case .more(let cursor): return [.find(query: pane.query, cursor: cursor)]
        }
    }

    /// n / N in a chat opened from the pane: the next hit, in its own ticket.
    mutating func stepFound(forward: Bool) -> [Effect]? {
        guard var pane = found, !pane.hits.isEmpty, let hit = foundHit, currentTab?.ticketId == hit.ticketId else { return nil }
        let more = pane.step(forward: forward)
        found = pane
        guard let next = pane.chosen else { return [] }
        return open(next) + (more.map { [.find(query: pane.query, cursor: $0)] } ?? [])
    }

    /// Opens the hit's ticket (fetched first when the queue does not hold it) and pages its
    /// history back to the message, which is marked when it is there.
    mutating func open(_ hit: SearchHit) -> [Effect] {
        foundHit = hit
        guard tickets.contains(where: { $0.id == hit.ticketId }) else { return [.fetchTicket(ticketId: hit.ticketId)] }
        let hadTab = tabs.contains { $0.ticketId == hit.ticketId }
        var effects = openTab(hit.ticketId)
        if hadTab { effects += markFoundHit() }
        return effects
    }

    /// After a page of the hit's ticket: marks the message if it is held, else asks for older ones.
    mutating func markFoundHit() -> [Effect] {
        guard let hit = foundHit, let index = tabs.firstIndex(where: { $0.ticketId == hit.ticketId }) else { return [] }
        let word = FindResults.markedWord(hit.snippet) ?? found?.query ?? ""
        guard hit.seq > 0 else {
            // The ticket's subject or description: the word found in the chat where it is.
            tabs[index].conversation.find(word)
            return []
        }
        guard case .older(let before) = tabs[index].conversation.reveal(seq: hit.seq, word: word) else { return [] }
        return [.loadOlder(ticketId: hit.ticketId, beforeSeq: before)]
    }

    /// A ticket fetched for a hit: now it can be opened.
    mutating func fetched(_ ticket: Ticket) -> [Effect] {
        guard foundHit?.ticketId == ticket.id, !tabs.contains(where: { $0.ticketId == ticket.id }) else { return [] }
        return openTab(ticket.id)
    }
}
