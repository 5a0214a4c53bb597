import Foundation
import Testing

@testable import SwitchboardProtocol
@testable import SwitchboardServer

/// The content filter on its own: which digit runs are card numbers, how they are masked, and the
/// config file's mask and block rules.
@Suite struct ContentFilterTests {
    static let mask = "•••• •••• •••• "

    /// A Luhn-valid number of `length` digits beginning with `prefix` (the check digit computed).
    static func card(_ prefix: String, length: Int) -> String {
        var body = prefix + String(repeating: "7", count: length - prefix.count - 1)
        for check in 0...9 where CardNumbers.passesLuhn(Array((body + String(check)).utf8)) {
            body += String(check)
            break
        }
        return body
    }

    @Test func luhnValidNumbersAreMaskedInEverySpelling() {
        let spellings: [(String, String)] = [
            ("4111111111111111", "1111"),  // Visa, one run
            ("4111 1111 1111 1111", "1111"),  // spaces
            ("4111-1111-1111-1111", "1111"),  // dashes
            ("4111 1111-1111 1111", "1111"),  // both
            ("3782 822463 10005", "0005"),  // Amex, 4-6-5
            ("378282246310005", "0005"),  // Amex, 15 digits
            ("4222222222222", "2222"),  // 13 digits
            ("3056 930902 5904", "5904"),  // Diners, 14 digits, 4-6-4
            (Self.card("6011", length: 19), String(Self.card("6011", length: 19).suffix(4))),  // 19 digits
        ]
        for (number, lastFour) in spellings {
            let masked = CardNumbers.mask("my card is \(number), expiry 12/27")
            #expect(masked.count == 1, "\(number)")
            #expect(masked.text == "my card is \(Self.mask)\(lastFour), expiry 12/27", "\(number)")
        }
    }

    @Test func numbersThatAreNotCardsAreLeftAlone() {
        let texts = [
            "4111 1111 1111 1112",  // fails Luhn
            "order 1234567890123 shipped",  // 13 digits, fails Luhn
            "call +44 20 7946 0958 or 555-0100",  // phone numbers: short groups, too few digits
            "4111 1111 1111",  // 12 digits: too short
            "12345678901234567890123",  // 23 digits in one run: not a card
            "ID4111111111111111",  // glued to a word: an identifier
            "4111111111111111abc",
            "ref_4111111111111111",
            "4 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1",  // single digits apart: not how cards are written
            "2026-11-29 10:45, ticket 1234",
        ]
        for text in texts {
            let masked = CardNumbers.mask(text)
            #expect(masked.count == 0 && masked.text == text, "\(text) → \(masked.text)")
        }
    }

    @Test func severalCardsAndTheTextAroundThemSurvive() {
        let text = "カード 4111 1111 1111 1111 と 5500-0000-0000-0004 です 🙂\nthanks"
        let masked = CardNumbers.mask(text)
        #expect(masked.count == 2)
        #expect(masked.text == "カード \(Self.mask)1111 と \(Self.mask)0004 です 🙂\nthanks")
        // A card right after other numbers, and a longer run whose first 16 digits are the card.
        #expect(CardNumbers.mask("call 555 0100, card 4111111111111111.").text == "call 555 0100, card \(Self.mask)1111.")
        #expect(CardNumbers.mask("4111 1111 1111 1111 999").text == "\(Self.mask)1111 999")
    }

    @Test func theFilterMasksCardsThenTheMaskRulesAndSaysWhat() throws {
        let filter = ContentFilter(masks: [
            try ContentFilter.Rule(name: "api-key", pattern: "sk_live_[A-Za-z0-9]{8,}", replacement: "[api key]")
        ])
        let out = try filter.filter("key sk_live_abcdefgh12 and sk_live_zzzzzzzz99, card 4111111111111111", field: "message")
        #expect(out.text == "key [api key] and [api key], card \(Self.mask)1111")
        #expect(out.redactions == [Redaction(rule: "card", count: 1), Redaction(rule: "api-key", count: 2)])
        #expect(out.redactions.summary == "card number masked, api-key masked 2×")
        // Nothing to mask: the text as it came, no redactions.
        #expect(try filter.filter("hello", field: "message") == ContentFilter.Filtered(text: "hello", redactions: []))
        // Card masking can be switched off.
        #expect(try ContentFilter(cardNumbers: false).filter("4111111111111111", field: "message").text == "4111111111111111")
    }

    @Test func aBlockRuleRefusesAndNamesTheRuleNeverTheText() throws {
        let filter = ContentFilter(blocks: [try ContentFilter.Rule(name: "password", pattern: "(?i)password\\s*[:=]\\s*\\S+")])
        do {
            _ = try filter.filter("my PASSWORD: hunter2", field: "message")
            Issue.record("a blocked text was accepted")
        } catch {
            #expect(error.code == .invalid)
            #expect(error.message.contains("'password' rule"))
            #expect(!error.message.contains("hunter2"))
        }
        #expect(try filter.filter("I forgot my password", field: "message").text == "I forgot my password")
    }

    @Test func badRulesStopTheServerWithTheRuleAndTheProblem() throws {
        func problem(_ json: String) -> String? {
            do {
                var configuration = ServerConfiguration()
                let file = try JSONDecoder().decode(ServerConfigFile.self, from: Data(json.utf8))
                try file.apply(to: &configuration)
                return nil
            } catch {
                return "\(error)"
            }
        }
        #expect(
            problem(#"{"contentFilters": {"block": [{"name": "ok", "pattern": "a+"}, {"name": "broken", "pattern": "(abc"}]}}"#)
                == #"contentFilters.block[1] "broken": the pattern '(abc' is not a valid regular expression: expected ')'"#)
        #expect(
            problem(#"{"contentFilters": {"mask": [{"name": "anything", "pattern": "x*"}]}}"#)?
                .contains("matches empty text") == true)
        #expect(problem(#"{"contentFilters": {"mask": [{"name": "card", "pattern": "x"}]}}"#)?.contains("built-in") == true)
        #expect(
            problem(#"{"contentFilters": {"mask": [{"name": "k", "pattern": "x", "replacement": ""}]}}"#)?
                .contains("the replacement must be visible text") == true)
        #expect(problem(#"{"contentFilters": {"mask": [{"name": "a\nb", "pattern": "x"}]}}"#)?.contains("the name must be") == true)
        #expect(
            problem(#"{"contentFilters": {"mask": [{"name": "k", "pattern": "x"}, {"name": "k", "pattern": "y"}]}}"#)?
                .contains("two rules are named 'k'") == true)
        #expect(
            problem(#"{"contentFilters": {"cardNumbers": false, "mask": [{"name": "iban", "pattern": "[A-Z]{2}\\d{2}[A-Z0-9]{11,30}"}]}}"#)
                == nil)
    }
}
