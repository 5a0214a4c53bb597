import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import SwitchboardProtocol

/// A refusal or failure the UI can show as a sentence.
public struct APIError: Error, Equatable, Sendable, CustomStringConvertible {
    public var code: ErrorCode
    public var message: String
    /// The HTTP status; 0 when the server could not be reached.
    public var status: Int
    /// Why the server could not be reached (with status 0 from the transport).
    public var transport: ConnectionFailure?

    public init(code: ErrorCode, message: String, status: Int, transport: ConnectionFailure? = nil) {
        self.code = code
        self.message = message
        self.status = status
        self.transport = transport
    }

    public var description: String { sentence }

    /// The server could not be reached, or stopped answering: `what` went wrong, with the reason
    /// read from the transport's error.
    static func transport(_ error: any Error, _ what: String) -> APIError {
        let failure = ConnectionFailure(error)
        return APIError(code: .internal, message: "\(what) (\(failure))", status: 0, transport: failure)
    }

    /// What to tell a person.
    public var sentence: String {
        switch code {
        case .unauthorized: "Not signed in: \(message)."
        case .forbidden: "Not allowed: \(message)."
        case .notFound: "Not found: \(message)."
        case .conflict: "Cannot do that now: \(message)."
        case .tooLarge: "Too large: \(message)."
        case .rateLimited: "Too fast: \(message). Try again in a moment."
        case .invalid:
            // A chat message's own refusal needs no field name: it is shown under the message.
            if message.hasPrefix("message: ") {
                message.dropFirst("message: ".count).prefix(1).uppercased() + message.dropFirst("message: ".count + 1) + "."
            } else {
                "Please check: \(message)."
            }
        case .internal: status == 0 ? "Cannot reach the server: \(message)." : "The server failed: \(message)."
        }
    }
}

/// Every REST route of the contract, typed with the wire models. Holds the login: the access
/// token goes on each call, and a call refused with 401 refreshes the token once and is retried.
public actor APIClient {
    /// Every address of the service, in order of preference (`--server a,b`: nodes sharing one
    /// database); `server` is the one in use. An unreachable one moves the client to the next.
    public let servers: [URL]
    public private(set) var server: URL
    private let http: HTTPClient
    /// How long one call may take, connecting included (an unreachable server is retried until then).
    private let timeout: TimeAmount
    var httpClient: HTTPClient { http }
    var requestTimeout: TimeAmount { timeout }
    public private(set) var session: AuthResponse? {
        didSet {
            sessionReceivedAt = .now
            sessionHandler?(session)
        }
    }
    /// Told of every new session (login, register, refresh) and of its end, so it can be kept.
    private var sessionHandler: (@Sendable (AuthResponse?) -> Void)?
    /// When `session` arrived, by this machine's monotonic clock: the token's remaining life is
    /// counted from here with `expiresIn`, so a skewed wall clock on either side does not matter.
    private var sessionReceivedAt = ContinuousClock.now
    /// Shut down by `shutdown()` when this client made it.
    private let ownedHTTP: HTTPClient?
    private let encoder = WireJSON.encoder()
    private let decoder = WireJSON.decoder()

    public init(server: URL, fallbacks: [URL] = [], http: HTTPClient = .shared, timeout: Duration = .seconds(30)) {
        // With somewhere else to go, a refused connection must be known at once (the shared
        // client retries it until the deadline): HTTP connections of its own then.
        if !fallbacks.isEmpty, http === HTTPClient.shared, let own = try? TransportSecurity().httpClient(failingFast: true) {
            self.init(servers: [server] + fallbacks, http: own, timeout: timeout, owned: own)
        } else {
            self.init(servers: [server] + fallbacks, http: http, timeout: timeout, owned: nil)
        }
    }

    /// A client with its own HTTP connections set up for `security` (a CA file, or `--insecure`),
    /// for a person at a terminal: a server that refuses the connection is said at once ("Cannot
    /// reach the server"), not after retrying until the request's deadline — half a minute of
    /// "Signing in…". The realtime connection's own backoff is what comes back to a server.
    public init(server: URL, fallbacks: [URL] = [], security: TransportSecurity, timeout: Duration = .seconds(30)) throws(APIError) {
        let http = try security.httpClient(failingFast: true)
        self.init(servers: [server] + fallbacks, http: http, timeout: timeout, owned: http)
    }

    private init(servers: [URL], http: HTTPClient, timeout: Duration, owned: HTTPClient?) {
        self.servers = servers
        self.server = servers[0]
        self.http = http
        self.ownedHTTP = owned
        self.timeout = .nanoseconds(Int64(timeout.components.seconds) * 1_000_000_000 + timeout.components.attoseconds / 1_000_000_000)
    }

    /// A login kept from an earlier run. Its access token may be stale: refresh before using it.
    public func adopt(_ session: AuthResponse) {
        self.session = session
    }

    /// `handler` hears of every new session and of the end of one (nil), e.g. to keep it on disk.
    public func onSessionChange(_ handler: @escaping @Sendable (AuthResponse?) -> Void) {
        sessionHandler = handler
    }

    /// Closes the HTTP connections this client made for itself.
    public func shutdown() async {
        try? await ownedHTTP?.shutdown()
    }

    /// A client let go without `shutdown()` closes its connections all the same: AsyncHTTPClient
    /// stops the process (a precondition, in release builds too) when a client it made is freed
    /// while running — a failed sign-in did exactly that. Already shut down, this is a no-op.
    deinit {
        _ = ownedHTTP?.shutdown()
    }

    /// The next address in `servers` becomes the one in use (round the list); false when there
    /// is only one.
    @discardableResult
    public func failOver() -> Bool {
        guard servers.count > 1, let index = servers.firstIndex(of: server) else { return false }
        server = servers[(index + 1) % servers.count]
        return true
    }

    /// The current access token, for the realtime connection.
    public var accessToken: String? { session?.accessToken }

    /// How long the access token has left (zero once expired; nil without a login).
    public var accessTokenRemaining: Duration? {
        guard let session else { return nil }
        let left = .seconds(session.expiresIn) - (ContinuousClock.now - sessionReceivedAt)
        return left > .zero ? left : .zero
    }

    /// The WebSocket address of this server: `ws(s)://host:port/ws`.
    public var realtimeURL: String {
        var components = URLComponents(url: server, resolvingAgainstBaseURL: false)
        components?.scheme = server.scheme == "https" ? "wss" : "ws"
        components?.path = "/ws"
        return components?.string ?? server.absoluteString
    }

    // MARK: Auth

    @discardableResult
    public func login(username: String, password: String) async throws(APIError) -> AuthResponse {
        let auth: AuthResponse = try await call(
            .POST, "/api/auth/login", body: LoginRequest(username: username, password: password),
            authenticated: false)
        session = auth
        return auth
    }

    @discardableResult
    public func register(_ request: RegisterRequest) async throws(APIError) -> AuthResponse {
        let auth: AuthResponse = try await call(.POST, "/api/auth/register", body: request, authenticated: false)
        session = auth
        return auth
    }

    /// A new token pair for the current login.
    @discardableResult
    public func refresh() async throws(APIError) -> AuthResponse {
        guard let refreshToken = session?.refreshToken else {
            throw APIError(code: .unauthorized, message: "no login to refresh", status: 401)
        }
        let auth: AuthResponse = try await call(
            .POST, "/api/auth/refresh", body: RefreshRequest(refreshToken: refreshToken),
            authenticated: false)
        session = auth
        return auth
    }

    public func logout() async throws(APIError) {
        try await callNoContent(.POST, "/api/auth/logout")
        session = nil
    }

    public func me() async throws(APIError) -> User { try await call(.GET, "/api/me") }

    public func createUser(_ request: CreateUserRequest) async throws(APIError) -> User {
        try await call(.POST, "/api/admin/users", body: request)
    }

    // MARK: Tickets

    public func tickets(_ filters: [String: String] = [:]) async throws(APIError) -> Page<Ticket> {
        try await call(.GET, "/api/tickets", query: filters)
    }

    public func ticket(_ id: Int) async throws(APIError) -> Ticket { try await call(.GET, "/api/tickets/\(id)") }

    public func openTicket(_ request: CreateTicketRequest) async throws(APIError) -> Ticket {
        try await call(.POST, "/api/tickets", body: request)
    }

    public func updateTicket(_ id: Int, _ request: UpdateTicketRequest) async throws(APIError) -> Ticket {
        try await call(.PUT, "/api/tickets/\(id)", body: request)
    }

    public func deleteTicket(_ id: Int) async throws(APIError) { try await callNoContent(.DELETE, "/api/tickets/\(id)") }

    public func messages(
        ticket id: Int, afterSeq: Int? = nil, beforeSeq: Int? = nil, limit: Int? = nil
    ) async throws(APIError) -> MessagePage {
        var query: [String: String] = [:]
        if let afterSeq { query["afterSeq"] = String(afterSeq) }
        if let beforeSeq { query["beforeSeq"] = String(beforeSeq) }
        if let limit { query["limit"] = String(limit) }
        return try await call(.GET, "/api/tickets/\(id)/messages", query: query)
    }

    public func post(_ request: PostMessageRequest, ticket id: Int) async throws(APIError) -> Message {
        try await call(.POST, "/api/tickets/\(id)/messages", body: request)
    }

    public func markRead(ticket id: Int, upToSeq: Int) async throws(APIError) {
        try await callNoContent(.POST, "/api/tickets/\(id)/read", body: MarkReadRequest(upToSeq: upToSeq))
    }

    public func claim(ticket id: Int) async throws(APIError) -> Ticket { try await call(.POST, "/api/tickets/\(id)/claim") }

    public func transfer(ticket id: Int, to agentId: Int) async throws(APIError) -> Ticket {
        try await call(.POST, "/api/tickets/\(id)/transfer", body: TransferRequest(agentId: agentId))
    }

    public func escalate(ticket id: Int, _ request: EscalateRequest = EscalateRequest()) async throws(APIError) -> Ticket {
        try await call(.POST, "/api/tickets/\(id)/escalate", body: request)
    }

    /// The notes that named the caller, not seen yet.
    public func mentions() async throws(APIError) -> [Mention] { try await call(.GET, "/api/mentions") }

    public func mentionsSeen(ticket id: Int) async throws(APIError) {
        try await callNoContent(.POST, "/api/mentions/seen", body: MentionsSeenRequest(ticketId: id))
    }

    /// Ranked hits over every ticket the caller may see.
    public func search(_ query: String, limit: Int = 30, cursor: String? = nil) async throws(APIError) -> SearchPage {
        var parameters = ["q": query, "limit": String(limit)]
        if let cursor { parameters["cursor"] = cursor }
        return try await call(.GET, "/api/search", query: parameters)
    }

    /// The customer rates the ticket's resolution (201 with the ticket).
    public func rate(ticket id: Int, _ request: RateTicketRequest) async throws(APIError) -> Ticket {
        try await call(.POST, "/api/tickets/\(id)/rating", body: request)
    }

    /// Tells the server the customer was asked for the rating (so a later visit asks at most once more).
    public func ratingAsked(ticket id: Int) async throws(APIError) {
        try await callNoContent(.POST, "/api/tickets/\(id)/rating/asked")
    }

    /// Joins ticket `id` into `intoTicketId`; answers the target.
    public func merge(ticket id: Int, into intoTicketId: Int) async throws(APIError) -> Ticket {
        try await call(.POST, "/api/tickets/\(id)/merge", body: MergeTicketRequest(intoTicketId: intoTicketId))
    }

    // MARK: Chat sessions

    public func sessions(status: SessionStatus? = nil) async throws(APIError) -> [ChatSession] {
        try await call(.GET, "/api/chat/sessions", query: status.map { ["status": $0.rawValue] } ?? [:])
    }

    public func sessionMessages(_ id: Int) async throws(APIError) -> MessagePage {
        try await call(.GET, "/api/chat/sessions/\(id)/messages")
    }

    public func post(_ request: PostMessageRequest, session id: Int) async throws(APIError) -> Message {
        try await call(.POST, "/api/chat/sessions/\(id)/messages", body: request)
    }

    public func setSessionStatus(_ id: Int, _ status: SessionStatus) async throws(APIError) -> ChatSession {
        try await call(.PUT, "/api/chat/sessions/\(id)/status", body: SessionStatusRequest(status: status))
    }

    public func history(of userId: Int) async throws(APIError) -> [ChatHistoryEntry] {
        try await call(.GET, "/api/chat/history/\(userId)")
    }

    // MARK: Canned responses

    public func cannedResponses(matching text: String? = nil) async throws(APIError) -> [CannedResponse] {
        try await call(.GET, "/api/canned-responses", query: text.map { ["q": $0] } ?? [:])
    }

    public func createCannedResponse(_ request: CannedResponseRequest) async throws(APIError) -> CannedResponse {
        try await call(.POST, "/api/canned-responses", body: request)
    }

    public func updateCannedResponse(_ id: Int, _ request: CannedResponseUpdate) async throws(APIError) -> CannedResponse {
        try await call(.PUT, "/api/canned-responses/\(id)", body: request)
    }

    public func deleteCannedResponse(_ id: Int) async throws(APIError) {
        try await callNoContent(.DELETE, "/api/canned-responses/\(id)")
    }

    // MARK: Admin

    public func dashboard() async throws(APIError) -> Dashboard { try await call(.GET, "/api/admin/support/dashboard") }
    public func agents() async throws(APIError) -> [AgentLoad] { try await call(.GET, "/api/admin/support/agents") }
    /// Every agent and admin with their load, as any agent may read it (for transfer by name).
    public func colleagues() async throws(APIError) -> [AgentLoad] { try await call(.GET, "/api/agents") }

    // MARK: Business hours and targets (staff read them; admins change them)

    public func businessHours() async throws(APIError) -> BusinessHours { try await call(.GET, "/api/admin/business-hours") }
    public func setBusinessHours(_ hours: BusinessHours) async throws(APIError) -> BusinessHours {
        try await call(.PUT, "/api/admin/business-hours", body: hours)
    }
    public func sla() async throws(APIError) -> SLASettings { try await call(.GET, "/api/admin/sla") }
    public func setSLA(_ settings: SLASettings) async throws(APIError) -> SLASettings {
        try await call(.PUT, "/api/admin/sla", body: settings)
    }

    public func setAgent(_ id: Int, _ request: AgentStatusRequest) async throws(APIError) -> AgentLoad {
        try await call(.PUT, "/api/admin/support/agents/\(id)/status", body: request)
    }

    public func report(from: String? = nil, to: String? = nil) async throws(APIError) -> SupportReport {
        var query: [String: String] = [:]
        if let from { query["from"] = from }
        if let to { query["to"] = to }
        return try await call(.GET, "/api/admin/support/reports", query: query)
    }

    public func serverStatistics() async throws(APIError) -> ServerStatistics { try await call(.GET, "/api/admin/support/server") }

    // MARK: Webhooks and API tokens (admins)

    public func webhooks() async throws(APIError) -> [Webhook] { try await call(.GET, "/api/admin/webhooks") }
    public func createWebhook(_ request: WebhookRequest) async throws(APIError) -> Webhook {
        try await call(.POST, "/api/admin/webhooks", body: request)
    }
    public func updateWebhook(_ id: Int, _ request: WebhookRequest) async throws(APIError) -> Webhook {
        try await call(.PUT, "/api/admin/webhooks/\(id)", body: request)
    }
    public func deleteWebhook(_ id: Int) async throws(APIError) { try await callNoContent(.DELETE, "/api/admin/webhooks/\(id)") }
    public func deliveries(webhook id: Int, before: Int? = nil) async throws(APIError) -> [WebhookDelivery] {
        try await call(.GET, "/api/admin/webhooks/\(id)/deliveries", query: before.map { ["before": String($0)] } ?? [:])
    }
    public func redeliver(webhook id: Int, delivery: Int) async throws(APIError) -> WebhookDelivery {
        try await call(.POST, "/api/admin/webhooks/\(id)/deliveries/\(delivery)/redeliver")
    }
    public func apiTokens() async throws(APIError) -> [APIToken] { try await call(.GET, "/api/admin/tokens") }
    public func createAPIToken(_ request: TokenRequest) async throws(APIError) -> APIToken {
        try await call(.POST, "/api/admin/tokens", body: request)
    }
    public func revokeAPIToken(_ id: Int) async throws(APIError) { try await callNoContent(.DELETE, "/api/admin/tokens/\(id)") }

    // MARK: Transport

    private struct NoBody: Encodable {}
    private struct Empty: Decodable {}

    private func call<Answer: Decodable>(
        _ method: HTTPMethod, _ path: String, query: [String: String] = [:], body: (any Encodable)? = nil,
        authenticated: Bool = true
    ) async throws(APIError) -> Answer {
        let data = try await exchange(method, path, query: query, body: body, authenticated: authenticated)
        do {
            return try decoder.decode(Answer.self, from: data)
        } catch {
            throw APIError(code: .internal, message: "the server's answer was not understood", status: 200)
        }
    }

    private func callNoContent(_ method: HTTPMethod, _ path: String, body: (any Encodable)? = nil) async throws(APIError) {
        _ = try await exchange(method, path, query: [:], body: body, authenticated: true)
    }

    /// Sends the request; on 401 with a refresh token in hand, refreshes once and sends it again.
    private func exchange(
        _ method: HTTPMethod, _ path: String, query: [String: String], body: (any Encodable)?,
        authenticated: Bool
    ) async throws(APIError) -> Data {
        do {
            return try await send(method, path, query: query, body: body, authenticated: authenticated)
        } catch let error where error.status == 401 && authenticated && session?.refreshToken != nil {
            try await refresh()
            return try await send(method, path, query: query, body: body, authenticated: authenticated)
        }
    }

    /// Sends to the server in use; one that cannot be reached at all (nothing was sent) is left
    /// for the next address, each tried once.
    private func send(
        _ method: HTTPMethod, _ path: String, query: [String: String], body: (any Encodable)?,
        authenticated: Bool
    ) async throws(APIError) -> Data {
        var tries = servers.count
        while true {
            do {
                return try await sendOnce(method, path, query: query, body: body, authenticated: authenticated)
            } catch let error where error.transport?.neverConnected == true && tries > 1 {
                tries -= 1
                failOver()
            }
        }
    }

    private func sendOnce(
        _ method: HTTPMethod, _ path: String, query: [String: String], body: (any Encodable)?,
        authenticated: Bool
    ) async throws(APIError) -> Data {
        var components = URLComponents(url: server.appendingPathComponent(path), resolvingAgainstBaseURL: false)
        if !query.isEmpty { components?.queryItems = query.sorted { $0.key < $1.key }.map { URLQueryItem(name: $0.key, value: $0.value) } }
        guard let url = components?.url else { throw APIError(code: .invalid, message: "bad address \(path)", status: 0) }
        var request = HTTPClientRequest(url: url.absoluteString)
        request.method = method
        request.headers.add(name: "Accept", value: "application/json")
        if authenticated, let token = session?.accessToken { request.headers.add(name: "Authorization", value: "Bearer \(token)") }
        if let body {
            guard let data = try? encoder.encode(body) else {
                throw APIError(code: .invalid, message: "cannot encode the request", status: 0)
            }
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(bytes: data))
        }
        let status: Int, data: Data
        do {
            let response = try await http.execute(request, timeout: timeout)
            status = Int(response.status.code)
            data = Data(try await response.body.collect(upTo: 16 << 20).readableBytesView)
        } catch {
            throw APIError.transport(error, "\(server.host ?? "server") did not answer")
        }
        guard (200..<300).contains(status) else { throw Self.refusal(status: status, body: data) }
        return data
    }

    /// A non-2xx answer as an error: the contract's error body when there is one, else the status.
    static func refusal(status: Int, body: Data) -> APIError {
        if let refusal = try? WireJSON.decoder().decode(ErrorBody.self, from: body) {
            return APIError(code: refusal.error.code, message: refusal.error.message, status: status)
        }
        return APIError(code: ErrorCode.allCases.first { $0.httpStatus == status } ?? .internal, message: "HTTP \(status)", status: status)
    }
}
