import Foundation
import SwitchboardProtocol
import TerminalKit

/// `/integrations`, `/webhook …`, `/redeliver D`, `/token …`: the admin's Integrations page and
/// its changes. A refused change says the server's sentence; a switched-off endpoint is told at once.
extension ConsoleMode {
    mutating func integrationsCommand(_ name: String, _ argument: String) -> [Effect] {
        let opened = admin?.page == .integrations ? [] : openAdmin(.integrations)
        let chosen = admin?.integrations.chosenWebhook
        let outcome: Result<Effect, IntegrationsPage.Problem>
        switch name {
        case "webhook": outcome = IntegrationsPage.webhookCommand(argument, chosen: chosen)
        case "redeliver": outcome = IntegrationsPage.redeliverCommand(argument, chosen: chosen)
        case "token": outcome = IntegrationsPage.tokenCommand(argument)
        default: return opened
        }
        switch outcome {
        case .success(let effect): return opened + [effect]
        case .failure(let problem): return opened + usage(problem.sentence)
        }
    }

    /// The page's news; nil for events that are not its.
    mutating func receiveIntegrations(_ event: AppEvent) -> [Effect]? {
        switch event {
        case .integrations(let webhooks, let tokens):
            admin?.updatedAt = basics.now
            return admin?.integrations.receive(webhooks: webhooks, tokens: tokens) ?? []
        case .deliveries(let id, let deliveries):
            admin?.integrations.receive(deliveries: deliveries, of: id)
            return []
        case .integrationChanged(let said, let revealed):
            admin?.integrations.reveal(revealed)
            toasts.show(said, kind: .success, now: now)
            return []
        case .failed(.integrations, let error):
            toasts.show(
                error.status == 403 ? "That is for admins: \(error.sentence)" : "Integrations: \(error.sentence)", kind: .error, now: now)
            return []
        case .realtime(.server(.webhookDisabled(let id, let url, let reason))):
            toasts.show("Webhook #\(id) (\(Sanitizer.clean(url))) was \(Sanitizer.clean(reason))", kind: .warning, now: now)
            if admin?.page == .integrations { admin?.stale = true }
            return [.notify(title: "A webhook was switched off", body: "#\(id) \(url)")]
        default:
            return nil
        }
    }
}
