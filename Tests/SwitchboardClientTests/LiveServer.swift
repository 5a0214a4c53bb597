import Foundation
import Hummingbird
import Logging
import Synchronization
@testable import SwitchboardProtocol
@testable import SwitchboardServer

/// A real server for client tests: `switchboard serve`'s application on 127.0.0.1, a free port,
/// a fresh SQLite file, an admin made in the database, a clock the test can move.
final class LiveServer: Sendable {
    static let password = "correct horse"
    let directory: URL
    private let now = Mutex(Date(timeIntervalSince1970: 1_795_000_000))

    init() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("switchboard-client-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    func advance(_ seconds: TimeInterval) { now.withLock { $0 = $0.addingTimeInterval(seconds) } }

    var configuration: ServerConfiguration {
        var configuration = ServerConfiguration(dataDirectory: directory)
        configuration.host = "127.0.0.1"
        configuration.port = 0
        configuration.bcryptCost = 4
        configuration.jwtSecret = "client-test-secret-client-test-secret-0"
        configuration.logLevel = .critical
        configuration.clock = { [self] in self.now.withLock { $0 } }
        return configuration
    }

    /// Runs `body` with the server's base URL while the server runs.
    func run<R: Sendable>(_ body: @Sendable (URL) async throws -> R) async throws -> R {
        let store = try await openStore(configuration, logger: Logger(label: "test"))
        _ = try await AccountService.createUser(username: "admin", password: Self.password, displayName: "Admin", email: nil,
                                                role: .admin, store: store, validator: Validator(limits: Limits()),
                                                hasher: PasswordHasher(cost: 4), now: Date())
        try await store.close()
        let (ports, continuation) = AsyncStream<Int>.makeStream()
        let app = try await buildApplication(configuration) { _, port in continuation.yield(port) }
        let server = Task { try await app.runService(gracefulShutdownSignals: []) }
        defer {
            server.cancel()
            try? FileManager.default.removeItem(at: directory)
        }
        var iterator = ports.makeAsyncIterator()
        guard let port = await iterator.next() else { throw CancellationError() }
        let result = try await body(URL(string: "http://127.0.0.1:\(port)")!)
        server.cancel()
        _ = await server.result
        return result
    }
}
