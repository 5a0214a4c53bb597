/// The compose line: readline's keys, history with search, multi-line text, undo, completion,
/// and hand-off to `$EDITOR`. A value: the mode keeps it in its state, passes it keys, and acts
/// on what `handle` returns; it draws with `render`.
public struct LineEditor: Equatable, Sendable {
    /// What a key asks of the mode.
    public enum Outcome: Equatable, Sendable {
        /// Nothing for the mode to do (the text or cursor may have changed).
        case handled
        /// Not an editing key: the mode may use it.
        case unhandled
        /// Enter: send this text (the line is cleared and the text is in history).
        case submit(String)
        /// Enter on a pasted block of many lines: ask before sending (`submitConfirmed()`).
        case confirmSubmit(lines: Int)
        /// Tab: the mode completes the word before the cursor (`complete(with:)`).
        case complete(word: String)
        /// C-x C-e: the mode opens `$EDITOR` on this text and calls `replace(with:)`.
        case openEditor(String)
    }

    public private(set) var characters: [Character] = []
    public private(set) var cursor = 0
    /// Sends with this many lines or more that came from a paste are asked about.
    public var pasteConfirmLines = 4

    private var killed = ""
    private var history: [String] = []
    private var historyIndex: Int?
    private var draft: [Character] = []
    private var undo: [Snapshot] = []
    private var pasted = false
    /// The keys of a sequence begun (`C-x` of `C-x C-e`).
    private var pendingKeys: [Key] = []
    /// Which key does what; rebound from the config file.
    public var keys = LineEditor.defaultKeys
    /// Ctrl-R: the query, and which match (counting back from the newest) is shown.
    public var search: (query: String, skip: Int)? { searchState.map { ($0.query, $0.skip) } }
    private var searchState: SearchState?

    private struct Snapshot: Equatable, Sendable {
        var characters: [Character]
        var cursor: Int
    }
    private struct SearchState: Equatable, Sendable {
        var query: String
        var skip: Int
    }

    public init(history: [String] = []) {
        self.history = history
    }

    public var text: String { String(characters) }
    public var isEmpty: Bool { characters.isEmpty }
    public var lineCount: Int { characters.filter { $0 == "\n" }.count + 1 }
    public var historyEntries: [String] { history }

    // MARK: Keys

    public mutating func handle(_ key: Key) -> Outcome {
        if searchState != nil { return handleSearch(key) }
        switch keys.resolve(key, after: pendingKeys) {
        case .pending(let sequence):
            pendingKeys = sequence
            return .handled
        case .action(let action):
            pendingKeys = []
            return perform(action)
        case .unbound:
            // A key that ends no sequence ends the one begun, and is swallowed with it.
            if !pendingKeys.isEmpty {
                pendingKeys = []
                return .handled
            }
            guard case .character(let c) = key.code, !key.ctrl, !key.alt else { return .unhandled }
            insert([c])
            return .handled
        }
    }

    /// Does what an action says.
    public mutating func perform(_ action: EditAction) -> Outcome {
        switch action {
        case .submit: return submit()
        case .newline: insert(["\n"])
        case .complete: return .complete(word: String(characters[completionStart..<cursor]))
        case .externalEditor: return .openEditor(text)
        case .lineStart: moveTo(lineStart)
        case .lineEnd: moveTo(lineEnd)
        case .left: moveTo(cursor - 1)
        case .right: moveTo(cursor + 1)
        case .wordLeft: moveTo(wordStart(before: cursor))
        case .wordRight: moveTo(wordEnd(after: cursor))
        case .deleteBackward:
            guard cursor > 0 else { return .handled }
            remove(cursor - 1..<cursor)
        case .deleteForward:
            guard cursor < characters.count else { return .handled }
            remove(cursor..<cursor + 1)
        case .killWordBackward: kill(wordStart(before: cursor)..<cursor)
        case .killWordForward: kill(cursor..<wordEnd(after: cursor))
        case .killToLineStart: kill(lineStart..<cursor)
        case .killToLineEnd: kill(cursor..<lineEnd)
        case .yank: insert(Array(killed))
        case .undo:
            guard let last = undo.popLast() else { return .handled }
            characters = last.characters
            cursor = last.cursor
        case .previous:
            if lineIndex(of: cursor) > 0 { moveVertically(-1) } else { recall(older: true) }
        case .next:
            if lineIndex(of: cursor) < lineCount - 1 { moveVertically(1) } else { recall(older: false) }
        case .search:
            searchState = SearchState(query: "", skip: 0)
        }
        return .handled
    }

    /// A bracketed paste: inserted as it is (lines and all), never taken as keys.
    public mutating func paste(_ text: String) {
        let clean = text.replacingOccurrences(of: "\r\n", with: "\n").replacingOccurrences(of: "\r", with: "\n")
        insert(Array(clean))
        if clean.contains("\n") { pasted = true }
    }

    /// The mode asked, and the user said yes: send the pasted block.
    public mutating func submitConfirmed() -> String {
        pasted = false
        return finishSubmit()
    }

    /// The text came back from `$EDITOR`.
    public mutating func replace(with text: String) {
        snapshot()
        var edited = text
        while edited.hasSuffix("\n") { edited.removeLast() }  // editors end files with a newline
        characters = Array(edited)
        cursor = characters.count
    }

    /// Completes the word before the cursor from `candidates` (those starting with it): one
    /// completes it (and a space); several extend it to their common prefix and are returned
    /// for the mode to show.
    @discardableResult
    public mutating func complete(with candidates: [String]) -> [String] {
        let start = completionStart
        let word = String(characters[start..<cursor])
        let matches = candidates.filter { $0.lowercased().hasPrefix(word.lowercased()) }
        guard !matches.isEmpty else { return [] }
        if matches.count == 1 {
            replaceRange(start..<cursor, with: Array(matches[0] + " "))
            return matches
        }
        let common = matches.dropFirst().reduce(matches[0]) { prefix, next in
            String(zip(prefix, next).prefix { $0.lowercased() == $1.lowercased() }.map(\.0))
        }
        if common.count > word.count { replaceRange(start..<cursor, with: Array(common)) }
        return matches
    }

    // MARK: Ctrl-R

    /// The history entry the search shows, if any.
    public var searchMatch: String? {
        guard let searchState, !searchState.query.isEmpty else { return nil }
        let matches = history.reversed().filter { $0.localizedCaseInsensitiveContains(searchState.query) }
        return matches.dropFirst(searchState.skip).first
    }

    private mutating func handleSearch(_ key: Key) -> Outcome {
        guard var state = searchState else { return .unhandled }
        switch (key.code, key.ctrl) {
        case (.character("r"), true):
            state.skip += 1
            searchState = state
            if searchMatch == nil {
                state.skip -= 1
                searchState = state
            }
        case (.character(let c), false) where !key.alt:
            state.query.append(c)
            state.skip = 0
            searchState = state
        case (.backspace, false):
            if !state.query.isEmpty { state.query.removeLast() }
            state.skip = 0
            searchState = state
        case (.escape, _), (.character("g"), true):
            searchState = nil
        default:
            // Any other key takes the match into the line, then does its usual work.
            let match = searchMatch
            searchState = nil
            if let match { replace(with: match) }
            if key == .enter { return submit() }
            return handle(key)
        }
        return .handled
    }

    // MARK: Editing

    private mutating func submit() -> Outcome {
        guard !text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else { return .handled }
        if pasted && lineCount >= pasteConfirmLines { return .confirmSubmit(lines: lineCount) }
        return .submit(finishSubmit())
    }

    private mutating func finishSubmit() -> String {
        let sent = text
        if history.last != sent { history.append(sent) }
        if history.count > 500 { history.removeFirst(history.count - 500) }
        characters = []
        cursor = 0
        undo = []
        historyIndex = nil
        pasted = false
        return sent
    }

    private mutating func recall(older: Bool) {
        guard !history.isEmpty else { return }
        if historyIndex == nil {
            guard older else { return }
            draft = characters
            historyIndex = history.count
        }
        guard let index = historyIndex else { return }
        let next = older ? max(0, index - 1) : index + 1
        historyIndex = next
        if next >= history.count {
            historyIndex = nil
            characters = draft
        } else {
            characters = Array(history[next])
        }
        cursor = characters.count
    }

    private mutating func insert(_ new: [Character]) {
        guard !new.isEmpty else { return }
        snapshot()
        // Terminals deliver a grapheme's code points one by one (a skin tone after its emoji, an
        // accent after its letter): one that joins the grapheme before the cursor becomes part of it.
        if new.count == 1, cursor > 0 {
            let joined = String(characters[cursor - 1]) + String(new[0])
            if joined.count == 1 {
                characters[cursor - 1] = joined.first!
                return
            }
        }
        characters.insert(contentsOf: new, at: cursor)
        cursor += new.count
    }

    private mutating func remove(_ range: Range<Int>) {
        guard !range.isEmpty else { return }
        snapshot()
        characters.removeSubrange(range)
        cursor = range.lowerBound
    }

    private mutating func kill(_ range: Range<Int>) {
        guard !range.isEmpty else { return }
        killed = String(characters[range])
        remove(range)
    }

    private mutating func replaceRange(_ range: Range<Int>, with new: [Character]) {
        snapshot()
        characters.replaceSubrange(range, with: new)
        cursor = range.lowerBound + new.count
    }

    private mutating func snapshot() {
        undo.append(Snapshot(characters: characters, cursor: cursor))
        if undo.count > 200 { undo.removeFirst() }
    }

    private mutating func moveTo(_ position: Int) {
        cursor = min(max(0, position), characters.count)
    }

    // MARK: Positions

    private var lineStart: Int {
        var index = cursor
        while index > 0, characters[index - 1] != "\n" { index -= 1 }
        return index
    }

    private var lineEnd: Int {
        var index = cursor
        while index < characters.count, characters[index] != "\n" { index += 1 }
        return index
    }

    private func lineIndex(of position: Int) -> Int {
        characters[..<position].filter { $0 == "\n" }.count
    }

    private mutating func moveVertically(_ direction: Int) {
        let column = cursor - lineStart
        if direction < 0 {
            var index = lineStart - 1  // the newline ending the line above
            while index > 0, characters[index - 1] != "\n" { index -= 1 }
            cursor = min(index + column, lineStart - 1)
        } else {
            let nextStart = lineEnd + 1
            var nextEnd = nextStart
            while nextEnd < characters.count, characters[nextEnd] != "\n" { nextEnd += 1 }
            cursor = min(nextStart + column, nextEnd)
        }
    }

    private func wordStart(before position: Int) -> Int {
        var index = position
        while index > 0, !isWordCharacter(characters[index - 1]) { index -= 1 }
        while index > 0, isWordCharacter(characters[index - 1]) { index -= 1 }
        return index
    }

    /// Where the word Tab completes begins: right before the cursor, possibly empty (after a
    /// space, every candidate is offered) — unlike M-b, which goes back to the previous word.
    private var completionStart: Int {
        var index = cursor
        while index > 0, isWordCharacter(characters[index - 1]) { index -= 1 }
        return index
    }

    private func wordEnd(after position: Int) -> Int {
        var index = position
        while index < characters.count, !isWordCharacter(characters[index]) { index += 1 }
        while index < characters.count, isWordCharacter(characters[index]) { index += 1 }
        return index
    }

    // `:` so that an emoji shortcode (`:smile:`) completes as one word; `/` for commands.
    private func isWordCharacter(_ c: Character) -> Bool { c.isLetter || c.isNumber || c == "_" || c == "/" || c == "-" || c == ":" }
}
