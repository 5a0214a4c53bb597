import Foundation
import Logging
import ServiceLifecycle
import Synchronization
import Testing

@testable import SwitchboardServer

@Suite struct LifecycleTests {
    struct Boom: Error {}

    /// A server torn down before its shutdown service ran used to drop its SQLite connections
    /// unclosed (a trap in debug builds, a leaked file otherwise).
    @Test func serverTornDownEarlyClosesItsDatabase() async throws {
        let server = try TestServer()
        defer { server.cleanUp() }
        await #expect(throws: Boom.self) { try await server.withLiveClient { _ in throw Boom() } }
        await #expect(throws: Boom.self) { try await server.withClient { _ in throw Boom() } }
    }

    /// A service still querying the store when the server is cancelled (every service stops at
    /// once) gets its answer: the store closes after it has ended. On PostgreSQL such a query used
    /// to hang for ever once the pool had closed under it, and the test run with it (this test
    /// tells on PostgreSQL, where CI runs the server suite again; SQLite's close waits anyway).
    @Test func theStoreClosesOnlyAfterTheServicesThatUseItHaveEnded() async throws {
        let server = try TestServer()
        defer { server.cleanUp() }
        let store = try await openStore(server.configuration, logger: Logger(label: "test"))
        let closer = StoreCloser(store: store)
        let late = LateQuery(store: store)
        let service = closer.closesAfter(late)
        let group = ServiceGroup(configuration: .init(services: [closer, service], logger: Logger(label: "test")))
        let running = Task { try await group.run() }
        try await Task.sleep(for: .milliseconds(100))
        running.cancel()
        _ = try? await running.value
        #expect(late.answered.withLock { $0 } == true)
    }

    /// Queries the store a moment after the server was told to stop.
    final class LateQuery: Service {
        let store: any Store
        /// Whether the query was answered (false: it failed).
        let answered = Mutex<Bool?>(nil)

        init(store: any Store) { self.store = store }

        func run() async throws {
            try? await gracefulShutdown()
            // A query already under way when the cancellation came (a cancelled task's new query
            // is refused at once), still running a moment later.
            let store = self.store
            let answer = await Task.detached {
                try? await Task.sleep(for: .milliseconds(200))
                return (try? await store.agents()) != nil
            }.value
            answered.withLock { $0 = answer }
        }
    }
}
