import Foundation
import SwitchboardProtocol
import TerminalKit

/// `/find` over the customer's own tickets (the server never returns another's, nor a note).
extension CustomerMode {
    mutating func find(_ text: String) -> [Effect] {
        let query = text.trimmingCharacters(in: .whitespaces)
        guard !query.isEmpty else {
            toasts.show("/find WORDS — in all your tickets, e.g. /find refund or /find \"tracking number\"", kind: .error, now: now)
            return []
        }
        found = FindResults(query: query)
        return [.find(query: query, cursor: nil)]
    }

    /// The pane's keys while it is shown; nil for a key it leaves alone.
    mutating func findKey(_ key: Key) -> [Effect]? {
        guard var pane = found, pane.shown else { return nil }
        if case .action(let action) = keys.resolve(key), [.quit, .help, .launcher].contains(action) { return nil }
        let answer = pane.answer(key, pageSize: max(1, (size.height - 4) / 2), steps: false)
        found = pane
        switch answer {
        case .done: return []
        case .open(let hit): return open(hit)
        case .more(let cursor): return [.find(query: pane.query, cursor: cursor)]
        }
    }

    /// Opens the hit's chat and pages back to its message, which is marked when it is there.
    mutating func open(_ hit: SearchHit) -> [Effect] {
        foundHit = hit
        let wasOpen = chat?.ticket.id == hit.ticketId
        var effects = openTicketChat(hit.ticketId)
        if wasOpen { effects += markFoundHit() }
        return effects
    }

    mutating func markFoundHit() -> [Effect] {
        guard let hit = foundHit, chat?.ticket.id == hit.ticketId, hit.seq > 0 else { return [] }
        let word = FindResults.markedWord(hit.snippet) ?? found?.query ?? ""
        switch chat!.reveal(seq: hit.seq, word: word) {
        case .shown:
            foundHit = nil
            return []
        case .older(let before): return [.loadOlder(ticketId: hit.ticketId, beforeSeq: before)]
        case .waiting: return []
        }
    }
}
