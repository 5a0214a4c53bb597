/// Card numbers in free text: runs of 13–19 digits, in groups of three or more joined by single
/// spaces or dashes, that pass the Luhn check. Numbers that fail it (order numbers, phone numbers)
/// are left alone — the check is what keeps the false positives down to one in ten of the
/// digit runs that happen to have a card's length.
enum CardNumbers {
    static let digitRange = 13...19
    static let minimumGroup = 3

    /// The text with each card number replaced by `•••• •••• •••• 1234` (its last four digits),
    /// and how many were.
    static func mask(_ text: String) -> (text: String, count: Int) {
        // Fast path: most messages hold fewer digits than the shortest card.
        var digits = 0
        for byte in text.utf8 where isDigit(byte) { digits += 1 }
        guard digits >= digitRange.lowerBound else { return (text, 0) }

        // Digits, spaces and dashes are ASCII: they never occur inside a multi-byte UTF-8
        // sequence, so working on bytes leaves every other character intact.
        let bytes = Array(text.utf8)
        var output: [UInt8] = []
        output.reserveCapacity(bytes.count + 16)
        var copiedUpTo = 0, count = 0, index = 0
        while index < bytes.count {
            guard isDigit(bytes[index]), index == 0 || !isWordByte(bytes[index - 1]) else {
                index += 1
                continue
            }
            let groups = digitGroups(in: bytes, from: index)
            var first = 0
            while first < groups.count {
                guard let last = cardEnd(groups, from: first, in: bytes) else {
                    first += 1
                    continue
                }
                output += bytes[copiedUpTo..<groups[first].lowerBound]
                output += masked(lastFour: bytes[groups[last]].suffix(4))
                copiedUpTo = groups[last].upperBound
                count += 1
                first = last + 1
            }
            index = groups[groups.count - 1].upperBound
        }
        guard count > 0 else { return (text, 0) }
        output += bytes[copiedUpTo...]
        return (String(decoding: output, as: UTF8.self), count)
    }

    /// The Luhn check over ASCII digits.
    static func passesLuhn<Digits: BidirectionalCollection>(_ digits: Digits) -> Bool where Digits.Element == UInt8 {
        var sum = 0, double = false
        for byte in digits.reversed() {
            var value = Int(byte - UInt8(ascii: "0"))
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

    /// The digit groups of one run starting at `start`: maximal digit runs joined by a single
    /// space or dash.
    private static func digitGroups(in bytes: [UInt8], from start: Int) -> [Range<Int>] {
        var groups: [Range<Int>] = [], index = start
        while true {
            let begin = index
            while index < bytes.count, isDigit(bytes[index]) { index += 1 }
            groups.append(begin..<index)
            guard index + 1 < bytes.count, bytes[index] == UInt8(ascii: " ") || bytes[index] == UInt8(ascii: "-"),
                  isDigit(bytes[index + 1]) else { return groups }
            index += 1
        }
    }

    /// The last group of the longest card number that begins at group `first`, if any: groups of
    /// at least three digits, 13–19 digits in all, Luhn valid, not running straight into a letter.
    private static func cardEnd(_ groups: [Range<Int>], from first: Int, in bytes: [UInt8]) -> Int? {
        var found: Int?, digits: [UInt8] = []
        for last in first..<groups.count {
            let group = groups[last]
            if group.count < minimumGroup { break }
            digits += bytes[group]
            if digits.count > digitRange.upperBound { break }
            let endsCleanly = group.upperBound == bytes.count || !isWordByte(bytes[group.upperBound])
            if digitRange.contains(digits.count), endsCleanly, passesLuhn(digits) { found = last }
        }
        return found
    }

    private static func masked(lastFour: ArraySlice<UInt8>) -> [UInt8] {
        Array("•••• •••• •••• ".utf8) + lastFour
    }

    private static func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }

    /// A letter, digit or underscore: a number glued to one is part of an identifier, not a card.
    private static func isWordByte(_ byte: UInt8) -> Bool {
        isDigit(byte) || (byte | 0x20 >= UInt8(ascii: "a") && byte | 0x20 <= UInt8(ascii: "z")) || byte == UInt8(ascii: "_")
    }
}
