import SwitchboardClient
import SwitchboardProtocol

/// The Integrations page's calls: each change is said in a sentence, and followed by the lists
/// again, so the page shows what the server holds.
enum IntegrationEffects {
    /// Answers false for effects that are not the page's.
    static func run(_ effect: Effect, api: APIClient, post: @Sendable (AppEvent) -> Void) async -> Bool {
        do {
            switch effect {
            case .loadIntegrations:
                break
            case .loadDeliveries(let id):
                post(.deliveries(webhookId: id, try await api.deliveries(webhook: id)))
                return true
            case .createWebhook(let request):
                let made = try await api.createWebhook(request)
                post(
                    .integrationChanged(
                        said: "Webhook #\(made.id) is on; copy its secret now, it is shown once",
                        revealed: made.secret.map { .init(what: "the secret of webhook #\(made.id)", value: $0) }))
            case .updateWebhook(let id, let request):
                let changed = try await api.updateWebhook(id, request)
                let said =
                    request.enabled.map { $0 ? "Webhook #\(id) is on again; what waited goes out now" : "Webhook #\(id) is off" }
                    ?? "Webhook #\(id) now sends \(changed.events.count) kinds of event"
                post(.integrationChanged(said: said, revealed: nil))
            case .deleteWebhook(let id):
                try await api.deleteWebhook(id)
                post(.integrationChanged(said: "Webhook #\(id) and its deliveries are removed", revealed: nil))
            case .redeliver(let id, let delivery):
                _ = try await api.redeliver(webhook: id, delivery: delivery)
                post(.integrationChanged(said: "Delivery D\(delivery) goes out again, in its turn", revealed: nil))
            case .createToken(let request):
                let made = try await api.createAPIToken(request)
                post(
                    .integrationChanged(
                        said: "Token #\(made.id) made; copy it now, it is shown once",
                        revealed: made.token.map { .init(what: "token #\(made.id) (\(made.name))", value: $0) }))
            case .revokeToken(let id):
                try await api.revokeAPIToken(id)
                post(.integrationChanged(said: "Token #\(id) is revoked; its sockets are closed", revealed: nil))
            default:
                return false
            }
            post(.integrations(try await api.webhooks(), try await api.apiTokens()))
        } catch {
            post(.failed(.integrations, error))
        }
        return true
    }
}
