/// The console's slash commands, one entry each: its name, how its arguments are written, what it
/// does and where it applies. `/help`, F1, Tab completion and the dispatch (one exhaustive
/// `switch` in `ConsoleMode.run`) all come from here: adding a command is one case here and one
/// branch there.
public enum ConsoleCommand: String, CaseIterable, Sendable, ModeCommand {
    case open, claim, closeTab = "close-tab", split, unsplit, note, status, priority, category, assign, transfer, escalate, merge
    case resolve, close, snooze, canned, cannedNew = "canned-new", cannedEdit = "canned-edit", cannedRemove = "canned-rm"
    case online, busy, away, search, find, attach, save, panel, retry, edit, discard, filter, sort, refresh
    case dashboard, agents, agentStatus = "agent-status", capacity, report, server, userAdd = "user-add", targets, hours, target
    case integrations, webhook, redeliver, token
    case help, logout, launcher, quit

    /// Where a command applies.
    public enum Place: Sendable {
        /// On the queue's chosen (or marked) tickets, or in a chat on its ticket.
        case either
        /// In a chat: typed on the queue, it goes to the current chat (or says to open one).
        case chat
        /// The same wherever it is typed.
        case anywhere
    }

    static var aliases: [String: ConsoleCommand] { ["exit": .quit] }

    public var place: Place {
        switch self {
        case .claim, .priority, .resolve, .close, .snooze, .split: .either
        case .closeTab, .unsplit, .note, .status, .category, .assign, .transfer, .escalate, .merge, .canned, .search, .attach, .save,
            .panel, .retry, .edit, .discard:
            .chat
        case .open, .find, .cannedNew, .cannedEdit, .cannedRemove, .online, .busy, .away, .filter, .sort, .refresh, .dashboard, .agents,
            .agentStatus, .capacity, .report, .server, .userAdd, .targets, .hours, .target, .integrations, .webhook, .redeliver, .token,
            .help, .logout, .launcher, .quit:
            .anywhere
        }
    }

    /// How the arguments are written in help.
    public var arguments: String {
        switch self {
        case .open: "N"
        case .claim: "[N]"
        case .split: "[N…] [side|stacked]"
        case .note: "TEXT"
        case .status: "STATUS"
        case .priority: "PRIORITY"
        case .category: "CATEGORY"
        case .assign: "AGENT"
        case .transfer: "AGENT [NOTE]"
        case .escalate: "[AGENT]"
        case .merge: "N"
        case .canned: "[SHORTCUT]"
        case .cannedEdit, .cannedRemove: "SHORTCUT"
        case .search: "TEXT"
        case .find: "WORDS"
        case .attach: "PATH"
        case .save: "[N] [DIR]"
        case .filter: "[WORDS]"
        case .agentStatus: "[AGENT] STATUS"
        case .capacity: "[AGENT] N"
        case .report: "[FROM [TO]] | --csv FILE"
        case .sort: "due|urgency"
        case .snooze: "2h | tomorrow 09:00 | until-reply | off [--through-replies]"
        case .hours: "DAYS HH:MM-HH:MM… | zone TZ | holiday [-]DATE | always"
        case .target: "PRIORITY [CATEGORY] first=M next=M resolve=M reassign=M | PRIORITY off | warn SHARE | rounds N"
        case .webhook: "add URL EVENT… [+notes] | on|off|rm [N] | events [N] EVENT…"
        case .redeliver: "D"
        case .token: "add NAME SCOPE… [as BOT NAME] | revoke N"
        default: ""
        }
    }

    public var help: String {
        switch self {
        case .open: "open ticket #N in a tab"
        case .claim: "take ticket #N (or the chosen one)"
        case .closeTab: "close this tab"
        case .split: "two to four chats at once: this one and #N (or the next tab)"
        case .unsplit: "back to one chat on screen"
        case .note: "an internal note: agents only, never the customer"
        case .status: "open, in-progress, resolved or closed"
        case .priority: "low, medium, high or urgent"
        case .category: "payment, shipping, account, returns, technical, other"
        case .assign: "give the ticket to an agent (name or username)"
        case .transfer: "hand the ticket over, with a note for them"
        case .escalate: "raise the priority and hand it up"
        case .merge: "join the same customer's ticket #N into this one (#N closes)"
        case .resolve: "mark the ticket resolved"
        case .snooze: "out of the queue and off your capacity until then, or until the customer writes"
        case .close: "close the ticket"
        case .canned: "insert a canned response"
        case .cannedNew: "a new canned response of your own (shared: admins)"
        case .cannedEdit: "change one of your canned responses"
        case .cannedRemove: "delete one of your canned responses"
        case .online: "available for new chats"
        case .busy: "no new chats for now"
        case .away: "away"
        case .search: "find TEXT in this chat"
        case .find: "find in every ticket: words, prefix*, \"a phrase\", from:NAME #N status: before: after: (F8)"
        case .attach: "send a file in this chat (a note in note mode); ~ is your home"
        case .save: "save file N of this chat (default: the newest) to DIR (default: Downloads)"
        case .panel: "show or hide the customer panel"
        case .retry: "send failed messages again"
        case .edit: "the last failed message back in the line, to change it"
        case .discard: "drop failed messages"
        case .filter: "queue: statuses, priorities, categories and text; nothing clears"
        case .sort: "queue: the soonest due target first, or the most urgent (o)"
        case .refresh: "reload the queue and the agents"
        case .dashboard: "admins: the live dashboard (F7)"
        case .agents: "admins: every agent's status, chats and capacity"
        case .agentStatus: "admins: set an agent online, busy, away or offline"
        case .capacity: "admins: how many chats an agent takes at once"
        case .report: "admins: per agent and per day, the last 7 days unless dates"
        case .server: "admins: connections, memory, uptime, messages per second"
        case .userAdd: "admins: a new agent or admin account"
        case .targets: "admins: business hours and service-level targets"
        case .hours: "admins: when the team works (mon-fri 09:00-17:30; closed; zone Europe/Berlin)"
        case .target: "admins: a priority's targets, in business minutes"
        case .integrations: "admins: webhooks, their delivery logs, and API tokens"
        case .webhook: "admins: tell another system of events (signed POSTs); the secret is shown once"
        case .redeliver: "admins: send delivery D of the chosen webhook again"
        case .token: "admins: a long-lived token for a bot or integration (shown once), or revoke one"
        case .help: "keys and commands"
        case .logout: "sign out"
        case .launcher: "back to the launcher"
        case .quit: "leave Switchboard"
        }
    }
}
