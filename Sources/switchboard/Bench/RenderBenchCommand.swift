import ArgumentParser
import Foundation
import SwitchboardApp
import SwitchboardClient
import SwitchboardProtocol
import TerminalKit

/// `switchboard bench-render`: how long the agent console's real `view` takes to make one full
/// frame (queue, tab bar, conversation, compose line, status bar), and how much memory many tabs
/// of history take. No terminal is needed: frames are built in memory, as the client builds them
/// before the back end draws the changed cells.
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

    @Option(help: "Tickets in the queue.") var queue = 2_000

    func run() throws {
        let before = Self.residentMegabytes()
        let me = User(
            id: 1, username: "alex", displayName: "Alex (agent)", role: .agent, isOnline: true, lastSeenAt: nil,
            agentStatus: .online, capacity: 50, email: nil)
        // The real console, driven only through `update` as the program drives it: signed in, a
        // queue, `tabs` chats open, each with its history paged in.
        var console = ConsoleMode(
            server: "http://127.0.0.1:8080", username: "alex", signingIn: true, size: (width, height),
            now: Date(timeIntervalSince1970: 1_795_000_000))
        _ = console.update(.event(.signedIn(me)))
        _ = console.update(.event(.tickets((1...queue).map { Self.ticket($0, agent: $0 <= tabs ? me.ref : nil) })))
        _ = console.update(.event(.connection(.connected)))
        _ = console.update(.key(.char("]")))  // Mine
        _ = console.update(.key(.enter))
        for id in 1...tabs {
            for c in "/open \(id)" { _ = console.update(.key(.char(c))) }
            _ = console.update(.key(.enter))
        }
        for id in 1...tabs {
            let count = id == 1 ? scrollback : messages
            _ = console.update(
                .event(
                    .page(
                        ticketId: id,
                        MessagePage(
                            items: Self.messages(ticket: id, count: count, me: me.ref),
                            hasMore: false), older: false)))
        }
        _ = console.update(.key(.alt("1")))
        let held = Self.residentMegabytes()
        let theme = ThemeLoader.builtInDefault
        var times: [Double] = []
        times.reserveCapacity(frames)
        for frame in 0..<frames {
            // Something changes each frame, as it would: a keystroke in the compose line.
            _ = console.update(.key(.char(Character(String(frame % 10)))))
            let start = ContinuousClock.now
            let rendered = console.view(theme: theme).screen
            let elapsed = ContinuousClock.now - start
            precondition(rendered.width == width && rendered.height == height)
            times.append(elapsed.inMilliseconds)
        }
        times.sort()
        func at(_ q: Double) -> Double { times[min(times.count - 1, Int(Double(times.count) * q))] }
        let mean = times.reduce(0, +) / Double(times.count)
        print(
            "the console's view at \(width)×\(height): \(console.tabs.count) tabs × \(messages) messages, \(scrollback) in the tab on screen, "
                + "\(queue) tickets in the queue, \(frames) frames")
        print(String(format: "frame time ms: mean %.3f  p50 %.3f  p99 %.3f  max %.3f", mean, at(0.5), at(0.99), times.last ?? 0))
        print(
            String(
                format: "memory MB: %.1f at start, %.1f with it all held (+%.1f), %.1f now",
                before, held, held - before, Self.residentMegabytes()))
    }

    static func ticket(_ id: Int, agent: UserRef?) -> Ticket {
        let date = Date(timeIntervalSince1970: 1_795_000_000 - Double(id) * 60)
        return Ticket(
            id: id, subject: "Ticket \(id): the order did not arrive", description: "Details of \(id)", status: .open,
            priority: Priority.allCases[id % 4], category: .shipping,
            customer: UserRef(id: 1_000 + id, displayName: "Customer \(id)", role: .customer, isOnline: id % 3 == 0),
            assignedAgent: agent, messageCount: 0, unreadCount: 0, lastMessage: nil, createdAt: date, updatedAt: date,
            resolvedAt: nil)
    }

    static func messages(ticket: Int, count: Int, me: UserRef) -> [Message] {
        timeline(ticket: ticket, count: count, me: me).messages
    }

    static func timeline(ticket: Int, count: Int, me: UserRef) -> Timeline {
        let customer = UserRef(id: 1_000 + ticket, displayName: "Customer \(ticket)", role: .customer, isOnline: true)
        var timeline = Timeline(ticketId: ticket, me: me, capacity: count)
        let words = [
            "refund", "order", "card", "declined", "please", "help", "shipping", "漢字", "👍🏽", "thanks", "again",
            "the", "printer", "is", "on", "fire", "tracking", "number", "password", "reset",
        ]
        var seed = UInt64(ticket)
        let items = (1...count).map { seq -> Message in
            seed = seed &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            let length = 4 + Int(seed >> 59)
            let text = (0..<length).map { words[Int((seed >> UInt64(($0 * 3) % 50)) % UInt64(words.count))] }.joined(separator: " ")
            let sender = seq % 2 == 0 ? me : customer
            return Message(
                id: ticket * 100_000 + seq, ticketId: ticket, seq: seq, clientMessageId: nil, sender: sender,
                senderType: sender.role == .customer ? .customer : .agent, message: text, messageType: .text,
                internal: seq % 17 == 0, isRead: true, timestamp: Date(timeIntervalSince1970: 1_795_000_000 + Double(seq)),
                attachment: nil)
        }
        timeline.insertLatest(MessagePage(items: items, hasMore: false))
        return timeline
    }

    static func residentMegabytes() -> Double {
        guard let statm = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8),
            let pages = statm.split(separator: " ").dropFirst().first.flatMap({ Double($0) })
        else { return 0 }
        return pages * Double(sysconf(Int32(_SC_PAGESIZE))) / 1_048_576
    }
}
