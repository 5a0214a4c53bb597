import Foundation
import Logging
import ServiceLifecycle
import SwitchboardProtocol

/// Marks chat sessions INACTIVE once nothing has happened in them for `idleAfter`; any new
/// activity makes them ACTIVE again. Runs as a service, so it stops with the server.
struct SessionSweeper: Service {
    let store: any Store
    let idleAfter: Duration
    let interval: Duration
    let clock: @Sendable () -> Date
    let logger: Logger

    func run() async throws {
        await repeating(every: interval) { await self.sweep() }
    }

    private func sweep() async {
        let idleSeconds = idleAfter.inSeconds
        do {
            let count = try await store.markIdleSessions(before: clock().addingTimeInterval(-idleSeconds))
            if count > 0 { logger.info("sessions went idle", metadata: ["count": "\(count)"]) }
        } catch {
            logger.error("idle sweep failed", metadata: ["error": "\(error)"])
        }
    }
}
