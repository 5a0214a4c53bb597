import Foundation
import SwitchboardProtocol
import TerminalKit

/// The admin's Integrations page: webhook endpoints (↑↓ chooses one, whose delivery log shows
/// below), API tokens, and a secret or token just made — shown here once, until the page closes.
public struct IntegrationsPage: Equatable, Sendable {
    public internal(set) var webhooks: [Webhook] = []
    public internal(set) var tokens: [APIToken] = []
    public internal(set) var chosen = ListView()
    /// The chosen endpoint's deliveries, newest first, and whose they are.
    public internal(set) var deliveries: [WebhookDelivery] = []
    public internal(set) var deliveriesOf: Int?
    /// What the server showed once: a new endpoint's secret or a new token.
    public internal(set) var revealed: Revealed?
    public internal(set) var loaded = false

    public struct Revealed: Equatable, Sendable {
        /// "the secret of webhook #3", "token #2 (Billing)".
        public var what: String
        public var value: String
    }

    var chosenWebhook: Webhook? { webhooks.indices.contains(chosen.selected) ? webhooks[chosen.selected] : nil }

    /// The lists came: the choice kept on the same endpoint where it still exists; its log asked for.
    mutating func receive(webhooks: [Webhook], tokens: [APIToken]) -> [Effect] {
        let was = chosenWebhook?.id
        self.webhooks = webhooks
        self.tokens = tokens
        loaded = true
        chosen.resize(to: webhooks.count)
        if let was, let index = webhooks.firstIndex(where: { $0.id == was }) { chosen.select(index) }
        return chosenWebhook.map { [.loadDeliveries(webhookId: $0.id)] } ?? []
    }

    mutating func receive(deliveries: [WebhookDelivery], of webhookId: Int) {
        guard webhookId == chosenWebhook?.id else { return }
        self.deliveries = deliveries
        deliveriesOf = webhookId
    }

    /// ↑↓ on the endpoints: another one's log is asked for.
    mutating func handle(_ key: Key) -> [Effect]? {
        let before = chosen.selected
        guard chosen.handle(key, pageSize: 5) else { return nil }
        guard chosen.selected != before, let webhook = chosenWebhook else { return [] }
        deliveries = []
        deliveriesOf = nil
        return [.loadDeliveries(webhookId: webhook.id)]
    }

    mutating func reveal(_ revealed: Revealed?) { if let revealed { self.revealed = revealed } }

    // MARK: Commands

    /// `/webhook add URL EVENT… [+notes]`, `/webhook on|off|rm N`, `/webhook events N EVENT…`:
    /// the effect, or the sentence saying how it is written.
    static func webhookCommand(_ argument: String, chosen: Webhook?) -> Result<Effect, Problem> {
        var words = argument.split(separator: " ").map(String.init)
        guard !words.isEmpty else { return .failure(Problem(webhookUsage)) }
        let verb = words.removeFirst().lowercased()
        switch verb {
        case "add":
            guard !words.isEmpty else { return .failure(Problem("/webhook add URL EVENT… [+notes] — events: \(eventNames) or all")) }
            let url = words.removeFirst()
            let notes = words.contains("+notes")
            words.removeAll { $0 == "+notes" }
            switch events(words) {
            case .success(let events):
                return .success(.createWebhook(WebhookRequest(url: url, events: events, includeNotes: notes)))
            case .failure(let problem):
                return .failure(problem)
            }
        case "on", "off", "rm", "events":
            let id: Int? = words.first.flatMap { Int($0.trimmingCharacters(in: CharacterSet(charactersIn: "#"))) } ?? chosen?.id
            guard let id else { return .failure(Problem("/webhook \(verb) N — or choose one with ↑↓")) }
            if words.first.flatMap({ Int($0.trimmingCharacters(in: CharacterSet(charactersIn: "#"))) }) != nil { words.removeFirst() }
            switch verb {
            case "on": return .success(.updateWebhook(id: id, WebhookRequest(enabled: true)))
            case "off": return .success(.updateWebhook(id: id, WebhookRequest(enabled: false)))
            case "rm": return .success(.deleteWebhook(id: id))
            default:
                switch events(words) {
                case .success(let events): return .success(.updateWebhook(id: id, WebhookRequest(events: events)))
                case .failure(let problem): return .failure(problem)
                }
            }
        default:
            return .failure(Problem(webhookUsage))
        }
    }

    static let webhookUsage = "/webhook add URL EVENT… [+notes] · /webhook on|off|rm [N] · /webhook events [N] EVENT…"
    static var eventNames: String { WebhookEventType.allCases.map(\.rawValue).joined(separator: " ") }

    /// Event names as typed (`all` for every one); unknown ones are named back.
    static func events(_ words: [String]) -> Result<[String], Problem> {
        guard !words.isEmpty else { return .failure(Problem("Which events? \(eventNames), or all")) }
        if words.map({ $0.lowercased() }) == ["all"] { return .success(WebhookEventType.allCases.map(\.rawValue)) }
        let names = words.flatMap { $0.split(separator: ",").map { String($0).lowercased() } }
        if let unknown = names.first(where: { WebhookEventType(rawValue: $0) == nil }) {
            return .failure(Problem("'\(Sanitizer.clean(unknown))' is not an event; they are: \(eventNames), or all"))
        }
        return .success(names)
    }

    /// `/redeliver D`: the chosen endpoint's delivery D sent again.
    static func redeliverCommand(_ argument: String, chosen: Webhook?) -> Result<Effect, Problem> {
        guard let chosen else { return .failure(Problem("Choose an endpoint on the Integrations page first (↑↓)")) }
        guard let delivery = Int(argument.trimmingCharacters(in: CharacterSet(charactersIn: " #D"))) else {
            return .failure(Problem("/redeliver D — D is the delivery's number in the log below"))
        }
        return .success(.redeliver(webhookId: chosen.id, deliveryId: delivery))
    }

    /// `/token add NAME SCOPE… [as BOT NAME]`, `/token revoke N`.
    static func tokenCommand(_ argument: String) -> Result<Effect, Problem> {
        var words = argument.split(separator: " ").map(String.init)
        let scopes = TokenScope.allCases.map(\.rawValue).joined(separator: " ")
        let usage = "/token add NAME SCOPE… [as BOT NAME] · /token revoke N — scopes: \(scopes)"
        guard !words.isEmpty else { return .failure(Problem(usage)) }
        switch words.removeFirst().lowercased() {
        case "add":
            guard !words.isEmpty else { return .failure(Problem(usage)) }
            let name = words.removeFirst()
            var bot: String?
            if let at = words.firstIndex(of: "as") {
                bot = words[(at + 1)...].joined(separator: " ")
                words.removeSubrange(at...)
            }
            guard !words.isEmpty else { return .failure(Problem("Which scopes? \(scopes)")) }
            if let unknown = words.first(where: { TokenScope(rawValue: $0) == nil }) {
                return .failure(Problem("'\(Sanitizer.clean(unknown))' is not a scope; they are: \(scopes)"))
            }
            return .success(.createToken(TokenRequest(name: name, scopes: words, botDisplayName: bot?.isEmpty == false ? bot : nil)))
        case "revoke":
            guard let id = words.first.flatMap({ Int($0.trimmingCharacters(in: CharacterSet(charactersIn: "#"))) }) else {
                return .failure(Problem("/token revoke N — N is the token's number below"))
            }
            return .success(.revokeToken(id: id))
        default:
            return .failure(Problem(usage))
        }
    }

    public struct Problem: Error, Equatable, Sendable {
        public var sentence: String
        init(_ sentence: String) { self.sentence = sentence }
    }
}
