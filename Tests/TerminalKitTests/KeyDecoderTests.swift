import CNCurses
import TerminalKit
import Testing

@testable import CursesTerminal

/// The key decoder on scripted reads (what ncurses would give), no terminal needed.
@Suite struct KeyDecoderTests {
    private static func decode(_ reads: [KeyDecoder.Read]) -> [InputEvent] {
        var waiting = reads[...]
        let decoder = KeyDecoder { _ in waiting.popFirst() }
        var events: [InputEvent] = []
        while !waiting.isEmpty { events += decoder.read(timeoutMilliseconds: 0) }
        return events
    }

    private static func text(_ string: String) -> [KeyDecoder.Read] { string.unicodeScalars.map { .character($0.value) } }
    private static let esc = KeyDecoder.Read.character(27)
    private static let resize = KeyDecoder.Read.keycode(SB_KEY_RESIZE)

    /// Esc pressed just before the window changed size: both arrive (the resize was lost, and
    /// the screen stayed drawn for the old size until the next one).
    @Test func aResizeRightAfterEscapeIsKept() {
        #expect(Self.decode([Self.esc, Self.resize]) == [.key(.escape), .resize(width: 0, height: 0)])
        #expect(Self.decode([Self.esc]) == [.key(.escape)])
        #expect(Self.decode([Self.esc] + Self.text("x")) == [.key(Key(.character("x"), alt: true))])
        #expect(Self.decode([Self.esc, .keycode(SB_KEY_UP)]) == [.key(Key(.up, alt: true))])
    }

    /// Esc and then a key whose sequence begins with ESC, read at once (a quick Esc then F1 or
    /// Alt-End): two keys, nothing typed.
    @Test func escapeThenAnEscapeSequenceIsTwoKeys() {
        #expect(Self.decode([Self.esc, Self.esc] + Self.text("[1;3F")) == [.key(.escape), .key(Key(.end, alt: true))])
        #expect(Self.decode([Self.esc, Self.esc] + Self.text("x")) == [.key(.escape), .key(Key(.character("x"), alt: true))])
        #expect(Self.decode([Self.esc, Self.esc, Self.esc]) == [.key(.escape), .key(.escape), .key(.escape)])
    }

    /// A resize in the middle of an escape sequence or a paste comes after it; keys ncurses
    /// decoded inside a paste are not typed.
    @Test func aResizeInsideASequenceComesAfterIt() {
        #expect(Self.decode([Self.esc] + Self.text("[") + [Self.resize]) == [.resize(width: 0, height: 0)])
        let paste =
            [Self.esc] + Self.text("[200~ab") + [Self.resize, .keycode(SB_KEY_UP)] + Self.text("c") + [Self.esc] + Self.text("[201~")
        #expect(Self.decode(paste + Self.text("d")) == [.paste("abc"), .resize(width: 0, height: 0), .key(.char("d"))])
        #expect(Self.decode([Self.esc] + Self.text("[Z")) == [.key(.backTab)])
    }
}
