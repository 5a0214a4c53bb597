import Foundation
import SwitchboardProtocol

/// Names a customer may not take because they would pass for the support team's: the reserved
/// ones (`admin`, `support` … — configurable), written with any separators, case, trailing
/// digits or the usual look-alike digits (`Supp0rt_1`), and the display name of any member of staff.
public struct StaffNames: Sendable {
    public static let defaultReserved = [
        "admin", "administrator", "root", "support", "staff", "help", "helpdesk", "system",
        "switchboard", "agent", "moderator", "security", "billing", "noreply", "postmaster", "team",
    ]

    public var reserved: [String]

    public init(reserved: [String] = StaffNames.defaultReserved) { self.reserved = reserved }

    /// Whether `username` reads as one of the reserved names.
    public func isReserved(_ username: String) -> Bool {
        let folded = Self.fold(username)
        return reserved.contains { Self.fold($0) == folded }
    }

    /// `name` as it reads: lower case, no separators or trailing digits, look-alike digits as the
    /// letters they pass for (`0`→o, `1`/`i`→l, `3`→e, `4`→a, `5`/`$`→s, `7`→t).
    static func fold(_ name: String) -> String {
        var letters = name.lowercased().unicodeScalars.filter { !"._- ".unicodeScalars.contains($0) }
        while let last = letters.last, ("0"..."9").contains(last) { letters.removeLast() }
        let lookAlikes: [Unicode.Scalar: Character] = ["0": "o", "1": "l", "i": "l", "3": "e", "4": "a", "5": "s", "$": "s", "7": "t"]
        return String(letters.map { lookAlikes[$0] ?? Character($0) })
    }

    /// A display name as it shows: hidden characters gone, white space folded, case ignored.
    static func shown(_ name: String) -> String {
        let visible = String(String.UnicodeScalarView(name.unicodeScalars.filter { !FileNames.isHidden($0) }))
        return visible.split(whereSeparator: \.isWhitespace).joined(separator: " ").lowercased()
    }
}
