import Hummingbird
import SwitchboardProtocol

/// Lets a request through only with a valid access token of a live login, and records the caller.
struct AuthMiddleware: RouterMiddleware {
    typealias Context = SupportRequestContext
    let accounts: AccountService

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let token = Self.bearerToken(request) else {
            throw ContractError(.unauthorized, "log in first: send Authorization: Bearer <accessToken>")
        }
        var context = context
        let caller = try await accounts.authenticate(bearer: token)
        if caller.scopes != nil {
            guard let scope = TokenRoutes.scope(method: request.method.rawValue, path: request.uri.path) else {
                throw ContractError(.forbidden, "an API token may not use \(request.method.rawValue) \(request.uri.path)")
            }
            try caller.require(scope)
        }
        context.caller = caller
        return try await next(request, context)
    }

    static func bearerToken(_ request: Request) -> String? {
        bearerToken(fromHeader: request.headers[.authorization])
    }

    /// The token of an `Authorization: Bearer <token>` header (the REST routes' and `/ws`'s).
    static func bearerToken(fromHeader header: String?) -> String? {
        guard let header else { return nil }
        let parts = header.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else { return nil }
        let token = parts[1].trimmingCharacters(in: .whitespaces)
        return token.isEmpty ? nil : token
    }
}
