/// Card numbers in free text: runs of 13–19 digits, in groups of three or more, that pass the
/// Luhn check. Groups may be joined by up to three separators of the kinds people and programs
/// write between them — spaces (also tab, newline, no-break and thin spaces), dashes (hyphen,
/// en and em dash, minus), commas, dots and slashes — and digits may be ASCII or full-width.
/// Numbers that fail the check (order numbers, phone numbers) are left alone — the check is what
/// keeps the false positives down to one in ten of the digit runs that happen to have a card's length.
enum CardNumbers {
    static let digitRange = 13...19
    static let minimumGroup = 3
    /// Separators between two groups, at most.
    static let maximumSeparators = 3

    /// The text with each card number replaced by `•••• •••• •••• 1234` (its last four digits),
    /// and how many were.
    static func mask(_ text: String) -> (text: String, count: Int) {
        // Fast path: most messages hold fewer digits than the shortest card (a full-width digit
        // starts with the byte 0xEF, so a text without one has only ASCII digits).
        var digits = 0, wide = false
        for byte in text.utf8 {
            if byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") { digits += 1 } else if byte == 0xEF { wide = true }
        }
        guard digits >= digitRange.lowerBound || wide else { return (text, 0) }

        let scalars = Array(text.unicodeScalars)
        var output = String.UnicodeScalarView()
        var copiedUpTo = 0, count = 0, index = 0
        while index < scalars.count {
            guard digit(scalars[index]) != nil, index == 0 || !isWord(scalars[index - 1]) else {
                index += 1
                continue
            }
            let groups = digitGroups(in: scalars, from: index)
            var first = 0
            while first < groups.count {
                guard let (last, lastFour) = cardEnd(groups, from: first, in: scalars) else {
                    first += 1
                    continue
                }
                output.append(contentsOf: scalars[copiedUpTo..<groups[first].lowerBound])
                output.append(contentsOf: "•••• •••• •••• ".unicodeScalars)
                output.append(contentsOf: lastFour.unicodeScalars)
                copiedUpTo = groups[last].upperBound
                count += 1
                first = last + 1
            }
            index = groups[groups.count - 1].upperBound
        }
        guard count > 0 else { return (text, 0) }
        output.append(contentsOf: scalars[copiedUpTo...])
        return (String(output), count)
    }

    /// Whether `text` holds a card number anywhere.
    static func occurs(in text: String) -> Bool { mask(text).count > 0 }

    /// The Luhn check over digit values 0–9 (or the ASCII digits' bytes).
    static func passesLuhn<Digits: BidirectionalCollection>(_ digits: Digits) -> Bool where Digits.Element == UInt8 {
        var sum = 0, double = false
        for byte in digits.reversed() {
            var value = Int(byte >= UInt8(ascii: "0") ? byte - UInt8(ascii: "0") : byte)
            if double {
                value *= 2
                if value > 9 { value -= 9 }
            }
            sum += value
            double.toggle()
        }
        return sum % 10 == 0
    }

    // MARK: Scanning

    /// The digit groups of one run starting at `start`: maximal digit runs joined by one to three
    /// separators.
    private static func digitGroups(in scalars: [Unicode.Scalar], from start: Int) -> [Range<Int>] {
        var groups: [Range<Int>] = [], index = start
        while true {
            let begin = index
            while index < scalars.count, digit(scalars[index]) != nil { index += 1 }
            groups.append(begin..<index)
            var next = index
            while next < scalars.count, next - index < maximumSeparators, isSeparator(scalars[next]) { next += 1 }
            guard next > index, next < scalars.count, digit(scalars[next]) != nil else { return groups }
            index = next
        }
    }

    /// The last group of the longest card number that begins at group `first`, and its last four
    /// digits, if any: groups of at least three digits, 13–19 digits in all, Luhn valid, not
    /// running straight into a letter.
    private static func cardEnd(
        _ groups: [Range<Int>], from first: Int,
        in scalars: [Unicode.Scalar]
    ) -> (last: Int, lastFour: String)? {
        var found: (Int, String)?, digits: [UInt8] = []
        for last in first..<groups.count {
            let group = groups[last]
            if group.count < minimumGroup { break }
            digits += scalars[group].compactMap(digit)
            if digits.count > digitRange.upperBound { break }
            let endsCleanly = group.upperBound == scalars.count || !isWord(scalars[group.upperBound])
            if digitRange.contains(digits.count), endsCleanly, passesLuhn(digits) {
                found = (last, digits.suffix(4).map { String($0) }.joined())
            }
        }
        return found
    }

    /// The value of an ASCII or full-width digit.
    private static func digit(_ scalar: Unicode.Scalar) -> UInt8? {
        switch scalar.value {
        case 0x30...0x39: UInt8(scalar.value - 0x30)
        case 0xFF10...0xFF19: UInt8(scalar.value - 0xFF10)
        default: nil
        }
    }

    /// What may stand between two groups of a card number.
    private static func isSeparator(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x20, 0x09, 0x0A, 0x0D, 0xA0, 0x2007, 0x2009, 0x200A, 0x202F, 0x3000,  // spaces
            0x2D, 0x2010...0x2015, 0x2212, 0xFE63, 0xFF0D,  // dashes
            0x2C, 0x2E, 0x2F, 0xFF0C, 0xFF0E, 0x3001:  // commas, dots, slashes
            true
        default:
            false
        }
    }

    /// A Latin letter, digit or underscore: a number glued to one is part of an identifier, not
    /// a card. (Only Latin: Japanese or Chinese text runs into a number with no space between.)
    private static func isWord(_ scalar: Unicode.Scalar) -> Bool {
        digit(scalar) != nil || scalar == "_" || (scalar.isASCII && scalar.properties.isAlphabetic)
    }
}
