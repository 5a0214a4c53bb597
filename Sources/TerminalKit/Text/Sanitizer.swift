/// The one way text from outside (anything a person typed, anywhere, or a server sent) becomes
/// something a terminal may draw: nothing in the result can move the cursor, change the title,
/// write the clipboard, clear the screen or reorder text. Controls are not dropped silently but
/// shown, so a tester sees what was sent:
///
/// - C0 controls (ESC, BEL, CR, BS, …) become their Unicode control pictures (`␛`, `␇`, `␍`, `␈`);
///   DEL becomes `␡`; a newline stays a newline only where the caller allows lines.
/// - C1 controls (U+0080–U+009F, e.g. the one-byte CSI U+009B) become `<9B>`.
/// - Bidirectional overrides, embeddings, isolates and marks become `<U+202E>` and the like.
/// - A tab becomes a space (cells have no tab stops).
///
/// Zero-width joiners, variation selectors and combining marks are kept: emoji sequences and
/// accents need them, and they cannot move anything.
public enum Sanitizer {
    public static func clean(_ text: String, keepNewlines: Bool = false) -> String {
        // Most text needs nothing: return it untouched without building a copy.
        if !text.unicodeScalars.contains(where: needsWork) { return text }
        var out = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            let value = scalar.value
            switch value {
            case 0x0A where keepNewlines:
                out.append(scalar)
            case 0x09:
                out.append(" ")
            case 0x00...0x1F:
                out.append(Unicode.Scalar(0x2400 + value)!)
            case 0x7F:
                out.append("\u{2421}")
            case 0x80...0x9F:
                out.append(contentsOf: "<\(hex(value, digits: 2))>".unicodeScalars)
            case 0x2028, 0x2029:
                if keepNewlines { out.append("\n") } else { out.append(contentsOf: "<U+\(hex(value, digits: 4))>".unicodeScalars) }
            default:
                if isBidiControl(value) {
                    out.append(contentsOf: "<U+\(hex(value, digits: 4))>".unicodeScalars)
                } else {
                    out.append(scalar)
                }
            }
        }
        return String(out)
    }

    private static func needsWork(_ scalar: Unicode.Scalar) -> Bool {
        let value = scalar.value
        return value < 0x20 || (0x7F...0x9F).contains(value) || value == 0x2028 || value == 0x2029 || isBidiControl(value)
    }

    /// LRM, RLM, ALM, the embeddings and overrides (U+202A–U+202E) and the isolates (U+2066–U+2069).
    static func isBidiControl(_ value: UInt32) -> Bool {
        value == 0x200E || value == 0x200F || value == 0x061C || (0x202A...0x202E).contains(value) || (0x2066...0x2069).contains(value)
    }

    private static func hex(_ value: UInt32, digits: Int) -> String {
        let text = String(value, radix: 16, uppercase: true)
        return String(repeating: "0", count: max(0, digits - text.count)) + text
    }
}
