import Foundation
import SwitchboardClient
import SwitchboardProtocol
import TerminalKit

/// What comes back to the console: results of its effects, and the connection's news.
extension ConsoleMode {
    // MARK: Events

    /// The server makes an offline agent online as this console connects, and says so a moment
    /// later: shown at once, so F6 pressed in between steps on from online (to busy), as the
    /// server will, rather than from offline (back to online).
    static func availability(whenConnected status: AgentStatus?) -> AgentStatus {
        guard let status, status != .offline else { return .online }
        return status
    }

    mutating func receive(_ event: AppEvent) -> [Effect] {
        if let effects = receiveIntegrations(event) { return effects }
        if receiveAdmin(event) { return [] }
        switch event {
        case .signedIn(let user):
            me = user
            availability = Self.availability(whenConnected: user.agentStatus)
            phase = .main
            loading = true
            guard user.role.isStaff else {
                toasts.show("The console is for agents; \(user.username) is a customer — use `switchboard chat`", kind: .error, now: now)
                return []
            }
            return [.loadQueue, .loadAgents, .loadCanned, .loadTargets]
        case .targets(let settings, let hours, let saved):
            let rules = TargetRules(settings: settings, hours: hours), at = basics.now
            targets = rules
            admin?.targets = rules
            if admin?.page == .targets { admin?.updatedAt = at }
            if saved { toasts.show("Saved: every open ticket's clock counts by it now", kind: .success, now: now) }
            return []
        case .failed(.targets, let error):
            // Read at sign-in: without them the queue shows waits, not clocks; a refused save says why.
            toasts.show("Targets: \(error.sentence)", kind: .error, now: now)
            return []
        case .signedOut:
            let ended = loginEnded
            self = ConsoleMode(
                server: server, username: me?.username ?? "", fromLauncher: fromLauncher, size: size, now: now, limits: limits)
            if ended, case .signIn(var screen) = phase {
                screen.refused(SignInScreen.loginEnded)
                phase = .signIn(screen)
            }
            return []
        case .tickets(let all):
            let first = tickets.isEmpty
            loading = false
            changeTickets { $0 = all }
            // Nobody waiting: start where the work is, one's own tickets.
            if first, section == .unassigned, shownQueue.isEmpty, !shownMine.isEmpty {
                showMine(
                    saying:
                        "Nobody is waiting — \(Self.count(shownMine.count, "ticket")) \(shownMine.count == 1 ? "is" : "are") yours, under Mine"
                )
            }
            // Live news of one's own tickets (and of every open tab).
            return shownMine.map { .join(ticketId: $0.id, sinceSeq: $0.lastMessage?.seq ?? 0) }
        case .ticketOpened(let ticket), .ticketChanged(let ticket):
            upsert(ticket)
            return fetched(ticket)
        case .found(let query, let page, let first):
            foundPage(query, page, first: first)
            return []
        case .mentions(let list):
            mentions = list
            // A mention of a ticket the queue does not hold (another's, a closed one) brings it in.
            return Set(list.map(\.ticketId)).subtracting(tickets.map(\.id)).sorted().map { .fetchTicket(ticketId: $0) }
        case .page(let id, let page, let older):
            guard let index = tabs.firstIndex(where: { $0.ticketId == id }) else { return [] }
            let forHit = foundHit?.ticketId == id
            if older {
                tabs[index].conversation.insertOlder(page)
                return forHit ? markFoundHit() : []
            }
            tabs[index].conversation.timeline.insertLatest(page)
            return [.join(ticketId: id, sinceSeq: tabs[index].conversation.timeline.newestSeq ?? 0)] + (forHit ? markFoundHit() : [])
        case .connection(let state):
            if state != .connected { for index in tabs.indices { tabs[index].conversation.timeline.connectionLost() } }
            return connectionChanged(to: state)
        case .outbox(let count):
            queued = count
            return []
        case .realtime(let event):
            return realtime(event)
        case .edited(let text):
            if let text, let index = current { tabs[index].editor.replace(with: text) }
            return []
        case .failed(let request, let error):
            switch request {
            case .signIn, .register:
                if case .signIn(var screen) = phase {
                    screen.refused(error.sentence)
                    phase = .signIn(screen)
                }
            case .messages(let id):
                if let index = tabs.firstIndex(where: { $0.ticketId == id }) { tabs[index].conversation.loadingOlder = false }
                toasts.show("Messages of #\(id) could not be loaded: \(error.sentence)", kind: .error, now: now)
            case .ticketAction(let id):
                toasts.show("#\(id): \(error.sentence)", kind: .error, now: now)
            case .claim(let id):
                claiming.remove(id)  // a later assignment to us is news again
                toasts.show("#\(id): \(error.sentence)", kind: .error, now: now)
            case .upload(let id):
                transfer = nil
                toasts.show("#\(id): \(FileTransfer.notSent(error))", kind: .error, now: now)
            case .download:
                toasts.show("Not saved: \(error.sentence)", kind: .error, now: now)
            case .canned:
                cannedWanted = nil
                toasts.show("Canned responses: \(error.sentence)", kind: .error, now: now)
            case .find:
                found?.failed()
                toasts.show("The search failed: \(error.sentence)", kind: .error, now: now)
            case .fetchTicket(let id):
                toasts.show("#\(id) could not be opened: \(error.sentence)", kind: .error, now: now)
            default:
                loading = false
                toasts.show(error.sentence, kind: .error, now: now)
            }
            return []
        case .notice(let text):
            toasts.show(text, kind: .error, now: now)
            return []
        case .agents(let loads):
            // Our own status comes from signing in and from AGENT_STATUS_CHANGED; a list asked
            // for before a key changed it must not put the old one back.
            let first = agents.isEmpty
            agents = loads
            if first, lastKeystroke == nil, let mine = loads.first(where: { $0.agent.id == me?.id }) {
                availability = Self.availability(whenConnected: mine.status)
            }
            return []
        case .pathCompletions(let typed, let candidates):
            if let index = current, tabs.indices.contains(index) {
                FileTransfer.complete(&tabs[index].editor, typed: typed, with: candidates, toasts: &basics.toasts, now: basics.now)
            }
            return []
        case .tester, .dashboard, .adminAgents, .report, .serverStatistics, .agentChanged, .userCreated, .fileSaved, .integrations,
            .deliveries, .integrationChanged:
            return []  // the tester's, and the admin's (taken by receiveAdmin and receiveIntegrations)
        case .canned(let responses):
            if cannedForm != nil { toasts.show("Canned responses saved", kind: .success, now: now) }
            cannedForm = nil
            editingCanned = nil
            canned = responses
            return cannedArrived()
        }
    }

    var shownMine: [Ticket] { QueueSection.mine.tickets(tickets, me: me?.id) }

    mutating func realtime(_ event: RealtimeEvent) -> [Effect] {
        var effects: [Effect] = []
        unsent.follow(event)
        let ticketId = CustomerMode.ticketId(of: event)
        for index in tabs.indices where ticketId.map({ $0 == tabs[index].ticketId }) ?? true {
            tabs[index].conversation.apply(event, now: now)
        }
        if let sent = FileTransfer.follow(event, &transfer), let ticketId {
            toasts.show("\(Sanitizer.clean(sent)) sent on #\(ticketId)", kind: .success, now: now)
        }
        if case .movedTo(let next, let from) = event { movedTo(next, from: from) }
        if case .outboxTrouble(let sentence) = event { toasts.show(sentence, kind: .error, now: now) }
        guard case .server(let server) = event else {
            if case .outgoing(let message) = event, case .failed(_, let reason) = message.state {
                toasts.show("#\(message.ticketId): not sent: \(reason)", kind: .error, now: now)
            }
            // Discarded: what said it was not sent is over.
            if case .discarded(_, let ticketId) = event {
                toasts.dismiss { $0.text.hasPrefix("#\(ticketId): not sent: ") }
            }
            return effects
        }
        switch server {
        case .ticketCreated, .ticketUpdated, .agentAssigned, .ticketStatusChanged, .agentStatusChanged, .ticketDeleted:
            adminFiguresChanged()
        // "Agents online" counts connected staff.
        case .userOnline(let user), .userOffline(let user): if user.role.isStaff { adminFiguresChanged() }
        default: break
        }
        switch server {
        case .ticketCreated(let ticket):
            upsert(ticket)
            if ticket.assignedAgent == nil { effects.append(.notify(title: "New ticket #\(ticket.id)", body: ticket.subject)) }
        case .ticketUpdated(let ticket):
            upsert(ticket)
        case .agentAssigned(let id, let agent, _):
            changeTickets { tickets in if let index = tickets.firstIndex(where: { $0.id == id }) { tickets[index].assignedAgent = agent } }
            if agent.id == me?.id, !tabs.contains(where: { $0.ticketId == id }), tickets.contains(where: { $0.id == id }) {
                // Assigned to me: a tab of its own, without taking the focus from what I do.
                effects += openTab(id, focus: false)
                effects.append(.join(ticketId: id, sinceSeq: 0))
                effects.append(.notify(title: "#\(id) assigned to you", body: tickets.first { $0.id == id }?.subject ?? ""))
                toasts.show("#\(id) is yours now — M-a or M-\(tabs.count) to see it", now: now)
            }
            if agent.id == me?.id, claiming.remove(id) == nil, section == .unassigned {
                assignedWhileWaiting += 1
                if sectionCounts[.unassigned, default: 0] == 0 {
                    let given = assignedWhileWaiting
                    showMine(
                        saying:
                            "Nobody is waiting now: \(Self.count(given, "ticket")) \(given == 1 ? "was" : "were") assigned to you — showing Mine, M-a to see \(given == 1 ? "it" : "them")"
                    )
                }
            }
        case .ticketStatusChanged(let id, let status, _, _):
            changeTickets { tickets in if let index = tickets.firstIndex(where: { $0.id == id }) { tickets[index].status = status } }
        case .agentStatusChanged(let agent, let status):
            if agent.id == me?.id { availability = status }
            if let index = agents.firstIndex(where: { $0.agent.id == agent.id }) {
                agents[index].status = status
                agents[index].agent.isOnline = agent.isOnline
            }
        case .roomMembers(let id, let list):
            members[id] = list
        case .userOnline(let user), .userOffline(let user):
            let online = if case .userOnline = server { true } else { false }
            changeTickets { tickets in
                for index in tickets.indices where tickets[index].customer.id == user.id { tickets[index].customer.isOnline = online }
            }
        case .receiveMessage(let id, let message):
            changeTickets { tickets in
                guard let index = tickets.firstIndex(where: { $0.id == id }) else { return }
                if tickets[index].lastMessage.map({ $0.seq < message.seq }) ?? true { tickets[index].lastMessage = message }
            }
            guard message.sender.id != me?.id, let index = tabs.firstIndex(where: { $0.ticketId == id }) else { break }
            let watching = focused && isOnScreen(index) && tabs[index].conversation.isAtBottom
            // What a merge brought over is history, not a customer waiting now.
            if message.senderType == .customer && message.mergedFromTicketId == nil {
                tabs[index].waitingSince = tabs[index].waitingSince ?? message.timestamp
            }
            if !watching {
                tabs[index].unread += 1
                tabs[index].activity = max(tabs[index].activity, message.senderType == .customer ? .waiting : .message)
                if message.senderType == .customer && message.mergedFromTicketId == nil {
                    effects.append(.notify(title: "\(message.sender.displayName) on #\(id)", body: message.message))
                }
            }
        case .slaWarning(let id, let target, let dueAt):
            // Rounded up, as the queue's clock counts.
            let left = "\((max(0, Int(dueAt.timeIntervalSince(now))) + 59) / 60)m"
            let subject = tickets.first { $0.id == id }.map { " (\(Sanitizer.clean($0.subject)))" } ?? ""
            toasts.show("#\(id)\(subject): the \(target.word) is due in \(left)", kind: .warning, now: now)
            effects.append(.notify(title: "#\(id): \(target.word) due in \(left)", body: subject))
        case .slaBreached(let id, let target, _):
            let subject = tickets.first { $0.id == id }.map { " (\(Sanitizer.clean($0.subject)))" } ?? ""
            toasts.show("#\(id)\(subject): the \(target.word) target was missed", kind: .error, now: now)
        case .ticketReassigned(let id, let from, let to, _):
            guard from?.id == me?.id || me?.role == .admin else { break }
            let whom = to.map { $0.id == me?.id ? "you" : $0.shown } ?? "the queue"
            let was = from.map { $0.id == me?.id ? "you" : $0.shown } ?? "nobody"
            toasts.show("#\(id) went from \(was) to \(whom): no public reply in time", kind: .warning, now: now)
        case .ticketDeleted(let id):
            changeTickets { $0.removeAll { $0.id == id } }
            if let index = tabs.firstIndex(where: { $0.ticketId == id }) { closeTab(index) }
            toasts.show("Ticket #\(id) was deleted", now: now)
        case .ticketRated(let id, let rating):
            let subject = tickets.first { $0.id == id }.map { " (\(Sanitizer.clean($0.subject)))" } ?? ""
            toasts.show(
                "#\(id)\(subject) rated \(rating.stars)", kind: rating.score >= 4 ? .success : rating.score <= 2 ? .warning : .info,
                now: now)
        case .ticketMerged(let id, let into):
            effects += merged(id, into: into)
        case .mentioned(let id, let seq, let by):
            let subject = tickets.first { $0.id == id }?.subject ?? ""
            if !mentions.contains(where: { $0.ticketId == id && $0.seq == seq }) {
                mentions.insert(Mention(ticketId: id, seq: seq, by: by, at: now, subject: subject), at: 0)
            }
            let about = subject.isEmpty ? "" : " (\(Sanitizer.clean(subject)))"
            toasts.show("@ \(by.shown) mentioned you on #\(id)\(about) — under Mentions", now: now)
            effects.append(.notify(title: "\(by.displayName) mentioned you on #\(id)", body: subject))
            if !tickets.contains(where: { $0.id == id }) { effects.append(.fetchTicket(ticketId: id)) }
        default:
            break
        }
        // An agent's own reply answers a waiting customer.
        if case .ack(_, _, let id, _, _, _, _) = server, let index = tabs.firstIndex(where: { $0.ticketId == id }) {
            tabs[index].waitingSince = nil
        }
        return effects
    }

    /// Ticket `id` was merged into `into`: its tab gives way to the target's, which takes its place
    /// on screen (and in a split) when it was there.
    mutating func merged(_ id: Int, into: Int) -> [Effect] {
        toasts.show("#\(id) was merged into #\(into)", now: now)
        guard let index = tabs.firstIndex(where: { $0.ticketId == id }) else { return [] }
        let wasCurrent = current == index
        let inSplit = split?.tickets.contains(id) == true
        closeTab(index)
        var effects = [Effect.leave(ticketId: id)]
        if tabs.contains(where: { $0.ticketId == into }) {
            if wasCurrent, let at = tabs.firstIndex(where: { $0.ticketId == into }) { select(at) }
        } else if tickets.contains(where: { $0.id == into }) {
            effects += openTab(into, focus: wasCurrent)
            if inSplit { split?.show(into) }
        }
        return effects
    }

    /// Turns the queue to Mine, its first ticket chosen, and says why.
    mutating func showMine(saying why: String) {
        section = .mine
        queue.resize(to: shownQueue.count)
        queue.select(0)
        toasts.show(why, now: now)
    }

    static func count(_ n: Int, _ noun: String) -> String { n == 1 ? "1 \(noun)" : "\(n) \(noun)s" }

    mutating func upsert(_ ticket: Ticket) {
        // Woken (its time came, or the customer wrote): said, and notified when it is mine.
        if let old = tickets.first(where: { $0.id == ticket.id }), old.snoozedUntil != nil, ticket.snoozedUntil == nil {
            toasts.show("#\(ticket.id) is back from snooze (\(Sanitizer.clean(ticket.subject)))", now: now)
        } else if let old = tickets.first(where: { $0.id == ticket.id }), old.snoozedUntil == nil, let until = ticket.snoozedUntil {
            toasts.show("#\(ticket.id) snoozed — \(SnoozeTime.wakeText(until, now: now, timeZone: timeZone)) (] shows Snoozed)", now: now)
        }
        changeTickets { tickets in
            if let index = tickets.firstIndex(where: { $0.id == ticket.id }) { tickets[index] = ticket } else { tickets.append(ticket) }
        }
        for index in tabs.indices where tabs[index].ticketId == ticket.id { tabs[index].conversation.ticket = ticket }
    }

    /// Changes the tickets with the queue's selection staying on the same ticket.
    mutating func changeTickets(_ change: (inout [Ticket]) -> Void) {
        let shown = shownQueue
        let selected = shown.indices.contains(queue.selected) ? shown[queue.selected].id : nil
        change(&tickets)
        let after = shownQueue
        queue.resize(to: after.count)
        if let selected, let index = after.firstIndex(where: { $0.id == selected }) { queue.select(index) }
    }
}
