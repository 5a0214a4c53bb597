import TerminalKit

/// Where each part of the customer's screen goes, computed the same way by `update` (to know
/// how many lines the chat shows) and by `view`. Wide: tickets | chat side by side; narrow: one
/// pane at a time.
struct CustomerLayout: Equatable {
    var title: Rect
    var list: Rect?
    var divider: Rect?
    var chatHeader: Rect?
    var conversation: Rect?
    var typing: Rect
    var input: Rect
    var status: Rect

    static let wideFrom = 100

    /// The ticket pane's width beside the chat: a third of the screen, 40 to 64 columns.
    static func listWidth(for width: Int) -> Int { min(64, max(40, width * 3 / 10)) }

    static func compute(width: Int, height: Int, showChat: Bool, focus: CustomerMode.Focus, inputLines: Int) -> CustomerLayout {
        let screen = Rect(x: 0, y: 0, width: width, height: height)
        let (title, rest) = screen.splitTop(1)
        let (main, bottom) = rest.splitBottom(2 + min(3, max(1, inputLines)))
        let (typingAndInput, status) = bottom.splitBottom(1)
        let (typing, input) = typingAndInput.splitTop(1)
        var layout = CustomerLayout(title: title, typing: typing, input: input, status: status)
        let wide = width >= wideFrom
        var chatArea: Rect?
        if wide {
            let listWidth = Self.listWidth(for: width)
            let list = Rect(x: main.x, y: main.y, width: listWidth, height: main.height)
            layout.list = list
            layout.divider = Rect(x: list.maxX, y: main.y, width: 1, height: main.height)
            if showChat { chatArea = Rect(x: list.maxX + 1, y: main.y, width: main.width - listWidth - 1, height: main.height) }
        } else if focus == .chat && showChat {
            chatArea = main
        } else {
            layout.list = main
        }
        if let chatArea {
            let (header, conversation) = chatArea.splitTop(3)
            layout.chatHeader = header
            layout.conversation = Rect(x: conversation.x + 1, y: conversation.y, width: conversation.width - 1, height: conversation.height)
        }
        return layout
    }

    /// Tickets take two rows each, under a heading row.
    var ticketRows: Int { max(1, ((list?.height ?? 3) - 1) / 2) }
}
