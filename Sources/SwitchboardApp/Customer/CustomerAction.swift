import TerminalKit

/// What the customer mode's keys do (rebindable by these names in the config's `[keys]`).
public enum CustomerAction: String, CaseIterable, Hashable, Sendable {
    case quit, help, launcher, newTicket = "new-ticket", switchPane = "switch-pane", back, retryConnection = "retry-connection"
    case scrollUp = "scroll-up", scrollDown = "scroll-down", scrollTop = "scroll-top", scrollBottom = "scroll-bottom"
    case search, retryMessage = "retry-message", discardMessage = "discard-message", editMessage = "edit-message", filter, refresh

    public static let defaultKeys = KeyMap<CustomerAction>([
        .init([.ctrl("q")], .quit, help: "quit (also /quit)", group: "Everywhere"),
        .init([.ctrl("c")], .quit, help: "quit", group: "Everywhere"),
        .init([Key(.function(1))], .help, help: "these keys and commands (also /help)", group: "Everywhere"),
        .init([Key(.function(10))], .launcher, help: "back to the launcher (when started from it)", group: "Everywhere"),
        .init([Key(.function(5))], .retryConnection, help: "reconnect now", group: "Everywhere"),
        .init([.tab], .switchPane, help: "tickets ⇄ chat", group: "Everywhere"),
        .init([Key(.function(3))], .newTicket, help: "new ticket (also /new, or n in the list)", group: "Everywhere"),
        .init([.escape], .back, help: "close a dialog, end a search, or back to the list", group: "Everywhere"),
        .init([.pageUp], .scrollUp, help: "scroll the chat up (older history pages in)", group: "Chat"),
        .init([.pageDown], .scrollDown, help: "scroll the chat down", group: "Chat"),
        .init([Key(.home, alt: true)], .scrollTop, help: "to the oldest (Home too, with an empty line)", group: "Chat"),
        .init([Key(.end, alt: true)], .scrollBottom, help: "to the newest (End too, with an empty line)", group: "Chat"),
        .init([.ctrl("f")], .search, help: "search the chat (n / N next and previous hit)", group: "Chat"),
        .init([.alt("r")], .retryMessage, help: "send a message that failed again", group: "Chat"),
        .init([.alt("x")], .discardMessage, help: "discard a message that failed", group: "Chat"),
        .init([.alt("e")], .editMessage, help: "a message that failed back in the line, to change it", group: "Chat"),
        .init([.char("n")], .newTicket, help: "new ticket", group: "Ticket list"),
        .init([.char("f")], .filter, help: "filter by status (all, open, in progress, resolved, closed)", group: "Ticket list"),
        .init([.char("r")], .refresh, help: "reload the list", group: "Ticket list"),
    ])
}
