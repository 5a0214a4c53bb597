/// How many terminal columns a grapheme takes: 2 for wide East Asian characters and emoji
/// (including ZWJ sequences, flags, keycaps and emoji with VS16), 0 for a lone combining mark,
/// 1 otherwise. Terminals follow wcwidth; this follows the same Unicode tables.
public enum TextWidth {
    public static func of(_ grapheme: Character) -> Int {
        // Most text is printable ASCII: one column, without looking anything up.
        if let ascii = grapheme.asciiValue, ascii >= 0x20, ascii < 0x7F { return 1 }
        let scalars = grapheme.unicodeScalars
        guard let first = scalars.first else { return 0 }
        if scalars.count > 1 {
            // A flag: two regional indicators.
            if (0x1F1E6...0x1F1FF).contains(first.value) { return 2 }
            // Emoji made by a sequence (ZWJ, VS16 presentation, keycap, skin tone).
            if scalars.contains(where: { $0.value == 0xFE0F || $0.value == 0x200D || $0.value == 0x20E3 })
                && scalars.contains(where: { $0.properties.isEmoji }) {
                return 2
            }
        }
        return of(first)
    }

    public static func of(_ scalar: Unicode.Scalar) -> Int {
        let value = scalar.value
        if value == 0 { return 0 }
        switch scalar.properties.generalCategory {
        case .nonspacingMark, .enclosingMark, .format: return value == 0x00AD ? 1 : 0
        default: break
        }
        if (0x1160...0x11FF).contains(value) { return 0 } // Hangul medial vowels and final consonants join
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
