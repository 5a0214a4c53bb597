import Synchronization
import Testing

@testable import TerminalKit

/// The loop with a display that keeps what it is given (the real one is driven in tmux).
@Suite struct EventLoopTests {
    final class KeptFrames: Display, @unchecked Sendable {
        let size = (width: 20, height: 2)
        let input: AsyncStream<InputEvent>
        let keys: AsyncStream<InputEvent>.Continuation
        let frames = Mutex<[Screen]>([])

        init() { (input, keys) = AsyncStream.makeStream() }
        func present(_ screen: Screen, cursor: (x: Int, y: Int)?) { frames.withLock { $0.append(screen) } }
    }

    struct Counter: TerminalProgram {
        typealias Message = Int
        var typed = ""
        var total = 0

        mutating func update(_ event: LoopEvent<Int>, post: EventLoop<Int>) -> Bool {
            switch event {
            case .input(.key(let key)) where key == .escape: return false
            case .input(.key(let key)):
                if case .character(let c) = key.code { typed.append(c) }
                // The "network" answers later, through the loop.
                Task { post.post(1) }
            case .message(let n): total += n
            default: break
            }
            return true
        }

        func view(width: Int, height: Int) -> (screen: Screen, cursor: (x: Int, y: Int)?) {
            var screen = Screen(width: width, height: height)
            screen.put(typed, x: 0, y: 0)
            screen.put("total \(total)", x: 0, y: 1)
            return (screen, nil)
        }
    }

    @Test func manyEventsMakeFewFramesAndAnUnchangedScreenIsNotSent() async throws {
        let display = KeptFrames()
        let loop = EventLoop<Int>()
        for c in "hello world, typed fast" { display.keys.yield(.key(.char(c))) }
        let run = Task {
            var program = Counter()
            await loop.run(&program, on: display, frameInterval: .milliseconds(30), tickInterval: .milliseconds(5))
            return program
        }
        // Wait until every key and every answer has been taken in and drawn.
        for _ in 0..<200 where display.frames.withLock({ $0.last?.lines }) != ["hello world, typed f", "total 23"] {
            try await Task.sleep(for: .milliseconds(10))
        }
        try await Task.sleep(for: .milliseconds(100))  // ticks keep coming; the screen does not change
        display.keys.yield(.key(.escape))
        let program = await run.value
        #expect(program.total == 23)
        let frames = display.frames.withLock { $0 }
        #expect(frames.last?.lines == ["hello world, typed f", "total 23"])
        // 23 keys and 23 answers (and ticks every 5 ms) became a handful of frames, none a repeat.
        #expect(frames.count < 10)
        #expect(zip(frames, frames.dropFirst()).allSatisfy { $0 != $1 })
    }

    /// A program sized by its own guess (80×24) must still draw frames that fit the display: the
    /// loop tells it the display's size before the first frame (a frame of another size is never
    /// drawn, which once left a console blank one start in three).
    struct SizedByItsState: TerminalProgram {
        typealias Message = Int
        var size = (width: 80, height: 24)

        mutating func update(_ event: LoopEvent<Int>, post: EventLoop<Int>) -> Bool {
            if case .input(.resize(let width, let height)) = event { size = (width, height) }
            if case .input(.key(.escape)) = event { return false }
            return true
        }

        func view(width: Int, height: Int) -> (screen: Screen, cursor: (x: Int, y: Int)?) {
            (Screen(width: size.width, height: size.height), nil)
        }
    }

    @Test func theProgramLearnsTheDisplaysSizeBeforeTheFirstFrame() async {
        let display = KeptFrames()
        var program = SizedByItsState()
        display.keys.yield(.key(.escape))
        await EventLoop<Int>().run(&program, on: display)
        let first = display.frames.withLock { $0.first }
        #expect(first?.width == 20 && first?.height == 2)
    }
}
