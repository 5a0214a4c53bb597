import CNCurses
import ChildProcess
import Foundation
import Synchronization
import TerminalKit

/// The ncurses back end, and the only code that calls ncurses. One thread owns the terminal:
/// it reads input (and hands it on as `InputEvent`s) and draws the latest screen it was given,
/// only the cells that changed. The terminal is given back on `stop()`, at exit, and on a crash
/// signal; SIGINT/SIGTERM/SIGHUP end the input stream so the program can stop cleanly.
public final class CursesTerminal: Display, @unchecked Sendable {
    public let input: AsyncStream<InputEvent>
    private let sink: AsyncStream<InputEvent>.Continuation
    private let shared = Mutex(Shared())
    private var thread: Thread?
    private let finished = DispatchSemaphore(value: 0)
    private var signalSources: [any DispatchSourceSignal] = []

    private struct Shared {
        var size = (width: 80, height: 24)
        var pending: (screen: Screen, cursor: (x: Int, y: Int)?)?
        var stopping = false
        var raw: [String] = []
        var editRequest: (text: String, done: @Sendable (String?) -> Void)?
    }

    /// What the terminal can show, known once started.
    public private(set) var colorDepth: ColorDepth = .basic

    public var size: (width: Int, height: Int) { shared.withLock { $0.size } }

    public enum StartError: Error, CustomStringConvertible {
        case notATerminal
        case cannotStart

        public var description: String {
            switch self {
            case .notATerminal: "standard input and output must be a terminal"
            case .cannotStart: "the terminal could not be started (is TERM set?)"
            }
        }
    }

    private init() {
        (input, sink) = AsyncStream.makeStream(bufferingPolicy: .unbounded)
    }

    /// Takes over the terminal.
    public static func start() throws(StartError) -> CursesTerminal {
        guard isatty(STDIN_FILENO) == 1, isatty(STDOUT_FILENO) == 1 else { throw .notATerminal }
        let terminal = CursesTerminal()
        let ready = DispatchSemaphore(value: 0)
        let colors = Mutex<Int32>(-2)
        let thread = Thread { [terminal] in
            let count = sb_start()
            colors.withLock { $0 = count }
            // The real size is known before `start` returns: a program sized from it draws frames
            // that fit (a frame of another size is not drawn, and no resize would come to fix it).
            if count >= 0 { terminal.updateSize() }
            ready.signal()
            guard count >= 0 else { return }
            terminal.runOnTerminalThread()
        }
        thread.name = "switchboard.terminal"
        thread.start()
        ready.wait()
        let count = colors.withLock { $0 }
        guard count >= 0 else { throw .cannotStart }
        terminal.thread = thread
        // A `-direct` terminfo entry (e.g. TERM=xterm-direct) has 2^24 colours: RGB values are colour numbers.
        terminal.colorDepth =
            count >= 16_777_216
            ? .trueColor
            : count >= 256
                ? .palette
                : count >= 16
                    ? .bright
                    : count >= 8 ? .basic : .none
        sb_install_crash_handlers()
        atexit { sb_stop() }
        terminal.watchSignals()
        return terminal
    }

    /// The line written to `descriptor` (the user's terminal) if a fatal signal ends the
    /// program, once the terminal is given back — before Swift's backtracer takes over.
    public static func setCrashNote(_ note: String, to descriptor: Int32) {
        sb_set_crash_note(descriptor, note)
    }

    /// Gives the terminal back (idempotent).
    public func stop() {
        let wasRunning = shared.withLock { state in
            defer { state.stopping = true }
            return !state.stopping
        }
        guard wasRunning else { return }
        finished.wait()
        signalSources.forEach { $0.cancel() }
        sink.finish()
    }

    public func present(_ screen: Screen, cursor: (x: Int, y: Int)?) {
        shared.withLock { $0.pending = (screen, cursor) }
    }

    /// The terminal bell.
    public func bell() { shared.withLock { $0.raw.append("\u{07}") } }

    /// A desktop notification by OSC 9 (iTerm2, kitty, WezTerm, foot) or OSC 777 (rxvt,
    /// Konsole, VTE): the text is sanitised and stripped of what could end the sequence.
    public func notify(title: String, body: String, osc777: Bool = false) {
        func safe(_ text: String) -> String {
            String(Sanitizer.clean(text).unicodeScalars.filter { $0.value >= 0x20 && $0.value != 0x7F && $0 != ";" }.prefix(200))
        }
        let sequence = osc777 ? "\u{1B}]777;notify;\(safe(title));\(safe(body))\u{07}" : "\u{1B}]9;\(safe(title)): \(safe(body))\u{07}"
        shared.withLock { $0.raw.append(sequence) }
    }

    /// Hands the terminal to `$EDITOR` (else `vi`) on a file holding `text`; returns the text as
    /// saved, or nil if the editor failed.
    public func editExternally(_ text: String) async -> String? {
        await withCheckedContinuation { continuation in
            shared.withLock { $0.editRequest = (text, { continuation.resume(returning: $0) }) }
        }
    }

    // MARK: The terminal thread

    private func runOnTerminalThread() {
        sb_write_raw("\u{1B}[?2004h\u{1B}[?1004h")  // bracketed paste and focus reports on
        let decoder = KeyDecoder()
        var last: Screen?
        updateSize()
        while true {
            let (stopping, frame, raw, edit) = shared.withLock { state in
                defer {
                    state.pending = nil
                    state.raw = []
                    state.editRequest = nil
                }
                return (state.stopping, state.pending, state.raw, state.editRequest)
            }
            if stopping { break }
            for bytes in raw { sb_write_raw(bytes) }
            if let edit {
                edit.done(runEditor(edit.text))
                last = nil
            }
            if let frame { draw(frame.screen, cursor: frame.cursor, over: &last) }
            for event in decoder.read(timeoutMilliseconds: 8) {
                if case .resize = event {
                    updateSize()
                    sb_clear()
                    last = nil
                    let size = self.size
                    sink.yield(.resize(width: size.width, height: size.height))
                } else {
                    sink.yield(event)
                }
            }
        }
        sb_write_raw("\u{1B}[?2004l\u{1B}[?1004l")
        sb_stop()
        finished.signal()
    }

    private func updateSize() {
        let size = (width: Int(sb_width()), height: Int(sb_height()))
        shared.withLock { $0.size = size }
    }

    private var pairs: [PairKey: Int32] = [:]
    private struct PairKey: Hashable {
        var foreground: Color
        var background: Color
    }

    private func draw(_ screen: Screen, cursor: (x: Int, y: Int)?, over last: inout Screen?) {
        let size = self.size
        guard screen.width == size.width, screen.height == size.height else { return }  // drawn for an old size
        let changed = screen.changes(since: last)
        if !changed.isEmpty {
            for (x, y) in changed {
                let cell = screen[x, y]
                guard let grapheme = cell.grapheme else { continue }  // the right half of a wide grapheme
                let scalars = Array(String(grapheme).unicodeScalars.prefix(5)).map { wchar_t(bitPattern: $0.value) }
                let pair = pairNumber(cell.style)
                scalars.withUnsafeBufferPointer { buffer in
                    _ = sb_put(Int32(y), Int32(x), buffer.baseAddress, Int32(buffer.count), attributes(cell.style), pair)
                }
            }
        }
        if let cursor { sb_cursor(Int32(cursor.y), Int32(cursor.x), 1) } else { sb_cursor(0, 0, 0) }
        sb_refresh()
        last = screen
    }

    private func attributes(_ style: Style) -> Int32 {
        var bits: Int32 = 0
        if style.bold { bits |= Int32(SB_BOLD) }
        if style.dim { bits |= Int32(SB_DIM) }
        if style.italic { bits |= Int32(SB_ITALIC) }
        if style.underline { bits |= Int32(SB_UNDERLINE) }
        if style.reverse { bits |= Int32(SB_REVERSE) }
        return bits
    }

    private func pairNumber(_ style: Style) -> Int32 {
        guard colorDepth != .none else { return 0 }
        let key = PairKey(foreground: style.foreground, background: style.background)
        if let known = pairs[key] { return known }
        let pair = sb_pair(colorNumber(style.foreground), colorNumber(style.background))
        pairs[key] = pair
        return pair
    }

    /// The ncurses colour number for a theme colour, brought down to what the terminal has.
    private func colorNumber(_ color: Color) -> Int32 {
        if colorDepth == .trueColor {
            // Direct colour: numbers under 8 are still the ANSI colours, anything else is 0xRRGGBB.
            let rgb: (UInt8, UInt8, UInt8)
            switch color {
            case .default: return -1
            case .basic(let n) where n < 8: return Int32(n)
            case .basic(let n), .palette(let n): rgb = Color.rgb(ofPalette: n)
            case .rgb(let r, let g, let b): rgb = (r, g, b)
            }
            return Int32(rgb.0) << 16 | Int32(rgb.1) << 8 | Int32(rgb.2)
        }
        switch color.fitted(to: colorDepth) {
        case .default: return -1
        case .basic(let n): return Int32(n)
        case .palette(let n): return Int32(n)
        case .rgb: return -1
        }
    }

    private func runEditor(_ text: String) -> String? {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("switchboard-\(UUID().uuidString).txt")
        defer { try? FileManager.default.removeItem(at: file) }
        guard FileManager.default.createFile(atPath: file.path, contents: Data(text.utf8), attributes: [.posixPermissions: 0o600])
        else { return nil }
        let editor = ProcessInfo.processInfo.environment["VISUAL"] ?? ProcessInfo.processInfo.environment["EDITOR"] ?? "vi"
        sb_write_raw("\u{1B}[?2004l\u{1B}[?1004l")
        sb_stop()
        var edited: String?
        if let process = try? ChildProcess.spawn("/bin/sh", arguments: ["-c", "\(editor) \"$1\"", "editor", file.path]) {
            process.waitUntilExit()
            if process.terminationStatus == 0 { edited = try? String(contentsOf: file, encoding: .utf8) }
        }
        _ = sb_start()
        sb_write_raw("\u{1B}[?2004h\u{1B}[?1004h")
        sb_clear()
        updateSize()
        return edited
    }

    private func watchSignals() {
        for number in [SIGINT, SIGTERM, SIGHUP] {
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { [sink] in sink.finish() }
            source.resume()
            signalSources.append(source)
        }
    }
}
