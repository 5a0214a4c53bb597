import Foundation
import SwitchboardClient
import SwitchboardProtocol
import TerminalKit
import Testing

@testable import SwitchboardApp

/// The admin's Integrations page, headless: commands to effects, what the lists show, and what
/// is shown once.
@Suite struct ConsoleIntegrationsTests {
    typealias C = ConsoleModeTests
    typealias A = ConsoleAdminTests

    static let hook = Webhook(
        id: 3, url: "https://crm.example.com/hooks/switchboard", events: [.ticketCreated, .messageCreated], includeNotes: false,
        enabled: true, createdAt: World.start, failingSince: World.start.addingTimeInterval(-60), pending: 2)
    static let off = Webhook(
        id: 4, url: "https://old.example.com/x", events: WebhookEventType.allCases, includeNotes: true, enabled: false,
        createdAt: World.start, disabledReason: "switched off after failing for 24 h; the last answer: 503 Service Unavailable")
    static let bot = UserRef(id: 40, displayName: "Billing Bot", role: .agent, isOnline: false, isBot: true)
    static let token = APIToken(
        id: 2, name: "Billing", scopes: [.ticketsRead, .messagesWrite], bot: bot, createdAt: World.start,
        lastUsedAt: World.start.addingTimeInterval(-120), revokedAt: nil)

    static func delivery(_ id: Int, delivered: Bool, attempts: Int) -> WebhookDelivery {
        WebhookDelivery(
            id: id, eventId: 100 + id, type: .messageCreated, ticketId: 12, createdAt: World.start,
            state: delivered ? .delivered : .pending,
            attempts: attempts, lastAttemptAt: World.start, nextAttemptAt: delivered ? nil : World.start.addingTimeInterval(40),
            responseStatus: delivered ? 200 : 500, responseLine: delivered ? "200 OK" : "500 Internal Server Error", error: nil)
    }

    static func page(width: Int = 80, height: Int = 24) -> ConsoleMode {
        var mode = A.admin(width: width, height: height)
        #expect(A.command("/integrations", &mode) == [.loadIntegrations])
        let asked = mode.update(.event(.integrations([hook, off], [token])))
        #expect(asked == [.loadDeliveries(webhookId: 3)], "the chosen endpoint's log is asked for")
        _ = mode.update(
            .event(.deliveries(webhookId: 3, [delivery(8, delivered: false, attempts: 3), delivery(7, delivered: true, attempts: 1)])))
        return mode
    }

    @Test func theListsShowStateLogAndTokensAt80Columns() {
        let mode = Self.page()
        let text = C.lines(mode).joined(separator: "\n")
        #expect(text.contains("Integrations"), "the page's tab")
        #expect(text.contains("▸ #3   fail https://crm.example.com/hooks/switchboard"), "\(text)")
        #expect(text.contains("failing since"))
        #expect(text.contains("#4   off  https://old.example.com/x"))
        // Wrapped under its endpoint, nothing cut.
        #expect(text.contains("switched off after failing for 24 h; the last answer: 503 Service\n            Unavailable"))
        #expect(text.contains("D8") && text.contains("retrying") && text.contains("3 tries") && text.contains("again in 40s"))
        #expect(text.contains("D7") && text.contains("delivered") && text.contains("200 OK"))
        #expect(text.contains("Billing  as Billing Bot [bot]  tickets:read,messages:write"))
        for line in C.lines(mode) { #expect(TextWidth.of(line) <= 80) }
    }

    @Test func choosingAnotherEndpointAsksForItsLog() {
        var mode = Self.page()
        #expect(mode.update(.key(.down)) == [.loadDeliveries(webhookId: 4)])
        #expect(C.lines(mode).joined(separator: "\n").contains("Deliveries to #4"))
    }

    @Test func commandsBecomeTheirCalls() {
        var mode = Self.page()
        #expect(
            A.command("/webhook add https://a.example/h ticket.created message.created +notes", &mode)
                == [
                    .createWebhook(
                        WebhookRequest(url: "https://a.example/h", events: ["ticket.created", "message.created"], includeNotes: true))
                ])
        #expect(
            A.command("/webhook add https://a.example/h all", &mode)
                == [
                    .createWebhook(
                        WebhookRequest(url: "https://a.example/h", events: WebhookEventType.allCases.map(\.rawValue), includeNotes: false))
                ])
        #expect(A.command("/webhook off", &mode) == [.updateWebhook(id: 3, WebhookRequest(enabled: false))], "the chosen one")
        #expect(A.command("/webhook on 4", &mode) == [.updateWebhook(id: 4, WebhookRequest(enabled: true))])
        #expect(A.command("/webhook rm #4", &mode) == [.deleteWebhook(id: 4)])
        #expect(A.command("/redeliver D8", &mode) == [.redeliver(webhookId: 3, deliveryId: 8)])
        #expect(
            A.command("/token add CRM tickets:read as CRM Sync", &mode)
                == [.createToken(TokenRequest(name: "CRM", scopes: ["tickets:read"], botDisplayName: "CRM Sync"))])
        #expect(A.command("/token revoke 2", &mode) == [.revokeToken(id: 2)])
        // Mistakes are said, not sent.
        #expect(A.command("/webhook add https://a.example/h ticket.exploded", &mode).isEmpty)
        #expect(C.lines(mode).joined().contains("'ticket.exploded' is not an event"))
        #expect(A.command("/token add CRM everything", &mode).isEmpty)
        #expect(C.lines(mode).joined().contains("'everything' is not a scope"))
    }

    @Test func aNewSecretIsShownOnceWholeUntilThePageCloses() {
        var mode = Self.page()
        let secret = "whsec_f3KOfGCJMDQiWZwzmMIYdfqAfZXSwyimR137vLAi-_o"
        _ = mode.update(
            .event(.integrationChanged(said: "Webhook #5 is on", revealed: .init(what: "the secret of webhook #5", value: secret))))
        #expect(C.lines(mode).contains { $0.contains(secret) }, "the whole value on one line")
        _ = mode.update(.key(.escape))
        _ = A.command("/integrations", &mode)
        #expect(!C.lines(mode).joined().contains(secret))
    }

    @Test func aSwitchedOffWebhookIsToldAtOnce() {
        var mode = A.admin()
        let effects = mode.update(
            .event(
                .realtime(
                    .server(.webhookDisabled(webhookId: 4, url: "https://old.example.com/x", reason: "switched off after failing for 24 h"))
                )))
        #expect(effects.contains { if case .notify = $0 { true } else { false } })
        #expect(C.lines(mode).joined().contains("Webhook #4 (https://old.example.com/x) was switched off after failing for 24 h"))
    }
}
