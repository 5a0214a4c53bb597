import Foundation
import Hummingbird
import Logging
import NIOHTTP1
import SwitchboardProtocol

/// Turns every failure into the contract's error body, `{"error": {"code", "message"}}`: refusals
/// keep their code and sentence; anything unforeseen is logged and answered `INTERNAL` without detail.
struct ErrorMiddleware: RouterMiddleware {
    typealias Context = SupportRequestContext

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as ContractError {
            var response = Self.response(for: error)
            // A refusal decided before the body was read (401, 403, 404, 429 on an upload) is sent
            // at once. A declared length is bounded by the route's limit (more is a 413 before a
            // byte is read), so the rest is dropped as it comes, under the connection's deadline and
            // minimum rate, and the connection kept — clients read the answer instead of a reset.
            // A chunked body has no bound: the connection ends with the answer.
            if Self.hasUnboundedBody(request) { response.headers[.connection] = "close" }
            return response
        } catch let error as HTTPParserError {
            // The client sent broken HTTP (a body that stopped parsing). ConnectionGuard has
            // answered it already and is closing; nothing here is the server's fault.
            context.logger.debug("malformed request", metadata: ["error": "\(error)"])
            return Self.response(for: ContractError(.invalid, "the request is not well-formed HTTP"))
        } catch let error as ConnectionGuard.Timeout {
            context.logger.debug("request cut off", metadata: ["error": "\(error)"])
            return Self.response(for: ContractError(.invalid, error.description))
        } catch let error as any HTTPResponseError {
            // Hummingbird's and NIO's own refusals (no such route, body over the limit, …).
            return Self.response(for: Self.contractError(status: error.status, detail: (error as? HTTPError)?.body))
        } catch {
            context.logger.error("request failed", metadata: ["error": "\(error)", "type": "\(String(reflecting: type(of: error)))"])
            return Self.response(for: ContractError(.internal, "the server could not complete this request"))
        }
    }

    /// A body with no declared length (chunked): after a refusal, not worth reading on.
    static func hasUnboundedBody(_ request: Request) -> Bool {
        request.headers[.transferEncoding] != nil
    }

    static func contractError(status: HTTPResponse.Status, detail: String?) -> ContractError {
        let code: ErrorCode =
            switch status.code {
            case 401: .unauthorized
            case 403: .forbidden
            case 404, 405: .notFound
            case 409: .conflict
            case 413: .tooLarge
            case 429: .rateLimited
            case 400..<500: .invalid
            default: .internal
            }
        let message =
            switch code {
            case .notFound: "no such route"
            case .tooLarge: "the request body is too large"
            case .internal: "the server could not complete this request"
            default: detail ?? status.reasonPhrase
            }
        return ContractError(code, message)
    }

    static func response(for error: ContractError) -> Response {
        let body = (try? WireJSON.encoder().encode(ErrorBody(error))) ?? Data()
        var headers: HTTPFields = [.contentType: "application/json; charset=utf-8"]
        if error.code == .rateLimited { headers[.retryAfter] = String(error.retryAfter ?? 1) }
        // The rest of an oversized body is not worth reading: the connection ends after this answer.
        if error.code == .tooLarge { headers[.connection] = "close" }
        return Response(
            status: .init(code: error.code.httpStatus), headers: headers,
            body: .init(byteBuffer: ByteBuffer(bytes: body)))
    }
}
