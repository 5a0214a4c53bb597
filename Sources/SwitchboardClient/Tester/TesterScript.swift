import Foundation

/// A tester's script: sends and expectations, one a line, readable and editable by hand. The
/// format is documented in docs/tester-guide.md; `switchboard raw --script` runs it, `--record`
/// writes it.
///
///     connect alice as customer switchboard     # sign in, open a socket named alice
///     connect anon                              # a socket with no token
///     expect-refused anon 401
///     rest alice POST /api/tickets {"subject":"Lamp","description":"It flickers","category":"TECHNICAL"}
///     expect-status 201 capture ticket=id
///     send alice {"type":"JOIN_ROOM","ticketId":${ticket}}
///     expect alice ROOM_JOINED ticketId=${ticket} within 2s
///     close alice
///     expect-closed alice 1000
public struct TesterScript: Equatable, Sendable {
    public enum Step: Equatable, Sendable {
        /// `connect NAME [as USER [PASSWORD]] [token TOKEN] [KEY=VALUE …]`: no `as` and no token, no
        /// credentials; `KEY=VALUE` words go on the upgrade's query (`presence=batched`).
        case connect(name: String, user: String?, password: String?, token: String?, options: [String] = [])
        case send(name: String, text: String)
        case expect(name: String, type: String, fields: [Field], within: Duration, capture: [Capture])
        case expectRefused(name: String, status: Int, within: Duration)
        case expectClosed(name: String, code: Int?, within: Duration)
        case rest(name: String, method: String, path: String, body: String?)
        case expectStatus(status: Int, fields: [Field], capture: [Capture])
        case close(name: String)
        case sleep(Duration)
    }

    /// `path=value`: the value at a dotted path (`message.seq`), JSON if it reads as JSON, else text.
    public struct Field: Equatable, Sendable {
        public var path: String
        public var value: String
    }

    /// `capture var=path`: the value at `path` kept as `${var}`.
    public struct Capture: Equatable, Sendable {
        public var variable: String
        public var path: String
    }

    public struct Line: Equatable, Sendable {
        public var number: Int
        public var text: String
        public var step: Step
    }

    public struct ParseError: Error, Equatable, CustomStringConvertible {
        public var line: Int
        public var message: String
        public var description: String { "line \(line): \(message)" }
    }

    public static let defaultWithin = Duration.seconds(5)

    public var lines: [Line]

    public init(_ text: String) throws(ParseError) {
        var lines: [Line] = []
        for (index, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let text = raw.trimmingCharacters(in: .whitespaces)
            guard !text.isEmpty, !text.hasPrefix("#") else { continue }
            do {
                lines.append(Line(number: index + 1, text: text, step: try Self.step(text)))
            } catch {
                throw ParseError(line: index + 1, message: error.message)
            }
        }
        self.lines = lines
    }

    private struct Problem: Error { var message: String }

    private static func step(_ text: String) throws(Problem) -> Step {
        let words = try Self.words(text)
        guard let command = words.first else { throw Problem(message: "empty") }
        func word(_ index: Int, _ what: String) throws(Problem) -> String {
            guard words.indices.contains(index) else { throw Problem(message: "\(command): \(what) is missing") }
            return words[index]
        }
        switch command {
        case "connect":
            let name = try word(1, "the connection's name")
            var user: String?, password: String?, token: String?, options: [String] = []
            var index = 2
            while index < words.count {
                switch words[index] {
                case "as":
                    user = try word(index + 1, "the user after `as`")
                    index += 2
                    if index < words.count, words[index] != "token", !Self.isOption(words[index]) {
                        password = words[index]
                        index += 1
                    }
                case "token":
                    token = try word(index + 1, "the token after `token`")
                    index += 2
                case let option where Self.isOption(option):
                    options.append(option)
                    index += 1
                default:
                    throw Problem(message: "connect NAME [as USER [PASSWORD]] [token TOKEN] [KEY=VALUE …] — not `\(words[index])`")
                }
            }
            return .connect(name: name, user: user, password: password, token: token, options: options)
        case "send":
            let name = try word(1, "the connection's name")
            return .send(name: name, text: try rest(of: text, after: 2))
        case "expect":
            let name = try word(1, "the connection's name"), type = try word(2, "the frame type")
            let (fields, within, capture) = try matching(Array(words.dropFirst(3)))
            return .expect(name: name, type: type, fields: fields, within: within, capture: capture)
        case "expect-refused":
            let name = try word(1, "the connection's name")
            guard let status = Int(try word(2, "the HTTP status")) else { throw Problem(message: "expect-refused NAME STATUS") }
            return .expectRefused(name: name, status: status, within: try matching(Array(words.dropFirst(3))).within)
        case "expect-closed":
            let name = try word(1, "the connection's name")
            let code = words.count > 2 ? Int(words[2]) : nil
            return .expectClosed(name: name, code: code, within: try matching(Array(words.dropFirst(code == nil ? 2 : 3))).within)
        case "rest":
            let name = try word(1, "the connection's name"), method = try word(2, "the method"), path = try word(3, "the path")
            let body = try? rest(of: text, after: 4)
            return .rest(name: name, method: method.uppercased(), path: path, body: body)
        case "expect-status":
            guard let status = Int(try word(1, "the HTTP status")) else { throw Problem(message: "expect-status STATUS") }
            let (fields, _, capture) = try matching(Array(words.dropFirst(2)))
            return .expectStatus(status: status, fields: fields, capture: capture)
        case "close":
            return .close(name: try word(1, "the connection's name"))
        case "sleep":
            guard let duration = duration(try word(1, "how long")) else { throw Problem(message: "sleep 500ms, sleep 2s") }
            return .sleep(duration)
        default:
            throw Problem(
                message:
                    "unknown step `\(command)`: connect, send, expect, expect-refused, expect-closed, rest, expect-status, close, sleep")
        }
    }

    /// `field=value …`, `within 2s`, `capture var=path …`.
    private static func matching(_ words: [String]) throws(Problem) -> (fields: [Field], within: Duration, capture: [Capture]) {
        var fields: [Field] = [], captures: [Capture] = [], within = defaultWithin
        var index = 0, capturing = false
        while index < words.count {
            let word = words[index]
            if word == "within" {
                guard index + 1 < words.count, let duration = duration(words[index + 1]) else {
                    throw Problem(message: "within 2s, within 500ms")
                }
                within = duration
                index += 2
                continue
            }
            if word == "capture" {
                capturing = true
                index += 1
                continue
            }
            guard let equals = word.firstIndex(of: "="), equals != word.startIndex else {
                throw Problem(message: "`\(word)`: expected field=value, within DURATION or capture var=path")
            }
            let left = String(word[..<equals]), right = String(word[word.index(after: equals)...])
            if capturing { captures.append(Capture(variable: left, path: right)) } else { fields.append(Field(path: left, value: right)) }
            index += 1
        }
        return (fields, within, captures)
    }

    static func duration(_ text: String) -> Duration? {
        if text.hasSuffix("ms"), let value = Int(text.dropLast(2)) { return .milliseconds(value) }
        if text.hasSuffix("s"), let value = Double(text.dropLast()) { return .milliseconds(Int(value * 1000)) }
        return nil
    }

    /// `presence=batched`: a word for the upgrade's query (a key, `=`, a value; no `&`).
    public static func isOption(_ word: String) -> Bool {
        let parts = word.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
        return parts.count == 2 && !parts[0].isEmpty && !parts[1].isEmpty && !word.contains("&") && !word.contains("\"")
    }

    /// Splits at spaces, keeping "quoted strings" (with \" inside) in one word, quotes and all.
    private static func words(_ text: String) throws(Problem) -> [String] {
        var words: [String] = [], current = "", quoted = false, escaped = false
        for character in text {
            if quoted {
                current.append(character)
                if escaped { escaped = false } else if character == "\\" { escaped = true } else if character == "\"" { quoted = false }
            } else if character == " " || character == "\t" {
                if !current.isEmpty {
                    words.append(current)
                    current = ""
                }
            } else {
                if character == "\"" { quoted = true }
                current.append(character)
            }
        }
        if quoted { throw Problem(message: "a quote is not closed") }
        if !current.isEmpty { words.append(current) }
        return words
    }

    /// The text after the first `count` words, as written.
    private static func rest(of text: String, after count: Int) throws(Problem) -> String {
        var remainder = Substring(text)
        for _ in 0..<count {
            remainder = remainder.drop { $0 == " " || $0 == "\t" }.drop { $0 != " " && $0 != "\t" }
        }
        let body = remainder.trimmingCharacters(in: .whitespaces)
        guard !body.isEmpty else { throw Problem(message: "the frame or body is missing") }
        return body
    }
}
