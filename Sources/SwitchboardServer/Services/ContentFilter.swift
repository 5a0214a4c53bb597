import Foundation
import SwitchboardProtocol

/// What customers and agents write is filtered before it is stored: card numbers are masked (on
/// by default), the config file's mask rules replace what they match, and its block rules refuse
/// the text outright. The original never reaches the database, a log or another client; the
/// stored text carries `redactions` so nobody is misled about what was changed.
public struct ContentFilter: Sendable {
    /// A named pattern from the config file (ICU regular expressions, as NSRegularExpression reads them).
    public struct Rule: Sendable {
        public var name: String
        var expression: NSRegularExpression
        /// What a mask rule puts in place of each match (block rules do not use it).
        public var replacement: String

        /// A rule ready to run, or the reason it cannot (a sentence for the start-up error).
        public init(name: String, pattern: String, replacement: String = "••••") throws(ConfigError) {
            guard Self.isValidName(name) else {
                throw ConfigError("the name must be 1–40 characters of letters, digits, '-', '_' and spaces")
            }
            guard name != Redaction.cardRule else { throw ConfigError("'card' is the built-in card number rule's name") }
            guard !pattern.isEmpty else { throw ConfigError("the pattern is empty") }
            do {
                expression = try NSRegularExpression(pattern: pattern)
            } catch {
                // ICU says only "invalid"; Swift's own parser of the same syntax usually says where.
                let reason = Self.parserSentence(pattern)
                throw ConfigError("the pattern \(Self.quoted(pattern)) is not a valid regular expression"
                                  + (reason.map { ": \($0)" } ?? ""))
            }
            // Empty, a masked text could be left with nothing in it; the reader should see where text went.
            guard !replacement.isEmpty, !replacement.unicodeScalars.contains(where: Validator.isControl) else {
                throw ConfigError("the replacement must be visible text, such as [api key] (not empty, no control characters)")
            }
            self.name = name
            self.replacement = replacement
            guard !occurs(in: "") else {
                throw ConfigError("the pattern \(Self.quoted(pattern)) matches empty text, so it would match everywhere")
            }
        }

        /// The ranges of every match, first to last.
        func matches(in text: String) -> [Range<String.Index>] {
            expression.matches(in: text, range: NSRange(text.startIndex..., in: text)).compactMap { Range($0.range, in: text) }
        }

        /// Whether it matches anywhere in `text` (stops at the first match).
        func occurs(in text: String) -> Bool {
            expression.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)) != nil
        }

        static func isValidName(_ name: String) -> Bool {
            (1...40).contains(name.count) && name.unicodeScalars.allSatisfy {
                $0.isASCII && (CharacterSet.alphanumerics.contains($0) || "-_ ".unicodeScalars.contains($0))
            }
        }

        private static func parserSentence(_ pattern: String) -> String? {
            do {
                _ = try Regex(pattern)
                return nil
            } catch {
                return String(describing: error)
            }
        }

        private static func quoted(_ pattern: String) -> String {
            "'" + (pattern.count > 60 ? pattern.prefix(60) + "…" : pattern) + "'"
        }
    }

    /// A text as it may be stored, and what was masked in it.
    public struct Filtered: Sendable, Equatable {
        public var text: String
        public var redactions: [Redaction]
    }

    /// Mask card numbers (Luhn-valid runs of 13–19 digits).
    public var cardNumbers = true
    public var masks: [Rule] = []
    public var blocks: [Rule] = []

    public init(cardNumbers: Bool = true, masks: [Rule] = [], blocks: [Rule] = []) {
        self.cardNumbers = cardNumbers
        self.masks = masks
        self.blocks = blocks
    }

    /// `text` as it may be stored, or `400 INVALID` naming the block rule it matched — never the
    /// matched text (the refusal goes back to the sender and into logs).
    public func filter(_ text: String, field: String) throws(ContractError) -> Filtered {
        for rule in blocks where rule.occurs(in: text) {
            throw ContractError(.invalid, "\(field): blocked by this server's '\(rule.name)' rule — take that part out and send again")
        }
        var text = text, redactions: [Redaction] = []
        if cardNumbers {
            let masked = CardNumbers.mask(text)
            if masked.count > 0 {
                text = masked.text
                redactions.append(Redaction(rule: Redaction.cardRule, count: masked.count))
            }
        }
        for rule in masks {
            let found = rule.matches(in: text)
            guard !found.isEmpty else { continue }
            for range in found.reversed() { text.replaceSubrange(range, with: rule.replacement) }
            redactions.append(Redaction(rule: rule.name, count: found.count))
        }
        return Filtered(text: text, redactions: redactions)
    }
}
