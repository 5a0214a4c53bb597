import TerminalKit

/// What the console's keys do (rebindable by these names in the config's `[keys]`).
public enum ConsoleAction: String, CaseIterable, Hashable, Sendable {
    case quit, help, launcher, retryConnection = "retry-connection", focusNext = "focus-next", focusPrevious = "focus-previous"
    case tab1 = "tab-1", tab2 = "tab-2", tab3 = "tab-3", tab4 = "tab-4", tab5 = "tab-5", tab6 = "tab-6", tab7 = "tab-7",
        tab8 = "tab-8", tab9 = "tab-9"
    case nextTab = "next-tab", previousTab = "previous-tab", closeTab = "close-tab", hottestTab = "hottest-tab"
    case nextPane = "next-pane", previousPane = "previous-pane", growPane = "grow-pane", shrinkPane = "shrink-pane"
    case noteMode = "note-mode", canned, panel, availability, back
    case scrollUp = "scroll-up", scrollDown = "scroll-down", scrollTop = "scroll-top", scrollBottom = "scroll-bottom"
    case search, retryMessage = "retry-message", discardMessage = "discard-message", editMessage = "edit-message"
    case nextSection = "next-section", previousSection = "previous-section", claim, refresh, dashboard, sortOrder = "sort-order"
    case find

    static let numbered: [ConsoleAction] = [.tab1, .tab2, .tab3, .tab4, .tab5, .tab6, .tab7, .tab8, .tab9]

    public static let defaultKeys = KeyMap<ConsoleAction>(
        [
            .init([.ctrl("q")], .quit, help: "quit (also /quit)", group: "Everywhere"),
            .init([.ctrl("c")], .quit, help: "quit", group: "Everywhere"),
            .init([Key(.function(1))], .help, help: "these keys and commands (? in the queue, /help)", group: "Everywhere"),
            .init([Key(.function(10))], .launcher, help: "back to the launcher (when started from it)", group: "Everywhere"),
            .init([Key(.function(5))], .retryConnection, help: "reconnect now", group: "Everywhere"),
            .init([.tab], .focusNext, help: "queue → chat (Tab completes while typing a command, name or :emoji:)", group: "Everywhere"),
            .init([.backTab], .focusPrevious, help: "back to the queue", group: "Everywhere"),
            .init([Key(.function(4))], .panel, help: "show or hide the customer panel", group: "Everywhere"),
            .init([Key(.function(6))], .availability, help: "availability: online → busy → away", group: "Everywhere"),
            .init([Key(.function(8))], .find, help: "find in every ticket: the hits again, or /find in the line", group: "Everywhere"),
            .init([Key(.function(7))], .dashboard, help: "admins: the dashboard (also /dashboard; Esc closes it)", group: "Everywhere"),
            .init([.escape], .back, help: "close a dialog, end a search or note mode", group: "Everywhere"),
        ]
            + numbered.enumerated().map { index, action in
                .init([.alt(Character(String(index + 1)))], action, help: "tab \(index + 1)", group: "Tabs")
            } + [
                .init([Key(.pageDown, ctrl: true)], .nextTab, help: "next tab", group: "Tabs"),
                .init([Key(.pageUp, ctrl: true)], .previousTab, help: "previous tab", group: "Tabs"),
                .init([.ctrl("w")], .closeTab, help: "close the tab (also /close-tab)", group: "Tabs"),
                .init([.alt("a")], .hottestTab, help: "the tab that needs you most (customer waiting longest first)", group: "Tabs"),
                .init([Key(.right, alt: true)], .nextPane, help: "split: the next chat", group: "Split"),
                .init([Key(.down, alt: true)], .nextPane, help: "split: the next chat", group: "Split"),
                .init([Key(.left, alt: true)], .previousPane, help: "split: the previous chat", group: "Split"),
                .init([Key(.up, alt: true)], .previousPane, help: "split: the previous chat", group: "Split"),
                .init([.alt("=")], .growPane, help: "split: this chat larger", group: "Split"),
                .init([.alt("-")], .shrinkPane, help: "split: this chat smaller", group: "Split"),
                .init([.ctrl("o")], .noteMode, help: "note mode: what you write is an internal note", group: "Chat"),
                .init([.ctrl("t")], .canned, help: "canned responses (also /canned, or Tab after /SHORTCUT)", group: "Chat"),
                .init([.pageUp], .scrollUp, help: "scroll up (older history pages in)", group: "Chat"),
                .init([.pageDown], .scrollDown, help: "scroll down", group: "Chat"),
                .init([Key(.home, alt: true)], .scrollTop, help: "to the oldest", group: "Chat"),
                .init([Key(.end, alt: true)], .scrollBottom, help: "to the newest", group: "Chat"),
                .init([.ctrl("f")], .search, help: "search the chat (n / N between hits)", group: "Chat"),
                .init([.alt("r")], .retryMessage, help: "send a failed message again", group: "Chat"),
                .init([.alt("x")], .discardMessage, help: "discard a failed message", group: "Chat"),
                .init([.alt("e")], .editMessage, help: "a failed message back in the line, to change it", group: "Chat"),
                .init([.char("]")], .nextSection, help: "next section: Unassigned, Mine, All open", group: "Queue"),
                .init([.char("[")], .previousSection, help: "previous section", group: "Queue"),
                .init([.char("c")], .claim, help: "claim the chosen ticket (also /claim N)", group: "Queue"),
                .init([.char("r")], .refresh, help: "reload the queue and the agents", group: "Queue"),
                .init([.char("o")], .sortOrder, help: "order: by urgency ↔ by due time (also /sort due)", group: "Queue"),
            ])
}
