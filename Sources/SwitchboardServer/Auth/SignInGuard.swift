import Foundation
import Synchronization
import SwitchboardProtocol

/// The shared, locked state of the login throttle and the registration limit: one per server.
final class SignInGuard: Sendable {
    private let logins: Mutex<LoginThrottle>
    private let registrations: Mutex<RegistrationLimit>

    init(login: LoginThrottle.Policy, registrationsPerHour: Int) {
        logins = Mutex(LoginThrottle(policy: login))
        registrations = Mutex(RegistrationLimit(perWindow: registrationsPerHour, window: 60 * 60))
    }

    /// The keys a login attempt is counted under.
    static func keys(username: String, address: String?) -> [String] {
        ["user:" + username.lowercased()] + (address.map { ["address:" + $0] } ?? [])
    }

    /// `RATE_LIMITED` with the seconds to wait, when these keys must wait.
    func checkLogin(_ keys: [String], now: Date) throws(ContractError) {
        if let wait = logins.withLock({ $0.wait(keys, now: now) }) {
            throw ContractError(.rateLimited, "too many failed logins; try again in \(Self.seconds(wait)) s",
                                retryAfter: Self.seconds(wait))
        }
    }

    func loginFailed(_ keys: [String], now: Date) { logins.withLock { $0.failed(keys, now: now) } }
    func loginSucceeded(_ keys: [String]) { logins.withLock { $0.succeeded(keys) } }

    /// Takes one of the address's registrations, or throws `RATE_LIMITED`. Without an address
    /// (a request that did not come over a socket) there is nothing to count.
    func takeRegistration(address: String?, now: Date) throws(ContractError) {
        guard let address else { return }
        let wait: TimeInterval? = registrations.withLock { limit in
            if let wait = limit.wait(address, now: now) { return wait }
            limit.opened(address, now: now)
            return nil
        }
        if let wait {
            throw ContractError(.rateLimited, "too many new accounts from this address; try again in \(Self.seconds(wait)) s",
                                retryAfter: Self.seconds(wait))
        }
    }

    static func seconds(_ wait: TimeInterval) -> Int { max(1, Int(wait.rounded(.up))) }
}
