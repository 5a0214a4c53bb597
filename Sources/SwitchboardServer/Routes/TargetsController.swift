import Hummingbird
import SwitchboardProtocol

/// `/api/admin/business-hours` and `/api/admin/sla`: staff read them (their screens count in
/// them), admins change them.
struct TargetsController {
    let targets: TargetsService
    let limits: Limits

    func addRoutes(to group: RouterGroup<SupportRequestContext>) {
        group.get("business-hours") { _, context in try targets.businessHours(for: try context.requireCaller()) }
            .put("business-hours") { request, context in
                let caller = try context.requireCaller()
                try caller.requireAdmin()
                let hours = try await request.decodeJSON(BusinessHours.self, limit: limits.requestBodyBytes)
                return try await targets.setBusinessHours(hours, by: caller)
            }
            .get("sla") { _, context in try targets.sla(for: try context.requireCaller()) }
            .put("sla") { request, context in
                let caller = try context.requireCaller()
                try caller.requireAdmin()
                let settings = try await request.decodeJSON(SLASettings.self, limit: limits.requestBodyBytes)
                return try await targets.setSLA(settings, by: caller)
            }
    }
}
