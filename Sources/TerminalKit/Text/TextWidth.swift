/// How many terminal columns a grapheme takes: 2 for wide East Asian characters and emoji, 0
/// for a lone combining mark, 1 otherwise — and for an emoji sequence, the sum of the pieces it
/// is drawn as (`pieces`). Terminals follow wcwidth; this follows the same Unicode tables.
public enum TextWidth {
    public static func of(_ grapheme: Character) -> Int {
        // Most text is printable ASCII: one column, without looking anything up.
        if let ascii = grapheme.asciiValue, ascii >= 0x20, ascii < 0x7F { return 1 }
        let scalars = grapheme.unicodeScalars
        guard let first = scalars.first else { return 0 }
        guard scalars.count > 1 else { return of(first) }
        return pieces(grapheme).reduce(0) { $0 + ($1.unicodeScalars.first.map(of) ?? 0) }
    }

    /// The pieces a grapheme is drawn as: each one character the C library's `wcwidth` (which
    /// ncurses moves the cursor by) and every terminal give the same width, with its
    /// zero-width marks. Terminals disagree on emoji sequences — tmux draws a ZWJ family
    /// (👨‍👩‍👧) in two columns, others in six; a skin tone (👍🏽) joins its hand in some and takes
    /// two more columns in tmux; `❤️` is one column or two — and ncurses cannot hold more than
    /// one spacing character in a cell. So joiners, presentation selectors and skin tones are
    /// left out, and each person of a family is drawn on its own (👨👩👧): the same on every
    /// terminal, and the text after it stays in its columns. Flags stay two one-column halves,
    /// which every terminal draws in two columns, joined or not.
    public static func pieces(_ grapheme: Character) -> [Character] {
        let scalars = grapheme.unicodeScalars
        guard scalars.count > 1 else { return [grapheme] }
        var pieces: [Character] = []
        var current = String.UnicodeScalarView()
        func flush() {
            guard !current.isEmpty else { return }
            pieces += String(current)  // one character, or more if the scalars left do not join
            current = String.UnicodeScalarView()
        }
        for scalar in scalars {
            switch scalar.value {
            case 0x200D, 0xFE0E, 0xFE0F, 0x1F3FB...0x1F3FF: continue
            default: break
            }
            if of(scalar) > 0 { flush() }
            current.append(scalar)
        }
        flush()
        return pieces
    }

    public static func of(_ scalar: Unicode.Scalar) -> Int {
        let value = scalar.value
        if value == 0 { return 0 }
        switch scalar.properties.generalCategory {
        case .nonspacingMark, .enclosingMark, .format: return value == 0x00AD ? 1 : 0
        default: break
        }
        if (0x1160...0x11FF).contains(value) { return 0 }  // Hangul medial vowels and final consonants join
        // A regional indicator is one column (wcwidth); a flag is two of them.
        if (0x1F1E6...0x1F1FF).contains(value) { return 1 }
        if scalar.properties.isEmojiPresentation { return 2 }
        return isWide(value) ? 2 : 1
    }

    /// Columns a whole string takes.
    public static func of(_ text: String) -> Int {
        text.reduce(0) { $0 + of($1) }
    }

    /// East Asian Wide and Fullwidth ranges outside emoji (emoji are told by `isEmojiPresentation`).
    static func isWide(_ value: UInt32) -> Bool {
        switch value {
        case 0x1100...0x115F, 0x2329...0x232A, 0x2E80...0x303E, 0x3041...0x33FF, 0x3400...0x4DBF, 0x4E00...0x9FFF,
            0xA000...0xA4CF, 0xA960...0xA97F, 0xAC00...0xD7A3, 0xF900...0xFAFF, 0xFE10...0xFE19, 0xFE30...0xFE6F,
            0xFF00...0xFF60, 0xFFE0...0xFFE6, 0x16FE0...0x16FE4, 0x17000...0x18CFF, 0x1B000...0x1B2FF,
            0x1F200...0x1F251, 0x20000...0x2FFFD, 0x30000...0x3FFFD:
            true
        default:
            false
        }
    }
}
