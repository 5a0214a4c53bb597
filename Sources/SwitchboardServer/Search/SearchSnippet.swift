import Foundation

/// The part of a text around what a search found, with the found words marked `«…»` — cut from
/// the text as written (not the folded index text), so it reads as the sender wrote it. A word
/// matches at a word's start (the index also finds word forms: "refund" finds "refunded"), and
/// the window opens a little before the first match.
public enum SearchSnippet {
    public static let open: Character = "«"
    public static let close: Character = "»"

    public static func make(_ text: String, words: [(word: String, prefix: Bool)], width: Int = 160) -> String {
        let characters = Array(text)
        // The folded form of each character, and where each folded piece starts.
        var folded: [Character] = []
        var origin: [Int] = []
        for (index, character) in characters.enumerated() {
            for piece in SearchText.foldedCharacter(character) {
                folded.append(piece)
                origin.append(index)
            }
        }
        var marked = [Bool](repeating: false, count: characters.count)
        var first: Int?
        for (word, _) in words where !word.isEmpty {
            let needle = Array(word)
            var start = 0
            while start + needle.count <= folded.count {
                let atWordStart = start == 0 || !isWordCharacter(folded[start - 1]) || SearchText.isWide(folded[start])
                if atWordStart, Array(folded[start..<start + needle.count]) == needle {
                    // The whole word as written (a match of "refund" marks "refunded").
                    var end = start + needle.count
                    if !SearchText.isWide(folded[start]) {
                        while end < folded.count, isWordCharacter(folded[end]), !SearchText.isWide(folded[end]) { end += 1 }
                    }
                    for index in origin[start]...origin[end - 1] { marked[index] = true }
                    first = min(first ?? origin[start], origin[start])
                    start = end
                } else {
                    start += 1
                }
            }
        }
        // A window around the first match; the text's start when nothing matched (a filter-only query).
        let begin = max(0, (first ?? 0) - width / 4)
        let end = min(characters.count, begin + width)
        var snippet = begin > 0 ? "…" : ""
        var inside = false
        for index in begin..<end {
            let character = characters[index]
            // One line: newlines and tabs read as spaces.
            let shown: Character = character.isNewline || character == "\t" ? " " : character
            if marked[index] != inside {
                snippet.append(inside ? close : open)
                inside = marked[index]
            }
            snippet.append(shown)
        }
        if inside { snippet.append(close) }
        if end < characters.count { snippet += "…" }
        return snippet
    }

    private static func isWordCharacter(_ character: Character) -> Bool { character.isLetter || character.isNumber }
}
