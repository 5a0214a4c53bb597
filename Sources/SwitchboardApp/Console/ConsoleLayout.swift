import TerminalKit

/// Where the console's parts go, the same for `update` and `view`: queue | tabs and chat |
/// customer panel when wide; below 110 columns one pane at a time (the panel takes the chat's place).
struct ConsoleLayout: Equatable {
    var title: Rect
    var queue: Rect?
    var tabBar: Rect?
    var chatHeader: Rect?
    var conversation: Rect?
    var panel: Rect?
    var dividers: [Rect] = []
    var typing: Rect
    var input: Rect
    var status: Rect

    static let wideFrom = 110
    static let queueWidth = 36
    static let panelWidth = 32

    static func compute(width: Int, height: Int, hasTabs: Bool, focus: ConsoleMode.Focus, panel: Bool, inputLines: Int) -> ConsoleLayout {
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
        if let chat {
            let (bar, below) = chat.splitTop(1)
            let (header, conversation) = below.splitTop(3)
            layout.tabBar = bar
            layout.chatHeader = header
            layout.conversation = Rect(x: conversation.x + 1, y: conversation.y, width: conversation.width - 1, height: conversation.height)
        }
        return layout
    }
}
