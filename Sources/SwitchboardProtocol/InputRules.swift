import Foundation

/// The contract's rules for what a person types, in one place: the server's `Validator` refuses
/// by them and every mode checks by them before sending, so the two never disagree. Each rule
/// has the contract's sentence (what the server answers after "field: ") and the brief form a
/// form shows beside its field.
public struct InputRule: Sendable {
    public let field: String
    /// As the server says it: `username: 3–32 characters of a-z, A-Z, 0-9, '_', '.' and '-'`.
    public let sentence: String
    /// As a form says it beside the field: `3–32 of a-z A-Z 0-9 _ . -`.
    public let brief: String
    private let test: @Sendable (String) -> Bool

    init(field: String, sentence: String, brief: String, test: @escaping @Sendable (String) -> Bool) {
        self.field = field
        self.sentence = sentence
        self.brief = brief
        self.test = test
    }

    /// Whether `value` (already trimmed where the field is) keeps the rule.
    public func admits(_ value: String) -> Bool { test(value) }

    /// The server's refusal: `field: sentence`.
    public var refusal: String { "\(field): \(sentence)" }
}

extension Limits {
    /// Letters and digits of ASCII, `_`, `.` and `-`, as long as configured.
    public var usernameRule: InputRule {
        let length = usernameLength
        return InputRule(
            field: "username",
            sentence: "\(length.lowerBound)–\(length.upperBound) characters of a-z, A-Z, 0-9, '_', '.' and '-'",
            brief: "\(length.lowerBound)–\(length.upperBound) of a-z A-Z 0-9 _ . -"
        ) { value in
            length.contains(value.count)
                && value.unicodeScalars.allSatisfy {
                    ("a"..."z").contains($0) || ("A"..."Z").contains($0) || ("0"..."9").contains($0) || "_.-".unicodeScalars.contains($0)
                }
        }
    }

    /// Any characters, spaces included (a password is taken exactly as typed), as many as configured.
    public var passwordRule: InputRule {
        let length = passwordLength
        let words = "\(length.lowerBound)–\(length.upperBound) characters"
        return InputRule(field: "password", sentence: words, brief: words) { length.contains($0.count) }
    }

    /// What a canned response is typed as (`/refund`): lower-case letters, digits, `_` and `-`.
    public static let shortcutRule = InputRule(
        field: "shortcut", sentence: "1–32 characters of a-z, 0-9, '_' and '-'",
        brief: "1–32 of a-z 0-9 _ -"
    ) { value in
        (1...32).contains(value.count)
            && value.unicodeScalars.allSatisfy {
                ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "_" || $0 == "-"
            }
    }

    /// What a client says of a message longer than a message holds, else nil. (Counted in
    /// characters, as the server counts; bytes first, since a character is at least one.)
    public func messageTooLong(_ text: String) -> String? {
        guard text.utf8.count > messageMaxLength else { return nil }
        let count = text.count
        return count > messageMaxLength ? "That is \(count) characters; a message holds at most \(messageMaxLength)" : nil
    }
}

extension WireEnum {
    /// A value as a person types it: any case, `-`, `_` or a space between words
    /// (`in-progress`, `In progress`, `IN_PROGRESS`).
    public init?(word: String) {
        let wire = word.trimmingCharacters(in: .whitespaces).uppercased()
            .replacingOccurrences(of: "-", with: "_").replacingOccurrences(of: " ", with: "_")
        self.init(rawValue: wire)
    }

    /// As the screens write it: lower case, words apart (`in progress`).
    public var word: String { rawValue.lowercased().replacingOccurrences(of: "_", with: " ") }
}
