import Foundation
import SwitchboardClient
import SwitchboardProtocol
import TerminalKit

/// The agent console: the queue (Unassigned, Mine, All open), many chats in tabs, internal notes,
/// ticket actions, canned responses and availability. A value, like every mode: `update` returns
/// effects, `view` draws.
public struct ConsoleMode: Equatable, Sendable, ChatScreenMode {
    public enum Focus: Equatable, Sendable { case queue, chat }

    public typealias Phase = ModePhase

    public var phase: Phase
    public internal(set) var me: User? { didSet { refreshQueue() } }
    public internal(set) var tickets: [Ticket] = [] { didSet { refreshQueue() } }
    public internal(set) var section = QueueSection.unassigned {
        didSet {
            if section != oldValue { assignedWhileWaiting = 0 }
            refreshQueue()
        }
    }
    /// Tickets given to this agent (by the assigner or a colleague) while Unassigned was shown:
    /// when that leaves it empty, the queue turns to Mine and says so.
    var assignedWhileWaiting = 0
    /// Tickets this console asked to claim: taking the last waiting one oneself leaves the queue
    /// where it is (on Unassigned, where the next one will come).
    var claiming: Set<Int> = []
    public internal(set) var filter = QueueFilter() { didSet { refreshQueue() } }
    public internal(set) var order = QueueOrder.urgency { didSet { refreshQueue() } }
    /// The targets and hours the queue's timers count in (read at sign-in; nil until then).
    public internal(set) var targets: TargetRules?
    /// The queue as shown — the section's tickets sorted, then filtered — and every section's
    /// count: kept here, recomputed when the tickets, section, filter or user change, so that a
    /// frame never sorts thousands of tickets.
    public private(set) var shownQueue: [Ticket] = []
    public private(set) var sectionCounts = [QueueSection: Int]()
    /// The command line while the queue has the focus (or no chat is open): commands, bulk actions.
    public internal(set) var queueLine = LineEditor()
    public internal(set) var queue = ListView()
    public internal(set) var tabs: [ChatTab] = []
    public internal(set) var current: Int?
    /// Two to four chats on screen at once; nil: the current one alone.
    public internal(set) var split: ChatSplit?
    /// An admin's page (dashboard, agents, report, server) in place of the queue and chats.
    public internal(set) var admin: AdminPanel?
    /// Notes that named me, not seen yet (the Mentions section).
    public internal(set) var mentions: [Mention] = [] { didSet { refreshQueue() } }
    /// `/find`'s hits (nil: no search made).
    public internal(set) var found: FindResults?
    /// The hit opened last: its message is marked once its page is in.
    var foundHit: SearchHit?
    /// The new-account form (`/user-add`).
    public internal(set) var userForm: Form?
    public internal(set) var focus = Focus.queue
    public internal(set) var panelShown = false
    public internal(set) var agents: [AgentLoad] = []
    public internal(set) var canned: [CannedResponse] = []
    public internal(set) var picker: FuzzyPicker?
    /// The canned-response form, and the response it edits (nil: a new one).
    public internal(set) var cannedForm: Form?
    var editingCanned: Int?
    /// A `/canned` (or C-t) waiting for the list from the server: it asked for what this console
    /// did not know yet.
    var cannedWanted: CannedWanted?
    struct CannedWanted: Equatable, Sendable {
        var ticketId: Int
        var text: String
    }
    public internal(set) var confirm: ConfirmDialog?
    /// What a confirmed dialog does (a bulk close); nil: it sends a pasted block.
    var confirmedEffects: [Effect]?
    public internal(set) var searchPrompt: LineEditor?
    public internal(set) var helpOffset: Int?
    /// Who else is in each ticket's room (agents only, from `ROOM_MEMBERS`).
    public internal(set) var members: [Int: [UserRef]] = [:]
    public internal(set) var availability = AgentStatus.online
    /// The server, the clock, the size, the toasts: what every mode holds alike.
    public internal(set) var basics: ModeBasics
    /// The connection, the outbox, a file going up: what the chatting modes hold alike.
    public internal(set) var link = ChatLink()
    public var keys = ConsoleAction.defaultKeys
    /// The compose line's keys, for every tab (rebound from the config once).
    public var editorKeys = LineEditor.defaultKeys
    public var timeZone = TimeZone.current
    var loading = false

    /// The slash commands (`ConsoleCommand`), as help and Tab read them.
    public let commands = ConsoleCommand.table

    public init(
        server: String, username: String = "", signingIn: Bool = false, fromLauncher: Bool = false,
        size: (width: Int, height: Int), now: Date, limits: Limits = Limits()
    ) {
        phase = .signIn(SignInScreen(server: server, username: username, busy: signingIn))
        basics = ModeBasics(server: server, limits: limits, fromLauncher: fromLauncher, size: size, now: now)
    }

    // MARK: What is shown

    mutating func refreshQueue() {
        let mentioned = Set(mentions.map(\.ticketId))
        shownQueue = section.tickets(tickets, me: me?.id, order: order, mentioned: mentioned).filter(filter.admits)
        sectionCounts = Dictionary(
            uniqueKeysWithValues: QueueSection.allCases.map { ($0, $0.count(tickets, me: me?.id, mentioned: mentioned)) })
    }
    /// The tickets marked in the queue (Space), for bulk actions.
    public var markedTickets: [Ticket] {
        let shown = shownQueue
        return queue.marked.sorted().compactMap { shown.indices.contains($0) ? shown[$0] : nil }
    }
    public var currentTab: ChatTab? { current.flatMap { tabs.indices.contains($0) ? tabs[$0] : nil } }

    var layout: ConsoleLayout {
        let chats = current.map { focused in
            ConsoleLayout.Chats(
                tabs: split == nil ? [focused] : paneTabs, focused: focused, split: split,
                inputLines: Dictionary(uniqueKeysWithValues: paneTabs.map { ($0, tabs[$0].editor.lineCount) }))
        }
        func compute(_ inputLines: Int) -> ConsoleLayout {
            ConsoleLayout.compute(
                width: size.width, height: size.height, chats: chats, focus: focus, panel: panelShown, inputLines: inputLines)
        }
        // A split shows the queue's line at the bottom (each pane has its own input) — if it fits.
        if split != nil || usesQueueLine {
            let layout = compute(queueLine.lineCount)
            if layout.isSplit || usesQueueLine { return layout }
        }
        return compute(currentTab?.editor.lineCount ?? 1)
    }

    /// The tabs of the split's panes, in order (the current one alone without a split).
    var paneTabs: [Int] {
        guard let split else { return current.map { [$0] } ?? [] }
        return split.tickets.compactMap { id in tabs.firstIndex { $0.ticketId == id } }
    }

    // MARK: Update

    public mutating func update(_ input: ModeInput) -> [Effect] { route(input) }

    var helpTitle: String { "Agent console — keys and commands" }

    mutating func paste(signedIn text: String) {
        if let index = current {
            tabs[index].editor.paste(text)
            focus = .chat
        }
    }

    mutating func settle() -> [Effect] {
        fitToLayout()
        var effects = readMarks()
        if admin != nil { effects += admin!.refresh(now: now) }
        return effects
    }

    mutating func fitToLayout() {
        let layout = self.layout
        queue.setPageSize(max(1, ((layout.queue?.height ?? 4) - 2) / 2))
        queue.resize(to: shownQueue.count)
        for pane in layout.panes { tabs[pane.tab].conversation.area = (pane.conversation.width - 1, pane.conversation.height) }
    }

    // MARK: Tabs

    /// Tab `index` is on screen (alone or in a pane of the split).
    func isOnScreen(_ index: Int) -> Bool { layout.panes.contains { $0.tab == index } }

    /// The queue's command line is the one typed into while the queue has the focus or no chat is open.
    var usesQueueLine: Bool { focus == .queue || current == nil || admin != nil }

    /// Opens (or goes to) the tab of ticket `id`.
    mutating func openTab(_ id: Int, focus takeFocus: Bool = true) -> [Effect] {
        if let index = tabs.firstIndex(where: { $0.ticketId == id }) {
            if takeFocus { select(index) }
            return []
        }
        guard let ticket = tickets.first(where: { $0.id == id }), let me else {
            toasts.show("No ticket #\(id) in the queue (closed ones are not listed)", kind: .error, now: now)
            return []
        }
        var conversation = Conversation(ticket: ticket, me: me.ref, timeZone: timeZone)
        conversation.failureHint = Conversation.failureHint(
            edit: keys.keys(for: .editMessage), retry: keys.keys(for: .retryMessage),
            discard: keys.keys(for: .discardMessage))
        conversation.emptyHint = "No messages yet: the first reply is yours."
        unsent.seed(&conversation, now: now)
        var tab = ChatTab(conversation: conversation)
        tab.editor.keys = editorKeys
        if ticket.lastMessage?.senderType == .customer {
            tab.waitingSince = ticket.lastMessage?.timestamp
        } else if ticket.lastMessage == nil, ticket.status == .open || ticket.status == .inProgress {
            tab.waitingSince = ticket.createdAt  // a new ticket: its description waits for the first reply
        }
        tabs.append(tab)
        if takeFocus {
            select(tabs.count - 1)
        } else {
            // The first tab becomes the current one, but the focus (and a half-typed command in
            // the queue's line) stays where the agent is.
            if current == nil { current = tabs.count - 1 }
            tabs[tabs.count - 1].activity = tab.waitingSince != nil ? .waiting : .other
        }
        return [.loadLatest(ticketId: id)]
    }

    mutating func select(_ index: Int) {
        guard tabs.indices.contains(index) else { return }
        split?.show(tabs[index].ticketId)
        current = index
        focus = .chat
        tabs[index].activity = .none
        tabs[index].unread = 0
    }

    mutating func closeTab(_ index: Int) {
        guard tabs.indices.contains(index) else { return }
        split?.remove(tabs[index].ticketId)
        if (split?.tickets.count ?? 0) < 2 { split = nil }
        tabs.remove(at: index)
        if tabs.isEmpty {
            current = nil
            focus = .queue
        } else if let focusedTicket = split?.focusedTicket, let at = tabs.firstIndex(where: { $0.ticketId == focusedTicket }) {
            current = at
        } else if let at = current {
            current = min(at > index ? at - 1 : at, tabs.count - 1)
        }
    }

    // MARK: Read marks and typing

    /// Every chat on screen is being read (all panes of a split, not only the focused one).
    mutating func readMarks() -> [Effect] {
        guard phase == .main, focused, helpOffset == nil, picker == nil else { return [] }
        var effects: [Effect] = []
        for index in layout.panes.map(\.tab) {
            let open = tabs[index].conversation
            guard let newest = open.newestToMarkRead else { continue }
            tabs[index].conversation.readSent = newest
            if open.isAtBottom {
                tabs[index].conversation.seen()
                tabs[index].unread = 0
                tabs[index].activity = .none
            }
            effects.append(.markRead(ticketId: open.ticket.id, upToSeq: newest))
        }
        // A mention is seen once its ticket is on screen.
        for index in layout.panes.map(\.tab) where mentions.contains(where: { $0.ticketId == tabs[index].ticketId }) {
            let id = tabs[index].ticketId
            mentions.removeAll { $0.ticketId == id }
            effects.append(.mentionsSeen(ticketId: id))
        }
        return effects
    }

    mutating func typingTimeout() -> [Effect] {
        var effects: [Effect] = []
        for index in tabs.indices {
            guard tabs[index].typing.timedOut(now: now, lastKeystroke: lastKeystroke) else { continue }
            effects.append(.typing(ticketId: tabs[index].ticketId, active: false, note: tabs[index].noteMode))
        }
        return effects
    }

    mutating func typingAfterEdit(_ index: Int) -> [Effect] {
        guard let active = tabs[index].typing.edited(tabs[index].editor.text, now: now) else { return [] }
        return [.typing(ticketId: tabs[index].ticketId, active: active, note: tabs[index].noteMode)]
    }
}
