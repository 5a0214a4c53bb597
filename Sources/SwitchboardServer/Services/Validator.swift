import Foundation
import SwitchboardProtocol

/// Input checks against the configured limits. Text is trimmed, then checked, never otherwise
/// altered. Names, addresses and ids are refused when the content filter would mask or block any
/// of them (a card number stored as a display name is still a stored card number).
public struct Validator: Sendable {
    public var limits: Limits
    /// What every stored text goes through (`TicketService`, canned responses, file names).
    public var filter: ContentFilter

    public init(limits: Limits, filter: ContentFilter = ContentFilter()) {
        self.limits = limits
        self.filter = filter
    }

    public func username(_ raw: String) throws(ContractError) -> String {
        let value = Self.trimmed(raw), rule = limits.usernameRule
        guard rule.admits(value) else { throw ContractError(.invalid, rule.refusal) }
        try filter.refuseIfMatched(value, field: "username")
        return value
    }

    /// Passwords are taken exactly as typed: spaces are part of them.
    public func password(_ value: String) throws(ContractError) -> String {
        let rule = limits.passwordRule
        guard rule.admits(value) else { throw ContractError(.invalid, rule.refusal) }
        return value
    }

    public func displayName(_ raw: String) throws(ContractError) -> String {
        let value = try text(raw, field: "displayName", max: limits.displayNameMaxLength)
        guard !value.unicodeScalars.contains(where: Self.isControl) else {
            throw ContractError(.invalid, "displayName: control characters are not allowed")
        }
        try filter.refuseIfMatched(value, field: "displayName")
        return value
    }

    public func email(_ raw: String?) throws(ContractError) -> String? {
        guard let raw else { return nil }
        let value = Self.trimmed(raw)
        if value.isEmpty { return nil }
        let parts = value.split(separator: "@", omittingEmptySubsequences: false)
        guard value.count <= limits.emailMaxLength, parts.count == 2, !parts[0].isEmpty, parts[1].contains("."),
            !value.unicodeScalars.contains(where: { Self.isControl($0) || $0 == " " })
        else { throw ContractError(.invalid, "email: not an email address (name@example.com)") }
        try filter.refuseIfMatched(value, field: "email")
        return value
    }

    /// Trimmed text of 1…`max` characters.
    public func text(_ raw: String, field: String, max: Int) throws(ContractError) -> String {
        let value = Self.trimmed(raw)
        guard !value.isEmpty else { throw ContractError(.invalid, "\(field): must not be empty") }
        // A character is at least one byte: counting characters (grapheme clusters, the slow
        // count) is needed only when the bytes are more than the limit.
        guard value.utf8.count <= max || value.count <= max else {
            throw ContractError(.invalid, "\(field): at most \(max) characters (got \(value.count))")
        }
        // SQLite would keep it, but reading text back stops at it: what was stored would come back cut.
        guard !value.utf8.contains(0) else {
            throw ContractError(.invalid, "\(field): the NUL character (U+0000) cannot be stored")
        }
        return value
    }

    /// `raw` without white space at either end — the one trim of the server's input checks: what
    /// `trimmingCharacters(in: .whitespacesAndNewlines)` gives, without Foundation's bridging and
    /// copy when there is nothing to trim (every chat message's case). That set is Unicode's White_Space property (Z*, U+0009–U+000D, U+0085) and,
    /// in Foundation, the zero width space too (a message of one is empty).
    static func trimmed(_ raw: String) -> String {
        let isSpace = { (scalar: Unicode.Scalar) in scalar.properties.isWhitespace || scalar == "\u{200B}" }
        let scalars = raw.unicodeScalars
        guard let first = scalars.firstIndex(where: { !isSpace($0) }), let last = scalars.lastIndex(where: { !isSpace($0) })
        else { return "" }
        if first == scalars.startIndex && scalars.index(after: last) == scalars.endIndex { return raw }
        return String(scalars[first...last])
    }

    public func shortcut(_ raw: String) throws(ContractError) -> String {
        let value = Self.trimmed(raw)
        guard Limits.shortcutRule.admits(value) else { throw ContractError(.invalid, Limits.shortcutRule.refusal) }
        return value
    }

    /// An id as the contract has them: 1–2 147 483 647 (31 bits, so no sum of two overflows and
    /// PostgreSQL's `integer` holds it); anything else is `400`, never a search that finds nothing.
    public static func id(_ value: Int, field: String) throws(ContractError) -> Int {
        guard value >= 1, value <= Int(Int32.max) else { throw ContractError(.invalid, "\(field): 1–2147483647 (got \(value))") }
        return value
    }

    public func clientMessageId(_ raw: String?) throws(ContractError) -> String? {
        guard let raw else { return nil }
        guard (1...128).contains(raw.count), !raw.unicodeScalars.contains(where: Self.isControl) else {
            throw ContractError(.invalid, "clientMessageId: 1–128 characters, no control characters")
        }
        try filter.refuseIfMatched(raw, field: "clientMessageId")
        return raw
    }

    /// C0 and C1 controls, DEL, and the bidi overrides and isolates that can disguise a name.
    static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x00...0x1F, 0x7F...0x9F, 0x202A...0x202E, 0x2066...0x2069: true
        default: false
        }
    }
}
