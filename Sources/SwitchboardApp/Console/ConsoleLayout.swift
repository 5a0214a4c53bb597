import TerminalKit

/// Where the console's parts go, the same for `update` and `view`: queue | tabs and chat |
/// customer panel when wide; below 110 columns one pane at a time (the panel takes the chat's place).
/// The chat area holds one chat, or the split's two to four, each a `Pane`.
struct ConsoleLayout: Equatable {
    /// One chat on screen. Alone, it has a three-row header and uses the console's typing and
    /// input rows; in a split it has a one-row header and its own typing and input rows.
    struct Pane: Equatable {
        /// Which tab it shows (an index into the console's tabs).
        var tab: Int
        var header: Rect
        var conversation: Rect
        var typing: Rect?
        var input: Rect?
        /// Everything of the pane, for the mouse.
        var frame: Rect
    }

    /// What the chat area is asked to show: the tabs in pane order, the focused one, the split.
    struct Chats: Equatable {
        var tabs: [Int]
        var focused: Int
        var split: ChatSplit?
        /// Each shown tab's input rows (1–3).
        var inputLines: [Int: Int]
    }

    var title: Rect
    var queue: Rect?
    var tabBar: Rect?
    var panes: [Pane] = []
    var panel: Rect?
    var dividers: [Rect] = []
    var typing: Rect
    var input: Rect
    var status: Rect

    static let wideFrom = 110
    static let queueWidth = 36
    static let panelWidth = 32
    /// A split pane narrower or lower than this is not drawn: the split changes shape, or shows the focused chat alone.
    static let smallestPane = (width: 30, height: 7)

    /// The focused chat's pane (the one keys go to).
    var focusedPane: Pane? { panes.first { $0.tab == focusedTab } ?? panes.first }
    private var focusedTab: Int?
    var conversation: Rect? { focusedPane?.conversation }
    /// More than one chat is on screen.
    var isSplit: Bool { panes.count > 1 }

    static func compute(width: Int, height: Int, chats: Chats?, focus: ConsoleMode.Focus, panel: Bool, inputLines: Int) -> ConsoleLayout {
        let hasTabs = chats != nil
        let screen = Rect(x: 0, y: 0, width: width, height: height)
        let (title, rest) = screen.splitTop(1)
        let (main, bottom) = rest.splitBottom(2 + min(3, max(1, inputLines)))
        let (typingAndInput, status) = bottom.splitBottom(1)
        let (typing, input) = typingAndInput.splitTop(1)
        var layout = ConsoleLayout(title: title, typing: typing, input: input, status: status)
        var chat: Rect?
        if width >= wideFrom {
            let queue = Rect(x: main.x, y: main.y, width: queueWidth, height: main.height)
            layout.queue = queue
            layout.dividers.append(Rect(x: queue.maxX, y: main.y, width: 1, height: main.height))
            var chatWidth = main.width - queueWidth - 1
            if panel {
                chatWidth -= panelWidth + 1
                let side = Rect(x: main.maxX - panelWidth, y: main.y, width: panelWidth, height: main.height)
                layout.panel = side
                layout.dividers.append(Rect(x: side.x - 1, y: main.y, width: 1, height: main.height))
            }
            if hasTabs { chat = Rect(x: queue.maxX + 1, y: main.y, width: chatWidth, height: main.height) }
        } else if panel && hasTabs {
            layout.panel = main
        } else if focus == .chat && hasTabs {
            chat = main
        } else {
            layout.queue = main
        }
        if let chat, let chats {
            let (bar, below) = chat.splitTop(1)
            layout.tabBar = bar
            layout.focusedTab = chats.focused
            if let split = chats.split, chats.tabs.count > 1, let found = split.layout(below, minimum: smallestPane) {
                layout.dividers += found.dividers
                layout.panes = zip(chats.tabs, found.panes).map { tab, rect in
                    splitPane(tab, in: rect, inputLines: chats.inputLines[tab] ?? 1)
                }
            } else {
                let (header, conversation) = below.splitTop(3)
                layout.panes = [
                    Pane(
                        tab: chats.focused, header: header,
                        conversation: Rect(
                            x: conversation.x + 1, y: conversation.y, width: conversation.width - 1,
                            height: conversation.height),
                        frame: below)
                ]
            }
        }
        return layout
    }

    /// A split pane: header row, conversation, typing row, its own input.
    private static func splitPane(_ tab: Int, in rect: Rect, inputLines: Int) -> Pane {
        let (header, rest) = rect.splitTop(1)
        let (middle, input) = rest.splitBottom(min(3, max(1, inputLines)))
        let (conversation, typing) = middle.splitBottom(1)
        return Pane(
            tab: tab, header: header,
            conversation: Rect(x: conversation.x + 1, y: conversation.y, width: conversation.width - 1, height: conversation.height),
            typing: typing, input: input, frame: rect)
    }
}
