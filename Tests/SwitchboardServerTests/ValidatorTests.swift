import Foundation
import Testing

@testable import SwitchboardProtocol
@testable import SwitchboardServer

@Suite struct ValidatorTests {
    let validator = Validator(limits: Limits())

    @Test(arguments: ["ab", String(repeating: "a", count: 33), "bad name", "émile", "semi;colon", ""])
    func refusesUsername(_ name: String) {
        #expect(throws: ContractError.self) { try validator.username(name) }
    }

    @Test(arguments: ["abc", "Casey.Smith-2", "under_score", String(repeating: "z", count: 32)])
    func acceptsUsername(_ name: String) throws {
        #expect(try validator.username(name) == name)
    }

    @Test func passwordLengthAndNoTrimming() throws {
        #expect(throws: ContractError.self) { try validator.password("short") }
        #expect(throws: ContractError.self) { try validator.password(String(repeating: "p", count: 129)) }
        #expect(try validator.password(" spaced pass ") == " spaced pass ")
    }

    @Test func displayNameRefusesControls() throws {
        #expect(try validator.displayName("  Ada Lovelace  ") == "Ada Lovelace")
        for bad in ["", "   ", "Evil\u{1B}[2J", "Tab\tName", "bidi\u{202E}tfel", "c1\u{9B}31m", String(repeating: "n", count: 65)] {
            #expect(throws: ContractError.self, "\(bad.debugDescription)") { try validator.displayName(bad) }
        }
    }

    /// The message path's own trim cuts exactly what Foundation's would, every white space there is
    /// at either end and nothing else (a format character, a combining mark, a control).
    @Test func trimsAsFoundationDoes() {
        let white: [Unicode.Scalar] = [
            "\t", "\n", "\u{0B}", "\u{0C}", "\r", " ", "\u{85}", "\u{A0}", "\u{1680}",
            "\u{2000}", "\u{2005}", "\u{200A}", "\u{2028}", "\u{2029}", "\u{202F}", "\u{205F}", "\u{3000}", "\u{200B}",
        ]
        let kept: [Unicode.Scalar] = ["a", "\u{180E}", "\u{FEFF}", "\u{0301}", "\u{1B}", "\u{0}", "é", "👍"]
        var samples = ["", "plain", "  both  ", "\n\t", "a b", "\u{3000}全角\u{3000}", " e\u{0301} ", "🇫🇷 "]
        for w in white {
            for k in kept { samples += [String(w) + String(k) + String(w), String(k) + String(w), String(w) + String(k)] }
            samples.append(String(w))
        }
        for sample in samples {
            #expect(Validator.trimmed(sample) == sample.trimmingCharacters(in: .whitespacesAndNewlines), "\(sample.debugDescription)")
        }
    }

    @Test func textIsTrimmedAndBounded() throws {
        #expect(try validator.text("  hello\n", field: "message", max: 5) == "hello")
        #expect(throws: ContractError(.invalid, "message: at most 5 characters (got 6)")) {
            try validator.text("hello!", field: "message", max: 5)
        }
        #expect(throws: ContractError(.invalid, "subject: must not be empty")) { try validator.text(" \n ", field: "subject", max: 5) }
        // Characters, not bytes: five emoji fit in five.
        #expect(try validator.text("👍🏽👍🏽👍🏽👍🏽👍🏽", field: "message", max: 5).count == 5)
    }

    @Test func emailsAndShortcuts() throws {
        #expect(try validator.email("casey@example.com") == "casey@example.com")
        #expect(try validator.email("  ") == nil)
        #expect(try validator.email(nil) == nil)
        #expect(throws: ContractError.self) { try validator.email("not-an-address") }
        #expect(try validator.shortcut("refund-policy_2") == "refund-policy_2")
        #expect(throws: ContractError.self) { try validator.shortcut("Refund") }
        #expect(throws: ContractError.self) { try validator.shortcut(String(repeating: "a", count: 33)) }
    }
}
