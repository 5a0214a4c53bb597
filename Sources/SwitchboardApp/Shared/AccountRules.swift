import SwitchboardProtocol

/// The contract's rules for a new account's username and password, checked before sending — the
/// same for registering and for an admin's `/user-add`. nil: fine.
enum AccountRules {
    static func usernameProblem(_ username: String, limits: Limits) -> String? {
        let allowed = username.unicodeScalars.allSatisfy {
            $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || "_.-".unicodeScalars.contains($0))
        }
        guard !limits.usernameLength.contains(username.count) || !allowed else { return nil }
        return "\(limits.usernameLength.lowerBound)–\(limits.usernameLength.upperBound) of a-z A-Z 0-9 _ . -"
    }

    static func passwordProblem(_ password: String, limits: Limits) -> String? {
        limits.passwordLength.contains(password.count) ? nil
            : "\(limits.passwordLength.lowerBound)–\(limits.passwordLength.upperBound) characters"
    }
}
