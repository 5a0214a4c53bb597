import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import Synchronization
import Testing

@testable import SwitchboardProtocol
@testable import SwitchboardServer

/// A clock the tests move by hand.
final class TestClock: Sendable {
    private let current: Mutex<Date>

    init(_ start: Date = Date(timeIntervalSince1970: 1_795_000_000)) { current = Mutex(start) }

    var now: Date { current.withLock { $0 } }
    func advance(_ seconds: TimeInterval) { current.withLock { $0 = $0.addingTimeInterval(seconds) } }
}

/// A server over a fresh SQLite file in a temporary directory, with staff accounts made
/// directly in the database (as `switchboard users add` does).
struct TestServer: Sendable {
    static let password = "correct horse"
    let directory: URL
    let clock = TestClock()
    var configuration: ServerConfiguration

    init() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("switchboard-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        configuration = ServerConfiguration(dataDirectory: directory)
        if let postgres = Self.postgres {
            // The same suite on PostgreSQL: each server its own schema in the test cluster.
            configuration.database = .postgres(
                url: postgres + (postgres.contains("?") ? "&" : "?")
                    + "schema=t_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased())
        }
        configuration.port = 0
        configuration.databasePoolSize = 4  // many servers at once on one test cluster
        configuration.bcryptCost = 4
        // Dozens of servers share the test process: their trims would each walk its whole heap.
        configuration.memoryTrimInterval = nil
        configuration.jwtSecret = "test-secret-test-secret-test-secret-0123"
        // SWITCHBOARD_TEST_LOG_LEVEL=debug shows the test servers' logs (ServiceLifecycle's too).
        configuration.logLevel =
            ProcessInfo.processInfo.environment["SWITCHBOARD_TEST_LOG_LEVEL"].flatMap { Logger.Level(rawValue: $0) } ?? .critical
        let clock = self.clock
        configuration.clock = { clock.now }
    }

    /// `SWITCHBOARD_TEST_POSTGRES=postgres://…`: the store runs on PostgreSQL instead of SQLite.
    static let postgres = ProcessInfo.processInfo.environment["SWITCHBOARD_TEST_POSTGRES"].flatMap { $0.isEmpty ? nil : $0 }

    var databasePath: String {
        guard case .sqlite(let path) = configuration.database else { return "" }
        return path
    }

    /// The server's database without the server (to read it directly).
    func openDriver() async throws -> any SQLDriver {
        switch configuration.database {
        case .sqlite(let path): try await SQLiteDriver.open(path: path, logger: Logger(label: "test"))
        case .postgres(let url): try await PostgresDriver.open(url: url, poolSize: 2, logger: Logger(label: "test"))
        }
    }

    /// Creates accounts straight in the database, before the server starts.
    func seed(_ accounts: [(String, Role)]) async throws {
        let store = try await openStore(configuration, logger: Logger(label: "test"))
        for (username, role) in accounts {
            _ = try await AccountService.createUser(
                username: username, password: Self.password, displayName: username.capitalized, email: nil, role: role,
                store: store, validator: Validator(limits: configuration.limits), hasher: PasswordHasher(cost: 4),
                now: clock.now)
        }
        try await store.close()
    }

    /// Runs `body` against the app, with requests handed straight to the router.
    func withClient<R: Sendable>(_ body: @Sendable (API) async throws -> R) async throws -> R {
        let app = try await buildApplication(configuration)
        return try await app.test(.router) { client in try await body(API(client: client)) }
    }

    /// Runs `body` against the app listening on a real socket on 127.0.0.1.
    func withLiveClient<R: Sendable>(_ body: @Sendable (API) async throws -> R) async throws -> R {
        var configuration = self.configuration
        configuration.host = "127.0.0.1"
        let app = try await buildApplication(configuration)
        return try await app.test(.live) { client in try await body(API(client: client)) }
    }

    func cleanUp() {
        try? FileManager.default.removeItem(at: directory)
    }
}

/// A response, with its body decoded on demand.
struct Reply: Sendable {
    var status: Int
    var body: Data
    var headers: HTTPFields

    func decode<T: Decodable>(_ type: T.Type = T.self, sourceLocation: SourceLocation = #_sourceLocation) throws -> T {
        do {
            return try WireJSON.decoder().decode(T.self, from: body)
        } catch {
            Issue.record("cannot decode \(T.self) from \(status) \(text)", sourceLocation: sourceLocation)
            throw error
        }
    }

    var error: ErrorBody.Detail? { try? WireJSON.decoder().decode(ErrorBody.self, from: body).error }
    var text: String { String(decoding: body, as: UTF8.self) }
}

/// Speaks JSON to the server as a client would.
struct API: Sendable {
    let client: any TestClientProtocol

    /// The live server's port (live tests only).
    var port: Int { client.port ?? 0 }

    func socket(_ token: String, presence: PresenceFrames = .single, tickets: TicketFrames = .all) async throws -> WSProbe {
        try await WSProbe.connect(port: port, token: token, options: ConnectionOptions(presence: presence, tickets: tickets))
    }

    func call(
        _ method: HTTPRequest.Method, _ path: String, token: String? = nil, json: (any Encodable & Sendable)? = nil,
        raw: Data? = nil, headers extra: HTTPFields = [:]
    ) async throws -> Reply {
        var headers: HTTPFields = [.contentType: "application/json"]
        if let token { headers[.authorization] = "Bearer \(token)" }
        headers.append(contentsOf: extra)
        let data = try raw ?? json.map { try WireJSON.encoder().encode($0) }
        let response = try await client.execute(
            uri: path, method: method, headers: headers,
            body: data.map { ByteBuffer(bytes: $0) })
        return Reply(status: Int(response.status.code), body: Data(buffer: response.body), headers: response.headers)
    }

    func get(_ path: String, token: String?) async throws -> Reply { try await call(.get, path, token: token) }
    func post(_ path: String, token: String? = nil, _ json: any Encodable & Sendable) async throws -> Reply {
        try await call(.post, path, token: token, json: json)
    }
    func put(_ path: String, token: String?, _ json: any Encodable & Sendable) async throws -> Reply {
        try await call(.put, path, token: token, json: json)
    }
    func delete(_ path: String, token: String?) async throws -> Reply { try await call(.delete, path, token: token) }

    // MARK: Shortcuts for arranging a scene

    func login(_ username: String, password: String = TestServer.password) async throws -> AuthResponse {
        let reply = try await post("/api/auth/login", LoginRequest(username: username, password: password))
        #expect(reply.status == 200, "login \(username): \(reply.text)")
        return try reply.decode()
    }

    func register(_ username: String) async throws -> AuthResponse {
        let reply = try await post(
            "/api/auth/register",
            RegisterRequest(
                username: username, password: TestServer.password,
                displayName: username.capitalized))
        #expect(reply.status == 201, "register \(username): \(reply.text)")
        return try reply.decode()
    }

    func openTicket(
        _ token: String, subject: String = "Card declined", description: String = "My card was declined twice",
        category: SwitchboardProtocol.Category = .payment, priority: Priority? = nil
    ) async throws -> Ticket {
        let reply = try await post(
            "/api/tickets", token: token,
            CreateTicketRequest(
                subject: subject, description: description, category: category,
                priority: priority))
        #expect(reply.status == 201, "open ticket: \(reply.text)")
        return try reply.decode()
    }

    @discardableResult
    func send(_ token: String, ticket: Int, _ text: String, clientId: String? = nil, note: Bool = false) async throws -> Message {
        let reply = try await post(
            "/api/tickets/\(ticket)/messages", token: token,
            PostMessageRequest(message: text, clientMessageId: clientId, internal: note ? true : nil))
        #expect(reply.status == 201, "send: \(reply.text)")
        return try reply.decode()
    }

    func ticket(_ id: Int, token: String) async throws -> Ticket {
        try await get("/api/tickets/\(id)", token: token).decode()
    }
}

/// The cast most tests use: an admin, two agents, and two customers who registered.
struct Cast: Sendable {
    var admin: String
    var agent: String
    var agent2: String
    var customer: String
    var customer2: String
    var adminId: Int
    var agentId: Int
    var agent2Id: Int
    var customerId: Int
    var customer2Id: Int

    static let staff: [(String, Role)] = [("admin", .admin), ("agent", .agent), ("agent2", .agent)]

    static func assemble(_ api: API) async throws -> Cast {
        let admin = try await api.login("admin"), agent = try await api.login("agent")
        let agent2 = try await api.login("agent2")
        let customer = try await api.register("customer"), customer2 = try await api.register("customer2")
        return Cast(
            admin: admin.accessToken, agent: agent.accessToken, agent2: agent2.accessToken,
            customer: customer.accessToken, customer2: customer2.accessToken, adminId: admin.user.id,
            agentId: agent.user.id, agent2Id: agent2.user.id, customerId: customer.user.id,
            customer2Id: customer2.user.id)
    }
}

/// A test server seeded with `Cast.staff`, removed afterwards.
func withCast<R: Sendable>(
    live: Bool = false, configure: (inout TestServer) -> Void = { _ in },
    _ body: @escaping @Sendable (API, Cast, TestServer) async throws -> R
) async throws -> R {
    var server = try TestServer()
    configure(&server)
    defer { server.cleanUp() }
    try await server.seed(Cast.staff)
    let fixed = server
    let run: @Sendable (API) async throws -> R = { api in try await body(api, try await Cast.assemble(api), fixed) }
    return live ? try await server.withLiveClient(run) : try await server.withClient(run)
}
