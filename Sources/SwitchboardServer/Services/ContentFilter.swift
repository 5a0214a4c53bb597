import Foundation
import NIOPosix
import SwitchboardProtocol
import Synchronization

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
                throw ConfigError(
                    "the pattern \(Self.quoted(pattern)) is not a valid regular expression"
                        + (reason.map { ": \($0)" } ?? ""))
            }
            // Empty, a masked text could be left with nothing in it; the reader should see where text went.
            guard !replacement.isEmpty, !replacement.unicodeScalars.contains(where: Validator.isControl) else {
                throw ConfigError("the replacement must be visible text, such as [api key] (not empty, no control characters)")
            }
            self.name = name
            self.replacement = replacement
            let soon = ContinuousClock.now + ContentFilter.startupProbeBound
            guard (try? occurs(in: "", until: soon)) == false else {
                throw ConfigError("the pattern \(Self.quoted(pattern)) matches empty text, so it would match everywhere")
            }
            for probe in Self.probes(for: pattern) {
                do {
                    _ = try matches(in: probe, until: ContinuousClock.now + ContentFilter.startupProbeBound)
                } catch {
                    let sample = probe.unicodeScalars.first.map { String($0) } ?? ""
                    throw ConfigError(
                        "the pattern \(Self.quoted(pattern)) backtracks catastrophically: on a run of 64 "
                            + "'\(sample)' it took over \(Int(ContentFilter.startupProbeBound.inMilliseconds)) ms; rewrite it "
                            + "without a repetition inside a repetition, such as (a+)+ or (a|a)*")
                }
            }
        }

        /// The ranges of every match, first to last; `TooSlow` once `deadline` has passed. ICU
        /// backtracks, and a pattern such as `(a+)+b` takes exponential time on a run of `a`s:
        /// matching reports its progress every few thousand steps, and stops there when the time is up.
        func matches(in text: String, until deadline: ContinuousClock.Instant) throws(TooSlow) -> [Range<String.Index>] {
            try scan(text, until: deadline, first: false)
        }

        /// Whether it matches anywhere in `text` (stops at the first match), within the deadline.
        func occurs(in text: String, until deadline: ContinuousClock.Instant) throws(TooSlow) -> Bool {
            try !scan(text, until: deadline, first: true).isEmpty
        }

        private func scan(_ text: String, until deadline: ContinuousClock.Instant, first: Bool) throws(TooSlow) -> [Range<String.Index>] {
            var found: [Range<String.Index>] = [], late = false
            expression.enumerateMatches(in: text, options: [.reportProgress], range: NSRange(text.startIndex..., in: text)) {
                result, _, stop in
                if let result, let range = Range(result.range, in: text) {
                    found.append(range)
                    if first { stop.pointee = true }
                }
                if ContinuousClock.now >= deadline {
                    late = true
                    stop.pointee = true
                }
            }
            if late { throw TooSlow(rule: name) }
            return found
        }

        /// Texts that make a backtracking pattern take exponential time: long runs of each
        /// character the pattern names (and of a few common ones), each followed by a character
        /// that is unlikely to let the match finish. Tried at start-up (`Rule.init`), so a
        /// catastrophic pattern stops the server instead of stalling it later.
        static func probes(for pattern: String) -> [String] {
            var characters = Set(pattern.unicodeScalars.filter { $0.isASCII && $0.properties.isAlphabetic || ("0"..."9").contains($0) })
            characters.formUnion(["a", "A", "0", " ", "x", ".", "-", "_"])
            return characters.sorted().flatMap { character in
                let run = String(repeating: String(character), count: 64)
                return [run + "\u{1}", run + "!" + run]
            }
        }

        static func isValidName(_ name: String) -> Bool {
            (1...40).contains(name.count)
                && name.unicodeScalars.allSatisfy {
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

    /// A rule ran past the time a text may take (`timeBound`).
    struct TooSlow: Error {
        var rule: String
    }

    /// How long a probe may take at start-up before its rule is taken for catastrophic.
    static let startupProbeBound: Duration = .milliseconds(50)

    /// Mask card numbers (Luhn-valid runs of 13–19 digits).
    public var cardNumbers = true
    public var masks: [Rule] = []
    public var blocks: [Rule] = []
    /// How long every rule together may take on one text; past it the text is refused, the
    /// sender told why, and the rule reported to admins (`slowRules`).
    public var timeBound: Duration = .milliseconds(100)
    /// Which rules ran too long, for the admins (shared by every copy of this filter).
    public let slowRules = SlowRules()

    public init(cardNumbers: Bool = true, masks: [Rule] = [], blocks: [Rule] = []) {
        self.cardNumbers = cardNumbers
        self.masks = masks
        self.blocks = blocks
    }

    /// Whether any of the operator's rules would run (card numbers alone are linear).
    var hasRules: Bool { !masks.isEmpty || !blocks.isEmpty }

    /// `text` as it may be stored, or `400 INVALID` naming the block rule it matched — never the
    /// matched text (the refusal goes back to the sender and into logs). Within `timeBound`.
    public func filter(_ text: String, field: String) throws(ContractError) -> Filtered {
        let deadline = ContinuousClock.now + timeBound
        do {
            for rule in blocks where try rule.occurs(in: text, until: deadline) {
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
                let found = try rule.matches(in: text, until: deadline)
                guard !found.isEmpty else { continue }
                for range in found.reversed() { text.replaceSubrange(range, with: rule.replacement) }
                redactions.append(Redaction(rule: rule.name, count: found.count))
            }
            return Filtered(text: text, redactions: redactions)
        } catch let slow as TooSlow {
            throw refusal(slow, field: field)
        } catch let refusal as ContractError {
            throw refusal
        } catch {
            throw ContractError(.internal, "\(field): the content rules could not be applied")
        }
    }

    /// `filter`, run on the rules' own threads when there are rules: a slow one then holds one
    /// of those, never the event loop that other users' frames are read on.
    public func filterOffLoop(_ text: String, field: String) async throws(ContractError) -> Filtered {
        guard hasRules else { return try filter(text, field: field) }
        let outcome: Result<Filtered, ContractError>
        do {
            outcome = try await Self.pool.runIfActive { [self] in Result { () throws(ContractError) in try filter(text, field: field) } }
        } catch {
            outcome = .failure(ContractError(.internal, "\(field): the content rules could not be applied"))
        }
        return try outcome.get()
    }

    /// A name, an address or an id: refused outright (never altered) when it holds a card number
    /// or anything a mask or block rule matches — changing it would change who or what it names.
    public func refuseIfMatched(_ text: String, field: String) throws(ContractError) {
        let deadline = ContinuousClock.now + timeBound
        do {
            if cardNumbers, CardNumbers.occurs(in: text) {
                throw ContractError(.invalid, "\(field): looks like a card number, which this server never stores")
            }
            for rule in blocks + masks where try rule.occurs(in: text, until: deadline) {
                throw ContractError(.invalid, "\(field): refused by this server's '\(rule.name)' rule — choose another")
            }
        } catch let slow as TooSlow {
            throw refusal(slow, field: field)
        } catch let refusal as ContractError {
            throw refusal
        } catch {
            throw ContractError(.internal, "\(field): the content rules could not be applied")
        }
    }

    private func refusal(_ slow: TooSlow, field: String) -> ContractError {
        slowRules.record(slow.rule, at: Date())
        return ContractError(
            .invalid,
            "\(field): this server's '\(slow.rule)' rule took too long on this text, so it was not "
                + "stored; shorten it or send it in parts (the admins have been told)")
    }

    /// The rules' own threads (two: one slow text never waits for another).
    static let pool: NIOThreadPool = {
        let pool = NIOThreadPool(numberOfThreads: 2)
        pool.start()
        return pool
    }()
}

/// Which content rules ran past their time bound, how often and when last: reported in the
/// server statistics that admins read, and logged.
public final class SlowRules: Sendable {
    private let state = Mutex<[String: SlowRule]>([:])

    func record(_ rule: String, at now: Date) {
        state.withLock { rules in
            var entry = rules[rule] ?? SlowRule(rule: rule, count: 0, lastAt: now)
            entry.count += 1
            entry.lastAt = now
            rules[rule] = entry
        }
    }

    public var all: [SlowRule] { state.withLock { Array($0.values) }.sorted { $0.rule < $1.rule } }
}
