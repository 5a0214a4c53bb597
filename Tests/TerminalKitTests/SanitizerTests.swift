import Testing

@testable import TerminalKit

/// Hostile text comes out as harmless visible text.
@Suite struct SanitizerTests {
    @Test(arguments: [
        ("\u{1B}]0;pwned title\u{07}", "␛]0;pwned title␇"),  // OSC 0: set the window title
        ("\u{1B}]52;c;cm0gLXJmIH4=\u{07}", "␛]52;c;cm0gLXJmIH4=␇"),  // OSC 52: write the clipboard
        ("\u{1B}[2J", "␛[2J"),  // clear the screen
        ("\u{9B}31mred", "<9B>31mred"),  // one-byte CSI (C1)
        ("paid\rREFUNDED", "paid␍REFUNDED"),  // carriage return overwrite
        ("ok\u{08}\u{08}NO", "ok␈␈NO"),  // backspace overwrite
        ("file\u{202E}gpj.exe", "file<U+202E>gpj.exe"),  // right-to-left override
        ("a\u{2066}b\u{2069}c\u{200F}", "a<U+2066>b<U+2069>c<U+200F>"),  // isolates and marks
        ("del\u{7F}", "del␡"),
        ("tab\there", "tab here"),
        ("two\nlines", "two␊lines"),
    ])
    func controlsBecomeVisible(input: String, shown: String) {
        let clean = Sanitizer.clean(input)
        #expect(clean == shown)
        // Nothing that a terminal acts on is left.
        #expect(!clean.unicodeScalars.contains { $0.value < 0x20 || (0x7F...0x9F).contains($0.value) || $0.value == 0x202E })
    }

    @Test func newlinesStayWhereLinesAreAllowedAndEmojiSequencesStayWhole() {
        #expect(Sanitizer.clean("two\nlines", keepNewlines: true) == "two\nlines")
        #expect(Sanitizer.clean("a\u{2028}b", keepNewlines: true) == "a\nb")
        let family = "👨‍👩‍👧‍👦 café ❤️ 🇫🇷"
        #expect(Sanitizer.clean(family) == family)
    }

    @Test func screensDrawOnlySanitisedText() {
        var screen = Screen(width: 40, height: 2)
        screen.put("\u{1B}]0;title\u{07}\u{1B}[2J\r\u{202E}x", x: 0, y: 0)
        #expect(screen.lines[0] == "␛]0;title␇␛[2J␍<U+202E>x")
    }
}
