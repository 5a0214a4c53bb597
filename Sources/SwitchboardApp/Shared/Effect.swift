import Foundation
import SwitchboardClient
import SwitchboardProtocol
import TerminalKit

/// What a mode asks of the world. `update` returns these as values (tests compare them with
/// `==`); the `EffectRunner` carries them out and posts what came of them back as `AppEvent`s.
public enum Effect: Equatable, Sendable {
    // Signing in
    case signIn(username: String, password: String)
    case register(RegisterRequest)
    case signOut
    // Tickets
    case loadTickets
    case openTicket(CreateTicketRequest)
    case setStatus(ticketId: Int, TicketStatus)
    /// `/find`: a page of hits over every ticket the user may see (`cursor` nil: the first).
    case find(query: String, cursor: String?)
    /// One ticket, as the server has it now (a hit on a ticket not in the list).
    case fetchTicket(ticketId: Int)
    /// The agent has seen the ticket's mentions of them.
    case mentionsSeen(ticketId: Int)
    /// The customer's rating of a resolved ticket.
    case rate(ticketId: Int, RateTicketRequest)
    /// The customer was asked for a rating (told to the server, which counts the asks).
    case ratingAsked(ticketId: Int)
    // A conversation
    case loadLatest(ticketId: Int)
    case loadOlder(ticketId: Int, beforeSeq: Int)
    case join(ticketId: Int, sinceSeq: Int?)
    case leave(ticketId: Int)
    /// `note`: an internal note, for agents only.
    case send(ticketId: Int, text: String, note: Bool = false)
    case retry(clientMessageId: String)
    case discard(clientMessageId: String)
    case markRead(ticketId: Int, upToSeq: Int)
    case typing(ticketId: Int, active: Bool, note: Bool = false)
    // Agents' work on tickets
    case loadQueue
    case loadAgents
    case loadCanned
    case claim(ticketId: Int)
    case updateTicket(ticketId: Int, UpdateTicketRequest)
    case transfer(ticketId: Int, agentId: Int)
    case escalate(ticketId: Int, EscalateRequest)
    /// Joins `ticketId` into `intoTicketId`.
    case merge(ticketId: Int, intoTicketId: Int)
    case setAvailability(AgentStatus)
    case createCanned(CannedResponseRequest)
    case updateCanned(id: Int, CannedResponseUpdate)
    case deleteCanned(id: Int)
    // An admin's figures and accounts
    case loadDashboard
    case loadAdminAgents
    /// `YYYY-MM-DD`, `to` not included.
    case loadReport(from: String, to: String)
    case loadServerStatistics
    case setAgent(id: Int, AgentStatusRequest)
    case createUser(CreateUserRequest)
    /// Business hours and targets, read (any member of staff) and saved (admins).
    case loadTargets
    case saveBusinessHours(BusinessHours)
    case saveSLA(SLASettings)
    /// Webhooks and API tokens (admins): the lists, one endpoint's log, and changes (each followed
    /// by the lists again).
    case loadIntegrations
    case loadDeliveries(webhookId: Int)
    case createWebhook(WebhookRequest)
    case updateWebhook(id: Int, WebhookRequest)
    case deleteWebhook(id: Int)
    case redeliver(webhookId: Int, deliveryId: Int)
    case createToken(TokenRequest)
    case revokeToken(id: Int)
    /// Uploads the file at `path` to the ticket and sends it as a message (a note when `note`).
    case attach(ticketId: Int, path: String, note: Bool)
    /// Lists what the path typed after `/attach` may continue to (`.pathCompletions`).
    case completePath(String)
    /// Downloads the attachment into `directory` (nil: the downloads directory).
    case saveAttachment(Attachment, directory: String?)
    /// Writes `text` to `path` (a report as CSV), saying so with `.fileSaved`.
    case saveFile(path: String, text: String, what: String)
    // The connection and the terminal
    case reconnectNow
    case openEditor(String)
    case notify(title: String, body: String)
    case backToLauncher
    case quit
    /// The tester mode's own (raw sockets, REST as typed, files).
    case tester(TesterEffect)
}

/// Which request an answer is about, so a mode puts its error in the right place.
public enum Request: Equatable, Sendable {
    case signIn, register, tickets, openTicket, setStatus(ticketId: Int), messages(ticketId: Int), outbox, rate(ticketId: Int)
    case find, fetchTicket(ticketId: Int)
    case agents, canned, ticketAction(ticketId: Int), claim(ticketId: Int)
    case admin, createUser, upload(ticketId: Int), download, targets, integrations
}

/// What comes back to a mode: results of its effects, and the connection's news.
public enum AppEvent: Equatable, Sendable {
    case signedIn(User)
    case signedOut
    case tickets([Ticket])
    case ticketOpened(Ticket)
    case ticketChanged(Ticket)
    /// The notes that named the agent, not seen yet (with the queue).
    case mentions([Mention])
    /// A page of `/find`'s hits; `first` when it starts the query's list.
    case found(query: String, SearchPage, first: Bool)
    /// A page of a ticket's messages: the newest (`older` false) or one before what is held.
    case page(ticketId: Int, MessagePage, older: Bool)
    case connection(ConnectionState)
    case realtime(RealtimeEvent)
    /// Messages waiting in the outbox (queued or failed), after every change to it.
    case outbox(queued: Int)
    /// The line came back from `$EDITOR` (nil: the editor failed).
    case edited(String?)
    case failed(Request, APIError)
    /// Something to tell the user once (a config problem at start).
    case notice(String)
    case agents([AgentLoad])
    case canned([CannedResponse])
    case tester(TesterEvent)
    case dashboard(Dashboard)
    case adminAgents([AgentLoad])
    case report(SupportReport)
    case serverStatistics(ServerStatistics)
    case agentChanged(AgentLoad)
    case userCreated(User)
    /// The targets and the hours they count in; `saved` when an admin's change made them.
    case targets(SLASettings, BusinessHours, saved: Bool)
    case fileSaved(what: String, path: String)
    case integrations([Webhook], [APIToken])
    case deliveries(webhookId: Int, [WebhookDelivery])
    /// A change made: what to say, and what the server showed once (a secret, a token).
    case integrationChanged(said: String, revealed: IntegrationsPage.Revealed?)
    /// What the path `typed` after `/attach` may continue to (Tab).
    case pathCompletions(typed: String, [String])
}

/// One thing that reaches a mode's `update`. `tick` carries the time, so modes read no clock.
public enum ModeInput: Equatable, Sendable {
    case key(Key)
    case paste(String)
    case mouse(MouseEvent)
    case resize(width: Int, height: Int)
    /// The terminal window gained or lost the focus.
    case focus(Bool)
    case tick(Date)
    case event(AppEvent)
}
