/// Breaks text into rows of at most `width` columns: at spaces where it can, inside a word
/// where it must (a word longer than the row), never inside a grapheme; newlines are kept.
public enum TextWrap {
    public static func lines(_ text: String, width: Int) -> [String] {
        guard width > 0 else { return [] }
        var rows: [String] = []
        for paragraph in Sanitizer.clean(text, keepNewlines: true).split(separator: "\n", omittingEmptySubsequences: false) {
            var row = "", rowWidth = 0
            var word = "", wordWidth = 0
            func flushWord() {
                if rowWidth > 0, rowWidth + wordWidth > width {
                    rows.append(trimmed(row))
                    row = ""
                    rowWidth = 0
                    if word.first == " " { word.removeFirst(); wordWidth -= 1 }
                }
                row += word
                rowWidth += wordWidth
                word = ""
                wordWidth = 0
            }
            for character in paragraph {
                let w = TextWidth.of(character)
                if character == " " { flushWord() }
                // A word wider than a row is cut where the row ends.
                if wordWidth + w > width {
                    flushWord()
                    if rowWidth + w > width {
                        rows.append(trimmed(row))
                        row = ""
                        rowWidth = 0
                    }
                }
                word.append(character)
                wordWidth += w
            }
            flushWord()
            rows.append(trimmed(row))
        }
        return rows
    }

    private static func trimmed(_ row: String) -> String {
        var row = row
        while row.last == " " { row.removeLast() }
        return row
    }

    /// `text` cut to `width` columns, with `…` when something was cut.
    public static func truncate(_ text: String, width: Int) -> String {
        let clean = Sanitizer.clean(text)
        guard TextWidth.of(clean) > width else { return clean }
        guard width > 0 else { return "" }
        var out = "", used = 0
        for character in clean {
            let w = TextWidth.of(character)
            if used + w > width - 1 { break }
            out.append(character)
            used += w
        }
        return out + "…"
    }
}
