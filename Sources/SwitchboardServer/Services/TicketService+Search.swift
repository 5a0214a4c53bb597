import Foundation
import SwitchboardProtocol

/// `GET /api/search`: ranked hits over every ticket the caller may see.
extension TicketService {
    public func search(_ text: String?, limit: Int?, cursor: String?, for caller: Caller) async throws -> SearchPage {
        guard let text, !Validator.trimmed(text).isEmpty else {
            throw ContractError(.invalid, "q: words to find (or a filter: from:, #N, status:, before:, after:)")
        }
        let query = try SearchQuery.parse(text)
        let limit = limit ?? 20
        guard (1...limits.pageSizeMax).contains(limit) else { throw ContractError(.invalid, "limit: 1–\(limits.pageSizeMax)") }
        let offset = try SearchCursor.offset(cursor)
        // One more than asked: whether there is a next page.
        let rows = try await store.search(query, for: caller.viewer, limit: limit + 1, offset: offset)
        let words = query.words
        let hits = rows.prefix(limit).map { row in
            SearchHit(
                ticketId: row.ticketId, seq: row.seq, messageId: row.messageId, snippet: SearchSnippet.make(row.body, words: words),
                sender: row.sender, timestamp: row.timestamp, internal: row.internal, subject: row.subject)
        }
        return SearchPage(items: hits, nextCursor: rows.count > limit ? SearchCursor.make(offset + limit) : nil)
    }
}

/// The cursor of a search page: where the next page starts, opaque to clients.
enum SearchCursor {
    static func make(_ offset: Int) -> String { "o\(offset)" }

    static func offset(_ cursor: String?) throws(ContractError) -> Int {
        guard let cursor else { return 0 }
        guard cursor.hasPrefix("o"), let offset = Int(cursor.dropFirst()), offset >= 0, offset <= 1_000_000 else {
            throw ContractError(.invalid, "cursor: not one this server gave (pass nextCursor as it came)")
        }
        return offset
    }
}
