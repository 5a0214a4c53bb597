/// A JSON object whose values are all strings, integers, booleans or null — the shape of every
/// frame a client sends on every message — read in one pass over its bytes. Foundation's
/// JSONDecoder took about 6 % of the server's CPU per message for such a frame (a profile at
/// 1 000 msg/s, `docs/performance.md`).
///
/// It reads only what it can read exactly as JSONDecoder does and answers nil for everything
/// else: a nested object or array, a number with a fraction or an exponent or out of `Int`'s
/// range, a key given twice, an escape it does not know, text after the object, bad JSON. The
/// caller then decodes with JSONDecoder, so what is refused is refused with its usual sentence.
enum FlatJSON {
    enum Value: Equatable {
        case string(String)
        case int(Int)
        case bool(Bool)
        case null
    }

    static func object(_ text: String) -> [String: Value]? {
        var text = text
        return text.withUTF8 { bytes in
            var reader = Reader(bytes: bytes)
            return reader.object()
        }
    }

    private struct Reader {
        let bytes: UnsafeBufferPointer<UInt8>
        var at = 0

        init(bytes: UnsafeBufferPointer<UInt8>) { self.bytes = bytes }

        private var next: UInt8? { at < bytes.count ? bytes[at] : nil }

        private mutating func skipSpace() {
            // JSON's four white-space bytes: space, tab, line feed, carriage return.
            while let byte = next, byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D { at += 1 }
        }

        private mutating func take(_ byte: UInt8) -> Bool {
            guard next == byte else { return false }
            at += 1
            return true
        }

        mutating func object() -> [String: Value]? {
            skipSpace()
            guard take(UInt8(ascii: "{")) else { return nil }
            var members: [String: Value] = [:]
            skipSpace()
            if !take(UInt8(ascii: "}")) {
                while true {
                    guard take(UInt8(ascii: "\"")), let key = string() else { return nil }
                    skipSpace()
                    guard take(UInt8(ascii: ":")) else { return nil }
                    skipSpace()
                    guard let value = value(), members.updateValue(value, forKey: key) == nil else { return nil }
                    skipSpace()
                    if take(UInt8(ascii: ",")) {
                        skipSpace()
                        continue
                    }
                    guard take(UInt8(ascii: "}")) else { return nil }
                    break
                }
            }
            skipSpace()
            return at == bytes.count ? members : nil
        }

        private mutating func value() -> Value? {
            switch next {
            case UInt8(ascii: "\""):
                at += 1
                return string().map(Value.string)
            case UInt8(ascii: "t"): return word("true") ? .bool(true) : nil
            case UInt8(ascii: "f"): return word("false") ? .bool(false) : nil
            case UInt8(ascii: "n"): return word("null") ? .null : nil
            default: return integer().map(Value.int)
            }
        }

        private mutating func word(_ word: StaticString) -> Bool {
            let count = word.utf8CodeUnitCount
            guard at + count <= bytes.count,
                UnsafeBufferPointer(start: word.utf8Start, count: count).elementsEqual(bytes[at..<at + count])
            else { return false }
            at += count
            return true
        }

        /// `-?(0|[1-9][0-9]*)`, not followed by a fraction or an exponent, within `Int`.
        private mutating func integer() -> Int? {
            let negative = take(UInt8(ascii: "-"))
            guard let first = next, Self.isDigit(first) else { return nil }
            var value = 0
            if first == UInt8(ascii: "0") {
                at += 1
            } else {
                while let byte = next, Self.isDigit(byte) {
                    let digit = Int(byte - UInt8(ascii: "0"))
                    let (times10, overflow1) = value.multipliedReportingOverflow(by: 10)
                    let (sum, overflow2) = negative ? times10.subtractingReportingOverflow(digit) : times10.addingReportingOverflow(digit)
                    guard !overflow1 && !overflow2 else { return nil }
                    value = sum
                    at += 1
                }
            }
            if let byte = next, byte == UInt8(ascii: ".") || byte == UInt8(ascii: "e") || byte == UInt8(ascii: "E") || Self.isDigit(byte) {
                return nil
            }
            return value
        }

        /// The rest of a string whose opening quote was read.
        private mutating func string() -> String? {
            let start = at
            // Most strings have no escape: one scan, one copy.
            while let byte = next {
                if byte == UInt8(ascii: "\"") {
                    let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<at]), as: UTF8.self)
                    at += 1
                    return text
                }
                if byte == UInt8(ascii: "\\") { break }
                guard byte >= 0x20 else { return nil }
                at += 1
            }
            guard next == UInt8(ascii: "\\") else { return nil }
            var text = Array(bytes[start..<at])
            while let byte = next {
                at += 1
                if byte == UInt8(ascii: "\"") { return String(decoding: text, as: UTF8.self) }
                guard byte >= 0x20 else { return nil }
                guard byte == UInt8(ascii: "\\") else {
                    text.append(byte)
                    continue
                }
                guard let escape = next else { return nil }
                at += 1
                let scalar: Unicode.Scalar
                switch escape {
                case UInt8(ascii: "\""): scalar = "\""
                case UInt8(ascii: "\\"): scalar = "\\"
                case UInt8(ascii: "/"): scalar = "/"
                case UInt8(ascii: "b"): scalar = "\u{08}"
                case UInt8(ascii: "f"): scalar = "\u{0C}"
                case UInt8(ascii: "n"): scalar = "\n"
                case UInt8(ascii: "r"): scalar = "\r"
                case UInt8(ascii: "t"): scalar = "\t"
                case UInt8(ascii: "u"):
                    guard let unit = hex4() else { return nil }
                    if (0xD800...0xDBFF).contains(unit) {
                        // A pair of surrogates is one scalar; a lone one is left to JSONDecoder.
                        guard take(UInt8(ascii: "\\")), take(UInt8(ascii: "u")), let low = hex4(), (0xDC00...0xDFFF).contains(low),
                            let pair = Unicode.Scalar(0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00))
                        else { return nil }
                        scalar = pair
                    } else {
                        guard let single = Unicode.Scalar(unit) else { return nil }
                        scalar = single
                    }
                default: return nil
                }
                UTF8.encode(scalar) { text.append($0) }
            }
            return nil
        }

        private mutating func hex4() -> UInt32? {
            guard at + 4 <= bytes.count else { return nil }
            var value: UInt32 = 0
            for _ in 0..<4 {
                let byte = bytes[at]
                let digit: UInt8
                switch byte {
                case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
                case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
                case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
                default: return nil
                }
                value = value << 4 | UInt32(digit)
                at += 1
            }
            return value
        }

        private static func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }
    }
}
