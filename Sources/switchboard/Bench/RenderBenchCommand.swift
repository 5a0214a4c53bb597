import ArgumentParser
import Foundation
import SwitchboardClient
import SwitchboardProtocol
import TerminalKit

/// `switchboard bench-render`: how long the terminal client takes to make one full agent-style
/// frame (tab bar, queue, conversation, compose line, status bar), and how much memory the
/// conversations take. No terminal is needed: frames are built in memory, as the client
/// builds them before the back end draws the changed cells.
struct RenderBenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench-render",
        abstract: "Measure rendering: time per full frame and memory for many tabs of scrollback."
    )

    @Option(help: "Screen width.") var width = 200
    @Option(help: "Screen height.") var height = 60
    @Option(help: "Chat tabs.") var tabs = 20
    @Option(help: "Messages held per tab.") var messages = 5_000
    @Option(help: "Scrollback of the tab on screen.") var scrollback = 10_000
    @Option(help: "Frames to time.") var frames = 2_000

    func run() throws {
        let before = Self.residentMegabytes()
        let me = UserRef(id: 1, displayName: "Alex (agent)", role: .agent, isOnline: true)
        var timelines = (0..<tabs).map { tab in Self.timeline(ticket: tab + 1, count: messages, me: me) }
        let held = Self.residentMegabytes()
        timelines[0] = Self.timeline(ticket: 1, count: scrollback, me: me)
        timelines[0].capacity = scrollback
        var screen = AgentScreen(theme: ThemeLoader.builtInDefault, timelines: timelines, me: me)

        var times: [Double] = []
        times.reserveCapacity(frames)
        for frame in 0..<frames {
            // Something changes each frame, as it would: a keystroke in the compose line.
            _ = screen.editor.handle(.char(Character(String(frame % 10))))
            let start = ContinuousClock.now
            let rendered = screen.view(width: width, height: height)
            let elapsed = ContinuousClock.now - start
            precondition(rendered.width == width)
            times.append(elapsed.inMilliseconds)
        }
        times.sort()
        func at(_ q: Double) -> Double { times[min(times.count - 1, Int(Double(times.count) * q))] }
        let mean = times.reduce(0, +) / Double(times.count)
        print("screen \(width)×\(height), \(tabs) tabs × \(messages) messages, \(scrollback) in the tab on screen, \(frames) frames")
        print(String(format: "frame time ms: mean %.3f  p50 %.3f  p99 %.3f  max %.3f", mean, at(0.5), at(0.99), times.last ?? 0))
        print(String(format: "memory MB: %.1f at start, %.1f with %d×%d messages held (+%.1f), %.1f now",
                     before, held, tabs, messages, held - before, Self.residentMegabytes()))
    }

    static func timeline(ticket: Int, count: Int, me: UserRef) -> Timeline {
        let customer = UserRef(id: 1_000 + ticket, displayName: "Customer \(ticket)", role: .customer, isOnline: true)
        var timeline = Timeline(ticketId: ticket, me: me, capacity: count)
        let words = ["refund", "order", "card", "declined", "please", "help", "shipping", "漢字", "👍🏽", "thanks", "again",
                     "the", "printer", "is", "on", "fire", "tracking", "number", "password", "reset"]
        var seed = UInt64(ticket)
        let items = (1...count).map { seq -> Message in
            seed = seed &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            let length = 4 + Int(seed >> 59)
            let text = (0..<length).map { words[Int((seed >> UInt64(($0 * 3) % 50)) % UInt64(words.count))] }.joined(separator: " ")
            let sender = seq % 2 == 0 ? me : customer
            return Message(id: ticket * 100_000 + seq, ticketId: ticket, seq: seq, clientMessageId: nil, sender: sender,
                           senderType: sender.role == .customer ? .customer : .agent, message: text, messageType: .text,
                           internal: seq % 17 == 0, isRead: true, timestamp: Date(timeIntervalSince1970: 1_795_000_000 + Double(seq)),
                           attachment: nil)
        }
        timeline.insertLatest(MessagePage(items: items, hasMore: false))
        return timeline
    }

    static func residentMegabytes() -> Double {
        guard let statm = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8),
              let pages = statm.split(separator: " ").dropFirst().first.flatMap({ Double($0) }) else { return 0 }
        return pages * Double(sysconf(Int32(_SC_PAGESIZE))) / 1_048_576
    }
}

/// An agent console's screen as the benchmark draws it: tabs, the queue, the conversation of
/// the active tab (only what fits, found from the newest message back), compose and status.
struct AgentScreen {
    let theme: Theme
    var timelines: [Timeline]
    let me: UserRef
    var active = 0
    var queue = ListView(count: 40)
    var editor = LineEditor()
    var split = SplitPane(.horizontal, percent: 25)

    init(theme: Theme, timelines: [Timeline], me: UserRef) {
        self.theme = theme
        self.timelines = timelines
        self.me = me
    }

    mutating func view(width: Int, height: Int) -> Screen {
        var screen = Screen(width: width, height: height)
        let area = Rect(x: 0, y: 0, width: width, height: height)
        let (tabRow, rest) = area.splitTop(1)
        let (main, bottom) = rest.splitBottom(2)
        let (input, status) = bottom.splitTop(1)
        TabBar(tabs: timelines.enumerated().map { TabBar.Tab("Ticket #\($0.element.ticketId)", unread: $0.offset % 3) }, active: active)
            .render(into: &screen, in: tabRow, theme: theme)
        let panes = split.layout(main)
        let timelines = timelines
        queue.render(into: &screen, in: panes.first, theme: theme) { row in
            [Span("#\(row + 1) ", theme[.muted]), Span("Customer \(row) — ", theme[.text]),
             Span(timelines[row % timelines.count].messages.last?.message ?? "", theme[.muted])]
        }
        split.renderDivider(into: &screen, in: main, theme: theme)
        conversation(into: &screen, in: panes.second)
        _ = editor.render(into: &screen, in: input, style: theme[.input], prompt: [Span("> ", theme[.accent])])
        StatusBar.render(into: &screen, in: status, theme: theme,
                         left: [Span(" ● connected ", theme[.statusConnected]), Span(" Alex · ONLINE · 3 chats")],
                         right: [Span("F1 help ")])
        return screen
    }

    private func conversation(into screen: inout Screen, in rect: Rect) {
        let timeline = timelines[active]
        var rows: [(String, Style)] = []
        for message in timeline.messages.reversed() {
            let style = message.internal ? theme[.note] : message.sender.id == me.id ? theme[.ownMessage] : theme[.otherMessage]
            let lines = TextWrap.lines("\(message.sender.displayName): \(message.message)", width: rect.width - 7)
            rows.insert(contentsOf: lines.map { ($0, style) }, at: 0)
            if rows.count >= rect.height { break }
        }
        for (offset, row) in rows.suffix(rect.height).enumerated() {
            screen.put("12:0\(offset % 10) ", x: rect.x, y: rect.y + offset, style: theme[.timestamp])
            screen.put(row.0, x: rect.x + 6, y: rect.y + offset, style: row.1, limit: rect.width - 6)
        }
    }
}
