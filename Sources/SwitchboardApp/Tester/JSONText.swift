/// JSON as the tester types and reads it: checked with the place of the first problem (line and
/// column, and whether more text could still make it valid), and laid out as indented lines of
/// tokens that keep the keys in the order they came, for colouring by the theme.
enum JSONText {
    struct Problem: Error, Equatable, Sendable {
        var line: Int
        var column: Int
        var message: String
        /// The text ended before the value did: more typing may complete it.
        var incomplete: Bool
    }

    enum Token: Equatable, Sendable {
        case key(String), string(String), number(String), literal(String), punctuation(String)

        var text: String {
            switch self {
            case .key(let text), .string(let text), .number(let text), .literal(let text), .punctuation(let text): text
            }
        }
    }

    /// nil when `text` is exactly one JSON value (whitespace around it allowed).
    static func check(_ text: String) -> Problem? {
        var parser = Parser(Array(text.unicodeScalars))
        return parser.document()
    }

    /// The value as indented lines of tokens (two spaces a level); nil when it is not valid JSON.
    static func pretty(_ text: String) -> [[Token]]? {
        var parser = Parser(Array(text.unicodeScalars))
        guard parser.document() == nil else { return nil }
        var lines: [[Token]] = [[]], depth = 0
        func newLine() { lines.append([.punctuation(String(repeating: "  ", count: depth))]) }
        let tokens = parser.tokens
        for (index, token) in tokens.enumerated() {
            let next = tokens.indices.contains(index + 1) ? tokens[index + 1] : nil
            switch token {
            case .punctuation("{"), .punctuation("["):
                lines[lines.count - 1].append(token)
                // An empty object or array stays on its line.
                if next != .punctuation("}") && next != .punctuation("]") {
                    depth += 1
                    newLine()
                }
            case .punctuation("}"), .punctuation("]"):
                let previous = index > 0 ? tokens[index - 1] : nil
                if previous != .punctuation("{") && previous != .punctuation("[") {
                    depth -= 1
                    newLine()
                }
                lines[lines.count - 1].append(token)
            case .punctuation(","):
                lines[lines.count - 1].append(token)
                newLine()
            case .punctuation(":"):
                lines[lines.count - 1].append(.punctuation(": "))
            default:
                lines[lines.count - 1].append(token)
            }
        }
        return lines
    }

    /// One line, compact (for scripts and the log's one-line form).
    static func compact(_ text: String) -> String? {
        var parser = Parser(Array(text.unicodeScalars))
        guard parser.document() == nil else { return nil }
        return parser.tokens.map(\.text).joined()
    }

    private struct Parser {
        let scalars: [Unicode.Scalar]
        var at = 0
        var tokens: [Token] = []

        init(_ scalars: [Unicode.Scalar]) { self.scalars = scalars }

        mutating func document() -> Problem? {
            skipSpace()
            if at == scalars.count { return problem("empty: a JSON value, such as {\"type\": …}", incomplete: true) }
            if let problem = value() { return problem }
            skipSpace()
            return at < scalars.count ? problem("more after the value: one value at a time", incomplete: false) : nil
        }

        private mutating func value() -> Problem? {
            skipSpace()
            guard at < scalars.count else { return problem("a value is missing", incomplete: true) }
            switch scalars[at] {
            case "{": return object()
            case "[": return array()
            case "\"":
                switch string() {
                case .success(let text):
                    tokens.append(.string(text))
                    return nil
                case .failure(let problem): return problem
                }
            case "-", "0"..."9": return number()
            default:
                for word in ["true", "false", "null"] where matches(word) {
                    at += word.unicodeScalars.count
                    tokens.append(.literal(word))
                    return nil
                }
                let rest = String(String.UnicodeScalarView(scalars[at...]))
                if ["true", "false", "null"].contains(where: { $0.hasPrefix(rest) }) {
                    return problem("unfinished literal", incomplete: true)
                }
                return problem(
                    "unexpected \(Self.show(scalars[at])): a value starts with { [ \" a digit, true, false or null",
                    incomplete: false)
            }
        }

        private mutating func object() -> Problem? {
            tokens.append(.punctuation("{"))
            at += 1
            skipSpace()
            if at < scalars.count, scalars[at] == "}" {
                at += 1
                tokens.append(.punctuation("}"))
                return nil
            }
            while true {
                skipSpace()
                guard at < scalars.count else { return problem("the object is not closed", incomplete: true) }
                guard scalars[at] == "\"" else {
                    return problem("expected a key in quotes, found \(Self.show(scalars[at]))", incomplete: false)
                }
                switch string() {
                case .success(let key): tokens.append(.key(key))
                case .failure(let problem): return problem
                }
                skipSpace()
                guard at < scalars.count else { return problem("expected ':'", incomplete: true) }
                guard scalars[at] == ":" else {
                    return problem("expected ':' after the key, found \(Self.show(scalars[at]))", incomplete: false)
                }
                at += 1
                tokens.append(.punctuation(":"))
                if let problem = value() { return problem }
                skipSpace()
                guard at < scalars.count else { return problem("the object is not closed", incomplete: true) }
                if scalars[at] == "," {
                    at += 1
                    tokens.append(.punctuation(","))
                    continue
                }
                if scalars[at] == "}" {
                    at += 1
                    tokens.append(.punctuation("}"))
                    return nil
                }
                return problem("expected ',' or '}', found \(Self.show(scalars[at]))", incomplete: false)
            }
        }

        private mutating func array() -> Problem? {
            tokens.append(.punctuation("["))
            at += 1
            skipSpace()
            if at < scalars.count, scalars[at] == "]" {
                at += 1
                tokens.append(.punctuation("]"))
                return nil
            }
            while true {
                if let problem = value() { return problem }
                skipSpace()
                guard at < scalars.count else { return problem("the array is not closed", incomplete: true) }
                if scalars[at] == "," {
                    at += 1
                    tokens.append(.punctuation(","))
                    continue
                }
                if scalars[at] == "]" {
                    at += 1
                    tokens.append(.punctuation("]"))
                    return nil
                }
                return problem("expected ',' or ']', found \(Self.show(scalars[at]))", incomplete: false)
            }
        }

        /// A string with its quotes and escapes, as written.
        private mutating func string() -> Result<String, Problem> {
            let start = at
            at += 1
            while at < scalars.count {
                let scalar = scalars[at]
                if scalar == "\\" {
                    at += 2
                    continue
                }
                if scalar.value < 0x20 {
                    return .failure(problem("a control character in a string: write it as \\n, \\t or \\u00XX", incomplete: false))
                }
                at += 1
                if scalar == "\"" { return .success(String(String.UnicodeScalarView(scalars[start..<at]))) }
            }
            return .failure(problem("the string is not closed", incomplete: true))
        }

        private mutating func number() -> Problem? {
            let start = at
            if scalars[at] == "-" { at += 1 }
            while at < scalars.count, "0123456789.eE+-".unicodeScalars.contains(scalars[at]) { at += 1 }
            let text = String(String.UnicodeScalarView(scalars[start..<at]))
            guard Double(text) != nil, text != "-" else {
                return at == scalars.count
                    ? problem("unfinished number", incomplete: true) : problem("\(text) is not a number", incomplete: false)
            }
            tokens.append(.number(text))
            return nil
        }

        private func matches(_ word: String) -> Bool {
            let wanted = Array(word.unicodeScalars)
            return at + wanted.count <= scalars.count && Array(scalars[at..<(at + wanted.count)]) == wanted
        }

        private mutating func skipSpace() {
            while at < scalars.count, [" ", "\n", "\r", "\t"].contains(scalars[at]) { at += 1 }
        }

        /// The problem at the current place, counted in lines and columns from 1.
        private func problem(_ message: String, incomplete: Bool) -> Problem {
            var line = 1, column = 1
            for scalar in scalars[..<min(at, scalars.count)] {
                if scalar == "\n" {
                    line += 1
                    column = 1
                } else {
                    column += 1
                }
            }
            return Problem(line: line, column: column, message: message, incomplete: incomplete)
        }

        private static func show(_ scalar: Unicode.Scalar) -> String {
            scalar.value < 0x20 || scalar.value == 0x7F ? "a control character" : "'\(Character(scalar))'"
        }
    }
}
