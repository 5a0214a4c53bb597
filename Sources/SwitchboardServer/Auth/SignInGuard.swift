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

    /// Takes an attempt under these keys, or throws `RATE_LIMITED` with the seconds to wait. The
    /// attempt counts as a failure from the moment it is taken, in the same lock as the check — so
    /// of sixty parallel guesses only the free ones are weighed — and a success clears it.
    func beginLogin(_ keys: [String], now: Date) throws(ContractError) {
        let wait: TimeInterval? = logins.withLock { throttle in
            if let wait = throttle.wait(keys, now: now) { return wait }
            throttle.failed(keys, now: now)
            return nil
        }
        if let wait {
            throw ContractError(.rateLimited, "too many failed attempts; try again in \(Self.seconds(wait)) s",
                                retryAfter: Self.seconds(wait))
        }
    }

    func loginSucceeded(_ keys: [String]) { logins.withLock { $0.succeeded(keys) } }
    /// Gives back the attempt `beginLogin` counted, without clearing the keys' other failures.
    func refund(_ keys: [String]) { logins.withLock { $0.refund(keys) } }

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
