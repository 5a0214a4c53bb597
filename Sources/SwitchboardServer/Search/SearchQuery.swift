import Foundation
import SwitchboardProtocol

/// What `GET /api/search?q=` asks for, read from the words typed: words (all must be there),
/// prefixes (`refund*`), quoted phrases, and filters — `from:NAME`, `#TICKET`, `status:STATUS`,
/// `before:DATE`, `after:DATE` (dates as `YYYY-MM-DD`, UTC; `before` not included).
public struct SearchQuery: Equatable, Sendable {
    public enum Term: Equatable, Sendable {
        case word(String, prefix: Bool)
        /// Words one after another (a quoted phrase, or a run of wide characters).
        case phrase([String])
    }

    public var terms: [Term] = []
    public var from: String?
    public var ticketId: Int?
    public var statuses: [TicketStatus] = []
    public var before: Date?
    public var after: Date?

    /// The longest query read, in characters: past it the rest is left out, not refused.
    public static let longest = 500
    /// At most this many terms count (a query of hundreds of words helps nobody and costs the index).
    public static let mostTerms = 16

    public static func parse(_ text: String) throws(ContractError) -> SearchQuery {
        var query = SearchQuery()
        for (token, quoted) in tokens(String(text.prefix(longest))) {
            if quoted {
                query.add(words: SearchText.words(SearchText.fold(token)), prefix: false, phrase: true)
                continue
            }
            let lower = token.lowercased()
            if let value = lower.value(after: "from:") {
                guard !value.isEmpty else { throw ContractError(.invalid, "q: from: needs a name, e.g. from:casey") }
                query.from = String(token.dropFirst(5))
            } else if token.hasPrefix("#"), let id = Int(token.dropFirst()), id > 0 {
                query.ticketId = id
            } else if let value = lower.value(after: "status:") {
                guard let status = TicketStatus(word: value) else {
                    throw ContractError(.invalid, "q: status: open, in-progress, resolved or closed (not '\(value.prefix(20))')")
                }
                query.statuses.append(status)
            } else if let value = lower.value(after: "before:") ?? lower.value(after: "after:") {
                guard let date = Timestamp.parse(value) else {
                    throw ContractError(.invalid, "q: \(lower.hasPrefix("before") ? "before" : "after"): a date as YYYY-MM-DD")
                }
                if lower.hasPrefix("before:") { query.before = date } else { query.after = date }
            } else {
                let prefix = token.hasSuffix("*")
                let words = SearchText.words(SearchText.fold(prefix ? String(token.dropLast()) : token))
                query.add(words: words, prefix: prefix, phrase: false)
            }
        }
        guard !query.terms.isEmpty || query.hasFilter else {
            throw ContractError(.invalid, "q: words to find (or a filter: from:, #N, status:, before:, after:)")
        }
        return query
    }

    public var hasFilter: Bool { from != nil || ticketId != nil || !statuses.isEmpty || before != nil || after != nil }

    /// Every word of the terms (for marking them in snippets), prefixes flagged.
    public var words: [(word: String, prefix: Bool)] {
        terms.flatMap { term -> [(word: String, prefix: Bool)] in
            switch term {
            case .word(let word, let prefix): [(word, prefix)]
            case .phrase(let words): words.map { ($0, false) }
            }
        }
    }

    private mutating func add(words: [String], prefix: Bool, phrase: Bool) {
        guard !words.isEmpty, terms.count < Self.mostTerms else { return }
        // "e-mail" is the index's two words in a row; so is a run of wide characters.
        let term: Term = words.count == 1 ? .word(words[0], prefix: prefix && !phrase) : .phrase(words)
        // A word typed twice asks nothing more of an AND, and would read its list twice.
        if !terms.contains(term) { terms.append(term) }
    }

    /// The terms the index is asked for: a bare stop word ("the", "is") is left out beside other
    /// words — it is in most messages, so it narrows nothing and costs the longest list to read,
    /// and PostgreSQL's `english` configuration drops it too, so both stores find the same. Asked
    /// alone (or as a prefix, or within a phrase), it is looked for.
    var indexedTerms: [Term] {
        let telling = terms.filter { term in
            if case .word(let word, prefix: false) = term { return !SearchText.stopWords.contains(word) }
            return true
        }
        return telling.isEmpty ? terms : telling
    }

    /// Whitespace-separated tokens; a double-quoted run is one token (an unclosed quote runs to the end).
    static func tokens(_ text: String) -> [(String, quoted: Bool)] {
        var tokens: [(String, Bool)] = []
        var current = "", quoted = false
        for character in text {
            if character == "\"" {
                if quoted || !current.isEmpty { tokens.append((current, quoted)) }
                current = ""
                quoted.toggle()
            } else if character.isWhitespace && !quoted {
                if !current.isEmpty { tokens.append((current, false)) }
                current = ""
            } else {
                current.append(character)
            }
        }
        if !current.isEmpty { tokens.append((current, quoted)) }
        return tokens.filter { !$0.0.isEmpty }
    }

    // MARK: In each store's language

    /// FTS5's query: each word quoted (nothing typed is syntax), prefixes with `*`, phrases as one
    /// quoted string; terms side by side must all match.
    public var fts5: String { fts5Phrases.joined(separator: " ") }

    /// FTS5's phrases of the query, one per indexed term, in the order FTS5 numbers them.
    var fts5Phrases: [String] {
        indexedTerms.map { term in
            switch term {
            case .word(let word, let prefix): "\"\(word)\"" + (prefix ? "*" : "")
            case .phrase(let words): "\"\(words.joined(separator: " "))\""
            }
        }
    }

    /// PostgreSQL's `tsquery` text: lexemes quoted, `:*` for prefixes, `<->` within phrases, `&` between.
    public var tsquery: String {
        terms.map { term in
            switch term {
            case .word(let word, let prefix): "'\(word)'" + (prefix ? ":*" : "")
            case .phrase(let words): "(" + words.map { "'\($0)'" }.joined(separator: " <-> ") + ")"
            }
        }.joined(separator: " & ")
    }
}

extension String {
    /// What follows `prefix`, if the string starts with it.
    fileprivate func value(after prefix: String) -> String? {
        hasPrefix(prefix) ? String(dropFirst(prefix.count)) : nil
    }
}
