import Hummingbird
import Logging
import SwitchboardProtocol

/// One log line per request: method, path, status, duration. Never the query string (it may carry
/// `access_token`), headers or bodies (tokens, passwords, message text).
struct RequestLogMiddleware: RouterMiddleware {
    typealias Context = SupportRequestContext

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let start = ContinuousClock.now
        let response = try await next(request, context)
        let elapsed = ContinuousClock.now - start
        let millis = elapsed.inMilliseconds
        context.logger.info(
            "request",
            metadata: [
                "method": "\(request.method.rawValue)", "path": "\(request.uri.path)",
                "status": "\(response.status.code)", "ms": "\(String(format: "%.1f", millis))",
            ])
        return response
    }
}
