import Hummingbird
import SwitchboardProtocol

/// `/api/canned-responses`.
struct CannedResponsesController {
    let canned: CannedResponseService
    let limits: Limits

    func addRoutes(to group: RouterGroup<SupportRequestContext>) {
        group.get(use: list)
            .post(use: create)
            .put(":id", use: update)
            .delete(":id", use: delete)
    }

    @Sendable func list(_ request: Request, context: SupportRequestContext) async throws -> [CannedResponse] {
        try await canned.list(matching: request.query("q"), for: try context.requireCaller())
    }

    @Sendable func create(_ request: Request, context: SupportRequestContext) async throws -> EditedResponse<CannedResponse> {
        let caller = try context.requireCaller()
        try caller.requireStaff()
        let body = try await request.decodeJSON(CannedResponseRequest.self, limit: limits.requestBodyBytes)
        return EditedResponse(status: .created, response: try await canned.create(body, by: caller))
    }

    @Sendable func update(_ request: Request, context: SupportRequestContext) async throws -> CannedResponse {
        let caller = try context.requireCaller(), id = try context.id()
        try caller.requireStaff()
        let body = try await request.decodeJSON(CannedResponseUpdate.self, limit: limits.requestBodyBytes)
        return try await canned.update(id, body, by: caller)
    }

    @Sendable func delete(_ request: Request, context: SupportRequestContext) async throws -> HTTPResponse.Status {
        try await canned.delete(try context.id(), by: try context.requireCaller())
        return .noContent
    }
}
