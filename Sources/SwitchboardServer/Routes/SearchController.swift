import Hummingbird
import SwitchboardProtocol

/// `GET /api/search?q=&limit=&cursor=`.
struct SearchController {
    let tickets: TicketService

    func addRoutes(to group: RouterGroup<SupportRequestContext>) {
        group.get(use: search)
    }

    @Sendable func search(_ request: Request, context: SupportRequestContext) async throws -> SearchPage {
        try await tickets.search(
            request.query("q"), limit: try request.queryInt("limit"), cursor: request.query("cursor"),
            for: try context.requireCaller())
    }
}
