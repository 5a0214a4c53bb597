/// Breaks text into rows of at most `width` columns: at spaces where it can, inside a word
/// where it must (a word longer than the row), never inside a grapheme; newlines are kept.
public enum TextWrap {
    public static func lines(_ text: String, width: Int) -> [String] {
        guard width > 0 else { return [] }
        var rows: [String] = []
        for paragraph in Sanitizer.clean(text, keepNewlines: true).split(separator: "\n", omittingEmptySubsequences: false) {
            // Most text is printable ASCII, a column a byte: no grapheme breaking, no width lookups.
            if paragraph.utf8.allSatisfy({ $0 >= 0x20 && $0 < 0x7F }) {
                let bytes = Array(paragraph.utf8)
                rows += wrap(count: bytes.count, width: width, column: { $0 }, isSpace: { bytes[$0] == 0x20 }) { start, end in
                    String(decoding: bytes[start..<end], as: UTF8.self)
                }
            } else {
                var starts = Array(paragraph.indices), columns = [0]
                starts.append(paragraph.endIndex)
                columns.reserveCapacity(starts.count)
                for character in paragraph { columns.append(columns[columns.count - 1] + TextWidth.of(character)) }
                rows += wrap(count: starts.count - 1, width: width, column: { columns[$0] }, isSpace: { paragraph[starts[$0]] == " " }) {
                    String(paragraph[starts[$0]..<starts[$1]])
                }
            }
        }
        return rows
    }

    /// One paragraph of `count` graphemes, the columns before grapheme `i` being `column(i)`.
    /// A word is a run that begins at a space; a row breaks before a word that does not fit
    /// (dropping that word's space) or inside a word wider than a row. Rows are ranges of the
    /// paragraph, made into text only once, by `row`.
    private static func wrap(
        count: Int, width: Int, column: (Int) -> Int, isSpace: (Int) -> Bool,
        row: (Int, Int) -> String
    ) -> [String] {
        var rows: [String] = []
        var rowStart = 0, rowEnd = 0, wordStart = 0
        func push() {
            var end = rowEnd
            while end > rowStart, isSpace(end - 1) { end -= 1 }
            rows.append(row(rowStart, end))
        }
        func flushWord(at index: Int) {
            var start = wordStart
            if rowEnd > rowStart, column(rowEnd) - column(rowStart) + column(index) - column(start) > width {
                push()
                if start < index, isSpace(start) { start += 1 }
                rowStart = start
                rowEnd = start
            }
            if rowEnd == rowStart { rowStart = start }
            rowEnd = index
            wordStart = index
        }
        for index in 0..<count {
            if isSpace(index) { flushWord(at: index) }
            // A word wider than a row is cut where the row ends.
            let columns = column(index + 1) - column(index)
            if column(index) - column(wordStart) + columns > width {
                flushWord(at: index)
                if column(rowEnd) - column(rowStart) + columns > width {
                    push()
                    rowStart = index
                    rowEnd = index
                }
            }
        }
        flushWord(at: count)
        push()
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
