/// Where frames go and input comes from: the curses terminal (or, in tests of the loop, a
/// display that keeps the frames it was given).
public protocol Display: AnyObject, Sendable {
    var size: (width: Int, height: Int) { get }
    var input: AsyncStream<InputEvent> { get }
    /// Shows `screen`; the display draws only what changed since the last one.
    func present(_ screen: Screen, cursor: (x: Int, y: Int)?)
}

/// What reaches a program's `update`: input, its own messages (network results, timers it
/// set), and a regular tick for clocks and expiring things like typing indicators.
public enum LoopEvent<Message: Sendable>: Sendable {
    case input(InputEvent)
    case message(Message)
    case tick
}

/// A program the loop runs: state changed only by `update`, drawn only by `view`.
public protocol TerminalProgram {
    associatedtype Message: Sendable
    /// Returns false to end the program.
    mutating func update(_ event: LoopEvent<Message>, post: EventLoop<Message>) -> Bool
    func view(width: Int, height: Int) -> (screen: Screen, cursor: (x: Int, y: Int)?)
}

/// The one event loop: input, messages and ticks merged into one stream that feeds `update`,
/// one event at a time. The screen is drawn at most once a frame (60 a second) and only when
/// something changed; work that waits (the network) runs elsewhere and comes back with `post`,
/// so a key never waits on it.
public final class EventLoop<Message: Sendable>: Sendable {
    enum Item: Sendable {
        case event(LoopEvent<Message>)
        case frame
        /// The display's input ended (the terminal was closed, or a signal asked to stop).
        case end
    }

    private let items: AsyncStream<Item>
    private let sink: AsyncStream<Item>.Continuation

    public init() {
        (items, sink) = AsyncStream.makeStream(bufferingPolicy: .unbounded)
    }

    /// Hands a message to `update` (from any task).
    public func post(_ message: Message) { sink.yield(.event(.message(message))) }

    public func run<Program: TerminalProgram>(
        _ program: inout Program, on display: any Display,
        frameInterval: Duration = .milliseconds(16),
        tickInterval: Duration = .seconds(1)
    ) async where Program.Message == Message {
        let sink = self.sink
        let feeders = [
            Task {
                for await event in display.input { sink.yield(.event(.input(event))) }
                sink.yield(.end)
            },
            Task {
                while !Task.isCancelled {
                    try? await Task.sleep(for: frameInterval)
                    sink.yield(.frame)
                }
            },
            Task {
                while !Task.isCancelled {
                    try? await Task.sleep(for: tickInterval)
                    sink.yield(.event(.tick))
                }
            },
        ]
        defer { feeders.forEach { $0.cancel() } }
        // The program learns the size it starts at through `update`, like every later size.
        let start = display.size
        guard program.update(.input(.resize(width: start.width, height: start.height)), post: self) else { return }
        var dirty = true, last: Frame?
        draw(program, on: display, last: &last)
        for await item in items {
            switch item {
            case .event(let event):
                guard program.update(event, post: self) else { return }
                dirty = true
            case .end:
                return
            case .frame:
                guard dirty else { continue }
                dirty = false
                draw(program, on: display, last: &last)
            }
        }
    }

    struct Frame: Equatable {
        var screen: Screen
        var cursorX: Int?
        var cursorY: Int?
    }

    private func draw<Program: TerminalProgram>(_ program: Program, on display: any Display, last: inout Frame?) {
        let size = display.size
        let frame = program.view(width: size.width, height: size.height)
        // A frame equal to the last one is not sent at all.
        let drawn = Frame(screen: frame.screen, cursorX: frame.cursor?.x, cursorY: frame.cursor?.y)
        guard drawn != last else { return }
        last = drawn
        display.present(frame.screen, cursor: frame.cursor)
    }
}
