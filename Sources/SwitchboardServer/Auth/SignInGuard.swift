import Foundation
import SwitchboardProtocol
import Synchronization

/// The shared, locked state of the login throttle and the registration limit: one per server.
final class SignInGuard: Sendable {
    private let logins: Mutex<LoginThrottle>
    private let registrations: Mutex<RegistrationLimit>

    init(login: LoginThrottle.Policy, registrationsPerHour: Int) {
        logins = Mutex(LoginThrottle(policy: login))
        registrations = Mutex(RegistrationLimit(perWindow: registrationsPerHour, window: 60 * 60))
    }

    /// The keys one sign-in attempt is counted under. `held` keys count the attempt as a failure
    /// from the moment it is taken, in the same lock as the check — so of thirty parallel guesses
    /// at one username only the free ones are weighed. `checked` keys (an address, which many
    /// honest people can share, each signing in at once) are only checked up front and count a
    /// failure when one is known; parallel guesses from one address at many usernames are held
    /// by each username's key.
    struct Attempt: Sendable {
        var held: [String] = []
        var checked: [String] = []
        var all: [String] { held + checked }
    }

    /// A login: held by the username, checked by the address.
    static func login(username: String, address: String?) -> Attempt {
        Attempt(held: ["user:" + username.lowercased()], checked: address.map { ["address:" + $0] } ?? [])
    }

    /// A registration: checked by the address (taken names count as failed logins do).
    static func registration(address: String?) -> Attempt {
        Attempt(checked: address.map { ["register:" + $0] } ?? [])
    }

    /// Takes an attempt, or throws `RATE_LIMITED` with the seconds to wait.
    func begin(_ attempt: Attempt, now: Date) throws(ContractError) {
        let wait: TimeInterval? = logins.withLock { throttle in
            if let wait = throttle.wait(attempt.all, now: now) { return wait }
            throttle.failed(attempt.held, now: now)
            return nil
        }
        if let wait {
            throw ContractError(
                .rateLimited, "too many failed attempts; try again in \(Self.seconds(wait)) s",
                retryAfter: Self.seconds(wait))
        }
    }

    /// The attempt failed: its held keys counted already, its checked keys count now.
    func failed(_ attempt: Attempt, now: Date) { logins.withLock { $0.failed(attempt.checked, now: now) } }
    /// The attempt succeeded: every key starts again from zero.
    func succeeded(_ attempt: Attempt) { logins.withLock { $0.succeeded(attempt.all) } }
    /// Neither (the work failed for another reason): the held keys get the attempt back, without
    /// losing their other failures.
    func refund(_ attempt: Attempt) { logins.withLock { $0.refund(attempt.held) } }

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
            throw ContractError(
                .rateLimited, "too many new accounts from this address; try again in \(Self.seconds(wait)) s",
                retryAfter: Self.seconds(wait))
        }
    }

    static func seconds(_ wait: TimeInterval) -> Int { max(1, Int(wait.rounded(.up))) }
}
