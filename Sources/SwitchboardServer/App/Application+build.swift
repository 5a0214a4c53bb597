import Foundation
import Hummingbird
import HummingbirdCore
import HummingbirdTLS
import Logging
import NIOCore
import ServiceLifecycle
import SwitchboardProtocol
import Synchronization

/// The services of a running server, built once from its configuration and its store.
public struct SupportServices: Sendable {
    /// Only services and the hub hold the store; transports (routes, the WebSocket session) go
    /// through the services, so every rule is applied in one place.
    let store: any Store
    public let accounts: AccountService
    public let tickets: TicketService
    public let sessions: ChatSessionService
    public let canned: CannedResponseService
    public let admin: AdminService
    public let hub: Hub
    public let assigner: Assigner
    public let targets: TargetsService
    /// Every ticket's clock: warnings, breaches, reply timers.
    public let keeper: ClockKeeper
    public let events: EventBus
    public let limits: Limits
    /// Files, and bytes, one user may upload per hour.
    public let uploads: UploadLimits
    /// This process among the nodes sharing the database, and what `/metrics` reports of it.
    public let metrics: ServerMetrics
    /// The customer web page (`/`), its files built into the binary.
    public let web: WebPage
    /// Webhook endpoints and their deliveries; API tokens are the accounts service's.
    public let webhooks: WebhookService
    let deliverer: WebhookDeliverer

    public init(store: any Store, configuration: ServerConfiguration, logger: Logger) async throws {
        let clock = configuration.clock
        let validator = Validator(limits: configuration.limits, filter: configuration.contentFilter)
        let hasher = PasswordHasher(cost: configuration.bcryptCost)
        let tokens = await TokenService(
            secret: try await configuration.resolvedJWTSecret(store: store),
            accessLifetime: configuration.accessTokenLifetime,
            refreshLifetime: configuration.refreshTokenLifetime)
        self.store = store
        self.limits = configuration.limits
        web = WebPage(limits: configuration.limits, allowedOrigins: configuration.realtime.allowedOrigins)
        uploads = configuration.uploads
        // Services report to the bus; the hub tells the clients, the assigner hands out work.
        let events = EventBus()
        let metrics = ServerMetrics(node: String(UUID().uuidString.lowercased().prefix(13)))
        self.metrics = metrics
        let hub = Hub(store: store, configuration: configuration.realtime, events: events, clock: clock, metrics: metrics, logger: logger)
        let assigner = Assigner(store: store, policy: configuration.assignmentPolicy, events: events, clock: clock, logger: logger)
        let deliverer = WebhookDeliverer(
            store: store, node: metrics.node, settings: configuration.webhooks, clock: clock, events: events, logger: logger)
        events.attach(hub)
        events.attach(assigner)
        events.attach(deliverer)
        self.deliverer = deliverer
        webhooks = WebhookService(store: store, settings: configuration.webhooks, deliverer: deliverer, clock: clock)
        self.events = events
        self.hub = hub
        self.assigner = assigner
        accounts = AccountService(
            store: store, tokens: tokens, hasher: hasher, validator: validator, events: events, clock: clock,
            decoyHash: try await hasher.hash(TokenService.newRefreshToken()),
            signIn: SignInGuard(
                login: configuration.loginThrottle,
                registrationsPerHour: configuration.registrationsPerHour),
            staffNames: StaffNames(reserved: configuration.reservedNames))
        tickets = TicketService(store: store, validator: validator, events: events, clock: clock, metrics: metrics)
        sessions = ChatSessionService(store: store, tickets: tickets, clock: clock)
        canned = CannedResponseService(store: store, validator: validator, clock: clock)
        admin = AdminService(store: store, hub: hub, events: events, clock: clock, slowRules: configuration.contentFilter.slowRules)
        targets = TargetsService(store: store, events: events, clock: clock)
        keeper = ClockKeeper(
            store: store, policy: configuration.assignmentPolicy, events: events, interval: configuration.clockInterval,
            autoResolve: configuration.autoResolve, logger: logger)
        // What admins saved wins over the config file's first value.
        if let (saved, stamp) = try await TargetsService.stored(in: store, over: store.rules.rules) {
            store.rules.adopt(saved, stamp: stamp)
            logger.info("business hours and targets as saved by admins (the config file's are the first value only)")
        }
    }
}

/// Opens the configured database (running its migrations); on SQLite, `writerLoop` is where its
/// writer runs (`SQLiteDriver.open`).
public func openStore(
    _ configuration: ServerConfiguration, writerLoop: (any EventLoop)? = nil,
    logger: Logger
) async throws -> any Store {
    let rules = ServiceRulesBox(
        ServiceRules(settings: configuration.sla, calendar: configuration.businessHours), clock: configuration.clock)
    switch configuration.database {
    case .sqlite(let path):
        return try await SQLStore.open(
            try await SQLiteDriver.open(path: path, writerLoop: writerLoop, logger: logger), logger: logger, rules: rules)
    case .postgres(let url):
        return try await SQLStore.open(
            try await PostgresDriver.open(url: url, poolSize: configuration.databasePoolSize, logger: logger),
            logger: logger, rules: rules)
    }
}

/// Builds the support server. The command line and the tests share this; tests pass another
/// configuration (a temporary database, port 0, a test clock), never another app.
public func buildApplication(
    _ configuration: ServerConfiguration,
    onListening: @escaping @Sendable (_ host: String, _ port: Int) async -> Void = { _, _ in }
) async throws -> some ApplicationProtocol {
    var logger = Logger(label: "switchboard")
    logger.logLevel = configuration.logLevel
    let loops = ServerLoops.group(loops: configuration.resolvedEventLoops)
    let store = try await openStore(configuration, writerLoop: loops.next(), logger: logger)
    do {
        let services = try await SupportServices(store: store, configuration: configuration, logger: logger)
        // The store closes after the services that query it on their own have ended.
        let closer = StoreCloser(store: store)
        var background: [any Service] = [
            closer, services.hub,
            closer.closesAfter(
                SessionSweeper(
                    store: store, idleAfter: configuration.sessionIdleTimeout,
                    interval: configuration.sessionSweepInterval, clock: configuration.clock, logger: logger)),
            closer.closesAfter(LoginWatch(hub: services.hub, store: store, interval: configuration.loginCheckInterval, logger: logger)),
            closer.closesAfter(services.keeper),
            closer.closesAfter(services.deliverer),
        ]
        if let interval = configuration.memoryTrimInterval { background.append(MemoryTrimmer(interval: interval, logger: logger)) }
        // Several processes on one PostgreSQL: the doorbell carries each node's changes to the others.
        if let postgres = (store as? SQLStore)?.driver as? PostgresDriver {
            let doorbell = Doorbell(
                node: services.metrics.node, driver: postgres, store: store, hub: services.hub,
                lease: configuration.nodeLease, metrics: services.metrics, logger: logger)
            try await store.renewLease(node: doorbell.node, now: Date())
            await services.hub.setPeers(doorbell)
            services.events.attach(doorbell)
            background.append(closer.closesAfter(doorbell))
        }
        if let smtp = configuration.smtp {
            let notifier = Notifier(store: store, smtp: smtp, logger: logger)
            services.events.attach(notifier)
            background.append(notifier)
        }
        if configuration.seedDemoAccounts { try await DemoAccounts.seedIfEmpty(services, logger: logger) }
        let router = buildRouter(services)
        let gate = RealtimeGate(
            accounts: services.accounts, hub: services.hub, configuration: configuration.realtime,
            session: RealtimeSession(hub: services.hub, tickets: services.tickets, admin: services.admin),
            settings: WebSocketConnection.Settings(
                messageBytes: configuration.limits.frameBytes,
                pingInterval: TimeAmount(configuration.realtime.pingInterval),
                closeTimeout: TimeAmount(configuration.realtime.closeTimeout)))
        let host = configuration.host
        var server = guardedServer(configuration) { request, channel, logger in
            try await gate.shouldUpgrade(request, channel: channel, logger: logger)
        }
        if let tls = configuration.tls { server = try .tls(server, tlsConfiguration: try tls.serverConfiguration()) }
        return Application(
            router: router,
            server: server,
            // A deep accept queue: after a restart every client reconnects at once.
            configuration: .init(address: .hostname(host, port: configuration.port), serverName: "switchboard", backlog: 4096),
            // Shut down in reverse: the server stops first, then the hub, and the database last.
            services: background,
            onServerRunning: { channel in await onListening(host, channel.localAddress?.port ?? configuration.port) },
            eventLoopGroupProvider: .shared(loops),
            logger: logger)
    } catch {
        try? await store.close()
        throw error
    }
}

/// HTTP/1.1 with the `/ws` upgrade, each connection watched by a `ConnectionGuard`.
func guardedServer(
    _ configuration: ServerConfiguration,
    shouldUpgrade: @escaping RealtimeChannel.Gate
) -> HTTPServerBuilder {
    let timeouts = ConnectionGuard.Timeouts(
        header: TimeAmount(configuration.headerTimeout),
        idle: TimeAmount(configuration.idleTimeout),
        request: TimeAmount(configuration.requestTimeout),
        minimumBodyRate: configuration.minimumBodyRate)
    let counter = ConnectionCounter(caps: configuration.connectionCaps)
    let http1 = HTTP1Channel.Configuration(idleTimeout: TimeAmount(configuration.idleTimeout))
    return HTTPServerBuilder { responder in
        GuardedChannel(
            base: RealtimeChannel(
                responder: responder, http1: http1, maxFrameSize: configuration.limits.frameBytes,
                gate: shouldUpgrade),
            timeouts: timeouts, counter: counter)
    }
}

/// The REST routes of the contract.
public func buildRouter(_ services: SupportServices) -> Router<SupportRequestContext> {
    let router = Router(context: SupportRequestContext.self)
    router.add(middleware: RequestLogMiddleware())
    router.add(middleware: ErrorMiddleware())
    let store = services.store
    router.get("health") { _, _ -> Response in
        // No auth: a load balancer asks. 503 while the database does not answer within 2 s.
        do {
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await store.ping() }
                group.addTask {
                    try await Task.sleep(for: .seconds(2))
                    throw ContractError(.internal, "no answer within 2 s")
                }
                try await group.next()
                group.cancelAll()
            }
            return Response(
                status: .ok, headers: [.contentType: "application/json; charset=utf-8"],
                body: .init(byteBuffer: ByteBuffer(string: #"{"status":"ok"}"#)))
        } catch {
            var refusal = ErrorMiddleware.response(for: ContractError(.internal, "the database does not answer"))
            refusal.status = .serviceUnavailable
            return refusal
        }
    }

    let hub = services.hub, metrics = services.metrics
    router.get("metrics") { _, _ -> Response in
        // Prometheus' text format, no auth, as scrapers expect (put it behind the network's rules).
        let text = metrics.scrape(await hub.gauges())
        return Response(
            status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
            body: .init(byteBuffer: ByteBuffer(string: text)))
    }

    let limits = services.limits
    services.web.addRoutes(to: router)
    let auth = AuthController(accounts: services.accounts, limits: limits)
    auth.addPublicRoutes(to: router.group("api"))

    let api = router.group("api").add(middleware: AuthMiddleware(accounts: services.accounts))
    auth.addRoutes(to: api)
    TicketsController(tickets: services.tickets, limits: limits, limiter: hub.limiter).addRoutes(to: api.group("tickets"))
    let files = AttachmentsController(tickets: services.tickets, limits: limits, uploads: services.uploads)
    files.addRoutes(tickets: api.group("tickets"), attachments: api.group("attachments"))
    ChatController(sessions: services.sessions, tickets: services.tickets, limits: limits, limiter: hub.limiter)
        .addRoutes(to: api.group("chat"))
    CannedResponsesController(canned: services.canned, limits: limits).addRoutes(to: api.group("canned-responses"))
    AdminController(admin: services.admin, limits: limits).addRoutes(to: api.group("admin/support"))
    TargetsController(targets: services.targets, limits: limits).addRoutes(to: api.group("admin"))
    IntegrationsController(webhooks: services.webhooks, tokens: services.accounts.apiTokens, limits: limits)
        .addRoutes(to: api.group("admin"))
    SearchController(tickets: services.tickets).addRoutes(to: api.group("search"))
    MentionsController(tickets: services.tickets, limits: limits).addRoutes(to: api.group("mentions"))
    api.get("agents") { _, context in try await services.admin.colleagues(for: try context.requireCaller()) }
    return router
}

/// Closes the database once the server has stopped taking requests and the services that query
/// it on their own (`closesAfter`) have ended. Why wait: when the server is cancelled rather than
/// shut down gracefully, every service stops at once, and a PostgreSQL query started as the pool
/// closed never returned (the doorbell's lease renewal hung a test run in CI).
final class StoreCloser: Service {
    let store: any Store
    private let users = Mutex<[RunEnded]>([])

    init(store: any Store) { self.store = store }

    /// `service`, reporting when its run has ended.
    func closesAfter(_ service: some Service) -> any Service {
        let ended = RunEnded()
        users.withLock { $0.append(ended) }
        return StoreUser(service: service, ended: ended)
    }

    func run() async throws {
        try? await gracefulShutdown()
        for user in users.withLock({ $0 }) { await user.wait() }
        try await store.close()
    }
}

/// A service that uses the store, and says when it has ended.
private struct StoreUser<Base: Service>: Service {
    let service: Base
    let ended: RunEnded

    func run() async throws {
        defer { ended.signal() }
        try await service.run()
    }
}

/// A one-time signal whose wait is not cut short by cancellation (the closer is cancelled too).
final class RunEnded: Sendable {
    private let state = Mutex<(ended: Bool, waiters: [CheckedContinuation<Void, Never>])>((false, []))

    func signal() {
        let waiters = state.withLock { state in
            state.ended = true
            defer { state.waiters = [] }
            return state.waiters
        }
        for waiter in waiters { waiter.resume() }
    }

    func wait() async {
        await withCheckedContinuation { continuation in
            let ended = state.withLock { state in
                if !state.ended { state.waiters.append(continuation) }
                return state.ended
            }
            if ended { continuation.resume() }
        }
    }
}
