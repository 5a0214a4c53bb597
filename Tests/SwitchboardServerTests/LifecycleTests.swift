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
}
