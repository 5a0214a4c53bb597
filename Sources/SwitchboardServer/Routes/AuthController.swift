import Hummingbird
import SwitchboardProtocol

/// `/api/auth/*`, `/api/me` and `/api/admin/users`.
struct AuthController {
    let accounts: AccountService
    let limits: Limits

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
        let body = try await request.decodeJSON(RegisterRequest.self, limit: limits.requestBodyBytes)
        return EditedResponse(status: .created, response: try await accounts.register(body, from: context.clientAddress))
    }

    @Sendable func login(_ request: Request, context: SupportRequestContext) async throws -> AuthResponse {
        try await accounts.login(
            try await request.decodeJSON(LoginRequest.self, limit: limits.requestBodyBytes),
            from: context.clientAddress)
    }

    @Sendable func refresh(_ request: Request, context: SupportRequestContext) async throws -> AuthResponse {
        try await accounts.refresh(try await request.decodeJSON(RefreshRequest.self, limit: limits.requestBodyBytes))
    }

    @Sendable func logout(_ request: Request, context: SupportRequestContext) async throws -> HTTPResponse.Status {
        try await accounts.logout(try context.requireCaller())
        return .noContent
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
}
