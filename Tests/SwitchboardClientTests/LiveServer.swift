import Foundation
import Hummingbird
import Logging
import Synchronization

@testable import SwitchboardProtocol
@testable import SwitchboardServer

/// A real server for client tests: `switchboard serve`'s application on 127.0.0.1, a free port,
/// a fresh SQLite file, an admin made in the database, a clock the test can move. It can be
/// stopped and started again on the same port and database, as an operator restarts it.
final class LiveServer: Sendable {
    static let password = "correct horse"
    let directory: URL
    private let now = Mutex(Date(timeIntervalSince1970: 1_795_000_000))
    private let adjust: @Sendable (inout ServerConfiguration) -> Void
    private let running = Mutex<(task: Task<Void, any Error>, port: Int)?>(nil)
    private let port = Mutex(0)
    private let seeded = Mutex(false)

    init(_ adjust: @escaping @Sendable (inout ServerConfiguration) -> Void = { _ in }) throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("switchboard-client-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        self.adjust = adjust
    }

    func advance(_ seconds: TimeInterval) { now.withLock { $0 = $0.addingTimeInterval(seconds) } }

    var configuration: ServerConfiguration {
        var configuration = ServerConfiguration(dataDirectory: directory)
        configuration.host = "127.0.0.1"
        configuration.port = port.withLock { $0 }
        configuration.bcryptCost = 4
        configuration.memoryTrimInterval = nil  // many servers share the test process (see TestServer)
        configuration.jwtSecret = "client-test-secret-client-test-secret-0"
        configuration.logLevel = .critical
        configuration.clock = { [self] in self.now.withLock { $0 } }
        adjust(&configuration)
        return configuration
    }

    /// The base URL (https when the configuration has TLS).
    var url: URL {
        URL(string: "\(configuration.tls == nil ? "http" : "https")://127.0.0.1:\(port.withLock { $0 })")!
    }

    /// Starts the server; after the first start, on the same port again.
    @discardableResult
    func start() async throws -> URL {
        if !seeded.withLock({ $0 }) {
            let store = try await openStore(configuration, logger: Logger(label: "test"))
            _ = try await AccountService.createUser(
                username: "admin", password: Self.password, displayName: "Admin", email: nil,
                role: .admin, store: store, validator: Validator(limits: Limits()),
                hasher: PasswordHasher(cost: 4), now: Date())
            try await store.close()
            seeded.withLock { $0 = true }
        }
        // Started again on its old port, the server may find it taken for a moment (under a
        // parallel test run another test's connection can hold it): try again for a few seconds.
        var failure: (any Error)?
        for _ in 0..<50 {
            let (ports, continuation) = AsyncStream<Int>.makeStream()
            let app = try await buildApplication(configuration) { _, port in continuation.yield(port) }
            // The stream ends when the server does, so a server that never listens is not waited for.
            let task = Task {
                defer { continuation.finish() }
                try await app.runService(gracefulShutdownSignals: [])
            }
            var iterator = ports.makeAsyncIterator()
            if let bound = await iterator.next() {
                port.withLock { $0 = bound }
                running.withLock { $0 = (task, bound) }
                return url
            }
            if case .failure(let error) = await task.result { failure = error }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw failure ?? CancellationError()
    }

    /// Stops the server as a shutdown signal would (sockets closed with 1001, database closed).
    func stop() async {
        guard
            let current = running.withLock({ state in
                defer { state = nil }
                return state
            })
        else { return }
        current.task.cancel()
        _ = await current.task.result
    }

    /// Runs `body` with the server's base URL while the server runs.
    func run<R: Sendable>(_ body: @Sendable (URL) async throws -> R) async throws -> R {
        defer { try? FileManager.default.removeItem(at: directory) }
        let url = try await start()
        do {
            let result = try await body(url)
            await stop()
            return result
        } catch {
            await stop()
            throw error
        }
    }
}
