import Foundation
import HTTPTypes
import Hummingbird
import SwitchboardProtocol

/// `/api/auth/*`, `/api/me` and `/api/admin/users`.
///
/// The web page asks with `X-Switchboard-Session: cookie`: then the refresh token goes into an
/// `HttpOnly; Secure; SameSite=Strict` cookie limited to `/api/auth/refresh` (page scripts never
/// see it; the answer's `refreshToken` is empty), and `POST /api/auth/refresh` reads it from
/// there. That header is also the guard against other sites: a form cannot send it, and a
/// script on another origin cannot without a CORS permission this server never grants; an
/// `Origin` naming another host is refused besides.
struct AuthController {
    let accounts: AccountService
    let limits: Limits

    static let sessionHeader = HTTPField.Name("X-Switchboard-Session")!
    static let cookieName = "sb_refresh"
    static let cookiePath = "/api/auth/refresh"

    /// Routes that need no token.
    func addPublicRoutes(to group: RouterGroup<SupportRequestContext>) {
        group.post("auth/register", use: register)
            .post("auth/login", use: login)
            .post("auth/refresh", use: refresh)
    }

    func addRoutes(to group: RouterGroup<SupportRequestContext>) {
        group.post("auth/logout", use: logout)
            .get("me", use: me)
            .post("admin/users", use: createUser)
    }

    @Sendable func register(_ request: Request, context: SupportRequestContext) async throws -> EditedResponse<AuthResponse> {
        let cookie = try Self.wantsCookie(request)
        let body = try await request.decodeJSON(RegisterRequest.self, limit: limits.requestBodyBytes)
        return answer(try await accounts.register(body, from: context.clientAddress), cookie: cookie, status: .created)
    }

    @Sendable func login(_ request: Request, context: SupportRequestContext) async throws -> EditedResponse<AuthResponse> {
        let cookie = try Self.wantsCookie(request)
        let granted = try await accounts.login(
            try await request.decodeJSON(LoginRequest.self, limit: limits.requestBodyBytes),
            from: context.clientAddress)
        return answer(granted, cookie: cookie)
    }

    @Sendable func refresh(_ request: Request, context: SupportRequestContext) async throws -> EditedResponse<AuthResponse> {
        guard try Self.wantsCookie(request) else {
            return EditedResponse(
                response: try await accounts.refresh(try await request.decodeJSON(RefreshRequest.self, limit: limits.requestBodyBytes)))
        }
        guard let token = request.cookies[Self.cookieName]?.value, !token.isEmpty else {
            throw ContractError(.unauthorized, "not signed in in this browser")
        }
        return answer(try await accounts.refresh(RefreshRequest(refreshToken: token)), cookie: true)
    }

    @Sendable func logout(_ request: Request, context: SupportRequestContext) async throws -> Response {
        let cookie = try Self.wantsCookie(request)
        try await accounts.logout(try context.requireCaller())
        var response = Response(status: .noContent)
        if cookie { response.setCookie(Self.cookie("", maxAge: 0)) }
        return response
    }

    @Sendable func me(_ request: Request, context: SupportRequestContext) async throws -> User {
        try context.requireCaller().user
    }

    @Sendable func createUser(_ request: Request, context: SupportRequestContext) async throws -> EditedResponse<User> {
        let caller = try context.requireCaller()
        try caller.requireAdmin()
        let body = try await request.decodeJSON(CreateUserRequest.self, limit: limits.requestBodyBytes)
        return EditedResponse(status: .created, response: try await accounts.createUser(by: caller, body))
    }

    // MARK: The web page's cookie

    /// The answer as asked for: the refresh token in the body, or in the cookie (lasting as long
    /// as the token) and not the body.
    func answer(_ granted: AuthResponse, cookie: Bool, status: HTTPResponse.Status = .ok) -> EditedResponse<AuthResponse> {
        guard cookie else { return EditedResponse(status: status, response: granted) }
        var kept = granted
        kept.refreshToken = ""
        var response = EditedResponse(status: status, response: kept)
        response.setCookie(Self.cookie(granted.refreshToken, maxAge: Int(accounts.tokens.refreshLifetime)))
        return response
    }

    /// `X-Switchboard-Session: cookie` asks for the cookie (read before any work is done, so a
    /// refused header never follows a created account or an ended login); any other value is refused, and so is
    /// a request whose `Origin` names another host than the request's (`Host`, or
    /// `X-Forwarded-Host` behind a proxy). The header is the first lock: another site's page cannot
    /// send it without a CORS permission this server never grants.
    static func wantsCookie(_ request: Request) throws -> Bool {
        guard let asked = request.headers[sessionHeader] else { return false }
        guard asked == "cookie" else { throw ContractError(.invalid, "X-Switchboard-Session: 'cookie' or nothing") }
        let hosts = ([request.head.authority] + request.headers[values: forwardedHost]).compactMap { $0 }.map(RealtimeGate.hostName(of:))
        for origin in request.headers[values: .origin] {
            guard let name = URL(string: origin)?.host?.lowercased(), hosts.contains(name) else {
                throw ContractError(.forbidden, "origin '\(origin)' may not use this server's sign-in cookie")
            }
        }
        return true
    }

    static let forwardedHost = HTTPField.Name("X-Forwarded-Host")!

    static func cookie(_ value: String, maxAge: Int) -> Cookie {
        Cookie(name: cookieName, value: value, maxAge: maxAge, path: cookiePath, secure: true, httpOnly: true, sameSite: .strict)
    }
}
