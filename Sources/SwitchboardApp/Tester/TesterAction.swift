import TerminalKit

/// What the tester's keys do (rebindable by these names in the config's `[keys]`).
public enum TesterAction: String, CaseIterable, Hashable, Sendable {
    case quit, help, launcher, connection1 = "connection-1", connection2 = "connection-2", connection3 = "connection-3",
        connection4 = "connection-4", connection5 = "connection-5", connection6 = "connection-6", connection7 = "connection-7",
        connection8 = "connection-8", connection9 = "connection-9"
    case nextConnection = "next-connection", newConnection = "new-connection", reconnect, raw
    case logUp = "log-up", logDown = "log-down", follow, previousEntry = "previous-entry", nextEntry = "next-entry",
        copyEntry = "copy-entry", back

    static let numbered: [TesterAction] = [
        .connection1, .connection2, .connection3, .connection4, .connection5, .connection6,
        .connection7, .connection8, .connection9,
    ]

    public static let defaultKeys = KeyMap<TesterAction>(
        [
            .init([.ctrl("q")], .quit, help: "quit (also /quit)", group: "Everywhere"),
            .init([.ctrl("c")], .quit, help: "quit", group: "Everywhere"),
            .init([Key(.function(1))], .help, help: "these keys and commands (also /help)", group: "Everywhere"),
            .init([Key(.function(10))], .launcher, help: "back to the launcher (when started from it)", group: "Everywhere"),
            .init([.escape], .back, help: "close a dialog, stop choosing a frame", group: "Everywhere"),
        ]
            + numbered.enumerated().map { index, action in
                .init([.alt(Character(String(index + 1)))], action, help: "connection \(index + 1)", group: "Connections")
            } + [
                .init([Key(.pageDown, ctrl: true)], .nextConnection, help: "next connection", group: "Connections"),
                .init([.ctrl("n")], .newConnection, help: "a new connection (also /connect)", group: "Connections"),
                .init([Key(.function(5))], .reconnect, help: "open this connection again (also /reconnect)", group: "Connections"),
                .init([.ctrl("r")], .raw, help: "raw mode: send exactly what is typed (also /raw)", group: "Composer"),
                .init([.pageUp], .logUp, help: "scroll the log up (follow stops)", group: "Log"),
                .init([.pageDown], .logDown, help: "scroll the log down", group: "Log"),
                .init([Key(.end, alt: true)], .follow, help: "follow the newest frames again", group: "Log"),
                .init([Key(.up, alt: true)], .previousEntry, help: "choose the frame above", group: "Log"),
                .init([Key(.down, alt: true)], .nextEntry, help: "choose the frame below", group: "Log"),
                .init([.ctrl("y")], .copyEntry, help: "copy the chosen frame into the composer", group: "Log"),
            ])
}
