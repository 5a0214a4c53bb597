import Logging
import ServiceLifecycle

/// Closes the sockets of logins that ended without this server hearing of it: by
/// `switchboard users set-password` or `set-role` (another process on the same database), or an
/// account deleted. A logout through the API closes its sockets at once (`loginEnded`); these are
/// found by asking the store every `interval`, so a reset password ends a stolen session within
/// seconds rather than when its access token expires.
struct LoginWatch: Service {
    let hub: Hub
    let store: any Store
    let interval: Duration
    let logger: Logger

    func run() async throws {
        await repeating(every: interval) { await self.check() }
    }

    /// One look: the logins behind open sockets that the store no longer holds as live.
    func check() async {
        let held = await hub.connectedLogins()
        guard !held.isEmpty else { return }
        do {
            let ended = try await store.endedLogins(among: held)
            for login in ended { await hub.publish(.loginEnded(loginId: login)) }
            if !ended.isEmpty { logger.info("sockets of ended logins closed", metadata: ["logins": "\(ended.count)"]) }
        } catch {
            logger.error("login check failed", metadata: ["error": "\(error)"])
        }
    }
}
