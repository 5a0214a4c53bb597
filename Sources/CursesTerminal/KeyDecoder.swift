import CNCurses
import TerminalKit

/// Turns what ncurses reads into `InputEvent`s: keys with Ctrl and Alt (an ESC prefix),
/// function keys, the mouse, resizes, and bracketed pastes (`ESC [200~ … ESC [201~`), which
/// become one `.paste` so a pasted text is never taken as commands. Used on the terminal thread.
final class KeyDecoder {
    private lazy var named: [Int32: Key] = {
        var keys: [Int32: Key] = [
            SB_KEY_UP: .up, SB_KEY_DOWN: .down, SB_KEY_LEFT: .left, SB_KEY_RIGHT: .right, SB_KEY_HOME: .home,
            SB_KEY_END: .end, SB_KEY_PPAGE: .pageUp, SB_KEY_NPAGE: .pageDown, SB_KEY_DC: .delete, SB_KEY_IC: Key(.insert),
            SB_KEY_BACKSPACE: .backspace, SB_KEY_ENTER: .enter, SB_KEY_BTAB: .backTab,
            SB_KEY_SLEFT: Key(.left, shift: true), SB_KEY_SRIGHT: Key(.right, shift: true),
        ]
        for n in 1...12 { keys[SB_KEY_F0 + Int32(n)] = Key(.function(n)) }
        // Modified arrows have terminfo names, with codes that differ between terminals.
        let modified: [(String, Key)] = [
            ("kLFT5", Key(.left, ctrl: true)), ("kRIT5", Key(.right, ctrl: true)), ("kUP5", Key(.up, ctrl: true)),
            ("kDN5", Key(.down, ctrl: true)), ("kLFT3", Key(.left, alt: true)), ("kRIT3", Key(.right, alt: true)),
            ("kUP3", Key(.up, alt: true)), ("kDN3", Key(.down, alt: true)), ("kDC5", Key(.delete, ctrl: true)),
            ("kNXT5", Key(.pageDown, ctrl: true)), ("kPRV5", Key(.pageUp, ctrl: true)),
        ]
        for (name, key) in modified {
            let code = sb_key_named(name)
            if code > 0 { keys[code] = key }
        }
        return keys
    }()

    /// What one read of the terminal gives: a character, or a key ncurses decoded (an arrow, a
    /// resize, the mouse).
    enum Read: Equatable { case character(UInt32), keycode(Int32) }

    /// Reads the terminal, waiting up to the milliseconds given; nil when nothing came.
    private let source: (Int32) -> Read?
    /// A read that ended a sequence without belonging to it (a resize right after Esc): it is
    /// the next event, not lost.
    private var pushedBack: Read?

    init(source: @escaping (Int32) -> Read? = KeyDecoder.terminal) {
        self.source = source
    }

    static func terminal(_ timeout: Int32) -> Read? {
        var value: UInt32 = 0
        switch sb_read(timeout, &value) {
        case Int32(SB_CHAR): return .character(value)
        case Int32(SB_KEYCODE): return .keycode(Int32(bitPattern: value))
        default: return nil
        }
    }

    private func next(_ timeout: Int32) -> Read? {
        if let read = pushedBack {
            pushedBack = nil
            return read
        }
        return source(timeout)
    }

    /// Everything available now, waiting up to `timeoutMilliseconds` for the first.
    func read(timeoutMilliseconds: Int32) -> [InputEvent] {
        var events: [InputEvent] = []
        var read = next(timeoutMilliseconds)
        while let current = read {
            if let event = decode(current) { events.append(event) }
            read = next(0)
        }
        return events
    }

    private func decode(_ read: Read) -> InputEvent? {
        switch read {
        case .keycode(let code):
            if code == SB_KEY_RESIZE { return .resize(width: 0, height: 0) }
            if code == SB_KEY_MOUSE { return mouse() }
            return named[code].map { .key($0) }
        case .character(27):
            return escape()
        case .character(let value):
            return .key(key(for: value))
        }
    }

    private func key(for value: UInt32) -> Key {
        switch value {
        case 13, 10: .enter
        case 9: .tab
        case 127, 8: .backspace
        case 0: Key(.character(" "), ctrl: true)
        case 1...26: .ctrl(Character(Unicode.Scalar(value + 96)!))
        case 28...31: Key(.character(Character(Unicode.Scalar(value + 64)!)), ctrl: true)
        default: .char(Character(Unicode.Scalar(value) ?? "?"))
        }
    }

    /// After ESC: Alt with a key, a CSI sequence (bracketed paste, Shift-Tab), or Esc alone.
    private func escape() -> InputEvent? {
        guard let following = next(0) else { return .key(.escape) }
        switch following {
        case .character(91):  // "["
            var parameters = ""
            while let read = next(5) {
                guard case .character(let value) = read else {
                    pushedBack = read  // a key of its own, not part of the sequence
                    break
                }
                let scalar = Unicode.Scalar(value) ?? " "
                if (0x40...0x7E).contains(value) {
                    parameters.unicodeScalars.append(scalar)
                    break
                }
                parameters.unicodeScalars.append(scalar)
            }
            switch parameters {
            case "200~": return .paste(paste())
            case "Z": return .key(.backTab)
            case "I": return .focus(true)
            case "O": return .focus(false)
            default:
                // A sequence ncurses did not know: an xterm-style modified key its terminfo entry
                // lacks (screen-256color has no Alt-arrows), else dropped — never typed.
                return Self.modified(parameters).map { .key($0) }
            }
        case .character(27):
            // Esc, then a key that begins with ESC of its own (F1 is `ESC O P` here, Alt-End
            // `ESC [1;3F`), both in one read: Esc alone, and the next key decoded whole — taken
            // as Alt-ESC, its tail was typed into the line as text ("[1;3F") and F1 was lost.
            pushedBack = following
            return .key(.escape)
        case .character(let value):
            var key = key(for: value)
            key.alt = true
            return .key(key)
        case .keycode(let code):
            guard var key = named[code] else {
                // Esc, then something that is no key to hold Alt with (a resize, the mouse).
                pushedBack = following
                return .key(.escape)
            }
            key.alt = true
            return .key(key)
        }
    }

    /// xterm's modified keys: `1;3D` is Alt-←, `5;5~` Ctrl-PgUp (the number after `;` is one
    /// plus Shift 1, Alt 2, Ctrl 4).
    static func modified(_ parameters: String) -> Key? {
        guard let final = parameters.last else { return nil }
        let numbers = parameters.dropLast().split(separator: ";").map { Int($0) }
        guard numbers.count == 2, let first = numbers[0], let modifier = numbers[1], modifier >= 2 else { return nil }
        let base: Key.Code? =
            switch (final, first) {
            case ("A", 1): .up
            case ("B", 1): .down
            case ("C", 1): .right
            case ("D", 1): .left
            case ("H", 1): .home
            case ("F", 1): .end
            case ("~", 3): .delete
            case ("~", 5): .pageUp
            case ("~", 6): .pageDown
            default: nil
            }
        guard let base else { return nil }
        let bits = modifier - 1
        return Key(base, ctrl: bits & 4 != 0, alt: bits & 2 != 0, shift: bits & 1 != 0)
    }

    /// Reads a bracketed paste up to its end marker. A key ncurses decoded inside it (pasted
    /// escape sequences) is not typed; a resize while it came is the next event.
    private func paste() -> String {
        var text = String.UnicodeScalarView()
        let end = Array("\u{1B}[201~".unicodeScalars)
        var tail: [Unicode.Scalar] = []
        var resize: Read?
        defer { if let resize { pushedBack = resize } }
        while let read = next(100) {
            guard case .character(let value) = read else {
                if read == .keycode(SB_KEY_RESIZE) { resize = read }
                continue
            }
            guard let scalar = Unicode.Scalar(value) else { continue }
            tail.append(scalar)
            if tail.count > end.count { text.append(tail.removeFirst()) }
            if tail == end { return String(text) }
        }
        text.append(contentsOf: tail)
        return String(text)
    }

    private func mouse() -> InputEvent? {
        var x: Int32 = 0, y: Int32 = 0, buttons: UInt = 0
        guard sb_mouse(&x, &y, &buttons) == 0 else { return nil }
        let kind: MouseEvent.Kind
        if buttons & SB_BUTTON4_PRESSED != 0 {
            kind = .wheelUp
        } else if buttons & SB_BUTTON5_PRESSED != 0 {
            kind = .wheelDown
        } else if buttons & (SB_BUTTON1_PRESSED | SB_BUTTON1_CLICKED) != 0 {
            kind = .press(button: 1)
        } else if buttons & SB_BUTTON1_RELEASED != 0 {
            kind = .release
        } else if buttons & SB_REPORT_MOUSE_POSITION != 0 {
            kind = .press(button: 1)
        }  // a drag
        else {
            return nil
        }
        return .mouse(MouseEvent(kind, x: Int(x), y: Int(y)))
    }
}
