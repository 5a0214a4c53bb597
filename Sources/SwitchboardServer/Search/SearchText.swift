import Foundation

/// The text a search index holds for a message or a ticket, and the form query words take: case
/// and accents folded ("Café" and "cafe" are one word), and characters of scripts written without
/// spaces between words (Chinese, Japanese, Thai) set apart, so each is a word of its own and a
/// phrase of them finds any run of them — a substring, where word breaking cannot know the words.
/// Both stores index this text, so both find the same things.
public enum SearchText {
    public static func fold(_ text: String) -> String {
        var folded = ""
        folded.reserveCapacity(text.utf8.count)
        var wide = false
        for character in text {
            if isWide(character) {
                if !folded.isEmpty, folded.last != " " { folded.append(" ") }
                folded.append(character)
                wide = true
                continue
            }
            if wide {
                folded.append(" ")
                wide = false
            }
            folded += foldedCharacter(character)
        }
        return folded
    }

    /// One character folded: lower case, without its accents (ß and the like stay as they are).
    static func foldedCharacter(_ character: Character) -> String {
        if character.isASCII { return character.lowercased() }
        return String(character).folding(options: [.caseInsensitive, .diacriticInsensitive, .widthInsensitive], locale: nil)
    }

    /// Written without spaces between words: each such character is indexed as a word.
    public static func isWide(_ character: Character) -> Bool {
        guard let scalar = character.unicodeScalars.first, !character.isASCII else { return false }
        switch scalar.value {
        case 0x0E00...0x0E7F,  // Thai
            0x0E80...0x0EFF,  // Lao
            0x1000...0x109F,  // Myanmar
            0x1780...0x17FF,  // Khmer
            0x3040...0x30FF,  // Hiragana, Katakana
            0x3400...0x4DBF,  // CJK extension A
            0x4E00...0x9FFF,  // CJK unified ideographs
            0xF900...0xFAFF,  // CJK compatibility ideographs
            0x20000...0x2FFFF:  // CJK extensions B and on
            return true
        default:
            return false
        }
    }

    /// The words of a folded text as the index splits them: runs of letters and digits; each
    /// wide character alone.
    public static func words(_ folded: String) -> [String] {
        var words: [String] = []
        var current = ""
        for character in folded {
            if isWide(character) {
                if !current.isEmpty { words.append(current) }
                current = ""
                words.append(String(character))
            } else if character.isLetter || character.isNumber {
                current.append(character)
            } else if !current.isEmpty {
                words.append(current)
                current = ""
            }
        }
        if !current.isEmpty { words.append(current) }
        return words
    }

    /// PostgreSQL's `english` stop words (its `english.stop`, Snowball's list): words so common
    /// that a search for them beside other words narrows nothing.
    static let stopWords: Set<String> = [
        "i", "me", "my", "myself", "we", "our", "ours", "ourselves", "you", "your", "yours", "yourself", "yourselves", "he",
        "him", "his", "himself", "she", "her", "hers", "herself", "it", "its", "itself", "they", "them", "their", "theirs",
        "themselves", "what", "which", "who", "whom", "this", "that", "these", "those", "am", "is", "are", "was", "were", "be",
        "been", "being", "have", "has", "had", "having", "do", "does", "did", "doing", "a", "an", "the", "and", "but", "if",
        "or", "because", "as", "until", "while", "of", "at", "by", "for", "with", "about", "against", "between", "into",
        "through", "during", "before", "after", "above", "below", "to", "from", "up", "down", "in", "out", "on", "off", "over",
        "under", "again", "further", "then", "once", "here", "there", "when", "where", "why", "how", "all", "any", "both",
        "each", "few", "more", "most", "other", "some", "such", "no", "nor", "not", "only", "own", "same", "so", "than", "too",
        "very", "s", "t", "can", "will", "just", "don", "should", "now",
    ]
}
